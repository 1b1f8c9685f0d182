//! JSON Schemas of the policy file, the ticket payload, the receipt, the ticket status and the
//! generic status feed, generated from the Rust types (feature `schema`) and committed as
//! `www/schemas/*.schema.json`.

use crate::model::PolicyFile;
use crate::ticket::{ReceiptAnswer, TicketPayload, TicketStatus};

/// The JSON Schema of a policy file, pretty-printed with a trailing newline.
pub fn policy_schema() -> String {
    pretty(schemars::schema_for!(PolicyFile))
}

/// The JSON Schema of the generic status feed (`crate::status`), pretty-printed with a trailing newline.
pub fn status_schema() -> String {
    pretty(schemars::schema_for!(crate::status::schema_types::StatusFeed))
}

/// The JSON Schema of the ticket payload the widget sends, pretty-printed with a trailing newline.
pub fn ticket_schema() -> String {
    pretty(schemars::schema_for!(TicketPayload))
}

/// The JSON Schema of the receipt an endpoint answers a ticket with (201/200).
pub fn receipt_schema() -> String {
    pretty(schemars::schema_for!(ReceiptAnswer))
}

/// The JSON Schema of what a receipt's `status_url` answers (`www/schemas/ticket-status.schema.json`).
pub fn ticket_status_schema() -> String {
    pretty(schemars::schema_for!(TicketStatus))
}

fn pretty(schema: schemars::Schema) -> String {
    // Serializing a `Schema` (a JSON value) cannot fail.
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
