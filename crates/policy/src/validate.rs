//! Parse, then validate: turns policy JSON into a [`PolicyFile`] (syntax and type errors with their
//! JSON path), then checks it as a whole and builds the typed [`Policy`], reporting every problem
//! at once.

use std::collections::VecDeque;

use chrono::{DateTime, NaiveDate};

use crate::calendar::{self, describe, max_amount, parse_clock, parse_date, BusinessCalendar};
use crate::error::{PolicyError, PolicyErrors};
use crate::model::{unit_name, Calendar, Localized, Next, Plan, PolicyFile, Span, Target, Unit, Weekday};
use crate::policy::{Keyed, Policy, Route};
use crate::zone::ZoneResolver;

/// Parses and validates a policy file.
pub fn parse_policy(json: &str, zones: &dyn ZoneResolver) -> Result<Policy, PolicyErrors> {
    validate(parse_file(json)?, zones)
}

/// Parses policy JSON into the raw file without checking it as a whole, on every target with the
/// crate's own strict JSON parser (`json`) and decoder into the model types (`decode`), which follow
/// the serde attributes of [`crate::model`]. A syntax error stops parsing and is reported alone,
/// with the line, column and JSON path where it was found; otherwise every type problem (wrong
/// type, missing or unknown field, unknown name, integer out of range) is reported, each with its
/// JSON path (`$.plans[1].targets.P3.resolution.limit.amount`).
pub fn parse_file(json: &str) -> Result<PolicyFile, PolicyErrors> {
    let value = crate::json::parse(json).map_err(|error| PolicyErrors(vec![error]))?;
    crate::decode::policy_file(value)
}

/// `$.a` + `b` → `$.a.b`; keys that are not identifiers are quoted: `$.name["pt-BR"]` (the same
/// rule as the decoder's paths, `crate::json::push_key`).
fn key_path(path: &str, key: &str) -> String {
    let mut out = path.to_string();
    crate::json::push_key(&mut out, key);
    out
}

fn index_path(path: &str, index: usize) -> String {
    format!("{path}[{index}]")
}

/// Collects problems while walking the file.
struct Checker<'a> {
    errors: Vec<PolicyError>,
    locales: &'a [String],
}

impl Checker<'_> {
    fn error(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.errors.push(PolicyError::new(path, message));
    }

    fn non_empty(&mut self, path: &str, value: &str) {
        if value.trim().is_empty() {
            self.error(path, "must not be empty");
        }
    }

    /// Every locale of the policy present and non-empty, and no other locale.
    fn localized(&mut self, path: &str, text: &Localized) {
        for locale in self.locales {
            match text.get(locale) {
                None => self.error(path, format!("missing translation \"{locale}\"")),
                Some(t) if t.trim().is_empty() => self.error(key_path(path, locale), "empty text"),
                Some(_) => {}
            }
        }
        for tag in text.keys() {
            if !self.locales.contains(tag) {
                let listed = self.locales.join(", ");
                self.error(key_path(path, tag), format!("locale \"{tag}\" is not one of $.locales ({listed})"));
            }
        }
    }

    /// Reports ids that are empty or used twice in a list; returns id → first index.
    fn ids<'i>(&mut self, path: &str, what: &str, ids: impl Iterator<Item = &'i str>) -> Keyed<usize> {
        let mut seen = Keyed::new();
        for (i, id) in ids.enumerate() {
            let id_path = format!("{}.id", index_path(path, i));
            if id.trim().is_empty() {
                self.error(id_path, format!("{what} id must not be empty"));
            } else if let Some(first) = seen.get(id) {
                self.error(id_path, format!("duplicate {what} id \"{id}\" (first at {})", index_path(path, *first)));
            } else {
                seen.insert_first(id, i);
            }
        }
        seen
    }

    fn span(&mut self, path: &str, span: Span) {
        if span.amount <= 0 {
            self.error(format!("{path}.amount"), format!("must be positive, got {}", span.amount));
        } else if span.amount > max_amount(span.unit) {
            self.error(
                format!("{path}.amount"),
                format!("{} is too long: at most {} {}", describe(span), max_amount(span.unit), unit_name(span.unit)),
            );
        }
    }

    fn target(&mut self, path: &str, target: &Target, calendars: &Keyed<&Calendar>) {
        self.span(&format!("{path}.limit"), target.limit);
        if let Some(average) = target.average {
            self.span(&format!("{path}.average"), average);
            if let (Some(avg), Some(limit)) = (comparable(average), comparable(target.limit)) {
                if avg.0 == limit.0 && avg.1 > limit.1 && average.amount > 0 && target.limit.amount > 0 {
                    self.error(
                        format!("{path}.average"),
                        format!("average {} is longer than the limit {}", describe(average), describe(target.limit)),
                    );
                }
            }
        }
        match calendars.get(&target.calendar) {
            None => self.error(format!("{path}.calendar"), format!("unknown calendar \"{}\"", target.calendar)),
            Some(calendar) => {
                let spans = [("limit", Some(target.limit)), ("average", target.average)];
                for (name, span) in spans {
                    let Some(span) = span else { continue };
                    let unit_path = format!("{path}.{name}.unit");
                    if span.unit.is_business() && calendar.always_open {
                        self.error(
                            unit_path,
                            format!(
                                "{} needs a calendar with opening hours; calendar \"{}\" is always open",
                                unit_name(span.unit),
                                calendar.id
                            ),
                        );
                    } else if !span.unit.is_business() && !calendar.hours.is_empty() {
                        self.error(
                            unit_path,
                            format!(
                                "{} counts elapsed time and needs an always-open calendar; calendar \"{}\" has opening hours (use business_hours or business_days)",
                                unit_name(span.unit),
                                calendar.id
                            ),
                        );
                    }
                }
            }
        }
    }

    fn calendar(&mut self, path: &str, calendar: &Calendar, zones: &dyn ZoneResolver) -> Option<BusinessCalendar> {
        let before = self.errors.len();
        self.localized(&format!("{path}.label"), &calendar.label);
        let zone_path = format!("{path}.time_zone");
        if calendar.time_zone.trim().is_empty() {
            self.error(zone_path, "must not be empty");
        } else if let Err(e) = zones.offset_at(&calendar.time_zone, DateTime::UNIX_EPOCH) {
            self.error(zone_path, format!("{}: \"{}\"", e.message, calendar.time_zone));
        }
        match (calendar.always_open, calendar.hours.is_empty()) {
            (true, false) => self.error(
                format!("{path}.hours"),
                "an always-open calendar has no opening hours: remove `hours` or `always_open`",
            ),
            (false, true) => self.error(path, "give either `\"always_open\": true` or weekly opening `hours`"),
            _ => {}
        }
        let mut days: [Vec<(u32, u32)>; 7] = Default::default();
        for (weekday, intervals) in &calendar.hours {
            let day_path = format!("{path}.hours.{}", weekday.name());
            if intervals.is_empty() {
                self.error(&day_path, "no intervals: leave the day out when closed");
            }
            let mut parsed: Vec<(u32, u32, usize)> = Vec::new();
            for (i, [open, close]) in intervals.iter().enumerate() {
                let interval_path = index_path(&day_path, i);
                let start = parse_clock(open, false);
                let end = parse_clock(close, true);
                if start.is_none() {
                    self.error(index_path(&interval_path, 0), format!("\"{open}\" is not a time HH:MM (00:00–23:59)"));
                }
                if end.is_none() {
                    self.error(index_path(&interval_path, 1), format!("\"{close}\" is not a time HH:MM (00:01–24:00)"));
                }
                if let (Some(start), Some(end)) = (start, end) {
                    if start >= end {
                        self.error(
                            &interval_path,
                            format!("empty interval: closing time {close} is not after opening time {open}"),
                        );
                    } else {
                        parsed.push((start, end, i));
                    }
                }
            }
            calendar::sort_small(&mut parsed);
            for pair in parsed.windows(2) {
                let (a, b) = (pair[0], pair[1]);
                if b.0 < a.1 {
                    let [a_open, a_close] = &intervals[a.2];
                    self.error(
                        index_path(&day_path, b.2),
                        format!("overlaps {} ({a_open}–{a_close})", index_path(&day_path, a.2)),
                    );
                }
            }
            days[weekday_slot(*weekday)] = parsed.into_iter().map(|(s, e, _)| (s, e)).collect();
        }
        let mut holidays: Vec<NaiveDate> = Vec::new();
        let mut seen: Vec<(NaiveDate, usize)> = Vec::new();
        for (i, holiday) in calendar.holidays.iter().enumerate() {
            let holiday_path = index_path(&format!("{path}.holidays"), i);
            self.localized(&format!("{holiday_path}.name"), &holiday.name);
            match parse_date(&holiday.date) {
                None => {
                    self.error(format!("{holiday_path}.date"), format!("\"{}\" is not a date YYYY-MM-DD", holiday.date))
                }
                Some(date) => {
                    if let Some((_, first)) = seen.iter().find(|(seen_date, _)| *seen_date == date) {
                        self.error(
                            format!("{holiday_path}.date"),
                            format!(
                                "{} is listed twice (first at {})",
                                holiday.date,
                                index_path(&format!("{path}.holidays"), *first)
                            ),
                        );
                    } else {
                        seen.push((date, i));
                        holidays.push(date);
                    }
                }
            }
        }
        if self.errors.len() != before {
            return None;
        }
        if calendar.always_open {
            Some(BusinessCalendar::always_open(&calendar.id, &calendar.time_zone))
        } else {
            calendar::BusinessCalendar::with_hours(&calendar.id, &calendar.time_zone, days, holidays)
        }
    }
}

fn weekday_slot(day: Weekday) -> usize {
    Weekday::ALL.iter().position(|d| *d == day).unwrap_or(0)
}

/// A span in a common scale where one exists: elapsed units in minutes, business hours, business
/// days. `(scale, amount)`.
fn comparable(span: Span) -> Option<(u8, i64)> {
    match span.unit {
        Unit::Minutes => Some((0, span.amount)),
        Unit::Hours => span.amount.checked_mul(60).map(|m| (0, m)),
        Unit::Days => span.amount.checked_mul(1_440).map(|m| (0, m)),
        Unit::BusinessHours => Some((1, span.amount)),
        Unit::BusinessDays => Some((2, span.amount)),
    }
}

/// A span in elapsed minutes, roughly: business time is stretched by how much of the week its
/// calendar is open (9 h a day, 5 days a week: a business hour weighs 168/45 hours, a business
/// day 7/5 days). Only for ranking plans; due times are computed exactly by the calendar.
fn nominal_minutes(span: Span, calendar: Option<&Calendar>) -> f64 {
    let amount = span.amount as f64;
    let hours = calendar.map(|c| &c.hours);
    let open_minutes: f64 = hours
        .map(|hours| {
            hours
                .values()
                .flatten()
                .map(|[from, to]| {
                    let from = parse_clock(from, false).unwrap_or(0);
                    let to = parse_clock(to, true).unwrap_or(0);
                    f64::from(to.saturating_sub(from))
                })
                .sum()
        })
        .unwrap_or(0.0);
    let open_days = hours.map(|h| h.values().filter(|v| !v.is_empty()).count()).unwrap_or(0) as f64;
    const WEEK_MINUTES: f64 = 7.0 * 1_440.0;
    match span.unit {
        Unit::Minutes => amount,
        Unit::Hours => amount * 60.0,
        Unit::Days => amount * 1_440.0,
        Unit::BusinessHours if open_minutes > 0.0 => amount * 60.0 * WEEK_MINUTES / open_minutes,
        Unit::BusinessDays if open_days > 0.0 => amount * 1_440.0 * 7.0 / open_days,
        // A 24/7 calendar (validation refuses business units there; rank them as elapsed).
        Unit::BusinessHours => amount * 60.0,
        Unit::BusinessDays => amount * 1_440.0,
    }
}

/// The plan with the longest promised times: the sum, over severities, of its first-response
/// and resolution limits in nominal minutes. Ties: the last listed (plans are usually listed
/// best first).
pub(crate) fn least_served_plan(file: &PolicyFile) -> usize {
    let calendar = |id: &str| file.calendars.iter().find(|c| c.id == id);
    let score = |plan: &Plan| -> f64 {
        plan.targets
            .values()
            .flat_map(|t| [&t.first_response, &t.resolution])
            .map(|target| nominal_minutes(target.limit, calendar(&target.calendar)))
            .sum()
    };
    let mut worst = 0;
    let mut worst_score = f64::NEG_INFINITY;
    for (i, plan) in file.plans.iter().enumerate() {
        let s = score(plan);
        if s >= worst_score {
            worst = i;
            worst_score = s;
        }
    }
    worst
}

/// Why a URL is not allowed, if it is not.
fn url_problem(url: &str) -> Option<String> {
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Some("must not contain spaces or control characters".to_string());
    }
    let Some((scheme, rest)) = url.split_once(':') else {
        return Some(format!("\"{url}\" is not a URL: use https://, http:// or mailto:"));
    };
    match scheme.to_ascii_lowercase().as_str() {
        "https" | "http" => {
            let host = rest.strip_prefix("//").map(|r| r.split(['/', '?', '#']).next().unwrap_or(""));
            match host {
                Some(host) if !host.is_empty() => None,
                _ => Some(format!("\"{url}\" has no host: write it like https://status.example.com")),
            }
        }
        "mailto" if rest.contains('@') => None,
        "mailto" => Some(format!("\"{url}\" has no e-mail address after mailto:")),
        _ => Some(format!("scheme \"{scheme}\" is not allowed: use https, http or mailto")),
    }
}

/// What is wrong with a feed address, if anything: it must be an https or http URL with a host,
/// or a path on the page's own site (`/status.json`).
fn feed_url_problem(url: &str) -> Option<String> {
    let path = url.starts_with('/') && !url.starts_with("//");
    let web = ["https:", "http:"].iter().any(|scheme| url.get(..scheme.len()).is_some_and(|s| s.eq_ignore_ascii_case(scheme)));
    match (path, web) {
        (true, _) if !url.chars().any(|c| c.is_whitespace() || c.is_control()) => None,
        (false, true) => url_problem(url),
        _ => Some(format!("\"{url}\" is not an https or http URL, nor a path like /status.json")),
    }
}

impl Checker<'_> {
    fn status_feed(&mut self, path: &str, feed: &crate::model::StatusFeed) {
        if let Some(problem) = feed_url_problem(&feed.url) {
            self.error(format!("{path}.url"), problem);
        }
        if let Some(problem) = feed.proxy.as_deref().and_then(feed_url_problem) {
            self.error(format!("{path}.proxy"), problem);
        }
        for (i, component) in feed.components.iter().enumerate() {
            let at = index_path(&format!("{path}.components"), i);
            if component.trim().is_empty() {
                self.error(at, "must not be empty");
            } else if feed.components[..i].contains(component) {
                self.error(at, "listed twice");
            }
        }
    }
}

fn locale_problem(tag: &str) -> Option<&'static str> {
    let mut parts = tag.split('-');
    let language = parts.next().unwrap_or("");
    if !(2..=8).contains(&language.len()) || !language.chars().all(|c| c.is_ascii_alphabetic()) {
        return Some("is not a BCP 47 language tag like \"pt-BR\" or \"en\"");
    }
    if parts.any(|p| p.is_empty() || p.len() > 8 || !p.chars().all(|c| c.is_ascii_alphanumeric())) {
        return Some("is not a BCP 47 language tag like \"pt-BR\" or \"en\"");
    }
    None
}

/// Checks a parsed file as a whole and builds the typed policy, or reports every problem found.
pub fn validate(file: PolicyFile, zones: &dyn ZoneResolver) -> Result<Policy, PolicyErrors> {
    let mut c = Checker { errors: Vec::new(), locales: &file.locales };
    c.non_empty("$.id", &file.id);
    c.non_empty("$.version", &file.version);

    if file.locales.is_empty() {
        c.error("$.locales", "must list at least one locale, e.g. [\"pt-BR\", \"en\"]");
    }
    let mut seen_locales: Vec<String> = Vec::new();
    for (i, tag) in file.locales.iter().enumerate() {
        let path = index_path("$.locales", i);
        if let Some(problem) = locale_problem(tag) {
            c.error(&path, format!("\"{tag}\" {problem}"));
        }
        let lower = tag.to_ascii_lowercase();
        if seen_locales.contains(&lower) {
            c.error(&path, format!("duplicate locale \"{tag}\""));
        }
        seen_locales.push(lower);
    }
    c.localized("$.name", &file.name);

    // Severities.
    if file.severities.is_empty() {
        c.error("$.severities", "must list at least one severity");
    }
    let severity_ranks = c.ids("$.severities", "severity", file.severities.iter().map(|s| s.id.as_str()));
    for (i, severity) in file.severities.iter().enumerate() {
        let path = index_path("$.severities", i);
        c.localized(&format!("{path}.label"), &severity.label);
        c.localized(&format!("{path}.definition"), &severity.definition);
        for (j, example) in severity.examples.iter().enumerate() {
            c.localized(&index_path(&format!("{path}.examples"), j), example);
        }
    }

    // Questionnaire.
    let questions = &file.questionnaire.questions;
    if questions.is_empty() {
        c.error("$.questionnaire.questions", "must list at least one question");
    }
    let question_indexes = c.ids("$.questionnaire.questions", "question", questions.iter().map(|q| q.id.as_str()));
    let start = question_indexes.get(&file.questionnaire.start).copied();
    if start.is_none() {
        c.error("$.questionnaire.start", format!("unknown question \"{}\"", file.questionnaire.start));
    }
    // Edges between questions, by index: (question, answer, next question).
    let mut edges: Vec<Vec<(usize, usize)>> = vec![Vec::new(); questions.len()];
    for (qi, question) in questions.iter().enumerate() {
        let path = index_path("$.questionnaire.questions", qi);
        c.localized(&format!("{path}.prompt"), &question.prompt);
        if let Some(help) = &question.help {
            c.localized(&format!("{path}.help"), help);
        }
        let answers_path = format!("{path}.answers");
        if question.answers.is_empty() {
            c.error(&answers_path, "must list at least one answer");
        }
        c.ids(&answers_path, "answer", question.answers.iter().map(|a| a.id.as_str()));
        let sure_answers = question.answers.iter().filter(|a| !a.unsure).count();
        for (ai, answer) in question.answers.iter().enumerate() {
            let path = index_path(&answers_path, ai);
            c.localized(&format!("{path}.label"), &answer.label);
            c.localized(&format!("{path}.reason"), &answer.reason);
            match (&answer.next, answer.unsure) {
                (None, false) => c.error(
                    format!("{path}.next"),
                    format!(
                        "answer \"{}\" leads nowhere: give it a `next` question or severity, or mark it `\"unsure\": true`",
                        answer.id
                    ),
                ),
                (Some(_), true) => c.error(
                    format!("{path}.next"),
                    "an unsure answer has no `next`: it follows the sibling answer that can reach the most severe severity",
                ),
                (None, true) if sure_answers == 0 => c.error(
                    format!("{path}.unsure"),
                    format!("question \"{}\" has no other answer for this unsure answer to resolve to", question.id),
                ),
                _ => {}
            }
            match &answer.next {
                Some(Next::Question(id)) => match question_indexes.get(id) {
                    Some(&next) => edges[qi].push((ai, next)),
                    None => c.error(format!("{path}.next.question"), format!("unknown question \"{id}\"")),
                },
                Some(Next::Severity(id)) if !severity_ranks.contains_key(id) => {
                    c.error(format!("{path}.next.severity"), format!("unknown severity \"{id}\""))
                }
                _ => {}
            }
        }
    }
    let post_order = check_graph(&mut c, &file, &edges, start);

    // Calendars (before plans and channels, whose targets refer to them).
    let calendar_ids = c.ids("$.calendars", "calendar", file.calendars.iter().map(|cal| cal.id.as_str()));
    if file.calendars.is_empty() {
        c.error("$.calendars", "must list at least one calendar");
    }
    let mut calendars_by_id: Keyed<&Calendar> = Keyed::new();
    for (id, &i) in calendar_ids.iter() {
        if let Some(calendar) = file.calendars.get(i) {
            calendars_by_id.insert_first(id, calendar);
        }
    }
    let mut calendars = Keyed::new();
    for (i, calendar) in file.calendars.iter().enumerate() {
        if let Some(built) = c.calendar(&index_path("$.calendars", i), calendar, zones) {
            calendars.insert_first(&calendar.id, built);
        }
    }

    // Plans.
    if file.plans.is_empty() {
        c.error("$.plans", "must list at least one plan");
    }
    let plan_indexes = c.ids("$.plans", "plan", file.plans.iter().map(|p| p.id.as_str()));
    for (i, plan) in file.plans.iter().enumerate() {
        let path = index_path("$.plans", i);
        c.localized(&format!("{path}.label"), &plan.label);
        c.localized(&format!("{path}.coverage"), &plan.coverage);
        let targets_path = format!("{path}.targets");
        for severity in &file.severities {
            if !severity.id.is_empty() && !plan.targets.contains_key(&severity.id) {
                c.error(&targets_path, format!("missing severity \"{}\"", severity.id));
            }
        }
        for (severity, targets) in &plan.targets {
            let severity_path = key_path(&targets_path, severity);
            if !severity_ranks.contains_key(severity) {
                c.error(&severity_path, format!("unknown severity \"{severity}\""));
            }
            c.target(&format!("{severity_path}.first_response"), &targets.first_response, &calendars_by_id);
            c.target(&format!("{severity_path}.resolution"), &targets.resolution, &calendars_by_id);
        }
    }
    let default_plan = match &file.default_plan {
        None => Some(0),
        Some(id) => {
            let found = plan_indexes.get(id).copied();
            if found.is_none() {
                c.error("$.default_plan", format!("unknown plan \"{id}\""));
            }
            found
        }
    };

    // The least-served plan is found on demand (`Policy::unverified_plan`): the widget never
    // needs it, so its arithmetic stays out of the WebAssembly bundle.
    if let Some(id) = file.unverified_plan.as_ref().filter(|id| !plan_indexes.contains_key(id)) {
        c.error("$.unverified_plan", format!("unknown plan \"{id}\""));
    }

    // Channels, products, the rest.
    let channel_indexes = c.ids("$.channels", "channel", file.channels.iter().map(|ch| ch.id.as_str()));
    for (i, channel) in file.channels.iter().enumerate() {
        let path = index_path("$.channels", i);
        c.localized(&format!("{path}.label"), &channel.label);
        c.target(&format!("{path}.first_response"), &channel.first_response, &calendars_by_id);
    }
    c.ids("$.products", "product", file.products.iter().map(|p| p.id.as_str()));
    for (i, product) in file.products.iter().enumerate() {
        let path = index_path("$.products", i);
        c.localized(&format!("{path}.label"), &product.label);
        if let Some(problem) = product.status_page.as_deref().and_then(url_problem) {
            c.error(format!("{path}.status_page"), problem);
        }
        if let Some(feed) = &product.status_feed {
            c.status_feed(&format!("{path}.status_feed"), feed);
        }
    }
    for (i, id) in file.outage_severities.iter().enumerate() {
        let path = index_path("$.outage_severities", i);
        if !severity_ranks.contains_key(id) {
            c.error(path, format!("unknown severity \"{id}\""));
        } else if file.outage_severities[..i].contains(id) {
            c.error(path, "listed twice");
        }
    }
    if file.outage_severities.is_empty() {
        if let Some(i) = file.products.iter().position(|p| p.status_feed.is_some()) {
            c.error(
                format!("{}.status_feed", index_path("$.products", i)),
                "a status feed needs `outage_severities` (e.g. [\"P1\"]): the severities at which a known \
                 incident is shown",
            );
        }
    }
    if let Some(help) = &file.escalation.help {
        c.localized("$.escalation.help", help);
    }
    if let Some(plans) = &file.escalation.plans {
        for (i, id) in plans.iter().enumerate() {
            let path = index_path("$.escalation.plans", i);
            if !plan_indexes.contains_key(id) {
                c.error(&path, format!("unknown plan \"{id}\""));
            } else if plans[..i].contains(id) {
                c.error(&path, "listed twice");
            }
        }
    }
    for (i, field) in file.contact.required.iter().enumerate() {
        if file.contact.required[..i].contains(field) {
            c.error(index_path("$.contact.required", i), "listed twice");
        }
    }
    if file.attachments.max_files > 0 && file.attachments.max_bytes == 0 {
        c.error("$.attachments.max_bytes", "must be positive when attachments are allowed");
    }
    for (i, mime) in file.attachments.types.iter().enumerate() {
        let valid = mime.split_once('/').is_some_and(|(t, s)| {
            !t.is_empty() && !s.is_empty() && !s.contains('/') && !mime.contains(char::is_whitespace)
        });
        if !valid {
            c.error(index_path("$.attachments.types", i), format!("\"{mime}\" is not a MIME type like \"image/png\""));
        }
    }

    if !c.errors.is_empty() {
        return Err(PolicyErrors(c.errors));
    }
    let (Some(start), Some(default_plan), Some(post_order)) = (start, default_plan, post_order) else {
        return Err(PolicyErrors(vec![PolicyError::new("$", "policy is inconsistent")]));
    };
    let (routes, assumed) = resolve_routes(&file, &question_indexes, &severity_ranks, &post_order);
    Ok(Policy {
        severity_ranks,
        question_indexes,
        plan_indexes,
        channel_indexes,
        calendars,
        default_plan,
        start,
        routes,
        assumed,
        file,
    })
}

/// Reports unreachable questions and cycles. Returns the questions in post-order (every question
/// after all questions it leads to) when the graph has no cycle.
fn check_graph(
    c: &mut Checker<'_>,
    file: &PolicyFile,
    edges: &[Vec<(usize, usize)>],
    start: Option<usize>,
) -> Option<Vec<usize>> {
    let questions = &file.questionnaire.questions;
    if let Some(start) = start {
        let mut reached = vec![false; questions.len()];
        reached[start] = true;
        let mut queue = VecDeque::from([start]);
        while let Some(q) = queue.pop_front() {
            for &(_, next) in &edges[q] {
                if !reached[next] {
                    reached[next] = true;
                    queue.push_back(next);
                }
            }
        }
        for (qi, question) in questions.iter().enumerate() {
            if !reached[qi] {
                c.error(
                    index_path("$.questionnaire.questions", qi),
                    format!(
                        "question \"{}\" is unreachable: no answer on a path from \"{}\" leads to it",
                        question.id, file.questionnaire.start
                    ),
                );
            }
        }
    }
    // Iterative depth-first search: 0 = new, 1 = on the stack, 2 = done.
    let mut state = vec![0u8; questions.len()];
    let mut post_order = Vec::with_capacity(questions.len());
    let mut acyclic = true;
    for root in 0..questions.len() {
        if state[root] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        state[root] = 1;
        while let Some(&mut (q, ref mut next_edge)) = stack.last_mut() {
            if let Some(&(answer, next)) = edges[q].get(*next_edge) {
                *next_edge += 1;
                match state[next] {
                    0 => {
                        state[next] = 1;
                        stack.push((next, 0));
                    }
                    1 => {
                        acyclic = false;
                        let from = stack.iter().position(|&(n, _)| n == next).unwrap_or(0);
                        let mut cycle: Vec<&str> =
                            stack[from..].iter().map(|&(n, _)| questions[n].id.as_str()).collect();
                        cycle.push(questions[next].id.as_str());
                        c.error(
                            format!(
                                "{}.next.question",
                                index_path(&format!("{}.answers", index_path("$.questionnaire.questions", q)), answer)
                            ),
                            format!(
                                "leads back to question \"{}\", forming a cycle: {}",
                                questions[next].id,
                                cycle.join(" → ")
                            ),
                        );
                    }
                    _ => {}
                }
            } else {
                state[q] = 2;
                post_order.push(q);
                stack.pop();
            }
        }
    }
    acyclic.then_some(post_order)
}

/// Where each answer leads, with unsure answers resolved to the sibling whose branch can reach the
/// most severe severity (ties: the first listed).
#[allow(clippy::type_complexity)]
fn resolve_routes(
    file: &PolicyFile,
    question_indexes: &Keyed<usize>,
    severity_ranks: &Keyed<usize>,
    post_order: &[usize],
) -> (Vec<Vec<Route>>, Vec<Vec<Option<usize>>>) {
    let questions = &file.questionnaire.questions;
    let direct = |next: &Option<Next>| -> Option<Route> {
        match next.as_ref()? {
            Next::Question(id) => question_indexes.get(id).map(|&q| Route::Question(q)),
            Next::Severity(id) => severity_ranks.get(id).map(|&s| Route::Severity(s)),
        }
    };
    // Most severe rank reachable from each question; children come first in post-order.
    let mut best = vec![usize::MAX; questions.len()];
    for &q in post_order {
        best[q] = questions[q]
            .answers
            .iter()
            .filter_map(|a| match direct(&a.next)? {
                Route::Severity(rank) => Some(rank),
                Route::Question(next) => Some(best[next]),
            })
            .min()
            .unwrap_or(usize::MAX);
    }
    let reach = |route: Route| match route {
        Route::Severity(rank) => rank,
        Route::Question(q) => best[q],
    };
    let mut routes = Vec::with_capacity(questions.len());
    let mut assumed = Vec::with_capacity(questions.len());
    for question in questions {
        let direct_routes: Vec<Option<Route>> = question.answers.iter().map(|a| direct(&a.next)).collect();
        let most_severe = direct_routes
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.map(|r| (reach(r), i, r)))
            .min_by_key(|&(rank, i, _)| (rank, i));
        let mut question_routes = Vec::with_capacity(question.answers.len());
        let mut question_assumed = Vec::with_capacity(question.answers.len());
        for (answer, route) in question.answers.iter().zip(&direct_routes) {
            match (route, answer.unsure, most_severe) {
                (Some(route), _, _) => {
                    question_routes.push(*route);
                    question_assumed.push(None);
                }
                (None, true, Some((_, sibling, route))) => {
                    question_routes.push(route);
                    question_assumed.push(Some(sibling));
                }
                // Validation guarantees every answer has a route; keep indexes aligned anyway.
                (None, _, _) => {
                    question_routes.push(Route::Severity(severity_ranks.len().saturating_sub(1)));
                    question_assumed.push(None);
                }
            }
        }
        routes.push(question_routes);
        assumed.push(question_assumed);
    }
    (routes, assumed)
}

#[cfg(all(test, feature = "tzdb"))]
mod tests {
    use serde_json::{json, Value};

    use super::*;
    use crate::testing::sample;
    use crate::Tzdb;

    /// Problems of the sample policy after `edit`, as "path: message" lines.
    fn problems(edit: impl FnOnce(&mut Value)) -> Vec<String> {
        let mut value = sample();
        edit(&mut value);
        match parse_policy(&value.to_string(), &Tzdb) {
            Ok(_) => Vec::new(),
            Err(errors) => errors.iter().map(ToString::to_string).collect(),
        }
    }

    fn remove(value: &mut Value, key: &str) {
        if let Some(object) = value.as_object_mut() {
            object.remove(key);
        }
    }

    fn assert_problem(edit: impl FnOnce(&mut Value), expected: &str) {
        let found = problems(edit);
        assert!(found.iter().any(|p| p == expected), "expected {expected:?} among {found:#?}");
    }

    #[test]
    fn sample_is_valid() {
        assert_eq!(problems(|_| {}), Vec::<String>::new());
    }

    #[test]
    fn syntax_error_names_line_and_column() {
        let errors = parse_policy("{\"id\": \"x\",\n  \"version\": }", &Tzdb).expect_err("invalid JSON");
        let text = errors.to_string();
        assert_eq!(text, "$.version: invalid JSON: expected a value, found `}` at line 2 column 14");
        let errors = parse_policy(&format!("{} trailing", sample()), &Tzdb).expect_err("trailing characters");
        assert!(errors.to_string().contains("trailing characters"), "{errors}");
    }

    #[test]
    fn type_errors_carry_their_path() {
        let found = problems(|v| v["plans"][1]["targets"]["P3"]["resolution"]["limit"]["amount"] = json!("five"));
        assert_eq!(
            found,
            ["$.plans[1].targets.P3.resolution.limit.amount: expected an integer, found the string \"five\""]
        );
        let found = problems(|v| v["calendars"][1]["colour"] = json!("blue"));
        assert!(found[0].starts_with("$.calendars[1].colour: unknown field `colour`"), "{found:?}");
        let found = problems(|v| v["severities"][0]["label"] = json!({ "pt-BR": 1 }));
        assert_eq!(found, ["$.severities[0].label[\"pt-BR\"]: expected a string, found the number 1"]);
    }

    #[test]
    fn every_type_problem_is_reported_at_once() {
        let found = problems(|v| {
            v["calendars"][1]["colour"] = json!("blue");
            v["plans"][1]["targets"]["P3"]["resolution"]["limit"]["amount"] = json!(1.5);
            remove(&mut v["severities"][0], "id");
        });
        assert_eq!(
            found,
            [
                "$.severities[0]: missing field `id`",
                "$.plans[1].targets.P3.resolution.limit.amount: expected an integer, found the number 1.5",
                "$.calendars[1].colour: unknown field `colour`; expected one of `id`, `time_zone`, `label`, `always_open`, `hours`, `holidays`",
            ]
        );
    }

    #[test]
    fn escalation_plans_and_unverified_plan_must_exist() {
        assert_problem(
            |v| v["escalation"]["plans"] = json!(["business-plus", "gold"]),
            "$.escalation.plans[1]: unknown plan \"gold\"",
        );
        assert_problem(|v| v["escalation"]["plans"] = json!(["pro", "pro"]), "$.escalation.plans[1]: listed twice");
        assert_problem(|v| v["unverified_plan"] = json!("gold"), "$.unverified_plan: unknown plan \"gold\"");
    }

    #[test]
    fn escalation_by_plan() {
        let mut value = sample();
        value["escalation"]["plans"] = json!(["business-plus"]);
        let p = parse_policy(&value.to_string(), &Tzdb).expect("valid");
        assert!(p.may_request_escalation("business-plus") && !p.may_request_escalation("pro"));
        assert_eq!(p.applied_severity("business-plus", "P3", Some("P1")), "P1");
        assert_eq!(p.applied_severity("pro", "P3", Some("P1")), "P3", "pro may not ask");
        assert_eq!(p.applied_severity("business-plus", "P2", Some("P3")), "P2", "never lower");
        assert_eq!(p.applied_severity("business-plus", "P2", Some("P9")), "P2", "unknown severity");
        // Without `plans`: every plan, as before; not allowed: none.
        let p = parse_policy(&sample().to_string(), &Tzdb).expect("valid");
        assert!(p.may_request_escalation("pro"));
        let mut value = sample();
        value["escalation"]["allowed"] = json!(false);
        let p = parse_policy(&value.to_string(), &Tzdb).expect("valid");
        assert!(!p.may_request_escalation("business-plus"));
        assert_eq!(p.applied_severity("business-plus", "P3", Some("P1")), "P3");
    }

    #[test]
    fn unverified_plan_defaults_to_the_least_served_not_the_default() {
        // The sample's default is business-plus; pro has longer targets.
        let p = parse_policy(&sample().to_string(), &Tzdb).expect("valid");
        assert_eq!(p.default_plan().id, "business-plus");
        assert_eq!(p.unverified_plan().id, "pro");
        // Listed the other way round, the least-served plan is still found.
        let mut value = sample();
        let plans = value["plans"].as_array_mut().expect("plans");
        plans.reverse();
        let p = parse_policy(&value.to_string(), &Tzdb).expect("valid");
        assert_eq!(p.unverified_plan().id, "pro");
        // Named explicitly, that plan.
        let mut value = sample();
        value["unverified_plan"] = json!("business-plus");
        let p = parse_policy(&value.to_string(), &Tzdb).expect("valid");
        assert_eq!(p.unverified_plan().id, "business-plus");
    }

    #[test]
    fn business_time_weighs_by_the_calendar_opening() {
        // 9 h a day, 5 days a week: 45 h of the week's 168.
        let office = Calendar {
            id: "office".into(),
            time_zone: "America/Sao_Paulo".into(),
            label: Localized::new(),
            always_open: false,
            hours: [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri]
                .into_iter()
                .map(|d| (d, vec![["09:00".to_string(), "18:00".to_string()]]))
                .collect(),
            holidays: Vec::new(),
        };
        let hour = nominal_minutes(Span { amount: 1, unit: Unit::BusinessHours }, Some(&office));
        assert!((hour - 60.0 * 168.0 / 45.0).abs() < 1e-9, "{hour}");
        let day = nominal_minutes(Span { amount: 1, unit: Unit::BusinessDays }, Some(&office));
        assert!((day - 1_440.0 * 7.0 / 5.0).abs() < 1e-9, "{day}");
        assert_eq!(nominal_minutes(Span { amount: 2, unit: Unit::Hours }, None), 120.0);
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let found = problems(|v| {
            remove(&mut v["plans"][1]["targets"], "P3");
            v["plans"][0]["targets"]["P1"]["first_response"]["limit"]["amount"] = json!(0);
            v["calendars"][1]["time_zone"] = json!("Mars/Olympus");
            v["products"][0]["status_page"] = json!("javascript:alert(1)");
            remove(&mut v["severities"][1]["label"], "en");
        });
        assert_eq!(
            found,
            vec![
                "$.severities[1].label: missing translation \"en\"",
                "$.calendars[1].time_zone: unknown IANA time zone: \"Mars/Olympus\"",
                "$.plans[0].targets.P1.first_response.limit.amount: must be positive, got 0",
                "$.plans[1].targets: missing severity \"P3\"",
                "$.products[0].status_page: scheme \"javascript\" is not allowed: use https, http or mailto",
            ]
        );
        let errors = parse_policy(
            &{
                let mut v = sample();
                v["id"] = json!("");
                v["version"] = json!(" ");
                v.to_string()
            },
            &Tzdb,
        )
        .expect_err("two problems");
        assert_eq!(errors.to_string(), "$.id: must not be empty\n$.version: must not be empty");
    }

    #[test]
    fn unknown_references() {
        assert_problem(
            |v| v["questionnaire"]["questions"][0]["answers"][0]["next"] = json!({ "severity": "P7" }),
            "$.questionnaire.questions[0].answers[0].next.severity: unknown severity \"P7\"",
        );
        assert_problem(
            |v| v["questionnaire"]["questions"][0]["answers"][1]["next"] = json!({ "question": "nope" }),
            "$.questionnaire.questions[0].answers[1].next.question: unknown question \"nope\"",
        );
        assert_problem(
            |v| v["questionnaire"]["start"] = json!("nope"),
            "$.questionnaire.start: unknown question \"nope\"",
        );
        assert_problem(
            |v| v["plans"][0]["targets"]["P1"]["resolution"]["calendar"] = json!("weekends"),
            "$.plans[0].targets.P1.resolution.calendar: unknown calendar \"weekends\"",
        );
        assert_problem(
            |v| v["plans"][0]["targets"]["P9"] = v["plans"][0]["targets"]["P1"].clone(),
            "$.plans[0].targets.P9: unknown severity \"P9\"",
        );
        assert_problem(|v| v["default_plan"] = json!("gold"), "$.default_plan: unknown plan \"gold\"");
    }

    #[test]
    fn questionnaire_shape() {
        // Unreachable: "workaround" no longer linked from "down".
        assert_problem(
            |v| v["questionnaire"]["questions"][0]["answers"][1]["next"] = json!({ "severity": "P1" }),
            "$.questionnaire.questions[1]: question \"workaround\" is unreachable: no answer on a path from \"down\" leads to it",
        );
        // Dead end.
        assert_problem(
            |v| remove(&mut v["questionnaire"]["questions"][1]["answers"][0], "next"),
            "$.questionnaire.questions[1].answers[0].next: answer \"exists\" leads nowhere: give it a `next` question or severity, or mark it `\"unsure\": true`",
        );
        // Cycle.
        assert_problem(
            |v| v["questionnaire"]["questions"][1]["answers"][0]["next"] = json!({ "question": "down" }),
            "$.questionnaire.questions[1].answers[0].next.question: leads back to question \"down\", forming a cycle: down → workaround → down",
        );
        // Unsure with next; unsure alone.
        assert_problem(
            |v| v["questionnaire"]["questions"][0]["answers"][2]["next"] = json!({ "severity": "P1" }),
            "$.questionnaire.questions[0].answers[2].next: an unsure answer has no `next`: it follows the sibling answer that can reach the most severe severity",
        );
        assert_problem(
            |v| {
                let answers = &mut v["questionnaire"]["questions"][1]["answers"];
                *answers = json!([answers[2].clone()]);
            },
            "$.questionnaire.questions[1].answers[0].unsure: question \"workaround\" has no other answer for this unsure answer to resolve to",
        );
        // Duplicates.
        assert_problem(
            |v| v["questionnaire"]["questions"][1]["id"] = json!("down"),
            "$.questionnaire.questions[1].id: duplicate question id \"down\" (first at $.questionnaire.questions[0])",
        );
        assert_problem(
            |v| v["questionnaire"]["questions"][1]["answers"][1]["id"] = json!("exists"),
            "$.questionnaire.questions[1].answers[1].id: duplicate answer id \"exists\" (first at $.questionnaire.questions[1].answers[0])",
        );
        assert_problem(
            |v| v["severities"][2]["id"] = json!("P1"),
            "$.severities[2].id: duplicate severity id \"P1\" (first at $.severities[0])",
        );
    }

    #[test]
    fn plans_and_targets() {
        assert_problem(|v| v["plans"] = json!([]), "$.plans: must list at least one plan");
        assert_problem(|v| v["severities"] = json!([]), "$.severities: must list at least one severity");
        assert_problem(
            |v| v["plans"][0]["targets"]["P2"]["resolution"]["limit"]["amount"] = json!(-3),
            "$.plans[0].targets.P2.resolution.limit.amount: must be positive, got -3",
        );
        assert_problem(
            |v| v["plans"][0]["targets"]["P1"]["first_response"]["average"] = json!({ "amount": 1, "unit": "hours" }),
            "$.plans[0].targets.P1.first_response.average: average 1 hours is longer than the limit 30 minutes",
        );
        assert_problem(
            |v| v["plans"][0]["targets"]["P1"]["first_response"]["limit"]["unit"] = json!("business_hours"),
            "$.plans[0].targets.P1.first_response.limit.unit: business_hours needs a calendar with opening hours; calendar \"24x7\" is always open",
        );
        assert_problem(
            |v| v["plans"][1]["targets"]["P1"]["first_response"]["limit"]["unit"] = json!("hours"),
            "$.plans[1].targets.P1.first_response.limit.unit: hours counts elapsed time and needs an always-open calendar; calendar \"office\" has opening hours (use business_hours or business_days)",
        );
        assert_problem(
            |v| v["plans"][1]["targets"]["P3"]["resolution"]["limit"]["amount"] = json!(100_000),
            "$.plans[1].targets.P3.resolution.limit.amount: 100000 business_days is too long: at most 3660 business_days",
        );
        assert_problem(
            |v| v["channels"][0]["first_response"]["limit"]["amount"] = json!(0),
            "$.channels[0].first_response.limit.amount: must be positive, got 0",
        );
    }

    #[test]
    fn calendars() {
        assert_problem(
            |v| v["calendars"][1]["hours"]["mon"] = json!([["09:00", "12:00"], ["11:00", "18:00"]]),
            "$.calendars[1].hours.mon[1]: overlaps $.calendars[1].hours.mon[0] (09:00–12:00)",
        );
        assert_problem(
            |v| v["calendars"][1]["hours"]["tue"] = json!([["9:00", "18:00"]]),
            "$.calendars[1].hours.tue[0][0]: \"9:00\" is not a time HH:MM (00:00–23:59)",
        );
        assert_problem(
            |v| v["calendars"][1]["hours"]["wed"] = json!([["18:00", "09:00"]]),
            "$.calendars[1].hours.wed[0]: empty interval: closing time 09:00 is not after opening time 18:00",
        );
        assert_problem(
            |v| v["calendars"][1]["hours"]["sat"] = json!([]),
            "$.calendars[1].hours.sat: no intervals: leave the day out when closed",
        );
        assert_problem(
            |v| v["calendars"][0]["hours"] = json!({ "mon": [["09:00", "18:00"]] }),
            "$.calendars[0].hours: an always-open calendar has no opening hours: remove `hours` or `always_open`",
        );
        assert_problem(
            |v| remove(&mut v["calendars"][1], "hours"),
            "$.calendars[1]: give either `\"always_open\": true` or weekly opening `hours`",
        );
        assert_problem(
            |v| v["calendars"][1]["holidays"][0]["date"] = json!("25/12/2026"),
            "$.calendars[1].holidays[0].date: \"25/12/2026\" is not a date YYYY-MM-DD",
        );
        assert_problem(
            |v| v["calendars"][1]["time_zone"] = json!("America/Sao_Paolo"),
            "$.calendars[1].time_zone: unknown IANA time zone: \"America/Sao_Paolo\"",
        );
        // 24:00 closes at midnight and is accepted.
        assert_eq!(problems(|v| v["calendars"][1]["hours"]["sat"] = json!([["20:00", "24:00"]])), Vec::<String>::new());
    }

    #[test]
    fn status_feeds_and_outage_severities() {
        let feed = |v: &mut Value, feed: Value| {
            v["products"][0]["status_feed"] = feed;
            v["outage_severities"] = json!(["P1"]);
        };
        for url in
            ["https://status.example.com/api/v2/summary.json", "http://127.0.0.1:8080/status.json", "/status.json"]
        {
            assert_eq!(
                problems(|v| feed(v, json!({ "url": url, "format": "statuspage" }))),
                Vec::<String>::new(),
                "{url}"
            );
        }
        assert_eq!(
            problems(|v| feed(
                v,
                json!({ "url": "https://s.example/api/v2/summary.json", "format": "statuspage",
                        "proxy": "/api/status/shop", "components": ["Shop", "Checkout"] })
            )),
            Vec::<String>::new()
        );
        assert_problem(
            |v| feed(v, json!({ "url": "javascript:alert(1)", "format": "generic" })),
            "$.products[0].status_feed.url: \"javascript:alert(1)\" is not an https or http URL, nor a path like /status.json",
        );
        assert_problem(
            |v| feed(v, json!({ "url": "//evil.example/x", "format": "generic" })),
            "$.products[0].status_feed.url: \"//evil.example/x\" is not an https or http URL, nor a path like /status.json",
        );
        assert_problem(
            |v| feed(v, json!({ "url": "https:///x", "format": "generic", "proxy": "mailto:a@b.c" })),
            "$.products[0].status_feed.url: \"https:///x\" has no host: write it like https://status.example.com",
        );
        assert_problem(
            |v| feed(v, json!({ "url": "/s.json", "format": "generic", "proxy": "mailto:a@b.c" })),
            "$.products[0].status_feed.proxy: \"mailto:a@b.c\" is not an https or http URL, nor a path like /status.json",
        );
        assert_problem(
            |v| feed(v, json!({ "url": "/s.json", "format": "generic", "components": ["A", " ", "A"] })),
            "$.products[0].status_feed.components[1]: must not be empty",
        );
        assert_eq!(
            problems(|v| feed(v, json!({ "url": "/s.json", "format": "generic", "components": ["A", "A"] }))),
            ["$.products[0].status_feed.components[1]: listed twice"]
        );
        assert_eq!(
            problems(|v| v["products"][0]["status_feed"] = json!({ "url": "/s.json", "format": "generic" })),
            ["$.products[0].status_feed: a status feed needs `outage_severities` (e.g. [\"P1\"]): the severities at which a known incident is shown"]
        );
        assert_eq!(
            problems(|v| v["outage_severities"] = json!(["P1", "P9", "P1"])),
            [
                "$.outage_severities[1]: unknown severity \"P9\"",
                "$.outage_severities[2]: listed twice"
            ]
        );
        assert_eq!(
            problems(|v| feed(v, json!({ "url": "/s.json", "format": "rss" }))),
            ["$.products[0].status_feed.format: unknown feed format \"rss\", expected one of `statuspage`, `generic`"]
        );
        assert_eq!(
            problems(|v| feed(v, json!({ "format": "generic", "href": "/s.json" }))),
            [
                "$.products[0].status_feed.href: unknown field `href`; expected one of `url`, `format`, `proxy`, `components`",
                "$.products[0].status_feed: missing field `url`",
            ]
        );
    }

    #[test]
    fn the_status_feeds_of_a_ticket_are_the_chosen_products_or_all() {
        let policy = |edit: &dyn Fn(&mut Value)| {
            let mut v = sample();
            v["outage_severities"] = json!(["P1"]);
            edit(&mut v);
            parse_policy(&v.to_string(), &Tzdb).expect("valid policy")
        };
        let ids = |policy: &Policy, chosen: Option<&str>| -> Vec<String> {
            policy.status_feeds(chosen).map(|(p, f)| format!("{}={}", p.id, f.url)).collect()
        };
        let one = policy(&|v| v["products"][0]["status_feed"] = json!({ "url": "/s.json", "format": "generic" }));
        assert!(one.is_outage_severity("P1") && !one.is_outage_severity("P2"));
        assert_eq!(ids(&one, Some("shop")), ["shop=/s.json"]);
        assert_eq!(ids(&one, None), ["shop=/s.json"]);
        assert_eq!(ids(&one, Some("")), ["shop=/s.json"], "an empty choice is no choice");
        assert!(ids(&one, Some("other")).is_empty());
        let two = policy(&|v| {
            v["products"][0]["status_feed"] = json!({ "url": "/s.json", "format": "generic" });
            if let Some(products) = v["products"].as_array_mut() {
                products.push(json!({ "id": "blog", "label": { "pt-BR": "Blog", "en": "Blog" } }));
                products.push(json!({ "id": "app", "label": { "pt-BR": "App", "en": "App" },
                                      "status_feed": { "url": "/app.json", "format": "statuspage" } }));
            }
        });
        assert_eq!(ids(&two, None), ["shop=/s.json", "app=/app.json"], "none chosen: every feed");
        assert!(ids(&two, Some("blog")).is_empty(), "blog has no feed");
        assert_eq!(ids(&two, Some("app")), ["app=/app.json"]);
        assert!(ids(&policy(&|_| {}), None).is_empty(), "no feed");
    }

    #[test]
    fn urls_translations_and_locales() {
        assert_eq!(
            problems(|v| v["products"][0]["status_page"] = json!("mailto:ops@example.com")),
            Vec::<String>::new()
        );
        assert_eq!(
            problems(|v| v["products"][0]["status_page"] = json!("http://status.example.com/x")),
            Vec::<String>::new()
        );
        assert_problem(
            |v| v["products"][0]["status_page"] = json!("ftp://example.com"),
            "$.products[0].status_page: scheme \"ftp\" is not allowed: use https, http or mailto",
        );
        assert_problem(
            |v| v["products"][0]["status_page"] = json!("https:///path"),
            "$.products[0].status_page: \"https:///path\" has no host: write it like https://status.example.com",
        );
        assert_problem(
            |v| v["questionnaire"]["questions"][0]["answers"][0]["reason"]["fr"] = json!("ça marche"),
            "$.questionnaire.questions[0].answers[0].reason.fr: locale \"fr\" is not one of $.locales (pt-BR, en)",
        );
        assert_problem(
            |v| v["calendars"][1]["holidays"][0]["name"]["en"] = json!(""),
            "$.calendars[1].holidays[0].name.en: empty text",
        );
        assert_problem(
            |v| remove(&mut v["questionnaire"]["questions"][1]["prompt"], "pt-BR"),
            "$.questionnaire.questions[1].prompt: missing translation \"pt-BR\"",
        );
        assert_problem(
            |v| v["locales"] = json!([]),
            "$.locales: must list at least one locale, e.g. [\"pt-BR\", \"en\"]",
        );
        assert_problem(|v| v["locales"] = json!(["pt-BR", "en", "pt-br"]), "$.locales[2]: duplicate locale \"pt-br\"");
    }

    #[test]
    fn key_paths_quote_non_identifiers() {
        assert_eq!(key_path("$.name", "pt-BR"), "$.name[\"pt-BR\"]");
        assert_eq!(key_path("$.plans[0].targets", "P1"), "$.plans[0].targets.P1");
    }
}
