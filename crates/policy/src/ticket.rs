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

/// The receipt as an endpoint answers it: a [`TicketReceipt`] and, where the endpoint lets the
/// customer follow the ticket, its `status_url`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ReceiptAnswer {
    #[serde(flatten)]
    pub receipt: TicketReceipt,
    /// Where the customer can follow the ticket later, without signing in: a capability URL
    /// (absolute, or relative to the endpoint the ticket was posted to) whose GET answers a
    /// [`TicketStatus`]. Absent when the endpoint offers no status; the widget then shows the
    /// reference alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_url: Option<String>,
}

/// What a `status_url` answers (GET, JSON): only what the customer already knows about their
/// ticket. No contact data, nothing about other tickets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TicketStatus {
    /// Human reference, e.g. `TW-000042`.
    pub reference: String,
    pub subject: String,
    /// The policy the ticket was classified under.
    pub policy: PolicyRef,
    /// Severity id that applies (after a granted escalation request).
    pub severity: String,
    /// The severity's label in the policy's locales, where the endpoint knows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity_label: Option<crate::model::Localized>,
    /// When the ticket was received, RFC 3339.
    pub created_at: String,
    /// The reply channel the customer chose, where the policy offers channels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    pub first_response: TargetStatus,
    pub resolution: TargetStatus,
    /// Set once the ticket was escalated: by the customer's request when sent, and/or
    /// automatically when a target ran out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalation: Option<EscalationStatus>,
    /// When this answer was computed (the states are as of then), RFC 3339.
    pub as_of: String,
}

/// One promise of a ticket and how it is being kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TargetStatus {
    /// When it runs out, RFC 3339.
    pub due: String,
    /// When the typical ("on average within") figure runs out, where the policy gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub average_due: Option<String>,
    pub state: TargetState,
    /// When it was met (first response given, ticket resolved), RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub met_at: Option<String>,
    /// The promise as written in the policy ("within 30 minutes"), where the endpoint knows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promised: Option<crate::model::Span>,
    /// True for a first response whose target ran out after the resolution's, due with it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub capped: bool,
}

/// - `pending`: not met, more than the due-soon share of its time left;
/// - `due_soon`: not met, little time left;
/// - `overdue`: not met and past its due time;
/// - `met`: met on time;
/// - `breached`: met, but late.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum TargetState {
    Pending,
    DueSoon,
    Overdue,
    Met,
    Breached,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct EscalationStatus {
    /// The customer asked for a higher severity when sending, and it was granted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested: Option<RequestedEscalation>,
    /// The ticket was escalated automatically because a target ran out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automatic: Option<AutomaticEscalation>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RequestedEscalation {
    /// The severity the answers gave.
    pub from: String,
    /// The severity asked for and applied.
    pub to: String,
    /// RFC 3339 (the ticket's creation).
    pub at: String,
    /// The customer's own words.
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AutomaticEscalation {
    /// RFC 3339.
    pub at: String,
    /// Which target ran out.
    pub target: EscalatedTarget,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum EscalatedTarget {
    FirstResponse,
    Resolution,
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
