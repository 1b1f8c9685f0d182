//! The committed JSON Schemas in `www/schemas/` match the Rust types. Run with
//! `UPDATE_SCHEMAS=1 cargo test -p triage-policy --test schemas` to rewrite them.
#![cfg(feature = "schema")]

use std::path::PathBuf;

use triage_policy::schema::{policy_schema, receipt_schema, status_schema, ticket_schema, ticket_status_schema};
use triage_policy::status::parse_feed;
use triage_policy::FeedFormat;

fn schemas_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../www/schemas")
}

fn check(file: &str, generated: String) {
    let path = schemas_dir().join(file);
    if std::env::var_os("UPDATE_SCHEMAS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(schemas_dir()).expect("create www/schemas");
        std::fs::write(&path, &generated).expect("write schema");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{} is stale or missing: run `UPDATE_SCHEMAS=1 cargo test -p triage-policy --test schemas` and commit it",
        path.display()
    );
}

#[test]
fn policy_schema_is_current() {
    check("policy.schema.json", policy_schema());
}

#[test]
fn ticket_schema_is_current() {
    check("ticket.schema.json", ticket_schema());
}

#[test]
fn receipt_schema_is_current() {
    check("receipt.schema.json", receipt_schema());
}

#[test]
fn status_schema_is_current() {
    check("status.schema.json", status_schema());
}

#[test]
fn ticket_status_schema_is_current() {
    check("ticket-status.schema.json", ticket_status_schema());
}

/// The schema site owners write their generic feed from, and the reader, agree: what the schema
/// requires is what the reader needs, and a feed written to the schema reads.
#[test]
fn the_status_schema_matches_the_reader() {
    let schema: serde_json::Value = serde_json::from_str(&status_schema()).expect("status schema is JSON");
    assert_eq!(schema["title"], "StatusFeed");
    assert_eq!(schema["required"], serde_json::json!(["incidents"]));
    let incident = &schema["$defs"]["Incident"];
    assert_eq!(incident["required"], serde_json::json!(["id", "title", "status", "impact", "started_at"]));
    let properties: Vec<&str> =
        incident["properties"].as_object().expect("properties").keys().map(String::as_str).collect();
    let feed = r#"{"incidents":[{"id":"i1","title":"Down","status":"investigating","impact":"critical",
        "url":"https://status.example.com/i1","started_at":"2026-12-04T12:00:00Z",
        "last_update":{"text":"Looking into it","at":"2026-12-04T12:05:00Z"},"components":["NPS"]}]}"#;
    let written: serde_json::Value = serde_json::from_str(feed).expect("JSON");
    for key in written["incidents"][0].as_object().expect("incident").keys() {
        assert!(properties.contains(&key.as_str()), "{key} is not in the schema");
    }
    let read = parse_feed(feed, FeedFormat::Generic).expect("reads");
    assert!(read.skipped.is_empty(), "{:?}", read.skipped);
    let incident = read.current_incident(&["NPS".to_string()]).expect("current");
    assert_eq!((incident.id.as_str(), incident.url.as_deref()), ("i1", Some("https://status.example.com/i1")));
    let statuses = schema["$defs"]["Status"]["enum"].as_array().expect("status names");
    for name in statuses.iter().filter_map(|n| n.as_str()) {
        assert!(triage_policy::status::IncidentStatus::from_name(name).is_some(), "{name}");
    }
    let impacts = schema["$defs"]["Impact"]["enum"].as_array().expect("impact names");
    assert_eq!(impacts.len(), triage_policy::status::Impact::ALL.len());
}

#[test]
fn ticket_status_schema_names_every_state_and_no_contact_data() {
    let status: serde_json::Value = serde_json::from_str(&ticket_status_schema()).expect("status schema is JSON");
    let text = status.to_string();
    for state in ["pending", "due_soon", "overdue", "met", "breached"] {
        assert!(text.contains(&format!("\"{state}\"")), "state {state} missing");
    }
    let properties = status["properties"].as_object().expect("properties");
    for private in ["contact", "email", "phone", "description", "identity"] {
        assert!(!properties.contains_key(private), "{private} must not be part of the status");
    }
    let receipt: serde_json::Value = serde_json::from_str(&receipt_schema()).expect("receipt schema is JSON");
    assert!(receipt["properties"]["status_url"].is_object());
}

#[test]
fn schemas_describe_the_types() {
    let policy: serde_json::Value = serde_json::from_str(&policy_schema()).expect("policy schema is JSON");
    assert_eq!(policy["title"], "PolicyFile");
    let required = policy["required"].as_array().expect("required list");
    for field in ["id", "version", "locales", "severities", "questionnaire", "plans", "calendars"] {
        assert!(required.iter().any(|f| f == field), "{field} should be required");
    }
    assert_eq!(policy["additionalProperties"], false);
    let ticket: serde_json::Value = serde_json::from_str(&ticket_schema()).expect("ticket schema is JSON");
    assert_eq!(ticket["title"], "TicketPayload");
}
