//! Pieces both pages render: a severity badge, a target's SLA state with its countdown, the
//! escalation marks. Colour always comes with a text label.

use chrono::{DateTime, Utc};

use super::html::esc;
use super::i18n::{fill, Text};
use crate::admin::{TargetView, TicketSummary};
use crate::sla::SlaState;
use crate::state::AppState;

/// Which target a countdown is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    FirstResponse,
    Resolution,
}

impl Target {
    fn id(self) -> &'static str {
        match self {
            Self::FirstResponse => "first_response",
            Self::Resolution => "resolution",
        }
    }
}

/// The severity's label in the agent's language (its id when the policy is gone) and its colour
/// class by rank (`sev-0` the most severe).
pub fn severity_badge(state: &AppState, policy_id: &str, severity: &str, lang_tag: &str) -> String {
    let (label, rank) = match state.policies.get(policy_id) {
        Some(policy) => match policy.severity(severity) {
            Some(s) => (policy.text(&s.label, lang_tag).to_string(), policy.severity_rank(severity).unwrap_or(3)),
            None => (severity.to_string(), 3),
        },
        None => (severity.to_string(), 3),
    };
    format!("<span class=\"sev sev-{}\">{}</span>", rank.min(3), esc(&label))
}

/// `12 min`, `1 h 05`, `2 d 3 h` (rounded up to the minute), as `admin.js` writes it too.
pub fn duration_text(t: &Text, ms: i64) -> String {
    let minutes = (ms.unsigned_abs().div_ceil(60_000)) as i64;
    if minutes < 60 {
        fill(t.js_minutes, &[("m", &minutes.to_string())])
    } else if minutes < 24 * 60 {
        fill(t.js_hours_minutes, &[("h", &(minutes / 60).to_string()), ("mm", &format!("{:02}", minutes % 60))])
    } else {
        fill(t.js_days_hours, &[("d", &(minutes / 1440).to_string()), ("h", &((minutes % 1440) / 60).to_string())])
    }
}

pub fn state_label(t: &Text, state: SlaState) -> &'static str {
    match state {
        SlaState::Pending => t.sla_pending,
        SlaState::DueSoon => t.sla_due_soon,
        SlaState::Overdue => t.sla_overdue,
        SlaState::Met => t.sla_met,
        SlaState::Breached => t.sla_breached,
    }
}

fn state_class(state: SlaState) -> &'static str {
    match state {
        SlaState::Pending => "pending",
        SlaState::DueSoon => "due-soon",
        SlaState::Overdue => "overdue",
        SlaState::Met => "met",
        SlaState::Breached => "breached",
    }
}

fn ms_of(rfc3339: &str) -> Option<i64> {
    DateTime::parse_from_rfc3339(rfc3339).ok().map(|t| t.with_timezone(&Utc).timestamp_millis())
}

/// `14:02 UTC` — the text before `admin.js` rewrites it in the agent's time zone.
pub fn utc_time(rfc3339: &str) -> String {
    DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| t.with_timezone(&Utc).format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|_| rfc3339.to_string())
}

/// A target's state (label + colour) and its countdown or met time. `admin.js` keeps the
/// countdown current from `data-due`/`data-met` in the agent's time zone.
pub fn target_cell(t: &Text, target: Target, view: &TargetView, now: DateTime<Utc>) -> String {
    let due_ms = ms_of(&view.due).unwrap_or_default();
    let met_ms = view.met_at.as_deref().and_then(ms_of);
    let text = match (&view.met_at, met_ms) {
        (Some(met), Some(_)) => {
            let template = if view.state == SlaState::Breached { t.js_met_late_at } else { t.js_met_at };
            fill(template, &[("time", &utc_time(met))])
        }
        _ => {
            let left = due_ms - now.timestamp_millis();
            let d = duration_text(t, left);
            if left <= 0 {
                fill(t.js_overdue_by, &[("d", &d)])
            } else if target == Target::FirstResponse {
                fill(t.js_first_response_in, &[("d", &d)])
            } else {
                fill(t.js_resolution_in, &[("d", &d)])
            }
        }
    };
    let (datetime, met_attr) = match (&view.met_at, met_ms) {
        (Some(met), Some(ms)) => (met.as_str(), format!(" data-met=\"{ms}\"")),
        _ => (view.due.as_str(), String::new()),
    };
    let late = if view.state == SlaState::Breached { " data-late=\"1\"" } else { "" };
    format!(
        "<span class=\"sla sla-{class}\">{label}</span> <time class=\"countdown\" datetime=\"{datetime}\" \
         data-target=\"{target}\" data-due=\"{due_ms}\"{met_attr}{late}>{text}</time>",
        class = state_class(view.state),
        label = state_label(t, view.state),
        datetime = esc(datetime),
        target = target.id(),
        text = esc(&text),
    )
}

/// The escalated mark with its reason, the customer's escalation request, the spam mark.
pub fn marks(state: &AppState, t: &Text, ticket: &TicketSummary, lang_tag: &str) -> String {
    let mut out = String::new();
    if ticket.escalated {
        let reason = match ticket.escalated_reason.as_deref() {
            Some("first_response_overdue") => t.reason_first_response_overdue,
            Some("resolution_overdue") => t.reason_resolution_overdue,
            _ => "",
        };
        out.push_str(&format!("<span class=\"mark mark-escalated\">{}: {}</span>", t.escalated_mark, reason));
    }
    if let Some(request) = &ticket.escalation_request {
        let policy_id = ticket.policy.get("id").and_then(|v| v.as_str()).unwrap_or("");
        let badge = severity_badge(state, policy_id, &request.severity, lang_tag);
        out.push_str(&format!(
            "<span class=\"mark mark-request\">{} <q>{}</q></span>",
            fill(t.customer_asked, &[("severity", &badge)]),
            esc(&request.reason),
        ));
    }
    if ticket.spam {
        out.push_str(&format!("<span class=\"mark mark-spam\">{}</span>", t.spam_mark));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::admin_ui::i18n::Lang;

    #[test]
    fn durations_read_like_a_clock() {
        let t = Lang::En.text();
        assert_eq!(duration_text(t, 12 * 60_000), "12 min");
        assert_eq!(duration_text(t, 11 * 60_000 + 1), "12 min");
        assert_eq!(duration_text(t, -(65 * 60_000)), "1 h 05");
        assert_eq!(duration_text(t, (2 * 1440 + 3 * 60) * 60_000), "2 d 3 h");
    }
}
