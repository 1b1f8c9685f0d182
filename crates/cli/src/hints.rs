//! Fix hints for policy problems: for each problem the engine reports, the change that fixes it
//! when there is an obvious one ("add `plans[1].targets.P4`", "did you mean …?").
//!
//! The hints read the engine's messages (stable, tested wording) and, where a hint lists what the
//! policy offers, the raw JSON of the file.

use serde_json::Value;
use triage_policy::PolicyError;

/// One problem of a policy file, with its fix when there is an obvious one.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// JSON path of the offending value (`$.plans[1].targets`).
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// What to change, if obvious.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

/// The problems of `errors`, each with its hint. `raw` is the file as JSON, when it parses.
pub fn explain<'a>(errors: impl IntoIterator<Item = &'a PolicyError>, raw: Option<&Value>) -> Vec<Problem> {
    errors
        .into_iter()
        .map(|e| Problem { path: e.path.clone(), message: e.message.clone(), fix: hint(e, raw) })
        .collect()
}

/// `$.plans[1].targets` → `plans[1].targets`, the form a site owner reads in an editor.
fn bare(path: &str) -> &str {
    path.strip_prefix("$.").or_else(|| path.strip_prefix('$')).unwrap_or(path)
}

/// `path` extended by the object key `key`.
fn child(path: &str, key: &str) -> String {
    let mut chars = key.chars();
    let identifier = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if identifier {
        format!("{path}.{key}")
    } else {
        format!("{path}[{}]", Value::String(key.to_string()))
    }
}

/// The first `"…"`-quoted text of `message` after `prefix`.
fn quoted_after<'m>(message: &'m str, prefix: &str) -> Option<&'m str> {
    let rest = message.strip_prefix(prefix)?.strip_prefix('"')?;
    rest.split_once('"').map(|(inner, _)| inner)
}

/// The first `` `…` ``-quoted text of `message` after `prefix`.
fn backticked_after<'m>(message: &'m str, prefix: &str) -> Option<&'m str> {
    let rest = message.strip_prefix(prefix)?.strip_prefix('`')?;
    rest.split_once('`').map(|(inner, _)| inner)
}

/// The names listed as `` `a`, `b`, `c` `` after "expected one of " in `message`.
fn listed_names(message: &str) -> Vec<&str> {
    let Some((_, list)) = message.split_once("expected one of ") else {
        return Vec::new();
    };
    list.split(", ").filter_map(|n| n.strip_prefix('`').and_then(|n| n.strip_suffix('`'))).collect()
}

/// The ids of the objects in the array at the top-level key `list` of the raw policy.
fn ids<'v>(raw: Option<&'v Value>, list: &str) -> Vec<&'v str> {
    let items = match list {
        "questions" => raw.and_then(|r| r.pointer("/questionnaire/questions")),
        _ => raw.and_then(|r| r.get(list)),
    };
    items
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(|i| i.get("id").and_then(Value::as_str)).collect())
        .unwrap_or_default()
}

/// Levenshtein distance, case-insensitive (the names are short).
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().flat_map(char::to_lowercase).collect();
    let b: Vec<char> = b.chars().flat_map(char::to_lowercase).collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != cb)).min(row[j] + 1).min(above + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

/// The candidate closest to `wrong`, if it is close enough to be a typo.
pub(crate) fn closest<'c>(wrong: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    // Short ids ("P9") are too close to everything to guess; case alone always counts.
    let limit = wrong.chars().count() / 3;
    candidates
        .into_iter()
        .map(|c| (distance(wrong, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// "did you mean `x`?" or "use one of a, b" (or "add one to `list`" when there is none).
fn choose(wrong: &str, candidates: &[&str], what: &str, list: &str) -> String {
    if let Some(near) = closest(wrong, candidates.iter().copied()) {
        return format!("did you mean \"{near}\"?");
    }
    if candidates.is_empty() {
        format!("add a {what} with id \"{wrong}\" to `{list}`")
    } else {
        format!("use one of the {what} ids: {} (or add a {what} \"{wrong}\" to `{list}`)", candidates.join(", "))
    }
}

/// The fix for one problem, when there is an obvious one.
pub fn hint(problem: &PolicyError, raw: Option<&Value>) -> Option<String> {
    let (path, message) = (problem.path.as_str(), problem.message.as_str());
    if let Some(severity) = quoted_after(message, "missing severity ") {
        let target = child(path, severity);
        return Some(format!(
            "add `{}` with a `first_response` and a `resolution` target (each a `limit` and a `calendar`)",
            bare(&target)
        ));
    }
    if let Some(locale) = quoted_after(message, "missing translation ") {
        return Some(format!("add `{}`", bare(&child(path, locale))));
    }
    if let Some(name) = backticked_after(message, "missing field ") {
        return Some(format!("add `{}`", bare(&child(path, name))));
    }
    if let Some(field) = backticked_after(message, "unknown field ") {
        let names = listed_names(message);
        return Some(match closest(field, names.iter().copied()) {
            Some(near) => format!("rename `{field}` to `{near}`"),
            None => format!("remove `{}`", bare(path)),
        });
    }
    if message.starts_with("unknown ") && message.contains(", expected one of ") {
        let wrong = message.split('"').nth(1)?;
        let near = closest(wrong, listed_names(message))?;
        return Some(format!("did you mean \"{near}\"?"));
    }
    for (what, list, key) in [
        ("severity", "severities", "unknown severity "),
        ("question", "questionnaire.questions", "unknown question "),
        ("calendar", "calendars", "unknown calendar "),
        ("plan", "plans", "unknown plan "),
    ] {
        if let Some(wrong) = quoted_after(message, key) {
            let top = if what == "question" { "questions" } else { list };
            return Some(choose(wrong, &ids(raw, top), what, list));
        }
    }
    if message.starts_with("unknown IANA time zone") {
        let zone = message.split('"').nth(1)?;
        return Some(match closest(zone, chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name())) {
            Some(near) => format!("did you mean \"{near}\"?"),
            None => "use an IANA time zone name like \"America/Sao_Paulo\" or \"Europe/Lisbon\"".to_string(),
        });
    }
    if let Some(locale) = message.strip_prefix("locale \"").and_then(|m| m.split_once('"')).map(|(l, _)| l) {
        return Some(format!("add \"{locale}\" to `locales`, or remove `{}`", bare(path)));
    }
    if message.starts_with("must be positive, got") {
        return Some(format!("set `{}` to a whole number above 0", bare(path)));
    }
    if message.starts_with("average ") && message.contains(" is longer than the limit ") {
        return Some(format!("make `{}` at most the limit, or raise the limit", bare(path)));
    }
    if message == "empty text" || message == "must not be empty" {
        return Some(format!("write a text at `{}`", bare(path)));
    }
    if message.starts_with("duplicate ") && message.contains(" id ") {
        return Some(format!("give `{}` an id of its own", bare(path)));
    }
    if message.contains("is not a date YYYY-MM-DD") {
        return Some("write the date as YYYY-MM-DD, e.g. \"2026-12-25\"".to_string());
    }
    if message.contains("is listed twice") || message == "listed twice" {
        return Some(format!("remove `{}`", bare(path)));
    }
    if message.contains("is not a time HH:MM") {
        return Some("write the time as HH:MM on a 24-hour clock, e.g. \"09:00\" or \"18:00\"".to_string());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fix(path: &str, message: &str, raw: &Value) -> Option<String> {
        hint(&PolicyError::new(path, message), Some(raw))
    }

    fn sample() -> Value {
        json!({
            "severities": [{ "id": "P1" }, { "id": "P2" }],
            "questionnaire": { "questions": [{ "id": "situation" }, { "id": "impact" }] },
            "calendars": [{ "id": "sao-paulo-24-7" }, { "id": "sao-paulo-business" }],
            "plans": [{ "id": "business-plus" }, { "id": "pro" }],
        })
    }

    #[test]
    fn a_missing_severity_names_the_key_to_add() {
        let got = fix("$.plans[1].targets", "missing severity \"P4\"", &sample()).expect("a hint");
        assert!(got.starts_with("add `plans[1].targets.P4`"), "{got}");
        let got = fix("$.severities[1].label", "missing translation \"pt-BR\"", &sample());
        assert_eq!(got.as_deref(), Some("add `severities[1].label[\"pt-BR\"]`"));
        let got = fix("$.severities[0]", "missing field `definition`", &sample());
        assert_eq!(got.as_deref(), Some("add `severities[0].definition`"));
    }

    #[test]
    fn typos_get_the_nearest_name() {
        let raw = sample();
        let got = fix(
            "$.plans[0].targets.P1.first_response.limits",
            "unknown field `limits`; expected one of `limit`, `average`, `calendar`",
            &raw,
        );
        assert_eq!(got.as_deref(), Some("rename `limits` to `limit`"));
        let got = fix("$.x.colour", "unknown field `colour`; expected one of `id`, `version`", &raw);
        assert_eq!(got.as_deref(), Some("remove `x.colour`"));
        let got = fix("$.calendars[1].time_zone", "unknown IANA time zone: \"America/Sao_Paul\"", &raw);
        assert_eq!(got.as_deref(), Some("did you mean \"America/Sao_Paulo\"?"));
        let got = fix("$.plans[0].targets.P1.resolution.calendar", "unknown calendar \"sao-paulo-24x7\"", &raw);
        assert_eq!(got.as_deref(), Some("did you mean \"sao-paulo-24-7\"?"));
        let got = fix("$.x.unit", "unknown unit \"hour\", expected one of `minutes`, `hours`, `days`", &raw);
        assert_eq!(got.as_deref(), Some("did you mean \"hours\"?"));
    }

    #[test]
    fn unknown_references_list_what_the_policy_has() {
        let got = fix("$.questionnaire.questions[0].answers[0].next.severity", "unknown severity \"P9\"", &sample())
            .expect("a hint");
        assert_eq!(got, "use one of the severity ids: P1, P2 (or add a severity \"P9\" to `severities`)");
        let got = fix("$.x.severity", "unknown severity \"p2\"", &sample());
        assert_eq!(got.as_deref(), Some("did you mean \"P2\"?"));
        let got = fix("$.default_plan", "unknown plan \"enterprise\"", &sample()).expect("a hint");
        assert_eq!(got, "use one of the plan ids: business-plus, pro (or add a plan \"enterprise\" to `plans`)");
        let got = hint(&PolicyError::new("$.default_plan", "unknown plan \"x\""), None).expect("a hint");
        assert_eq!(got, "add a plan with id \"x\" to `plans`");
    }

    #[test]
    fn no_hint_when_nothing_is_obvious() {
        assert_eq!(fix("$", "expected an object, found an array", &sample()), None);
        assert_eq!(fix("$.questionnaire", "question \"a\" is unreachable", &sample()), None);
    }
}
