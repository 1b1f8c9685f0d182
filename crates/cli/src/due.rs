//! `triage due`: the first-response and resolution due times of a ticket under a plan.

use std::path::Path;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, SecondsFormat, Utc};
use serde::Serialize;
use triage_policy::model::Span;
use triage_policy::{DueAt, DueError, Policy, Tzdb};

use crate::failure::{list, Failure};
use crate::load::load_policy;

/// The JSON printed on success.
#[derive(Debug, Serialize)]
pub struct DueOutput {
    pub policy: String,
    pub version: String,
    pub plan: String,
    /// True when the plan's figures are examples the site owner has yet to set.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub example_values: bool,
    pub severity: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// When the ticket was opened, as given.
    pub opened: String,
    pub first_response: DueAtOutput,
    pub resolution: DueAtOutput,
}

/// One target turned into instants.
#[derive(Debug, Serialize)]
pub struct DueAtOutput {
    /// RFC 3339 in the calendar's offset.
    pub due: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub average_due: Option<String>,
    pub limit: Span,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub average: Option<Span>,
    /// True when this first response would run out after the resolution and is due with it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub capped: bool,
    pub calendar: String,
    pub time_zone: String,
}

/// The due times and warnings about them.
pub struct DueReport {
    pub output: DueOutput,
    pub warnings: Vec<String>,
}

pub struct DueRequest<'a> {
    pub policy: &'a Path,
    pub plan: &'a str,
    pub severity: &'a str,
    pub opened: DateTime<FixedOffset>,
    pub channel: Option<&'a str>,
}

pub fn due(request: &DueRequest<'_>) -> Result<DueReport, Failure> {
    let policy = load_policy(request.policy)?;
    let file = policy.file();
    let plan = policy.plan(request.plan).ok_or_else(|| {
        Failure::Argument(format!(
            "--plan {}: policy {} has no such plan; plans: {}",
            request.plan,
            policy.id(),
            list(file.plans.iter().map(|p| p.id.as_str()), "none")
        ))
    })?;
    if policy.severity(request.severity).is_none() {
        return Err(Failure::Argument(format!(
            "--severity {}: policy {} has no such severity; severities: {}",
            request.severity,
            policy.id(),
            list(file.severities.iter().map(|s| s.id.as_str()), "none")
        )));
    }
    if let Some(channel) = request.channel {
        if policy.channel(channel).is_none() {
            return Err(Failure::Argument(format!(
                "--channel {channel}: policy {} has no such channel; channels: {}",
                policy.id(),
                list(file.channels.iter().map(|c| c.id.as_str()), "none (this policy has no channel targets)")
            )));
        }
    }
    let opened = request.opened.with_timezone(&Utc);
    let due = policy.due(&plan.id, request.severity, request.channel, opened, &Tzdb).map_err(|e| match e {
        DueError::OutOfRange => Failure::Argument(format!(
            "--opened {}: the due time falls outside the supported range of dates",
            request.opened.to_rfc3339()
        )),
        DueError::UnknownPlan { .. } | DueError::UnknownSeverity { .. } | DueError::UnknownChannel { .. } => {
            Failure::Argument(e.to_string())
        }
        other => Failure::Policy(format!("{}: {other}", request.policy.display())),
    })?;
    for at in [&due.first_response, &due.resolution] {
        let latest = at.average_due.map_or(at.due, |average| average.max(at.due));
        if latest.year() > 9999 {
            return Err(Failure::Argument(format!(
                "--opened {}: the due time falls after the year 9999, which RFC 3339 cannot write",
                request.opened.to_rfc3339()
            )));
        }
    }
    let capped = due.first_response.capped.then(|| {
        format!(
            "the first-response target ({}) runs out after the resolution's ({}): the first response is due with the resolution, at {}",
            span_text(due.first_response.limit),
            span_text(due.resolution.limit),
            due.resolution.to_wire().due
        )
    });
    let warnings = capped
        .into_iter()
        .chain(holiday_warning(&policy, &due.first_response))
        .chain(holiday_warning(&policy, &due.resolution))
        .collect();
    let output = DueOutput {
        policy: policy.id().to_string(),
        version: policy.version().to_string(),
        plan: plan.id.clone(),
        example_values: plan.example_values,
        severity: request.severity.to_string(),
        channel: request.channel.map(str::to_string),
        opened: request.opened.to_rfc3339_opts(SecondsFormat::AutoSi, request.opened.offset().local_minus_utc() == 0),
        first_response: at_output(&policy, &due.first_response),
        resolution: at_output(&policy, &due.resolution),
    };
    Ok(DueReport { output, warnings })
}

/// A warning when `at` falls in a year after the last holiday its calendar lists: later holidays
/// are unknown to the policy, so the due time may be too early.
fn holiday_warning(policy: &Policy, at: &DueAt) -> Option<String> {
    let calendar = policy.calendar(&at.calendar).filter(|c| !c.always_open)?;
    let last = calendar.holidays.iter().filter_map(|h| NaiveDate::parse_from_str(&h.date, "%Y-%m-%d").ok()).max()?;
    (at.due.year() > last.year()).then(|| {
        format!(
            "calendar {} lists holidays only up to {last}; the due time {} ignores any later holiday",
            calendar.id,
            at.to_wire().due
        )
    })
}

/// `30 minutes`, `1 business_day`, as written in policy files.
pub fn span_text(span: Span) -> String {
    let unit = triage_policy::model::unit_name(span.unit);
    let unit = if span.amount == 1 { unit.strip_suffix('s').unwrap_or(unit) } else { unit };
    format!("{} {unit}", span.amount)
}

fn at_output(policy: &Policy, at: &DueAt) -> DueAtOutput {
    let wire = at.to_wire();
    DueAtOutput {
        due: wire.due,
        average_due: wire.average_due,
        limit: at.limit,
        average: at.average,
        capped: at.capped,
        calendar: at.calendar.clone(),
        time_zone: policy.calendar(&at.calendar).map(|c| c.time_zone.clone()).unwrap_or_default(),
    }
}
