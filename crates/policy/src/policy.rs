//! The validated policy and what it does: look things up, pick a text in the reader's locale, walk
//! the questionnaire, classify answers into a severity and compute due times.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::BusinessCalendar;
use crate::error::{ClassifyError, DueError};
use crate::model::{
    Answer, Calendar, Channel, Localized, Plan, PolicyFile, Product, Question, Severity, Span, StatusFeed, Target,
};
use crate::ticket;
use crate::zone::ZoneResolver;

/// A policy file that passed validation (built by [`crate::parse_policy`] or [`crate::validate()`]).
#[derive(Debug, Clone)]
pub struct Policy {
    pub(crate) file: PolicyFile,
    pub(crate) severity_ranks: Keyed<usize>,
    pub(crate) question_indexes: Keyed<usize>,
    pub(crate) plan_indexes: Keyed<usize>,
    pub(crate) channel_indexes: Keyed<usize>,
    pub(crate) calendars: Keyed<BusinessCalendar>,
    pub(crate) default_plan: usize,
    pub(crate) start: usize,
    /// Per question, per answer: where choosing it leads (unsure answers already resolved).
    pub(crate) routes: Vec<Vec<Route>>,
    /// Per question, per answer: for an unsure answer, the index of the sibling it stands for.
    pub(crate) assumed: Vec<Vec<Option<usize>>>,
}

/// Values looked up by id, in insertion order. A policy has a handful of severities, questions,
/// plans and calendars, so a linear scan is as fast as a tree, and in WebAssembly it is one small
/// function where each `BTreeMap<K, V>` would add its own copy of the tree code.
#[derive(Debug, Clone)]
pub(crate) struct Keyed<V>(Vec<(String, V)>);

impl<V> Keyed<V> {
    pub(crate) fn new() -> Self {
        Keyed(Vec::new())
    }

    pub(crate) fn get(&self, id: &str) -> Option<&V> {
        self.0.iter().find(|(key, _)| key == id).map(|(_, value)| value)
    }

    pub(crate) fn contains_key(&self, id: &str) -> bool {
        self.get(id).is_some()
    }

    /// Adds `value` under `id` unless `id` is already there (the first one wins).
    pub(crate) fn insert_first(&mut self, id: &str, value: V) {
        if !self.contains_key(id) {
            self.0.push((id.to_string(), value));
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &V)> {
        self.0.iter().map(|(key, value)| (key.as_str(), value))
    }
}

/// Where an answer leads, by index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Route {
    Question(usize),
    Severity(usize),
}

/// The state of the questionnaire after the answers given so far.
#[derive(Debug, Clone, PartialEq)]
pub enum Walk<'a> {
    /// Ask `question` next; `path` holds the answers that led here.
    Ask { question: &'a Question, path: Vec<TrailStep> },
    /// Every question on the path is answered.
    Done(Classification),
}

/// The severity the questionnaire gave, and the answers that led to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Classification {
    pub severity: String,
    pub trail: Vec<TrailStep>,
}

/// One answered question on the path. Reasons are looked up with [`Policy::answer`] in the
/// reader's locale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrailStep {
    pub question: String,
    /// The answer the customer chose (for an unsure answer, its own id; see
    /// [`Policy::assumed_answer`] for the sibling it stood for).
    pub answer: String,
    /// True when the customer answered "I'm not sure".
    pub unsure: bool,
}

/// Due times of one ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Due {
    pub first_response: DueAt,
    pub resolution: DueAt,
}

/// One target turned into instants, in the calendar's offset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DueAt {
    /// True when this first response would have been due after the resolution and was brought
    /// forward to the resolution's due time (a first response can never be due later than the
    /// resolution). `limit` is then the target as written; say "at the latest with the resolution".
    pub capped: bool,
    /// When the limit runs out.
    pub due: DateTime<FixedOffset>,
    /// When the typical ("on average within") figure runs out, where the policy gives one.
    pub average_due: Option<DateTime<FixedOffset>>,
    pub limit: Span,
    pub average: Option<Span>,
    /// Id of the calendar the clock ran in.
    pub calendar: String,
}

impl Due {
    /// The wire form: RFC 3339 strings in the calendar's offset.
    pub fn to_wire(&self) -> ticket::DueTimes {
        ticket::DueTimes { first_response: self.first_response.to_wire(), resolution: self.resolution.to_wire() }
    }
}

impl DueAt {
    /// The wire form: RFC 3339 strings in the calendar's offset.
    pub fn to_wire(&self) -> ticket::DueTime {
        let text = |at: &DateTime<FixedOffset>| at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false);
        ticket::DueTime { due: text(&self.due), average_due: self.average_due.as_ref().map(text) }
    }
}

/// A first-response target that can run out after the resolution target of the same ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Overrun {
    pub plan: String,
    pub severity: String,
    /// The channel whose target it is; `None` for the plan's own first-response target.
    pub channel: Option<String>,
    pub first_response: Span,
    pub resolution: Span,
}

/// The primary language subtag of a BCP 47 tag (`pt` for `pt-BR`).
fn language(tag: &str) -> &str {
    tag.split(['-', '_']).next().unwrap_or(tag)
}

impl Policy {
    pub fn file(&self) -> &PolicyFile {
        &self.file
    }

    pub fn id(&self) -> &str {
        &self.file.id
    }

    pub fn version(&self) -> &str {
        &self.file.version
    }

    /// The locales the policy is written in; the first is the default.
    pub fn locales(&self) -> &[String] {
        &self.file.locales
    }

    /// The policy locale to use for a reader asking for `requested`: the same tag, else the same
    /// language, else the policy's first locale.
    pub fn locale(&self, requested: &str) -> &str {
        let locales = &self.file.locales;
        locales
            .iter()
            .find(|l| l.eq_ignore_ascii_case(requested))
            .or_else(|| locales.iter().find(|l| language(l).eq_ignore_ascii_case(language(requested))))
            .or_else(|| locales.first())
            .map(String::as_str)
            .unwrap_or("")
    }

    pub fn severities(&self) -> &[Severity] {
        &self.file.severities
    }

    pub fn severity(&self, id: &str) -> Option<&Severity> {
        self.severity_rank(id).and_then(|rank| self.file.severities.get(rank))
    }

    /// Position in the severity order, 0 = most severe.
    pub fn severity_rank(&self, id: &str) -> Option<usize> {
        self.severity_ranks.get(id).copied()
    }

    pub fn plans(&self) -> &[Plan] {
        &self.file.plans
    }

    pub fn plan(&self, id: &str) -> Option<&Plan> {
        self.plan_indexes.get(id).and_then(|&i| self.file.plans.get(i))
    }

    /// `default_plan` when given, else the first plan.
    pub fn default_plan(&self) -> &Plan {
        &self.file.plans[self.default_plan]
    }

    /// The plan of a customer whose signed identity could not be believed (missing, forged,
    /// expired, unknown plan): `unverified_plan` when given, else the least-served plan (longest
    /// promised times; business time weighed by how much of the week its calendar is open; ties:
    /// the last listed). Never the default plan by accident.
    pub fn unverified_plan(&self) -> &Plan {
        let named = self.file.unverified_plan.as_deref().and_then(|id| self.plan(id));
        named.unwrap_or_else(|| &self.file.plans[crate::validate::least_served_plan(&self.file)])
    }

    /// Whether a customer on `plan` may ask for a higher severity: the policy allows escalation
    /// requests and, where it lists `escalation.plans`, names this plan.
    pub fn may_request_escalation(&self, plan: &str) -> bool {
        let rule = &self.file.escalation;
        rule.allowed && rule.plans.as_ref().is_none_or(|plans| plans.iter().any(|p| p == plan))
    }

    /// The severity a ticket gets: `requested` when the customer on `plan` may ask for it and it is
    /// more severe than `classified`, else `classified`. What the widget shows and sends once the
    /// request is made, and what a receiver applies.
    pub fn applied_severity<'a>(&self, plan: &str, classified: &'a str, requested: Option<&'a str>) -> &'a str {
        match (requested, self.severity_rank(classified)) {
            (Some(asked), Some(rank))
                if self.may_request_escalation(plan) && self.severity_rank(asked).is_some_and(|r| r < rank) =>
            {
                asked
            }
            _ => classified,
        }
    }

    pub fn question(&self, id: &str) -> Option<&Question> {
        self.question_indexes.get(id).and_then(|&i| self.file.questionnaire.questions.get(i))
    }

    /// The first question of the questionnaire.
    pub fn start(&self) -> &Question {
        &self.file.questionnaire.questions[self.start]
    }

    /// The answer `answer` of question `question` (its label and reason).
    pub fn answer(&self, question: &str, answer: &str) -> Option<&Answer> {
        self.question(question)?.answers.iter().find(|a| a.id == answer)
    }

    /// For an "I'm not sure" answer, the sibling answer it resolves to (the one whose branch can
    /// reach the most severe severity; ties: the first listed). `None` for other answers.
    pub fn assumed_answer(&self, question: &str, answer: &str) -> Option<&Answer> {
        let qi = *self.question_indexes.get(question)?;
        let q = &self.file.questionnaire.questions[qi];
        let ai = q.answers.iter().position(|a| a.id == answer)?;
        let sibling = self.assumed[qi][ai]?;
        q.answers.get(sibling)
    }

    pub fn calendar(&self, id: &str) -> Option<&Calendar> {
        self.file.calendars.iter().find(|c| c.id == id)
    }

    /// The calendar ready for arithmetic.
    pub fn business_calendar(&self, id: &str) -> Option<&BusinessCalendar> {
        self.calendars.get(id)
    }

    pub fn channel(&self, id: &str) -> Option<&Channel> {
        self.channel_indexes.get(id).and_then(|&i| self.file.channels.get(i))
    }

    pub fn product(&self, id: &str) -> Option<&Product> {
        self.file.products.iter().find(|p| p.id == id)
    }

    /// Whether `severity` is outage-level (`outage_severities`): a known incident is shown for it.
    pub fn is_outage_severity(&self, severity: &str) -> bool {
        self.file.outage_severities.iter().any(|id| id == severity)
    }

    /// The status feeds that concern a ticket, with their products: the chosen product's, or,
    /// while none is chosen (the form comes after the result), every product's.
    pub fn status_feeds<'p>(&'p self, chosen: Option<&'p str>) -> impl Iterator<Item = (&'p Product, &'p StatusFeed)> {
        let chosen = chosen.filter(|id| !id.is_empty());
        self.file
            .products
            .iter()
            .filter(move |product| chosen.is_none_or(|id| product.id == id))
            .filter_map(|product| product.status_feed.as_ref().map(|feed| (product, feed)))
    }

    /// `text` in `locale`: the exact tag (case-insensitive), else a text in the same language
    /// (`pt-PT` → `pt-BR`), else the policy's first locale.
    pub fn text<'a>(&'a self, text: &'a Localized, locale: &str) -> &'a str {
        if let Some(t) = text.get(locale) {
            return t;
        }
        if let Some((_, t)) = text.iter().find(|(tag, _)| tag.eq_ignore_ascii_case(locale)) {
            return t;
        }
        let wanted = language(locale);
        let same_language = |tag: &&String| language(tag).eq_ignore_ascii_case(wanted);
        if let Some(t) = self.file.locales.iter().filter(same_language).find_map(|tag| text.get(tag)) {
            return t;
        }
        if let Some((_, t)) = text.iter().find(|(tag, _)| same_language(tag)) {
            return t;
        }
        self.file
            .locales
            .first()
            .and_then(|tag| text.get(tag))
            .or_else(|| text.values().next())
            .map(String::as_str)
            .unwrap_or("")
    }

    /// Walks the questionnaire with the answers given so far (question id → answer id; answers
    /// off the path are ignored): the next question to ask, or the finished classification.
    pub fn walk(&self, answers: &BTreeMap<String, String>) -> Result<Walk<'_>, ClassifyError> {
        let questions = &self.file.questionnaire.questions;
        let mut current = self.start;
        let mut trail = Vec::new();
        // Validation rejects cycles, so every path ends within `questions.len()` steps.
        for _ in 0..=questions.len() {
            let question = &questions[current];
            let Some(chosen) = answers.get(&question.id) else {
                return Ok(Walk::Ask { question, path: trail });
            };
            let Some(index) = question.answers.iter().position(|a| a.id == *chosen) else {
                return Err(ClassifyError::UnknownAnswer { question: question.id.clone(), answer: chosen.clone() });
            };
            trail.push(TrailStep {
                question: question.id.clone(),
                answer: chosen.clone(),
                unsure: question.answers[index].unsure,
            });
            match self.routes[current][index] {
                Route::Question(next) => current = next,
                Route::Severity(rank) => {
                    let severity = self.file.severities[rank].id.clone();
                    return Ok(Walk::Done(Classification { severity, trail }));
                }
            }
        }
        Err(ClassifyError::Unanswered { question: questions[current].id.clone() })
    }

    /// The severity for a complete set of answers.
    pub fn classify(&self, answers: &BTreeMap<String, String>) -> Result<Classification, ClassifyError> {
        match self.walk(answers)? {
            Walk::Done(classification) => Ok(classification),
            Walk::Ask { question, .. } => Err(ClassifyError::Unanswered { question: question.id.clone() }),
        }
    }

    /// Due times of a ticket of `severity` under `plan`, opened at `opened`. With a `channel`, the
    /// channel's first-response target replaces the plan's. A first response due after the
    /// resolution is brought forward to the resolution's due time and marked [`DueAt::capped`].
    pub fn due(
        &self,
        plan: &str,
        severity: &str,
        channel: Option<&str>,
        opened: DateTime<Utc>,
        zones: &dyn ZoneResolver,
    ) -> Result<Due, DueError> {
        let (first_response, resolution) = self.targets(plan, severity, channel)?;
        let resolution = self.due_at(resolution, opened, zones)?;
        let mut first_response = self.due_at(first_response, opened, zones)?;
        if first_response.due > resolution.due {
            first_response.due = resolution.due;
            first_response.capped = true;
        }
        if let Some(average) = first_response.average_due.as_mut() {
            if *average > first_response.due {
                *average = first_response.due;
            }
        }
        Ok(Due { first_response, resolution })
    }

    /// The first-response and resolution targets that apply to a ticket of `severity` under
    /// `plan` through `channel`, as written (before any cap).
    pub fn targets(&self, plan: &str, severity: &str, channel: Option<&str>) -> Result<(&Target, &Target), DueError> {
        let plan = self.plan(plan).ok_or_else(|| DueError::UnknownPlan { plan: plan.to_string() })?;
        let targets =
            plan.targets.get(severity).ok_or_else(|| DueError::UnknownSeverity { severity: severity.to_string() })?;
        let first_response = match channel {
            Some(id) => {
                &self.channel(id).ok_or_else(|| DueError::UnknownChannel { channel: id.to_string() })?.first_response
            }
            None => &targets.first_response,
        };
        Ok((first_response, &targets.resolution))
    }

    /// Every plan's (and every channel's) first-response target that can run out after a severity's resolution target, tried from every hour of one week (so
    /// business calendars are seen open, closed and across a weekend). Such first responses are
    /// capped at the resolution's due time; `triage check` warns about them.
    pub fn first_response_overruns(&self, zones: &dyn ZoneResolver) -> Vec<Overrun> {
        // Monday 2027-01-04 00:00 UTC: a week with no holiday in common calendars.
        const WEEK_START: i64 = 1_799_020_800;
        let mut found = Vec::new();
        for plan in &self.file.plans {
            for severity in &self.file.severities {
                let Some(targets) = plan.targets.get(&severity.id) else {
                    continue;
                };
                let sources = std::iter::once((None, &targets.first_response))
                    .chain(self.file.channels.iter().map(|c| (Some(c.id.as_str()), &c.first_response)));
                for (channel, first_response) in sources {
                    let overruns = (0..168).any(|hour| {
                        let Some(opened) = DateTime::from_timestamp(WEEK_START + hour * 3_600, 0) else {
                            return false;
                        };
                        match (
                            self.due_at(first_response, opened, zones),
                            self.due_at(&targets.resolution, opened, zones),
                        ) {
                            (Ok(first), Ok(resolution)) => first.due > resolution.due,
                            _ => false,
                        }
                    });
                    if overruns {
                        found.push(Overrun {
                            plan: plan.id.clone(),
                            severity: severity.id.clone(),
                            channel: channel.map(String::from),
                            first_response: first_response.limit,
                            resolution: targets.resolution.limit,
                        });
                    }
                }
            }
        }
        found
    }

    /// One target from `opened`.
    pub fn due_at(&self, target: &Target, opened: DateTime<Utc>, zones: &dyn ZoneResolver) -> Result<DueAt, DueError> {
        let calendar = self
            .calendars
            .get(&target.calendar)
            .ok_or_else(|| DueError::UnknownCalendar { calendar: target.calendar.clone() })?;
        let at = |span: Span| -> Result<DateTime<FixedOffset>, DueError> {
            calendar.in_offset(calendar.add(opened, span, zones)?, zones)
        };
        Ok(DueAt {
            capped: false,
            due: at(target.limit)?,
            average_due: target.average.map(at).transpose()?,
            limit: target.limit,
            average: target.average,
            calendar: target.calendar.clone(),
        })
    }
}

#[cfg(all(test, feature = "tzdb"))]
mod tests {
    use super::*;
    use crate::testing::sample;
    use crate::{parse_policy, Tzdb};

    fn policy() -> Policy {
        parse_policy(&sample().to_string(), &Tzdb).expect("sample policy is valid")
    }

    fn answers(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(q, a)| (q.to_string(), a.to_string())).collect()
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).expect("valid test instant").with_timezone(&Utc)
    }

    #[test]
    fn accessors() {
        let p = policy();
        assert_eq!((p.id(), p.version()), ("sample", "2026-11-01"));
        assert_eq!(p.severity_rank("P1"), Some(0));
        assert_eq!(p.severity_rank("P3"), Some(2));
        assert_eq!(p.severity_rank("P9"), None);
        assert_eq!(p.severity("P2").map(|s| s.id.as_str()), Some("P2"));
        assert_eq!(p.default_plan().id, "business-plus");
        assert!(p.plan("pro").is_some_and(|plan| plan.example_values));
        assert_eq!(p.question("workaround").map(|q| q.answers.len()), Some(3));
        assert_eq!(p.start().id, "down");
        assert_eq!(p.channel("chat").map(|c| c.first_response.limit.amount), Some(4));
        assert!(p.business_calendar("office").is_some_and(|c| !c.is_always_open()));
        assert_eq!(p.file().products.len(), 1);
    }

    #[test]
    fn text_falls_back_from_tag_to_language_to_first_locale() {
        let p = policy();
        let label = &p.severity("P1").expect("P1").label;
        assert_eq!(p.text(label, "en"), "Urgent");
        assert_eq!(p.text(label, "EN"), "Urgent");
        assert_eq!(p.text(label, "en-GB"), "Urgent");
        assert_eq!(p.text(label, "pt-PT"), "Urgente");
        assert_eq!(p.text(label, "pt"), "Urgente");
        assert_eq!(p.text(label, "fr-FR"), "Urgente");
        assert_eq!(p.locale("en-US"), "en");
        assert_eq!(p.locale("pt"), "pt-BR");
        assert_eq!(p.locale("de"), "pt-BR");
    }

    #[test]
    fn walk_asks_questions_in_order() {
        let p = policy();
        match p.walk(&BTreeMap::new()) {
            Ok(Walk::Ask { question, path }) => {
                assert_eq!(question.id, "down");
                assert!(path.is_empty());
            }
            other => panic!("expected the first question, got {other:?}"),
        }
        // Answers off the path are ignored.
        match p.walk(&answers(&[("down", "yes"), ("elsewhere", "x")])) {
            Ok(Walk::Ask { question, path }) => {
                assert_eq!(question.id, "workaround");
                assert_eq!(path, vec![TrailStep { question: "down".into(), answer: "yes".into(), unsure: false }]);
            }
            other => panic!("expected the second question, got {other:?}"),
        }
    }

    #[test]
    fn classify_with_trail() {
        let p = policy();
        let c = p.classify(&answers(&[("down", "yes"), ("workaround", "exists")])).expect("complete");
        assert_eq!(c.severity, "P2");
        assert_eq!(c.trail.len(), 2);
        let c = p.classify(&answers(&[("down", "no"), ("workaround", "none")])).expect("complete");
        assert_eq!(c.severity, "P3");
        assert_eq!(c.trail.len(), 1, "the workaround answer is off the path");
    }

    #[test]
    fn unsure_resolves_to_the_more_severe_branch() {
        let p = policy();
        // "down: unsure" stands for "yes" (which can reach P1), "workaround: unsure" for "none" (P1).
        let c = p.classify(&answers(&[("down", "unsure"), ("workaround", "unsure")])).expect("complete");
        assert_eq!(c.severity, "P1");
        assert_eq!(
            c.trail,
            vec![
                TrailStep { question: "down".into(), answer: "unsure".into(), unsure: true },
                TrailStep { question: "workaround".into(), answer: "unsure".into(), unsure: true },
            ]
        );
        assert_eq!(p.assumed_answer("down", "unsure").map(|a| a.id.as_str()), Some("yes"));
        assert_eq!(p.assumed_answer("workaround", "unsure").map(|a| a.id.as_str()), Some("none"));
        assert_eq!(p.assumed_answer("down", "yes"), None);
        assert_eq!(p.answer("down", "unsure").map(|a| p.text(&a.reason, "en")), Some("unsure, assumed down"));
    }

    #[test]
    fn classify_errors() {
        let p = policy();
        assert_eq!(
            p.classify(&answers(&[("down", "maybe")])),
            Err(ClassifyError::UnknownAnswer { question: "down".into(), answer: "maybe".into() })
        );
        assert_eq!(
            p.classify(&answers(&[("down", "yes")])),
            Err(ClassifyError::Unanswered { question: "workaround".into() })
        );
    }

    #[test]
    fn due_in_elapsed_and_business_calendars() {
        let p = policy();
        // Friday 17:30 in São Paulo.
        let opened = at("2026-11-27T20:30:00Z");
        let due = p.due("business-plus", "P1", None, opened, &Tzdb).expect("due");
        assert_eq!(due.first_response.due.to_rfc3339(), "2026-11-27T18:00:00-03:00");
        assert_eq!(due.first_response.average_due.map(|d| d.to_rfc3339()), Some("2026-11-27T17:45:00-03:00".into()));
        assert_eq!(due.resolution.due.to_rfc3339(), "2026-11-27T21:30:00-03:00");
        assert_eq!(due.resolution.average_due, None);
        // P3 resolution: 1 business day in the office calendar, from Friday 17:30 → Monday 17:30.
        let due = p.due("business-plus", "P3", None, opened, &Tzdb).expect("due");
        assert_eq!(due.resolution.due.to_rfc3339(), "2026-11-30T17:30:00-03:00");
        assert_eq!(due.resolution.calendar, "office");
        // Pro P1: 1 business hour from Friday 17:30 → 30 min Friday, 30 min Monday.
        let due = p.due("pro", "P1", None, opened, &Tzdb).expect("due");
        assert_eq!(due.first_response.due.to_rfc3339(), "2026-11-30T09:30:00-03:00");
    }

    #[test]
    fn channel_replaces_first_response() {
        let p = policy();
        let opened = at("2026-11-27T20:30:00Z");
        let due = p.due("pro", "P3", Some("chat"), opened, &Tzdb).expect("due");
        assert_eq!(due.first_response.due.to_rfc3339(), "2026-11-27T17:34:00-03:00");
        assert_eq!(due.first_response.calendar, "24x7");
        // Resolution still from the plan.
        assert_eq!(due.resolution.due.to_rfc3339(), "2026-12-04T17:30:00-03:00");
        assert_eq!(
            p.due("pro", "P3", Some("fax"), opened, &Tzdb),
            Err(DueError::UnknownChannel { channel: "fax".into() })
        );
    }

    #[test]
    fn due_errors() {
        let p = policy();
        let opened = at("2026-11-27T20:30:00Z");
        assert_eq!(p.due("gold", "P1", None, opened, &Tzdb), Err(DueError::UnknownPlan { plan: "gold".into() }));
        assert_eq!(p.due("pro", "P9", None, opened, &Tzdb), Err(DueError::UnknownSeverity { severity: "P9".into() }));
    }

    #[test]
    fn to_wire_writes_rfc3339_in_the_calendar_offset() {
        let p = policy();
        let due = p.due("business-plus", "P1", Some("chat"), at("2026-11-27T20:30:00Z"), &Tzdb).expect("due");
        let wire = due.to_wire();
        assert_eq!(wire.first_response.due, "2026-11-27T17:34:00-03:00");
        assert_eq!(wire.first_response.average_due.as_deref(), Some("2026-11-27T17:32:00-03:00"));
        assert_eq!(wire.resolution.due, "2026-11-27T21:30:00-03:00");
        assert_eq!(wire.resolution.average_due, None);
    }
}
