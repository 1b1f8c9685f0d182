//! The ticket payload the widget sends and the receiver's answer: the wire contract between them.
//!
//! The browser's severity and due times travel with the ticket for comparison only; a receiver
//! recomputes both from the answers, the trusted plan and its own clock.

use serde::{Deserialize, Serialize};

/// What the widget POSTs to the site owner's endpoint (as JSON, or as the `ticket` part of a
/// `multipart/form-data` body when there are attachments).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct TicketPayload {
    pub policy: PolicyRef,
    /// Plan id the widget used (from `data-plan` or `identify`).
    pub plan: String,
    /// Severity id the questionnaire gave in the browser.
    pub severity: String,
    /// The answers in the order given, from the first question to the last.
    pub answers: Vec<AnswerRecord>,
    /// The reasons of those answers, in the customer's locale, as shown to them.
    pub reasons: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalation: Option<EscalationRequest>,
    /// Due times as computed in the browser.
    pub due: DueTimes,
    pub contact: Contact,
    pub subject: String,
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    /// Contact channel the customer prefers, when the policy has channels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// Names, types and sizes of the attached files (the bytes travel as multipart parts).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<AttachmentMeta>,
    /// The page the widget was opened on.
    pub page_url: String,
    /// BCP 47 locale of the widget's interface.
    pub locale: String,
    /// The customer's IANA time zone, from the browser.
    pub time_zone: String,
    /// When the customer pressed Send, RFC 3339.
    pub created_at: String,
    /// Signed identity from the site owner's backend (`TriageWidget.identify`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<Identity>,
    /// Milliseconds between the panel opening and Send (spam heuristic).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fill_ms: Option<u64>,
    /// Honeypot: a hidden field people never fill in. Must be empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PolicyRef {
    pub id: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct AnswerRecord {
    pub question: String,
    pub answer: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct EscalationRequest {
    /// The more severe severity id the customer asks for.
    pub severity: String,
    pub reason: String,
}

/// Due times for one ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct DueTimes {
    pub first_response: DueTime,
    pub resolution: DueTime,
}

/// One target turned into instants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct DueTime {
    /// The limit, RFC 3339 in the calendar's offset.
    pub due: String,
    /// The typical time, where the policy gives an average.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub average_due: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub name: String,
    pub email: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct AttachmentMeta {
    pub name: String,
    /// MIME type.
    #[serde(rename = "type")]
    pub mime: String,
    pub size: u64,
}

/// Signed identity: `signature` is hex HMAC-SHA256 over `"{user_id}\n{plan}\n{expires}"` with
/// the receiver's identity secret; `expires` is Unix seconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Identity {
    pub user_id: String,
    pub plan: String,
    pub expires: i64,
    pub signature: String,
}

/// The receiver's 201 (and replayed 200) answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TicketReceipt {
    /// Opaque id (UUID).
    pub id: String,
    /// Human reference, e.g. `TW-000042`.
    pub reference: String,
    /// Severity as recomputed by the receiver.
    pub severity: String,
    /// Due times as recomputed by the receiver from its own clock.
    pub due: DueTimes,
    /// True when this answers a replay of an earlier request with the same `Idempotency-Key`.
    #[serde(default)]
    pub replayed: bool,
}

/// Every error response of the receiver has this shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ErrorDetail {
    /// Machine-readable code, e.g. `invalid_field`, `too_large`, `rate_limited`.
    pub code: String,
    /// Human-readable message (English).
    pub message: String,
    /// JSON path of the offending field in the ticket, e.g. `contact.email`, where one is at fault.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}
