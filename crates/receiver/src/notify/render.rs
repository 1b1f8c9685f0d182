//! Text people read (chat line, e-mail subject and bodies): times in the team's zone, "in 28 min".

use chrono::{DateTime, FixedOffset, Utc};
use triage_policy::{Tzdb, ZoneResolver};

use crate::notify::event::{Event, TargetView};

/// `instant` in `zone` (UTC when the zone cannot be resolved; it was validated at start).
pub fn in_zone(instant: DateTime<Utc>, zone: &str) -> DateTime<FixedOffset> {
    let offset = Tzdb.offset_at(zone, instant).unwrap_or_else(|_| FixedOffset::east_opt(0).expect("zero offset"));
    instant.with_timezone(&offset)
}

fn parse(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text).ok().map(|t| t.with_timezone(&Utc))
}

/// `14:30` today in `zone`, `2026-11-24 14:30` on another day.
pub fn clock_time(instant: DateTime<Utc>, now: DateTime<Utc>, zone: &str) -> String {
    let local = in_zone(instant, zone);
    if local.date_naive() == in_zone(now, zone).date_naive() {
        local.format("%H:%M").to_string()
    } else {
        local.format("%Y-%m-%d %H:%M").to_string()
    }
}

/// `in 28 min`, `in 3 h 5 min`, `in 2 days`, `12 min ago`.
pub fn relative(instant: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let minutes = (instant - now).num_seconds().div_euclid(60);
    let span = |m: i64| {
        if m < 60 {
            format!("{m} min")
        } else if m < 48 * 60 {
            match m % 60 {
                0 => format!("{} h", m / 60),
                rest => format!("{} h {rest} min", m / 60),
            }
        } else {
            format!("{} days", m / (24 * 60))
        }
    };
    if minutes >= 0 {
        format!("in {}", span(minutes))
    } else {
        format!("{} ago", span(-minutes))
    }
}

fn target_label(target: &str) -> &'static str {
    if target == "resolution" {
        "resolution"
    } else {
        "first response"
    }
}

fn target_of<'a>(event: &'a Event, target: &str) -> &'a TargetView {
    if target == "resolution" {
        &event.data.ticket.due.resolution
    } else {
        &event.data.ticket.due.first_response
    }
}

/// `first response by 14:30 (in 28 min)`.
fn due_phrase(event: &Event, target: &str, now: DateTime<Utc>, zone: &str) -> String {
    let view = target_of(event, target);
    match parse(&view.due) {
        Some(due) => format!("{} by {} ({})", target_label(target), clock_time(due, now, zone), relative(due, now)),
        None => format!("{} by {}", target_label(target), view.due),
    }
}

/// What happened, for a person: `first response by 14:30 (in 28 min)`, `ESCALATED: …`.
pub fn what_happened(event: &Event, now: DateTime<Utc>, zone: &str) -> String {
    let ticket = &event.data.ticket;
    let target = event.data.target.as_deref().unwrap_or("first_response");
    match event.kind.as_str() {
        "ticket.due_soon" => format!("due soon: {}", due_phrase(event, target, now, zone)),
        "ticket.escalated" => {
            let due = parse(&target_of(event, target).due);
            let since = due.map(|d| format!(" since {} ({})", clock_time(d, now, zone), relative(d, now))).unwrap_or_default();
            format!("ESCALATED: {} overdue{since}", target_label(target))
        }
        "ticket.escalation_requested" => match &ticket.escalation_request {
            Some(request) => format!("customer asks for {}: {}", request.severity, request.reason),
            None => "customer asks for a higher severity".to_string(),
        },
        "ticket.updated" => {
            let changes: Vec<&str> = event
                .data
                .changes
                .iter()
                .map(|c| if c == "resolved" { "resolved" } else { "first response recorded" })
                .collect();
            if changes.is_empty() { "updated".to_string() } else { changes.join(", ") }
        }
        _ => {
            let target = if ticket.due.first_response.met_at.is_some() { "resolution" } else { "first_response" };
            due_phrase(event, target, now, zone)
        }
    }
}

/// `[P1] TW-000042 · Serviço fora do ar · first response by 14:30 (in 28 min)`.
pub fn headline(event: &Event, now: DateTime<Utc>, zone: &str) -> String {
    let ticket = &event.data.ticket;
    format!("[{}] {} · {} · {}", ticket.severity, ticket.reference, ticket.subject, what_happened(event, now, zone))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, h, m, 0).single().expect("valid")
    }

    #[test]
    fn relative_times_read_naturally() {
        assert_eq!(relative(at(15, 28), at(15, 0)), "in 28 min");
        assert_eq!(relative(at(18, 5), at(15, 0)), "in 3 h 5 min");
        assert_eq!(relative(at(17, 0), at(15, 0)), "in 2 h");
        assert_eq!(relative(at(14, 48), at(15, 0)), "12 min ago");
        assert_eq!(relative(at(15, 0) + chrono::Duration::days(3), at(15, 0)), "in 3 days");
    }

    #[test]
    fn clock_times_are_in_the_team_zone() {
        assert_eq!(clock_time(at(17, 30), at(15, 0), "America/Sao_Paulo"), "14:30");
        assert_eq!(clock_time(at(17, 30), at(15, 0), "UTC"), "17:30");
        assert_eq!(clock_time(at(17, 30) + chrono::Duration::days(1), at(15, 0), "UTC"), "2026-11-24 17:30");
    }
}
