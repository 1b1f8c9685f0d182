//! Reading the JSON the widget gets back (an endpoint's answer, a saved draft, a ticket it queued
//! itself) field by field from the engine's strict JSON parser. No serde `Deserialize` runs in the
//! browser: serde_json's parser and the derive-generated decoders cost more WebAssembly than
//! everything in this file. Writing JSON still goes through serde (`serde_json::to_string`).

use triage_policy::json::{self, Value};
use triage_policy::ticket::{DueTime, DueTimes, ErrorDetail, TicketReceipt};

use crate::draft::{Draft, EscalationDraft, FormFields, Step};

/// The JSON document in `text`, or `None` when it is not JSON.
pub fn parse(text: &str) -> Option<Value> {
    json::parse(text).ok()
}

/// The member `key` of an object (the first one, should the key be repeated).
pub fn member<'v>(value: &'v Value, key: &str) -> Option<&'v Value> {
    match value {
        Value::Object(members) => members.iter().find(|(name, _)| name == key).map(|(_, v)| v),
        _ => None,
    }
}

/// The string member `key`; `None` when it is missing or not a string.
pub fn text(value: &Value, key: &str) -> Option<String> {
    match member(value, key)? {
        Value::String(text) => Some(text.clone()),
        _ => None,
    }
}

/// The elements of the array member `key` (none when it is missing or not an array).
fn elements<'v>(value: &'v Value, key: &str) -> &'v [Value] {
    match member(value, key) {
        Some(Value::Array(elements)) => elements,
        _ => &[],
    }
}

/// Our receiver's receipt (`TicketReceipt`): `id`, `reference`, `severity` and `due` are required,
/// `replayed` defaults to false; other members are ignored.
pub fn receipt(value: &Value) -> Option<TicketReceipt> {
    Some(TicketReceipt {
        id: text(value, "id")?,
        reference: text(value, "reference")?,
        severity: text(value, "severity")?,
        due: due_times(member(value, "due")?)?,
        replayed: matches!(member(value, "replayed"), Some(Value::Bool(true))),
    })
}

/// `{"first_response": {"due", "average_due"?}, "resolution": {…}}`.
pub fn due_times(value: &Value) -> Option<DueTimes> {
    let due_time = |key: &str| {
        let target = member(value, key)?;
        Some(DueTime { due: text(target, "due")?, average_due: text(target, "average_due") })
    };
    Some(DueTimes { first_response: due_time("first_response")?, resolution: due_time("resolution")? })
}

/// Our receiver's error body, `{"error": {"code", "message", "field"?}}`.
pub fn error_detail(value: &Value) -> Option<ErrorDetail> {
    let error = member(value, "error")?;
    Some(ErrorDetail {
        code: text(error, "code")?,
        message: text(error, "message")?,
        field: text(error, "field"),
    })
}

/// A draft as `crate::draft::encode` wrote it. A member that is missing or of the wrong type is
/// left at its default, so whatever is still readable is kept; `None` when it is not an object.
pub fn draft(value: &Value) -> Option<Draft> {
    if !matches!(value, Value::Object(_)) {
        return None;
    }
    let answers = elements(value, "answers")
        .iter()
        .filter_map(|pair| match pair {
            Value::Array(pair) => match pair.as_slice() {
                [Value::String(question), Value::String(answer)] => Some((question.clone(), answer.clone())),
                _ => None,
            },
            _ => None,
        })
        .collect();
    let step = match text(value, "step").as_deref() {
        Some("result") => Step::Result,
        Some("form") => Step::Form,
        _ => Step::Questions,
    };
    let escalation = member(value, "escalation").map_or_else(EscalationDraft::default, |escalation| EscalationDraft {
        requested: matches!(member(escalation, "requested"), Some(Value::Bool(true))),
        severity: text(escalation, "severity").unwrap_or_default(),
        reason: text(escalation, "reason").unwrap_or_default(),
    });
    let fields = member(value, "fields").map_or_else(FormFields::default, |fields| {
        let field = |key: &str| text(fields, key).unwrap_or_default();
        FormFields {
            name: field("name"),
            email: field("email"),
            phone: field("phone"),
            company: field("company"),
            subject: field("subject"),
            description: field("description"),
            product: field("product"),
        }
    });
    Some(Draft { answers, step, escalation, fields })
}

/// What the widget needs back from a ticket it queued, read from the JSON it sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedTicket {
    pub policy_id: String,
    pub subject: String,
    /// The severity and due times computed in the browser (a foreign endpoint's receipt has none).
    pub severity: String,
    pub due: Option<DueTimes>,
    /// The ticket back at the form: answers, escalation request and contact fields.
    pub draft: Draft,
}

/// Reads a queued ticket's JSON (a `TicketPayload`); `None` when it names no policy.
pub fn queued_ticket(ticket_json: &str) -> Option<QueuedTicket> {
    let ticket = parse(ticket_json)?;
    let policy_id = text(member(&ticket, "policy")?, "id")?;
    let answers = elements(&ticket, "answers")
        .iter()
        .filter_map(|record| Some((text(record, "question")?, text(record, "answer")?)))
        .collect();
    let escalation = member(&ticket, "escalation")
        .and_then(|request| {
            Some(EscalationDraft {
                requested: true,
                severity: text(request, "severity")?,
                reason: text(request, "reason")?,
            })
        })
        .unwrap_or_default();
    let contact = member(&ticket, "contact");
    let contact_field = |key: &str| contact.and_then(|contact| text(contact, key)).unwrap_or_default();
    let field = |key: &str| text(&ticket, key).unwrap_or_default();
    let draft = Draft {
        answers,
        step: Step::Form,
        escalation,
        fields: FormFields {
            name: contact_field("name"),
            email: contact_field("email"),
            phone: contact_field("phone"),
            company: contact_field("company"),
            subject: field("subject"),
            description: field("description"),
            product: field("product"),
        },
    };
    Some(QueuedTicket {
        policy_id,
        subject: field("subject"),
        severity: field("severity"),
        due: member(&ticket, "due").and_then(due_times),
        draft,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use triage_policy::ticket::{AnswerRecord, Contact, EscalationRequest, PolicyRef, TicketPayload};

    fn ticket() -> TicketPayload {
        let due = |at: &str| DueTime { due: at.into(), average_due: None };
        TicketPayload {
            policy: PolicyRef { id: "priority-p1-p4".into(), version: "2026-11-01".into() },
            plan: "business".into(),
            severity: "P2".into(),
            answers: vec![
                AnswerRecord { question: "impact".into(), answer: "down".into() },
                AnswerRecord { question: "workaround".into(), answer: "none".into() },
            ],
            reasons: vec!["Nada funciona".into()],
            escalation: Some(EscalationRequest { severity: "P1".into(), reason: "folha \"parada\"".into() }),
            due: DueTimes {
                first_response: DueTime {
                    due: "2026-11-23T10:00:00-03:00".into(),
                    average_due: Some("2026-11-23T09:45:00-03:00".into()),
                },
                resolution: due("2026-11-23T18:00:00-03:00"),
            },
            contact: Contact {
                name: "Ana Ćosić".into(),
                email: "ana@example.com".into(),
                phone: Some("+55 11 5555-0000".into()),
                company: None,
            },
            subject: "Boletos\nnão saem".into(),
            description: "Nada sai \u{1F600} \\ fim".into(),
            product: Some("nps".into()),
            channel: None,
            attachments: Vec::new(),
            page_url: "https://example.com/help".into(),
            locale: "pt-BR".into(),
            time_zone: "America/Sao_Paulo".into(),
            created_at: "2026-11-23T09:30:00-03:00".into(),
            identity: None,
            fill_ms: Some(42_000),
            website: None,
        }
    }

    #[test]
    fn a_queued_ticket_reads_back_what_serde_wrote() {
        let ticket = ticket();
        let json = serde_json::to_string(&ticket).expect("ticket serializes");
        let queued = queued_ticket(&json).expect("queued ticket reads");
        assert_eq!(queued.policy_id, "priority-p1-p4");
        assert_eq!(queued.subject, ticket.subject);
        assert_eq!(queued.severity, "P2");
        assert_eq!(queued.due, Some(ticket.due.clone()));
        assert_eq!(
            queued.draft,
            Draft {
                answers: vec![("impact".into(), "down".into()), ("workaround".into(), "none".into())],
                step: Step::Form,
                escalation: EscalationDraft { requested: true, severity: "P1".into(), reason: "folha \"parada\"".into() },
                fields: FormFields {
                    name: "Ana Ćosić".into(),
                    email: "ana@example.com".into(),
                    phone: "+55 11 5555-0000".into(),
                    company: String::new(),
                    subject: "Boletos\nnão saem".into(),
                    description: "Nada sai \u{1F600} \\ fim".into(),
                    product: "nps".into(),
                },
            }
        );
    }

    #[test]
    fn a_queued_ticket_without_escalation_or_policy() {
        let mut ticket = ticket();
        ticket.escalation = None;
        let json = serde_json::to_string(&ticket).expect("ticket serializes");
        assert_eq!(queued_ticket(&json).expect("reads").draft.escalation, EscalationDraft::default());
        assert_eq!(queued_ticket(r#"{"subject":"x"}"#), None);
        assert_eq!(queued_ticket("not json"), None);
    }

    #[test]
    fn receipts_and_error_bodies_read_like_serde() {
        let receipt_json = r#"{"id":"u-1","reference":"TW-000042","severity":"P1","extra":1,
            "due":{"first_response":{"due":"a","average_due":"c"},"resolution":{"due":"b"}},"replayed":true}"#;
        let expected: TicketReceipt = serde_json::from_str(receipt_json).expect("serde reads it");
        assert_eq!(parse(receipt_json).as_ref().and_then(receipt), Some(expected));
        let missing_due = r#"{"id":"u-1","reference":"TW-1","severity":"P1"}"#;
        assert!(serde_json::from_str::<TicketReceipt>(missing_due).is_err());
        assert_eq!(parse(missing_due).as_ref().and_then(receipt), None);

        let error_json = r#"{"error":{"code":"invalid_field","message":"bad","field":"contact.email"}}"#;
        let expected: triage_policy::ticket::ErrorBody = serde_json::from_str(error_json).expect("serde reads it");
        assert_eq!(parse(error_json).as_ref().and_then(error_detail), Some(expected.error));
        assert_eq!(parse(r#"{"error":"nope"}"#).as_ref().and_then(error_detail), None);
    }
}
