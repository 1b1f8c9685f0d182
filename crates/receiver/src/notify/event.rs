//! Event JSON (the `www/schemas/event.schema.json` contract) built from a stored ticket, and the
//! [`Router`] that decides which targets get an event.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use triage_policy::ticket::{Contact, TicketPayload};

use crate::db::TicketRow;
use crate::notify::config::Settings;
use crate::outbox::{EventKind, EventPlanner, PlannedEvent};
use crate::policies::PolicySet;
use crate::sla::{self, SlaState};

/// Language the severity labels and answers are taken in when the policy has it.
const LABEL_LANGUAGES: [&str; 2] = ["en", "pt-BR"];

/// An event as sent to every target (webhook body as is; e-mail and chat render it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Stable across attempts: `evt_<uuid>`.
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    /// When the change happened (RFC 3339, UTC).
    pub timestamp: String,
    pub data: EventData,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventData {
    /// The SLA target a `ticket.due_soon` / `ticket.escalated` is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// What a `ticket.updated` changed: `first_response`, `resolved`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<String>,
    pub ticket: TicketSummary,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketSummary {
    pub id: String,
    pub reference: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub received_at: String,
    pub policy: PolicyView,
    pub plan: String,
    /// The severity that counts.
    pub severity: String,
    /// What the answers gave.
    pub classified_severity: String,
    pub severity_label: String,
    pub severity_definition: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalation_request: Option<EscalationView>,
    pub due: DueView,
    pub contact: Contact,
    pub subject: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    pub description: String,
    pub reasons: Vec<String>,
    pub answers: Vec<AnswerView>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_url: Option<String>,
    pub attachments: Vec<AttachmentView>,
    pub spam: bool,
    pub flags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyView {
    pub id: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EscalationView {
    pub severity: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueView {
    pub first_response: TargetView,
    pub resolution: TargetView,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetView {
    pub due: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub average_due: Option<String>,
    pub state: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub met_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerView {
    pub question: String,
    pub answer: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentView {
    pub name: String,
    #[serde(rename = "type")]
    pub mime: String,
    pub size: u64,
}

/// Decides which targets get which event, and builds the event.
#[derive(Debug)]
pub struct Router {
    pub settings: Settings,
    pub policies: PolicySet,
    pub due_soon_percent: u8,
}

impl EventPlanner for Router {
    fn plan(&self, kind: &EventKind, ticket: &TicketRow, at: DateTime<Utc>) -> Option<PlannedEvent> {
        let targets: Vec<String> = self
            .settings
            .targets
            .iter()
            .filter(|t| t.route.wants(kind, &ticket.policy_id, &ticket.severity, ticket.spam))
            .map(|t| t.name.clone())
            .collect();
        if targets.is_empty() {
            return None;
        }
        let event = self.event(kind, ticket, at);
        let payload = serde_json::to_string(&event).ok()?;
        Some(PlannedEvent { id: event.id, kind: kind.type_name(), payload, targets })
    }

    fn due_soon_percent(&self) -> u8 {
        self.due_soon_percent
    }
}

fn localized(text: &triage_policy::Localized) -> String {
    LABEL_LANGUAGES.iter().find_map(|l| text.get(*l)).or_else(|| text.values().next()).cloned().unwrap_or_default()
}

fn rfc3339(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms).unwrap_or_default().to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn state_name(state: SlaState) -> String {
    serde_json::to_value(state).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

impl Router {
    /// The event for `kind` on `ticket` at `at` (SLA states as of `at`).
    pub fn event(&self, kind: &EventKind, ticket: &TicketRow, at: DateTime<Utc>) -> Event {
        let (target, changes) = match kind {
            EventKind::DueSoon(target) | EventKind::Escalated(target) => (Some(target.as_str().to_string()), vec![]),
            EventKind::Updated(changes) => (None, changes.iter().map(|c| c.to_string()).collect()),
            EventKind::Created | EventKind::EscalationRequested => (None, vec![]),
        };
        Event {
            id: format!("evt_{}", uuid::Uuid::new_v4().simple()),
            kind: kind.type_name().to_string(),
            timestamp: at.to_rfc3339_opts(SecondsFormat::Millis, true),
            data: EventData { target, changes, ticket: self.summary(ticket, at) },
        }
    }

    fn summary(&self, row: &TicketRow, at: DateTime<Utc>) -> TicketSummary {
        let now_ms = at.timestamp_millis();
        let payload: Option<TicketPayload> = serde_json::from_str(&row.payload).ok();
        let policy = self.policies.get(&row.policy_id);
        let severity = policy.and_then(|p| p.severity(&row.severity));
        let trail: Vec<serde_json::Value> = serde_json::from_str(&row.trail).unwrap_or_default();
        let answers = trail
            .iter()
            .filter_map(|step| {
                let question_id = step.get("question")?.as_str()?;
                let answer_id = step.get("answer")?.as_str()?;
                let question = policy.and_then(|p| p.question(question_id));
                let answer = question.and_then(|q| q.answers.iter().find(|a| a.id == answer_id));
                Some(AnswerView {
                    question: question.map_or_else(|| question_id.to_string(), |q| localized(&q.prompt)),
                    answer: answer.map_or_else(|| answer_id.to_string(), |a| localized(&a.label)),
                })
            })
            .collect();
        let first_met_ms = row.first_response_met_ms();
        let reference = row.reference.clone().unwrap_or_default();
        TicketSummary {
            id: row.id.clone(),
            url: self.settings.ticket_url.as_ref().map(|u| u.replace("{reference}", &reference).replace("{id}", &row.id)),
            reference,
            received_at: row.received_at.clone(),
            policy: PolicyView { id: row.policy_id.clone(), version: row.policy_version.clone() },
            plan: row.plan.clone(),
            severity: row.severity.clone(),
            classified_severity: row.classified_severity.clone(),
            severity_label: severity.map_or_else(|| row.severity.clone(), |s| localized(&s.label)),
            severity_definition: severity.map(|s| localized(&s.definition)).unwrap_or_default(),
            escalation_request: row.escalation_severity.clone().map(|severity| EscalationView {
                severity,
                reason: row.escalation_reason.clone().unwrap_or_default(),
            }),
            due: DueView {
                first_response: TargetView {
                    due: row.first_response_due.clone(),
                    average_due: row.first_response_average_due.clone(),
                    state: state_name(sla::state(
                        row.received_at_ms,
                        row.first_response_due_ms,
                        first_met_ms,
                        now_ms,
                        self.due_soon_percent,
                    )),
                    met_at: first_met_ms.map(rfc3339),
                },
                resolution: TargetView {
                    due: row.resolution_due.clone(),
                    average_due: row.resolution_average_due.clone(),
                    state: state_name(sla::state(
                        row.received_at_ms,
                        row.resolution_due_ms,
                        row.resolved_at_ms,
                        now_ms,
                        self.due_soon_percent,
                    )),
                    met_at: row.resolved_at_ms.map(rfc3339),
                },
            },
            contact: Contact {
                name: row.contact_name.clone(),
                email: row.contact_email.clone(),
                phone: row.contact_phone.clone(),
                company: row.contact_company.clone(),
            },
            subject: row.subject.clone(),
            product: row.product.clone(),
            channel: row.channel.clone(),
            description: row.description.clone(),
            reasons: payload.as_ref().map(|p| p.reasons.clone()).unwrap_or_default(),
            answers,
            page_url: payload.as_ref().map(|p| p.page_url.clone()).filter(|u| !u.is_empty()),
            attachments: payload
                .as_ref()
                .map(|p| {
                    p.attachments
                        .iter()
                        .map(|a| AttachmentView { name: a.name.clone(), mime: a.mime.clone(), size: a.size })
                        .collect()
                })
                .unwrap_or_default(),
            spam: row.spam,
            flags: serde_json::from_str(&row.flags).unwrap_or_default(),
        }
    }
}
