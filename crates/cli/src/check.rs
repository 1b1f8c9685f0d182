//! `triage check POLICY`: validate a policy file and summarize what it contains.

use std::fmt::Write as _;
use std::path::Path;

use triage_policy::Policy;

use crate::failure::{list, Failure};
use crate::load::load_policy;

/// The summary printed for a valid policy, and notes for the site owner.
pub struct CheckReport {
    pub summary: String,
    pub notes: Vec<String>,
}

pub fn check(path: &Path) -> Result<CheckReport, Failure> {
    let policy = load_policy(path)?;
    Ok(CheckReport { summary: summary(path, &policy), notes: notes(&policy) })
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
    out
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
    for calendar in file.calendars.iter().filter(|c| !c.always_open) {
        if let Some(last) = calendar.holidays.iter().map(|h| h.date.as_str()).max() {
            notes.push(format!(
                "calendar {} lists holidays up to {last}: add the following years' holidays before then",
                calendar.id
            ));
        }
    }
    notes
}
