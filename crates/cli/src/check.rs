//! `triage check POLICY`: validate a policy file and summarize what it contains, or list every
//! problem with its JSON path and fix, as text or as JSON for CI.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::{json, Value};
use triage_policy::{Policy, Tzdb};

use crate::args::Format;
use crate::failure::{list, Failure};
use crate::load::{describe_problems, read_policy, LoadError};

/// What to print: stdout, notes for stderr (text format), and whether the policy is valid.
pub struct CheckReport {
    pub stdout: String,
    pub notes: Vec<String>,
    /// Promises that read wrong (text format: for stderr).
    pub warnings: Vec<String>,
    pub valid: bool,
}

pub fn check(path: &Path, format: Format) -> Result<CheckReport, Failure> {
    let file = path.display().to_string();
    match (read_policy(path), format) {
        (Ok(policy), Format::Text) => Ok(CheckReport {
            stdout: summary(path, &policy),
            notes: notes(&policy),
            warnings: warnings(&policy),
            valid: true,
        }),
        (Ok(policy), Format::Json) => {
            let out = json!({
                "file": file, "valid": true, "policy": overview(&policy), "notes": notes(&policy),
                "warnings": warnings(&policy), "problems": [],
            });
            Ok(CheckReport { stdout: pretty(&out)?, notes: Vec::new(), warnings: Vec::new(), valid: true })
        }
        (Err(LoadError::Unreadable(message)), Format::Text) => Err(Failure::Policy(message)),
        (Err(LoadError::Invalid(problems)), Format::Text) => Err(Failure::Policy(describe_problems(path, &problems))),
        (Err(LoadError::Unreadable(message)), Format::Json) => {
            let out = json!({ "file": file, "valid": false, "error": message, "problems": [] });
            Ok(CheckReport { stdout: pretty(&out)?, notes: Vec::new(), warnings: Vec::new(), valid: false })
        }
        (Err(LoadError::Invalid(problems)), Format::Json) => {
            let out = json!({ "file": file, "valid": false, "problems": problems });
            Ok(CheckReport { stdout: pretty(&out)?, notes: Vec::new(), warnings: Vec::new(), valid: false })
        }
    }
}

fn pretty(value: &Value) -> Result<String, Failure> {
    serde_json::to_string_pretty(value)
        .map(|s| s + "\n")
        .map_err(|e| Failure::Policy(format!("cannot write the result as JSON: {e}")))
}

/// The machine-readable summary of a valid policy.
fn overview(policy: &Policy) -> Value {
    let file = policy.file();
    let default_plan = policy.default_plan().id.as_str();
    json!({
        "id": policy.id(),
        "version": policy.version(),
        "locales": file.locales,
        "severities": file.severities.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
        "questions": file.questionnaire.questions.len(),
        "start": file.questionnaire.start,
        "plans": file.plans.iter().map(|p| json!({
            "id": p.id, "default": p.id == default_plan, "unverified": p.id == policy.unverified_plan().id,
            "example_values": p.example_values, "may_request_escalation": policy.may_request_escalation(&p.id),
        })).collect::<Vec<_>>(),
        "calendars": file.calendars.iter().map(|c| json!({
            "id": c.id, "always_open": c.always_open, "time_zone": c.time_zone, "holidays": c.holidays.len(),
        })).collect::<Vec<_>>(),
        "channels": file.channels.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
        "products": file.products.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(),
        "outage_severities": file.outage_severities,
        "status_feeds": file.products.iter().filter_map(|p| p.status_feed.as_ref().map(|f| json!({
            "product": p.id, "url": f.url, "format": feed_format(f.format), "proxy": f.proxy, "components": f.components,
        }))).collect::<Vec<_>>(),
    })
}

fn summary(path: &Path, policy: &Policy) -> String {
    let file = policy.file();
    let default_plan = policy.default_plan().id.as_str();
    let plans: Vec<String> = file
        .plans
        .iter()
        .map(|p| {
            let mut tags = Vec::new();
            if p.id == default_plan {
                tags.push("default");
            }
            if p.id == policy.unverified_plan().id {
                tags.push("unverified customers");
            }
            if policy.may_request_escalation(&p.id) {
                tags.push("may ask to escalate");
            }
            if p.example_values {
                tags.push("example values");
            }
            if tags.is_empty() {
                p.id.clone()
            } else {
                format!("{} ({})", p.id, tags.join(", "))
            }
        })
        .collect();
    let calendars: Vec<String> = file
        .calendars
        .iter()
        .map(|c| {
            let kind = if c.always_open { "24/7".to_string() } else { "opening hours".to_string() };
            let holidays = match c.holidays.len() {
                0 => String::new(),
                n => format!(", {n} holidays"),
            };
            format!("{} ({kind}, {}{holidays})", c.id, c.time_zone)
        })
        .collect();
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = writeln!(out, "OK {}: policy {} version {}", path.display(), policy.id(), policy.version());
    let _ = writeln!(out, "  locales:    {}", list(file.locales.iter().map(String::as_str), "none"));
    let _ = writeln!(out, "  severities: {}", list(file.severities.iter().map(|s| s.id.as_str()), "none"));
    let _ = writeln!(out, "  questions:  {} (start: {})", file.questionnaire.questions.len(), file.questionnaire.start);
    let _ = writeln!(out, "  plans:      {}", plans.join(", "));
    let _ = writeln!(out, "  calendars:  {}", calendars.join(", "));
    let _ = writeln!(out, "  channels:   {}", list(file.channels.iter().map(|c| c.id.as_str()), "none"));
    let _ = writeln!(out, "  products:   {}", list(file.products.iter().map(|p| p.id.as_str()), "none"));
    let feeds: Vec<String> = file
        .products
        .iter()
        .filter_map(|p| {
            let feed = p.status_feed.as_ref()?;
            let via = feed.proxy.as_deref().map(|proxy| format!(", read through {proxy}")).unwrap_or_default();
            Some(format!("{} ({} {}{via})", p.id, feed_format(feed.format), feed.url))
        })
        .collect();
    if !feeds.is_empty() {
        let _ = writeln!(out, "  incidents:  {}", feeds.join(", "));
    }
    if !file.outage_severities.is_empty() {
        let _ = writeln!(
            out,
            "  outage:     {} (a known incident is shown before sending)",
            file.outage_severities.join(", ")
        );
    }
    out
}

fn feed_format(format: triage_policy::FeedFormat) -> &'static str {
    match format {
        triage_policy::FeedFormat::Statuspage => "statuspage",
        triage_policy::FeedFormat::Generic => "generic",
    }
}

/// Promises that read wrong: a first response that can be due after the resolution (the engine
/// then makes it due with the resolution, and says so).
fn warnings(policy: &Policy) -> Vec<String> {
    policy
        .first_response_overruns(&Tzdb)
        .into_iter()
        .map(|overrun| {
            let whose = match &overrun.channel {
                Some(channel) => format!("channel {channel}'s first-response target"),
                None => format!("plan {}'s first-response target", overrun.plan),
            };
            format!(
                "{whose} ({}) exceeds the {} resolution target of plan {} ({}): such first responses are shown and counted as due with the resolution",
                crate::due::span_text(overrun.first_response),
                overrun.severity,
                overrun.plan,
                crate::due::span_text(overrun.resolution),
            )
        })
        .collect()
}

/// Things a site owner should know before deploying a valid policy.
fn notes(policy: &Policy) -> Vec<String> {
    let file = policy.file();
    let mut notes = Vec::new();
    for plan in file.plans.iter().filter(|p| p.example_values) {
        notes.push(format!(
            "plan {} holds example values, not real promises: set its figures and remove \"example_values\" before deploying",
            plan.id
        ));
    }
    if file.plans.len() > 1 && file.unverified_plan.is_none() {
        notes.push(format!(
            "no \"unverified_plan\": a customer whose signed identity is missing, forged or expired gets plan {} (the least served); name it to make that explicit",
            policy.unverified_plan().id
        ));
    }
    for calendar in file.calendars.iter().filter(|c| !c.always_open) {
        if let Some(last) = calendar.holidays.iter().map(|h| h.date.as_str()).max() {
            notes.push(format!(
                "calendar {} lists holidays up to {last}: add the following years' holidays before then",
                calendar.id
            ));
        }
    }
    for product in &file.products {
        let Some(feed) = &product.status_feed else {
            continue;
        };
        let absolute = feed.url.contains("://");
        if absolute && feed.proxy.is_none() {
            notes.push(format!(
                "product {}'s status feed is read by the browser from {}: unless it is your help center's own \
                 site, it must send CORS headers (Access-Control-Allow-Origin), or set \"proxy\" to a receiver's \
                 /api/status/{}",
                product.id, feed.url, product.id
            ));
        }
        if !absolute && feed.proxy.is_some() {
            notes.push(format!(
                "product {}'s status feed is the path {}: the receiver's proxy needs a full URL to fetch \
                 (or start it with --status-feed {}=URL)",
                product.id, feed.url, product.id
            ));
        }
    }
    notes
}
