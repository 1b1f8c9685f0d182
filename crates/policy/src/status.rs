//! Status feeds: a product's known incidents, read from an Atlassian Statuspage v2 `summary.json`
//! or from Triage's generic minimal shape (`www/schemas/status.schema.json`), and the rule that
//! picks the one incident a customer is shown before sending an outage-level ticket.
//!
//! Feeds are third-party input read while a customer waits, so reading one is forgiving where it
//! can be and strict where it matters:
//!
//! - the document must be JSON (the crate's strict parser, depth-limited), at most
//!   [`MAX_FEED_BYTES`], with an `incidents` array, or it is refused with a [`FeedError`] that
//!   names the path and the problem;
//! - an incident without a usable id, title, known status and impact, or start time is left out
//!   and its problem is kept in [`Feed::skipped`] (so one bad entry never hides the others);
//! - every text is cleaned: control and bidirectional-override characters removed, whitespace
//!   runs folded to one space, cut to a maximum length ([`MAX_TITLE_CHARS`] …). Texts stay text:
//!   whoever shows them must render them as text, never as markup;
//! - a link is kept only when it is an `https://` URL with a host.
//!
//! The rule ([`Feed::current_incident`]): among the unresolved incidents that concern the
//! product (no component filter, an incident that names no component, or one that names a
//! filtered component by name or id), the one with the highest impact, then the latest start.

use chrono::{DateTime, FixedOffset};

use crate::json::{self, push_quoted, Value};
use crate::model::FeedFormat;

/// Largest feed accepted, in bytes (a Statuspage summary with many components is ~100 KB).
pub const MAX_FEED_BYTES: usize = 1024 * 1024;
/// Incidents read from one feed; the rest are ignored.
pub const MAX_INCIDENTS: usize = 100;
/// Longest incident id kept (longer ids make the incident skipped: an id cut short is another id).
pub const MAX_ID_CHARS: usize = 100;
/// Longest title kept; longer titles are cut and end with `…`.
pub const MAX_TITLE_CHARS: usize = 200;
/// Longest update text kept; longer texts are cut and end with `…`.
pub const MAX_UPDATE_CHARS: usize = 600;
/// Longest link kept.
pub const MAX_URL_CHARS: usize = 2048;
/// Component names and ids kept per incident.
const MAX_COMPONENTS: usize = 50;
const MAX_COMPONENT_CHARS: usize = 100;

/// How badly an incident affects the service, least first (so `max` is the worst).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Impact {
    None,
    Minor,
    Major,
    Critical,
}

impl Impact {
    pub const ALL: [Impact; 4] = [Impact::None, Impact::Minor, Impact::Major, Impact::Critical];

    /// The name as feeds write it (`critical`).
    pub fn name(self) -> &'static str {
        match self {
            Impact::None => "none",
            Impact::Minor => "minor",
            Impact::Major => "major",
            Impact::Critical => "critical",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|impact| impact.name() == name)
    }
}

/// Where an incident stands. Statuspage's `postmortem` is read as `resolved`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IncidentStatus {
    Investigating,
    Identified,
    Monitoring,
    Resolved,
}

impl IncidentStatus {
    pub const ALL: [IncidentStatus; 4] = [
        IncidentStatus::Investigating,
        IncidentStatus::Identified,
        IncidentStatus::Monitoring,
        IncidentStatus::Resolved,
    ];

    /// The name as feeds write it (`investigating`).
    pub fn name(self) -> &'static str {
        match self {
            IncidentStatus::Investigating => "investigating",
            IncidentStatus::Identified => "identified",
            IncidentStatus::Monitoring => "monitoring",
            IncidentStatus::Resolved => "resolved",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "postmortem" => Some(IncidentStatus::Resolved),
            _ => Self::ALL.into_iter().find(|status| status.name() == name),
        }
    }

    pub fn is_resolved(self) -> bool {
        self == IncidentStatus::Resolved
    }
}

/// The latest word on an incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentUpdate {
    /// Cleaned text, at most [`MAX_UPDATE_CHARS`].
    pub text: String,
    pub at: DateTime<FixedOffset>,
}

/// One incident, cleaned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incident {
    /// The feed's id, sent with the ticket so the support team can group tickets by incident.
    pub id: String,
    pub title: String,
    pub status: IncidentStatus,
    pub impact: Impact,
    /// Where to follow it: an https URL, or none.
    pub url: Option<String>,
    pub started_at: DateTime<FixedOffset>,
    pub last_update: Option<IncidentUpdate>,
    /// Names and ids of the components it affects, as the feed writes them.
    pub components: Vec<String>,
}

impl Incident {
    /// Whether it concerns a product whose feed filters on `components` (empty: no filter).
    pub fn concerns(&self, components: &[String]) -> bool {
        components.is_empty() || self.components.is_empty() || self.components.iter().any(|c| components.contains(c))
    }
}

/// A feed, read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Feed {
    /// The page's overall indicator (Statuspage `status.indicator`), when the feed gives one.
    pub indicator: Option<Impact>,
    pub incidents: Vec<Incident>,
    /// Incidents left out, and why (`$.incidents[2].started_at: …`).
    pub skipped: Vec<FeedError>,
}

/// Why a feed, or one of its incidents, could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedError {
    /// JSON path of the offending value, `$.incidents[0].status`.
    pub path: String,
    pub message: String,
}

impl FeedError {
    fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self { path: path.into(), message: message.into() }
    }
}

impl std::fmt::Display for FeedError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

impl std::error::Error for FeedError {}

impl Feed {
    /// The incident to show for a product whose feed filters on `components`: unresolved, concerning
    /// the product, the highest impact first, then the latest start.
    pub fn current_incident(&self, components: &[String]) -> Option<&Incident> {
        self.incidents
            .iter()
            .filter(|incident| !incident.status.is_resolved() && incident.concerns(components))
            .max_by_key(|incident| (incident.impact, incident.started_at))
    }

    /// The feed in the generic shape (`www/schemas/status.schema.json`), as the receiver's proxy
    /// serves it: every incident kept, already cleaned.
    pub fn to_generic_json(&self) -> String {
        let mut out = String::from("{");
        if let Some(indicator) = self.indicator {
            out.push_str("\"indicator\":");
            push_quoted(&mut out, indicator.name());
            out.push(',');
        }
        out.push_str("\"incidents\":[");
        for (i, incident) in self.incidents.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str("{\"id\":");
            push_quoted(&mut out, &incident.id);
            out.push_str(",\"title\":");
            push_quoted(&mut out, &incident.title);
            out.push_str(",\"status\":");
            push_quoted(&mut out, incident.status.name());
            out.push_str(",\"impact\":");
            push_quoted(&mut out, incident.impact.name());
            if let Some(url) = &incident.url {
                out.push_str(",\"url\":");
                push_quoted(&mut out, url);
            }
            out.push_str(",\"started_at\":");
            push_quoted(&mut out, &incident.started_at.to_rfc3339());
            if let Some(update) = &incident.last_update {
                out.push_str(",\"last_update\":{\"text\":");
                push_quoted(&mut out, &update.text);
                out.push_str(",\"at\":");
                push_quoted(&mut out, &update.at.to_rfc3339());
                out.push('}');
            }
            if !incident.components.is_empty() {
                out.push_str(",\"components\":[");
                for (j, component) in incident.components.iter().enumerate() {
                    if j > 0 {
                        out.push(',');
                    }
                    push_quoted(&mut out, component);
                }
                out.push(']');
            }
            out.push('}');
        }
        out.push_str("]}");
        out
    }
}

/// Reads a feed in `format`.
pub fn parse_feed(text: &str, format: FeedFormat) -> Result<Feed, FeedError> {
    if text.len() > MAX_FEED_BYTES {
        return Err(FeedError::new(
            "$",
            format!("the feed is {} bytes, more than the {MAX_FEED_BYTES} accepted", text.len()),
        ));
    }
    let value = json::parse(text).map_err(|e| FeedError::new(e.path, e.message))?;
    let Value::Object(root) = value else {
        return Err(FeedError::new("$", format!("expected an object, found {}", kind(&value))));
    };
    let mut feed = Feed::default();
    if let Some(indicator) =
        member(&root, "indicator").or_else(|| member(&root, "status").and_then(|s| field(s, "indicator")))
    {
        // The page-wide indicator is informative only: a value we do not know is left out.
        feed.indicator = as_str(indicator).and_then(Impact::from_name);
    }
    let incidents = match member(&root, "incidents") {
        Some(Value::Array(items)) => items,
        Some(other) => {
            return Err(FeedError::new("$.incidents", format!("expected an array, found {}", kind(other))));
        }
        None => {
            let hint = match format {
                FeedFormat::Statuspage => "is this a Statuspage v2 summary.json (/api/v2/summary.json)?",
                FeedFormat::Generic => "see www/schemas/status.schema.json",
            };
            return Err(FeedError::new("$", format!("missing field `incidents`: {hint}")));
        }
    };
    for (index, item) in incidents.iter().take(MAX_INCIDENTS).enumerate() {
        let path = format!("$.incidents[{index}]");
        let read = match format {
            FeedFormat::Statuspage => statuspage_incident(item, &path),
            FeedFormat::Generic => generic_incident(item, &path),
        };
        match read {
            Ok(incident) => feed.incidents.push(incident),
            Err(problem) => feed.skipped.push(problem),
        }
    }
    Ok(feed)
}

// ---- the two shapes ----

/// `{id, name, status, impact, shortlink, started_at|created_at, incident_updates[{body,
/// created_at|display_at}], components[{id, name}]}`.
fn statuspage_incident(value: &Value, path: &str) -> Result<Incident, FeedError> {
    let Value::Object(members) = value else {
        return Err(FeedError::new(path, format!("expected an object, found {}", kind(value))));
    };
    let started_key = if member(members, "started_at").is_some_and(|v| !matches!(v, Value::Null)) {
        "started_at"
    } else {
        "created_at"
    };
    let last_update = match member(members, "incident_updates") {
        Some(Value::Array(updates)) => updates
            .iter()
            .filter_map(|update| {
                let text = clean(as_str(field(update, "body")?)?, MAX_UPDATE_CHARS);
                let at = ["display_at", "created_at", "updated_at"]
                    .iter()
                    .find_map(|key| as_str(field(update, key)?).and_then(|t| DateTime::parse_from_rfc3339(t).ok()))?;
                (!text.is_empty()).then_some(IncidentUpdate { text, at })
            })
            .max_by_key(|update| update.at),
        _ => None,
    };
    let mut components = Vec::new();
    if let Some(Value::Array(items)) = member(members, "components") {
        for item in items.iter().take(MAX_COMPONENTS) {
            for key in ["name", "id"] {
                if let Some(text) = field(item, key).and_then(as_str) {
                    push_component(&mut components, text);
                }
            }
        }
    }
    Ok(Incident {
        id: id(members, path)?,
        title: title(members, "name", path)?,
        status: status(members, path)?,
        impact: impact(members, path)?,
        url: member(members, "shortlink").and_then(as_str).and_then(https_url),
        started_at: instant(members, started_key, path)?,
        last_update,
        components,
    })
}

/// `{id, title, status, impact, url?, started_at, last_update?: {text, at}, components?: [..]}`.
fn generic_incident(value: &Value, path: &str) -> Result<Incident, FeedError> {
    let Value::Object(members) = value else {
        return Err(FeedError::new(path, format!("expected an object, found {}", kind(value))));
    };
    let last_update = match member(members, "last_update") {
        None | Some(Value::Null) => None,
        Some(update) => {
            let text = field(update, "text").and_then(as_str).map(|t| clean(t, MAX_UPDATE_CHARS));
            let at = field(update, "at").and_then(as_str).and_then(|t| DateTime::parse_from_rfc3339(t).ok());
            match (text, at) {
                (Some(text), Some(at)) if !text.is_empty() => Some(IncidentUpdate { text, at }),
                _ => {
                    return Err(FeedError::new(
                        format!("{path}.last_update"),
                        "expected {\"text\": a non-empty string, \"at\": an RFC 3339 time}",
                    ))
                }
            }
        }
    };
    let mut components = Vec::new();
    if let Some(Value::Array(items)) = member(members, "components") {
        for text in items.iter().take(MAX_COMPONENTS).filter_map(as_str) {
            push_component(&mut components, text);
        }
    }
    Ok(Incident {
        id: id(members, path)?,
        title: title(members, "title", path)?,
        status: status(members, path)?,
        impact: impact(members, path)?,
        url: member(members, "url").and_then(as_str).and_then(https_url),
        started_at: instant(members, "started_at", path)?,
        last_update,
        components,
    })
}

// ---- fields ----

fn id(members: &[(String, Value)], path: &str) -> Result<String, FeedError> {
    let at = format!("{path}.id");
    let text = match member(members, "id") {
        Some(Value::String(text)) => text.clone(),
        // Some feeds number their incidents.
        Some(Value::Number(number)) => number.clone(),
        Some(other) => return Err(FeedError::new(at, format!("expected a string, found {}", kind(other)))),
        None => return Err(FeedError::new(path, "missing field `id`")),
    };
    let cleaned = clean(&text, usize::MAX);
    if cleaned.is_empty() {
        return Err(FeedError::new(at, "must not be empty"));
    }
    if cleaned.chars().count() > MAX_ID_CHARS {
        return Err(FeedError::new(at, format!("longer than {MAX_ID_CHARS} characters")));
    }
    Ok(cleaned)
}

fn title(members: &[(String, Value)], key: &str, path: &str) -> Result<String, FeedError> {
    let text = required_str(members, key, path)?;
    let cleaned = clean(text, MAX_TITLE_CHARS);
    if cleaned.is_empty() {
        return Err(FeedError::new(format!("{path}.{key}"), "must not be empty"));
    }
    Ok(cleaned)
}

fn status(members: &[(String, Value)], path: &str) -> Result<IncidentStatus, FeedError> {
    let text = required_str(members, "status", path)?;
    IncidentStatus::from_name(text).ok_or_else(|| {
        FeedError::new(
            format!("{path}.status"),
            format!("unknown status {}, expected one of investigating, identified, monitoring, resolved", quoted(text)),
        )
    })
}

fn impact(members: &[(String, Value)], path: &str) -> Result<Impact, FeedError> {
    let text = required_str(members, "impact", path)?;
    Impact::from_name(text).ok_or_else(|| {
        FeedError::new(
            format!("{path}.impact"),
            format!("unknown impact {}, expected one of none, minor, major, critical", quoted(text)),
        )
    })
}

fn instant(members: &[(String, Value)], key: &str, path: &str) -> Result<DateTime<FixedOffset>, FeedError> {
    let text = required_str(members, key, path)?;
    DateTime::parse_from_rfc3339(text).map_err(|_| {
        FeedError::new(
            format!("{path}.{key}"),
            format!("{} is not an RFC 3339 time like 2026-12-04T18:40:00Z", quoted(text)),
        )
    })
}

fn required_str<'v>(members: &'v [(String, Value)], key: &str, path: &str) -> Result<&'v str, FeedError> {
    match member(members, key) {
        Some(Value::String(text)) => Ok(text),
        Some(other) => {
            Err(FeedError::new(format!("{path}.{key}"), format!("expected a string, found {}", kind(other))))
        }
        None => Err(FeedError::new(path, format!("missing field `{key}`"))),
    }
}

fn push_component(components: &mut Vec<String>, text: &str) {
    let cleaned = clean(text, MAX_COMPONENT_CHARS);
    if !cleaned.is_empty() && !components.contains(&cleaned) {
        components.push(cleaned);
    }
}

// ---- helpers ----

/// The first member named `key` (a feed writing a key twice gets its first value).
fn member<'v>(members: &'v [(String, Value)], key: &str) -> Option<&'v Value> {
    members.iter().find(|(name, _)| name == key).map(|(_, value)| value)
}

fn field<'v>(value: &'v Value, key: &str) -> Option<&'v Value> {
    match value {
        Value::Object(members) => member(members, key),
        _ => None,
    }
}

fn as_str(value: &Value) -> Option<&str> {
    match value {
        Value::String(text) => Some(text),
        _ => None,
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "true or false",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// `text` as a JSON string, cut to 40 characters.
fn quoted(text: &str) -> String {
    let mut out = String::new();
    push_quoted(&mut out, &clean(text, 40));
    out
}

/// Characters that reorder or hide text (bidirectional overrides and isolates, zero-width
/// characters, the BOM): a hostile title could use them to disguise itself.
fn is_invisible_format(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

/// Removes control and invisible formatting characters, folds whitespace runs into one space,
/// trims, and cuts to `max` characters (ending with `…` when cut).
pub fn clean(text: &str, max: usize) -> String {
    let mut out = String::new();
    let mut count = 0;
    let mut pending_space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if c.is_control() || is_invisible_format(c) {
            continue;
        }
        let needed = usize::from(pending_space) + 1;
        if count + needed > max {
            // Room for the ellipsis: drop the last character if the text is already full.
            if count >= max {
                out.pop();
            }
            out.push('…');
            return out;
        }
        if pending_space {
            out.push(' ');
            count += 1;
            pending_space = false;
        }
        out.push(c);
        count += 1;
    }
    out
}

/// `url` when it is an `https://` URL with a host, without spaces or control characters, of a
/// reasonable length; otherwise none (a `javascript:`, `http:` or relative link is never kept).
pub fn https_url(url: &str) -> Option<String> {
    let rest = url.get(..8).filter(|scheme| scheme.eq_ignore_ascii_case("https://")).and_then(|_| url.get(8..))?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let clean = !url.chars().any(|c| c.is_whitespace() || c.is_control() || is_invisible_format(c) || c == '\\');
    let host_ok =
        !host.is_empty() && !host.contains('@') && host.chars().all(|c| c.is_alphanumeric() || "-.:[]".contains(c));
    (clean && host_ok && url.len() <= MAX_URL_CHARS).then(|| url.to_string())
}

/// Schema-only mirror of the generic shape, for `www/schemas/status.schema.json`.
#[cfg(feature = "schema")]
pub mod schema_types {
    use schemars::JsonSchema;

    /// A status feed in Triage's generic minimal shape. A site owner whose status page does not
    /// publish a Statuspage v2 `summary.json` serves this (from any URL the widget can read, with
    /// CORS headers when cross-origin, or through the receiver's proxy). Other fields are ignored.
    #[derive(JsonSchema)]
    #[schemars(title = "StatusFeed")]
    #[allow(dead_code)]
    pub struct StatusFeed {
        /// The page's overall state, informative only.
        indicator: Option<Impact>,
        /// Current incidents (resolved ones may stay listed: they are never shown). At most 100
        /// are read.
        incidents: Vec<Incident>,
    }

    #[derive(JsonSchema)]
    #[allow(dead_code)]
    pub struct Incident {
        /// Stable id, sent with the tickets the incident concerns (at most 100 characters).
        id: String,
        /// Shown as text, cut at 200 characters.
        title: String,
        status: Status,
        impact: Impact,
        /// Where customers follow the incident. Kept only when it is an https URL.
        url: Option<String>,
        /// RFC 3339, e.g. `2026-12-04T18:40:00Z`.
        started_at: String,
        last_update: Option<Update>,
        /// Names or ids of the affected components, matched against a product's
        /// `status_feed.components`. None: the incident concerns every product of the feed.
        #[schemars(default)]
        components: Vec<String>,
    }

    #[derive(JsonSchema)]
    #[allow(dead_code)]
    pub struct Update {
        /// Shown as text, cut at 600 characters.
        text: String,
        /// RFC 3339.
        at: String,
    }

    #[derive(JsonSchema)]
    #[serde(rename_all = "snake_case")]
    #[allow(dead_code)]
    pub enum Status {
        Investigating,
        Identified,
        Monitoring,
        Resolved,
    }

    #[derive(JsonSchema)]
    #[serde(rename_all = "snake_case")]
    #[allow(dead_code)]
    pub enum Impact {
        None,
        Minor,
        Major,
        Critical,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUMMARY: &str = r#"{
      "page": {"id": "kctbh9vrtdwd", "name": "NPS", "url": "https://nps.status.example", "updated_at": "2026-12-04T18:50:00.000Z"},
      "status": {"indicator": "major", "description": "Partial System Outage"},
      "components": [{"id": "c1", "name": "E-mail sending", "status": "major_outage"}],
      "incidents": [
        {
          "id": "p31zjtct2jer", "name": "E-mails are not being delivered", "status": "identified",
          "impact": "major", "shortlink": "https://stspg.io/abc", "created_at": "2026-12-04T18:40:00.000Z",
          "started_at": "2026-12-04T18:35:00.000Z", "updated_at": "2026-12-04T18:50:00.000Z",
          "incident_updates": [
            {"id": "u2", "status": "identified", "body": "We found the cause\nand are fixing it.", "created_at": "2026-12-04T18:50:00.000Z", "display_at": "2026-12-04T18:50:00.000Z"},
            {"id": "u1", "status": "investigating", "body": "We are looking into it.", "created_at": "2026-12-04T18:40:00.000Z", "display_at": "2026-12-04T18:40:00.000Z"}
          ],
          "components": [{"id": "c1", "name": "E-mail sending", "status": "major_outage"}]
        },
        {
          "id": "old", "name": "Reports slow", "status": "resolved", "impact": "critical",
          "shortlink": "https://stspg.io/old", "created_at": "2026-12-03T10:00:00Z", "incident_updates": [], "components": []
        }
      ],
      "scheduled_maintenances": []
    }"#;

    fn feed(text: &str, format: FeedFormat) -> Feed {
        parse_feed(text, format).expect("feed reads")
    }

    #[test]
    fn reads_a_statuspage_summary() {
        let feed = feed(SUMMARY, FeedFormat::Statuspage);
        assert_eq!(feed.indicator, Some(Impact::Major));
        assert!(feed.skipped.is_empty(), "{:?}", feed.skipped);
        let incident = feed.current_incident(&[]).expect("an unresolved incident");
        assert_eq!(incident.id, "p31zjtct2jer");
        assert_eq!(incident.title, "E-mails are not being delivered");
        assert_eq!(incident.status, IncidentStatus::Identified);
        assert_eq!(incident.impact, Impact::Major);
        assert_eq!(incident.url.as_deref(), Some("https://stspg.io/abc"));
        assert_eq!(incident.started_at.to_rfc3339(), "2026-12-04T18:35:00+00:00");
        let update = incident.last_update.as_ref().expect("last update");
        assert_eq!(update.text, "We found the cause and are fixing it.");
        assert_eq!(update.at.to_rfc3339(), "2026-12-04T18:50:00+00:00");
        assert_eq!(incident.components, ["E-mail sending", "c1"]);
    }

    #[test]
    fn started_at_falls_back_to_created_at_and_postmortem_is_resolved() {
        let text = r#"{"incidents":[{"id":"a","name":"Down","status":"postmortem","impact":"critical","created_at":"2026-12-04T10:00:00Z"},
            {"id":"b","name":"Slow","status":"monitoring","impact":"minor","started_at":null,"created_at":"2026-12-04T11:00:00-03:00"}]}"#;
        let feed = feed(text, FeedFormat::Statuspage);
        assert_eq!(feed.incidents.len(), 2);
        assert_eq!(feed.incidents[0].status, IncidentStatus::Resolved);
        let current = feed.current_incident(&[]).expect("b is unresolved");
        assert_eq!(current.id, "b");
        assert_eq!(current.started_at.to_rfc3339(), "2026-12-04T11:00:00-03:00");
    }

    #[test]
    fn resolved_only_means_no_incident() {
        let text = r#"{"incidents":[{"id":"a","title":"Down","status":"resolved","impact":"critical","started_at":"2026-12-04T10:00:00Z"}]}"#;
        assert_eq!(feed(text, FeedFormat::Generic).current_incident(&[]), None);
        assert_eq!(feed(r#"{"incidents":[]}"#, FeedFormat::Generic).current_incident(&[]), None);
    }

    #[test]
    fn the_worst_then_the_latest_incident_is_shown() {
        let text = r#"{"incidents":[
            {"id":"minor-late","title":"a","status":"investigating","impact":"minor","started_at":"2026-12-04T12:00:00Z"},
            {"id":"major-early","title":"b","status":"investigating","impact":"major","started_at":"2026-12-04T09:00:00Z"},
            {"id":"major-late","title":"c","status":"monitoring","impact":"major","started_at":"2026-12-04T10:00:00Z"}]}"#;
        assert_eq!(feed(text, FeedFormat::Generic).current_incident(&[]).map(|i| i.id.as_str()), Some("major-late"));
    }

    #[test]
    fn components_filter_the_incidents_of_a_shared_page() {
        let text = r#"{"incidents":[
            {"id":"cxm","title":"CXM down","status":"investigating","impact":"critical","started_at":"2026-12-04T12:00:00Z","components":["CXM"]},
            {"id":"all","title":"Everything slow","status":"investigating","impact":"minor","started_at":"2026-12-04T09:00:00Z"}]}"#;
        let feed = feed(text, FeedFormat::Generic);
        assert_eq!(feed.current_incident(&["NPS".into()]).map(|i| i.id.as_str()), Some("all"));
        assert_eq!(feed.current_incident(&["CXM".into()]).map(|i| i.id.as_str()), Some("cxm"));
        assert_eq!(feed.current_incident(&[]).map(|i| i.id.as_str()), Some("cxm"));
    }

    #[test]
    fn a_malformed_feed_names_the_problem() {
        let problem = |text: &str, format| parse_feed(text, format).expect_err("refused").to_string();
        assert!(problem("<html>down</html>", FeedFormat::Statuspage).starts_with("$: invalid JSON"));
        assert_eq!(problem("[]", FeedFormat::Generic), "$: expected an object, found an array");
        assert_eq!(
            problem(r#"{"page":{}}"#, FeedFormat::Statuspage),
            "$: missing field `incidents`: is this a Statuspage v2 summary.json (/api/v2/summary.json)?"
        );
        assert_eq!(
            problem(r#"{"incidents":{}}"#, FeedFormat::Generic),
            "$.incidents: expected an array, found an object"
        );
        let deep = "[".repeat(10_000);
        assert!(
            problem(&deep, FeedFormat::Generic).contains("invalid JSON")
                || problem(&deep, FeedFormat::Generic).contains("deep")
        );
        let huge = format!(r#"{{"incidents":[],"pad":"{}"}}"#, "x".repeat(MAX_FEED_BYTES));
        assert!(problem(&huge, FeedFormat::Generic).contains("more than the 1048576 accepted"));
    }

    #[test]
    fn bad_incidents_are_skipped_with_their_reason_and_the_others_kept() {
        let text = r#"{"incidents":[
            {"id":"ok","title":"Fine","status":"investigating","impact":"major","started_at":"2026-12-04T12:00:00Z"},
            {"id":"","title":"No id","status":"investigating","impact":"major","started_at":"2026-12-04T12:00:00Z"},
            {"id":"s","title":"Bad status","status":"on fire","impact":"major","started_at":"2026-12-04T12:00:00Z"},
            {"id":"i","title":"Bad impact","status":"identified","impact":"maintenance","started_at":"2026-12-04T12:00:00Z"},
            {"id":"t","title":"Bad time","status":"identified","impact":"minor","started_at":"yesterday"},
            {"id":"n","title":"\u0000\u202e ","status":"identified","impact":"minor","started_at":"2026-12-04T12:00:00Z"},
            {"id":"u","title":"Bad update","status":"identified","impact":"minor","started_at":"2026-12-04T12:00:00Z","last_update":{"text":"x"}},
            42]}"#;
        let feed = feed(text, FeedFormat::Generic);
        assert_eq!(feed.incidents.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(), ["ok"]);
        let skipped: Vec<String> = feed.skipped.iter().map(ToString::to_string).collect();
        assert_eq!(
            skipped,
            [
                "$.incidents[1].id: must not be empty",
                "$.incidents[2].status: unknown status \"on fire\", expected one of investigating, identified, monitoring, resolved",
                "$.incidents[3].impact: unknown impact \"maintenance\", expected one of none, minor, major, critical",
                "$.incidents[4].started_at: \"yesterday\" is not an RFC 3339 time like 2026-12-04T18:40:00Z",
                "$.incidents[5].title: must not be empty",
                "$.incidents[6].last_update: expected {\"text\": a non-empty string, \"at\": an RFC 3339 time}",
                "$.incidents[7]: expected an object, found a number",
            ]
        );
    }

    #[test]
    fn hostile_text_is_cleaned_and_cut() {
        let long = "A".repeat(5_000);
        let text = format!(
            r#"{{"incidents":[{{"id":"x","title":"<img src=x onerror=alert(1)>\u202e\u0007 Down\n\n now {long}","status":"investigating","impact":"critical","started_at":"2026-12-04T12:00:00Z"}}]}}"#
        );
        let feed = feed(&text, FeedFormat::Generic);
        let title = &feed.incidents[0].title;
        assert!(title.starts_with("<img src=x onerror=alert(1)> Down now AAA"), "{title}");
        assert_eq!(title.chars().count(), MAX_TITLE_CHARS);
        assert!(title.ends_with('…'));
        assert!(!title.chars().any(|c| c.is_control() || is_invisible_format(c)));
    }

    #[test]
    fn only_https_links_are_kept() {
        assert_eq!(
            https_url("https://status.example.com/incidents/1").as_deref(),
            Some("https://status.example.com/incidents/1")
        );
        assert_eq!(https_url("HTTPS://stspg.io/x").as_deref(), Some("HTTPS://stspg.io/x"));
        for bad in [
            "http://status.example.com",
            "javascript:alert(1)",
            "//evil.example",
            "/incidents/1",
            "https://",
            "https:///path",
            "https://user@evil.example",
            "https://exa mple.com",
            "https://example.com/\u{202e}x",
            "https://example.com\\@evil",
            "data:text/html,<script>",
        ] {
            assert_eq!(https_url(bad), None, "{bad}");
        }
        let text = r#"{"incidents":[{"id":"x","title":"Down","status":"investigating","impact":"critical","started_at":"2026-12-04T12:00:00Z","url":"javascript:alert(1)"}]}"#;
        assert_eq!(feed(text, FeedFormat::Generic).incidents[0].url, None);
    }

    #[test]
    fn clean_folds_and_cuts() {
        assert_eq!(clean("  a \t\n b  ", 10), "a b");
        assert_eq!(clean("abcdef", 4), "abc…");
        assert_eq!(clean("abc", 3), "abc");
        assert_eq!(clean("ab cd", 3), "ab…");
    }

    #[test]
    fn the_generic_json_reads_back_the_same() {
        let original = feed(SUMMARY, FeedFormat::Statuspage);
        let generic = original.to_generic_json();
        let back = feed(&generic, FeedFormat::Generic);
        assert_eq!(back.incidents, original.incidents);
        assert_eq!(back.indicator, original.indicator);
    }

    #[test]
    fn at_most_max_incidents_are_read() {
        let one =
            r#"{"id":"x","title":"t","status":"investigating","impact":"minor","started_at":"2026-12-04T12:00:00Z"}"#;
        let text = format!(r#"{{"incidents":[{}]}}"#, vec![one; MAX_INCIDENTS + 20].join(","));
        assert_eq!(feed(&text, FeedFormat::Generic).incidents.len(), MAX_INCIDENTS);
    }
}
