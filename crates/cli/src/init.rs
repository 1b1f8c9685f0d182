//! `triage init`: asks the site owner (or takes as flags) what a starter policy needs, writes it
//! with `$schema` and the schema next to it, and checks it.
//!
//! Every question shows its default in brackets: an empty answer takes it, and so does the end of
//! the input (`triage init < answers.txt` with fewer lines, or `--defaults`). A wrong answer is
//! explained and asked again; a wrong flag is a usage error (exit 2).

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::failure::Failure;
use crate::starter::{self, Answers, ChannelAnswer, Holidays, Hours, PlanAnswer, ProductAnswer, Span, TargetAnswer};

/// The flags of `triage init`, raw; each is parsed as the matching answer would be.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InitOptions {
    pub output: Option<String>,
    pub template: Option<String>,
    pub name: Option<String>,
    pub locales: Option<String>,
    pub time_zone: Option<String>,
    /// `ID[=LABEL]:SEVERITY=FIRST/RESOLUTION,…`, one per plan.
    pub plans: Vec<String>,
    pub hours: Option<String>,
    pub holidays: Option<String>,
    pub channels: Option<String>,
    pub products: Option<String>,
    pub schema: Option<String>,
    pub defaults: bool,
    pub force: bool,
}

/// Reads answers from `input`, writes questions to `output`.
struct Prompter<'io> {
    input: &'io mut dyn BufRead,
    output: &'io mut dyn Write,
    /// No more answers will come: take every default.
    done: bool,
}

impl Prompter<'_> {
    fn ask<T>(
        &mut self,
        question: &str,
        default: &str,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Result<T, Failure> {
        loop {
            let answer = if self.done {
                String::new()
            } else {
                let _ = write!(self.output, "{question} [{default}]: ");
                let _ = self.output.flush();
                let mut line = String::new();
                match self.input.read_line(&mut line) {
                    Ok(0) => {
                        self.done = true;
                        let _ = writeln!(self.output);
                    }
                    Ok(_) => {}
                    Err(e) => return Err(Failure::Argument(format!("init: cannot read the answer: {e}"))),
                }
                line.trim().to_string()
            };
            let text = if answer.is_empty() { default } else { answer.as_str() };
            match parse(text) {
                Ok(value) => return Ok(value),
                Err(problem) if !self.done && !answer.is_empty() => {
                    let _ = writeln!(self.output, "  {problem}");
                }
                Err(problem) => return Err(Failure::Argument(format!("init: {question}: {problem}"))),
            }
        }
    }
}

/// A flag's value parsed, or the question asked.
fn answer<T>(
    prompter: &mut Prompter<'_>,
    flag: (&str, Option<&str>),
    question: &str,
    default: &str,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Result<T, Failure> {
    match flag.1 {
        Some(value) => parse(value).map_err(|e| Failure::Argument(format!("init: --{} \"{value}\": {e}", flag.0))),
        None => prompter.ask(question, default, parse),
    }
}

/// Runs `triage init`: asks, writes the starter and its schema, returns what to print.
pub fn init(
    options: &InitOptions,
    input: &mut dyn BufRead,
    output: &mut dyn Write,
    today: NaiveDate,
) -> Result<String, Failure> {
    let path = PathBuf::from(options.output.as_deref().unwrap_or("policy.json"));
    if path.exists() && !options.force {
        return Err(Failure::Argument(format!(
            "init: {} already exists: choose another --output, or add --force to replace it",
            path.display()
        )));
    }
    let mut prompter = Prompter { input, output, done: options.defaults };
    let p = &mut prompter;

    let names: Vec<&str> = starter::TEMPLATES.iter().map(|(n, _)| *n).collect();
    let template_index = answer(
        p,
        ("template", options.template.as_deref()),
        "Start from which shipped policy? priority-p1-p4 (P1–P4, business days) or impact-t1-t4 (T1–T4, averages, channels, products)",
        names[0],
        parse_template,
    )?;
    let template = starter::template(template_index);
    let site = answer(p, ("name", options.name.as_deref()), "Site or company name", "Example", |s| {
        let s = s.trim();
        if s.is_empty() {
            Err("the name must not be empty".to_string())
        } else {
            Ok(s.to_string())
        }
    })?;
    let template_locales: Vec<String> = starter::items(starter::get(&template, "locales"))
        .iter()
        .filter_map(|l| starter::text(Some(l)))
        .map(str::to_string)
        .collect();
    let locales = answer(
        p,
        ("locales", options.locales.as_deref()),
        "Locales, the main one first (comma-separated)",
        &template_locales.join(", "),
        |s| parse_locales(s, &template_locales),
    )?;
    let time_zone = answer(
        p,
        ("time-zone", options.time_zone.as_deref()),
        "Time zone of your support team (IANA name)",
        &starter::template_time_zone(&template),
        parse_time_zone,
    )?;

    let severities = starter::severities(&template);
    let template_plans = starter::template_plans(&template);
    let plans = if options.plans.is_empty() {
        let default_ids: Vec<&str> = template_plans.iter().map(|p| p.id.as_str()).collect();
        let ids =
            p.ask("Plans, comma-separated ids (the first is the default plan)", &default_ids.join(", "), parse_ids)?;
        let mut plans = Vec::new();
        for (i, id) in ids.iter().enumerate() {
            let base =
                template_plans.iter().find(|t| &t.id == id).or_else(|| template_plans.get(i)).or(template_plans.last());
            let default_label = match base {
                Some(base) if &base.id == id => base.label.clone(),
                _ => title(id),
            };
            let label = p.ask(&format!("Name of plan {id} shown to customers"), &default_label, non_empty)?;
            let default_targets = base.map(|b| targets_text(&b.targets)).unwrap_or_default();
            let targets = p.ask(
                &format!(
                    "Targets of plan {id}, SEVERITY=FIRST_RESPONSE/RESOLUTION for {} \
                     (m minutes, h hours, d days, bh business hours, bd business days; ~ adds an average: 24h~1h)",
                    severities.join(", ")
                ),
                &default_targets,
                |s| parse_targets(s, &severities),
            )?;
            // The template's example figures taken as they are stay marked as examples.
            let example_values = base.is_some_and(|b| b.example_values && &b.id == id && b.targets == targets);
            plans.push(PlanAnswer { id: id.clone(), label, targets, example_values });
        }
        plans
    } else {
        let mut plans: Vec<PlanAnswer> = Vec::new();
        for flag in &options.plans {
            let plan = parse_plan_flag(flag, &severities)
                .map_err(|e| Failure::Argument(format!("init: --plan \"{flag}\": {e}")))?;
            if plans.iter().any(|p| p.id == plan.id) {
                return Err(Failure::Argument(format!("init: --plan {} given twice", plan.id)));
            }
            plans.push(plan);
        }
        plans
    };

    let hours = answer(
        p,
        ("hours", options.hours.as_deref()),
        "Opening hours, for business-hour and business-day targets (e.g. mon-fri 09:00-18:00; sat 09:00-13:00)",
        &starter::hours_text(&starter::template_hours(&template)),
        parse_hours,
    )?;
    let holiday_count = starter::template_holiday_count(&template);
    let holidays = answer(
        p,
        ("holidays", options.holidays.as_deref()),
        &format!(
            "Holidays, DATE=NAME comma-separated (2026-12-25=Natal), `none`{}",
            if holiday_count > 0 {
                format!(", or `template` for the template's {holiday_count}")
            } else {
                String::new()
            }
        ),
        if holiday_count > 0 { "template" } else { "none" },
        |s| parse_holidays(s, holiday_count > 0),
    )?;
    let channels_default = list_or_none(
        starter::template_channels(&template)
            .iter()
            .map(|c| format!("{}={}", c.id, starter::target_text(c.first_response))),
    );
    let channels = answer(
        p,
        ("channels", options.channels.as_deref()),
        "Contact channels with their first-response target, ID=TARGET comma-separated (chat=5m, email=24h), or `none`",
        &channels_default,
        parse_channels,
    )?;
    let products_default = list_or_none(starter::template_products(&template).iter().map(|p| match &p.status_page {
        Some(url) => format!("{}={}={url}", p.id, p.label),
        None => format!("{}={}", p.id, p.label),
    }));
    let products = answer(
        p,
        ("products", options.products.as_deref()),
        "Products, ID=NAME or ID=NAME=STATUS_PAGE_URL comma-separated, or `none`",
        &products_default,
        parse_products,
    )?;

    let schema_file = path.with_file_name("policy.schema.json");
    let schema = options.schema.clone().unwrap_or_else(|| "policy.schema.json".to_string());
    let answers = Answers {
        template: template_index,
        site,
        locales,
        time_zone,
        plans,
        hours,
        holidays,
        channels,
        products,
        schema,
        version: today.format("%Y-%m-%d").to_string(),
    };
    let text = starter::starter(&answers);
    // The starter must pass `triage check`: refuse to write one that does not.
    if let Err(problems) = crate::load::parse_text(&text) {
        return Err(Failure::Policy(crate::load::describe_problems(&path, &problems)));
    }
    write_file(&path, &text)?;
    let mut report = format!("Wrote {}", path.display());
    if options.schema.is_none() {
        match std::fs::read_to_string(&schema_file) {
            Ok(existing) if existing == starter::SCHEMA => {}
            Ok(_) if !options.force => {
                report.push_str(&format!(
                    "\nnote: {} exists and differs from this version's schema; left as it is (--force replaces it)",
                    schema_file.display()
                ));
            }
            _ => {
                write_file(&schema_file, starter::SCHEMA)?;
                report.push_str(&format!(" and {} (its $schema)", schema_file.display()));
            }
        }
    }
    report.push('\n');
    Ok(report)
}

fn write_file(path: &Path, text: &str) -> Result<(), Failure> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Failure::Policy(format!("cannot create {}: {e}", dir.display())))?;
    }
    std::fs::write(path, text).map_err(|e| Failure::Policy(format!("cannot write {}: {e}", path.display())))
}

fn list_or_none(items: impl Iterator<Item = String>) -> String {
    let items: Vec<String> = items.collect();
    if items.is_empty() {
        "none".into()
    } else {
        items.join(", ")
    }
}

fn non_empty(s: &str) -> Result<String, String> {
    match s.trim() {
        "" => Err("must not be empty".into()),
        s => Ok(s.to_string()),
    }
}

/// `business-plus` → `Business plus`.
fn title(id: &str) -> String {
    let spaced = id.replace(['-', '_'], " ");
    let mut chars = spaced.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// Comma-separated items, trimmed, empty ones dropped.
fn split_list(s: &str, separator: char) -> Vec<&str> {
    s.split(separator).map(str::trim).filter(|i| !i.is_empty()).collect()
}

pub fn parse_template(s: &str) -> Result<usize, String> {
    let s = s.trim().to_ascii_lowercase();
    starter::TEMPLATES.iter().position(|(name, _)| *name == s || name.split('-').next() == Some(s.as_str())).ok_or_else(
        || {
            let names: Vec<&str> = starter::TEMPLATES.iter().map(|(n, _)| *n).collect();
            format!("unknown template \"{s}\": choose {}", names.join(" or "))
        },
    )
}

fn parse_locales(s: &str, available: &[String]) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for tag in split_list(&s.replace(' ', ","), ',') {
        let Some(found) = available.iter().find(|a| a.eq_ignore_ascii_case(tag)) else {
            return Err(format!(
                "the template has its texts in {} only: \"{tag}\" would have none (translate the starter afterwards to add it)",
                available.join(", ")
            ));
        };
        if out.contains(found) {
            return Err(format!("\"{tag}\" given twice"));
        }
        out.push(found.clone());
    }
    if out.is_empty() {
        return Err(format!("give at least one locale: {}", available.join(", ")));
    }
    Ok(out)
}

fn parse_time_zone(s: &str) -> Result<String, String> {
    let s = s.trim();
    match s.parse::<chrono_tz::Tz>() {
        Ok(tz) => Ok(tz.name().to_string()),
        Err(_) => {
            let near = crate::hints::closest(s, chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()));
            Err(match near {
                Some(near) => format!("unknown IANA time zone \"{s}\": did you mean \"{near}\"?"),
                None => format!("unknown IANA time zone \"{s}\": use a name like America/Sao_Paulo or Europe/Lisbon"),
            })
        }
    }
}

fn parse_id(s: &str) -> Result<String, String> {
    let valid = !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if valid {
        Ok(s.to_string())
    } else {
        Err(format!("\"{s}\" is not an id: use letters, digits, - and _ (e.g. business-plus)"))
    }
}

fn parse_ids(s: &str) -> Result<Vec<String>, String> {
    let mut ids: Vec<String> = Vec::new();
    for id in split_list(s, ',') {
        let id = parse_id(id)?;
        if ids.contains(&id) {
            return Err(format!("plan \"{id}\" given twice"));
        }
        ids.push(id);
    }
    if ids.is_empty() {
        return Err("give at least one plan".into());
    }
    Ok(ids)
}

pub fn parse_span(s: &str) -> Result<Span, String> {
    let s = s.trim();
    let digits = s.chars().take_while(char::is_ascii_digit).count();
    let (number, suffix) = s.split_at(digits);
    let unit = starter::UNITS.iter().find(|(suffix_name, _)| *suffix_name == suffix).map(|(_, u)| *u);
    match (number.parse::<u32>(), unit) {
        (Ok(amount), Some(unit)) if amount > 0 => Ok(Span { amount, unit }),
        (Ok(0), Some(_)) => Err(format!("\"{s}\": a target must be longer than 0")),
        _ => Err(format!(
            "\"{s}\" is not a duration: a whole number and m, h, d, bh (business hours) or bd (business days), e.g. 30m, 4h, 2bd"
        )),
    }
}

fn parse_target(s: &str) -> Result<TargetAnswer, String> {
    let (limit, average) = match s.split_once('~') {
        Some((limit, average)) => (parse_span(limit)?, Some(parse_span(average)?)),
        None => (parse_span(s)?, None),
    };
    if let Some(average) = average {
        if average.business() != limit.business() {
            return Err(format!("\"{s}\": the average and the limit must both be business time, or both elapsed"));
        }
    }
    Ok(TargetAnswer { limit, average })
}

fn targets_text(targets: &[(String, TargetAnswer, TargetAnswer)]) -> String {
    let parts: Vec<String> = targets
        .iter()
        .map(|(s, first, resolution)| {
            format!("{s}={}/{}", starter::target_text(*first), starter::target_text(*resolution))
        })
        .collect();
    parts.join(", ")
}

fn parse_targets(s: &str, severities: &[String]) -> Result<Vec<(String, TargetAnswer, TargetAnswer)>, String> {
    let mut given: Vec<(String, TargetAnswer, TargetAnswer)> = Vec::new();
    for item in split_list(s, ',') {
        let (severity, pair) = item
            .split_once('=')
            .ok_or_else(|| format!("\"{item}\" must be SEVERITY=FIRST_RESPONSE/RESOLUTION, e.g. P1=30m/4h"))?;
        let severity = severities.iter().find(|id| id.eq_ignore_ascii_case(severity.trim())).ok_or_else(|| {
            format!("unknown severity \"{}\": the template has {}", severity.trim(), severities.join(", "))
        })?;
        let (first, resolution) = pair.split_once('/').ok_or_else(|| {
            format!("\"{item}\" must give both targets, FIRST_RESPONSE/RESOLUTION, e.g. {severity}=30m/4h")
        })?;
        if given.iter().any(|(s, _, _)| s == severity) {
            return Err(format!("{severity} given twice"));
        }
        given.push((severity.clone(), parse_target(first)?, parse_target(resolution)?));
    }
    let missing: Vec<&str> =
        severities.iter().filter(|s| !given.iter().any(|(g, _, _)| g == *s)).map(String::as_str).collect();
    if !missing.is_empty() {
        return Err(format!("missing targets for {}", missing.join(", ")));
    }
    // In the template's order of severities.
    Ok(severities.iter().filter_map(|s| given.iter().find(|(g, _, _)| g == s).cloned()).collect())
}

/// `--plan ID[=LABEL]:TARGETS`.
fn parse_plan_flag(s: &str, severities: &[String]) -> Result<PlanAnswer, String> {
    let (head, targets) = s.split_once(':').ok_or_else(|| {
        "must be ID[=NAME]:SEVERITY=FIRST/RESOLUTION,… e.g. gold=Gold:P1=30m/4h,P2=1h/8h,…".to_string()
    })?;
    let (id, label) = match head.split_once('=') {
        Some((id, label)) => (parse_id(id.trim())?, non_empty(label)?),
        None => (parse_id(head.trim())?, title(head.trim())),
    };
    Ok(PlanAnswer { id, label, targets: parse_targets(targets, severities)?, example_values: false })
}

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

fn parse_clock(s: &str) -> Option<String> {
    let (h, m) = s.split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60 || h == 24 && m == 0).then(|| format!("{h:02}:{m:02}"))
}

fn parse_hours(s: &str) -> Result<Hours, String> {
    let mut hours: Hours = Vec::new();
    for group in split_list(s, ';') {
        let mut words = group.split_whitespace();
        let days = words.next().unwrap_or_default().to_ascii_lowercase();
        let day_index = |d: &str| {
            DAYS.iter()
                .position(|x| *x == d)
                .ok_or_else(|| format!("\"{d}\" is not a weekday: use mon, tue, wed, thu, fri, sat, sun"))
        };
        let (first, last) = match days.split_once('-') {
            Some((a, b)) => (day_index(a)?, day_index(b)?),
            None => (day_index(&days)?, day_index(&days)?),
        };
        if last < first {
            return Err(format!("\"{days}\": write the days from Monday towards Sunday, e.g. mon-fri"));
        }
        let mut intervals = Vec::new();
        for interval in words {
            let (open, close) = interval
                .split_once('-')
                .and_then(|(o, c)| Some((parse_clock(o)?, parse_clock(c)?)))
                .ok_or_else(|| format!("\"{interval}\" is not an interval HH:MM-HH:MM, e.g. 09:00-18:00"))?;
            if close <= open {
                return Err(format!("\"{interval}\": the closing time must be after the opening time"));
            }
            intervals.push((open, close));
        }
        if intervals.is_empty() {
            return Err(format!("\"{group}\" gives no hours, e.g. {days} 09:00-18:00"));
        }
        for day in &DAYS[first..=last] {
            if hours.iter().any(|(d, _)| d == day) {
                return Err(format!("{day} is given twice"));
            }
            hours.push((day.to_string(), intervals.clone()));
        }
    }
    if hours.is_empty() {
        return Err("give the opening hours, e.g. mon-fri 09:00-18:00".into());
    }
    hours.sort_by_key(|(d, _)| DAYS.iter().position(|x| x == d));
    Ok(hours)
}

fn parse_holidays(s: &str, template_has: bool) -> Result<Holidays, String> {
    match s.trim() {
        "template" if template_has => return Ok(Holidays::Template),
        "template" => return Err("this template has no holidays: list yours or answer none".into()),
        "none" | "" => return Ok(Holidays::Listed(Vec::new())),
        _ => {}
    }
    let mut out: Vec<(String, String)> = Vec::new();
    for item in split_list(s, ',') {
        let (date, name) =
            item.split_once('=').ok_or_else(|| format!("\"{item}\" must be DATE=NAME, e.g. 2026-12-25=Natal"))?;
        let date = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d")
            .map_err(|_| format!("\"{}\" is not a date YYYY-MM-DD", date.trim()))?
            .format("%Y-%m-%d")
            .to_string();
        if out.iter().any(|(d, _)| *d == date) {
            return Err(format!("{date} given twice"));
        }
        out.push((date, non_empty(name)?));
    }
    Ok(Holidays::Listed(out))
}

fn parse_channels(s: &str) -> Result<Vec<ChannelAnswer>, String> {
    if s.trim() == "none" {
        return Ok(Vec::new());
    }
    let mut out: Vec<ChannelAnswer> = Vec::new();
    for item in split_list(s, ',') {
        let (id, target) = item.split_once('=').ok_or_else(|| format!("\"{item}\" must be ID=TARGET, e.g. chat=5m"))?;
        let id = parse_id(id.trim())?;
        if out.iter().any(|c| c.id == id) {
            return Err(format!("channel {id} given twice"));
        }
        out.push(ChannelAnswer { id, first_response: parse_target(target)? });
    }
    Ok(out)
}

fn parse_products(s: &str) -> Result<Vec<ProductAnswer>, String> {
    if s.trim() == "none" {
        return Ok(Vec::new());
    }
    let mut out: Vec<ProductAnswer> = Vec::new();
    for item in split_list(s, ',') {
        let mut parts = item.splitn(3, '=');
        let id = parse_id(parts.next().unwrap_or_default().trim())?;
        let label = parts.next().map(non_empty).transpose()?.unwrap_or_else(|| title(&id));
        let status_page = parts.next().map(str::trim).map(str::to_string);
        if let Some(url) = &status_page {
            if !(url.starts_with("https://") || url.starts_with("http://")) || url.len() < 10 {
                return Err(format!("\"{url}\" is not a status page URL: write it like https://status.example.com"));
            }
        }
        if out.iter().any(|p| p.id == id) {
            return Err(format!("product {id} given twice"));
        }
        out.push(ProductAnswer { id, label, status_page });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn severities() -> Vec<String> {
        ["P1", "P2", "P3", "P4"].map(String::from).to_vec()
    }

    #[test]
    fn spans_and_targets() {
        assert_eq!(parse_span("30m"), Ok(Span { amount: 30, unit: "minutes" }));
        assert_eq!(parse_span("2bd"), Ok(Span { amount: 2, unit: "business_days" }));
        assert!(parse_span("0h").unwrap_err().contains("longer than 0"));
        assert!(parse_span("4 hours").unwrap_err().contains("not a duration"));
        assert!(parse_target("8bh~2h").unwrap_err().contains("both be business time"));
        let got = parse_targets("p2=1h/8h, P1=30m/4h, P3=2h/1bd, P4=4h~1h/2bd", &severities()).expect("valid");
        assert_eq!(got[0].0, "P1", "in the policy's order");
        assert_eq!(got[3].1.average, Some(Span { amount: 1, unit: "hours" }));
        assert_eq!(parse_targets("P1=30m/4h", &severities()).unwrap_err(), "missing targets for P2, P3, P4");
        assert!(parse_targets("P9=1h/2h", &severities()).unwrap_err().contains("unknown severity \"P9\""));
        assert!(parse_targets("P1=1h", &severities()).unwrap_err().contains("both targets"));
    }

    #[test]
    fn hours_holidays_channels_products() {
        let hours = parse_hours("sat 09:00-13:00; mon-fri 9:00-12:00 13:00-18:00").expect("valid");
        assert_eq!(hours.len(), 6);
        assert_eq!(hours[0], ("mon".into(), vec![("09:00".into(), "12:00".into()), ("13:00".into(), "18:00".into())]));
        assert!(parse_hours("fri-mon 09:00-18:00").unwrap_err().contains("Monday towards Sunday"));
        assert!(parse_hours("mon 18:00-09:00").unwrap_err().contains("after the opening"));
        assert!(parse_hours("mon-fri 09:00-18:00; fri 10:00-11:00").unwrap_err().contains("fri is given twice"));
        assert_eq!(parse_holidays("template", true), Ok(Holidays::Template));
        assert_eq!(
            parse_holidays("2026-12-25=Natal, 2027-01-01=Ano Novo", false),
            Ok(Holidays::Listed(vec![("2026-12-25".into(), "Natal".into()), ("2027-01-01".into(), "Ano Novo".into())]))
        );
        assert!(parse_holidays("2026-02-30=x", false).unwrap_err().contains("not a date"));
        assert_eq!(parse_channels("none"), Ok(Vec::new()));
        assert_eq!(parse_channels("chat=5m, email=24h~6h").expect("valid").len(), 2);
        let products = parse_products("shop=Loja=https://status.loja.example, app").expect("valid");
        assert_eq!(products[1].label, "App");
        assert!(parse_products("x=X=ftp://x").unwrap_err().contains("not a status page URL"));
    }

    #[test]
    fn templates_locales_and_zones() {
        assert_eq!(parse_template("impact"), Ok(1));
        assert_eq!(parse_template("priority-p1-p4"), Ok(0));
        assert!(parse_template("x").unwrap_err().contains("priority-p1-p4 or impact-t1-t4"));
        let available = ["pt-BR".to_string(), "en".to_string()];
        assert_eq!(parse_locales("EN pt-br", &available), Ok(vec!["en".to_string(), "pt-BR".to_string()]));
        assert!(parse_locales("es", &available).unwrap_err().contains("pt-BR, en only"));
        assert_eq!(parse_time_zone("Europe/Lisbon"), Ok("Europe/Lisbon".into()));
        assert!(parse_time_zone("America/Sao_Pualo").unwrap_err().contains("did you mean \"America/Sao_Paulo\""));
    }

    #[test]
    fn a_wrong_answer_is_explained_and_asked_again() {
        let mut input: &[u8] = b"4 hours\n4h\n";
        let mut output = Vec::new();
        let mut p = Prompter { input: &mut input, output: &mut output, done: false };
        assert_eq!(p.ask("Limit", "1h", parse_span), Ok(Span { amount: 4, unit: "hours" }));
        assert_eq!(p.ask("Next", "1h", parse_span), Ok(Span { amount: 1, unit: "hours" }), "end of input: the default");
        let shown = String::from_utf8(output).expect("UTF-8");
        assert!(shown.contains("Limit [1h]: ") && shown.contains("is not a duration"), "{shown}");
    }
}
