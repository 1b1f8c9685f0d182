//! JSON Schemas of the policy file, the ticket payload and the generic status feed, generated from the Rust types
//! (feature `schema`) and committed as `www/schemas/*.schema.json`.

use crate::model::PolicyFile;
use crate::ticket::TicketPayload;

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

fn pretty(schema: schemars::Schema) -> String {
    // Serializing a `Schema` (a JSON value) cannot fail.
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
