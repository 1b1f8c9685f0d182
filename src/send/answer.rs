//! Reading an endpoint's answer, as plain functions: the receipt of a 2xx (ours, or one made up
//! for an endpoint that answers in its own format) and the error of a refused ticket (our
//! `ErrorBody`, or one made up from the status and a plain-text body).

use triage_policy::json::Value;
use triage_policy::ticket::{DueTime, DueTimes, ErrorDetail, TicketReceipt};

use crate::wire::{self, QueuedTicket};

/// Longest piece of a foreign error body quoted to the customer.
const QUOTE_MAX_CHARS: usize = 200;

/// The receipt for a 2xx answer with `body`.
///
/// Our receiver answers a [`TicketReceipt`]. Another endpoint may answer anything: then `id` and
/// `reference` are taken from top-level `id`/`reference` fields when present (strings or numbers),
/// else the idempotency `key` stands in for the id and its first 8 characters for the reference;
/// severity and due times are the ones computed in the browser (`ticket`, when it could be read).
pub fn receipt_from_success(body: &str, key: &str, ticket: Option<&QueuedTicket>) -> TicketReceipt {
    let fields = wire::parse(body);
    if let Some(receipt) = fields.as_ref().and_then(wire::receipt) {
        return receipt;
    }
    let field = |name: &str| -> Option<String> {
        match wire::member(fields.as_ref()?, name)? {
            Value::String(text) if !text.trim().is_empty() => Some(text.trim().to_owned()),
            Value::Number(number) => Some(number.clone()),
            _ => None,
        }
    };
    let id = field("id").unwrap_or_else(|| key.to_owned());
    let reference = field("reference")
        .or_else(|| field("id"))
        .unwrap_or_else(|| key.chars().take(8).collect::<String>().to_ascii_uppercase());
    let severity = ticket.map(|ticket| ticket.severity.clone()).unwrap_or_default();
    let due = ticket.and_then(|ticket| ticket.due.clone()).unwrap_or_else(empty_due);
    TicketReceipt { id, reference, severity, due, replayed: false }
}

fn empty_due() -> DueTimes {
    let none = DueTime { due: String::new(), average_due: None };
    DueTimes { first_response: none.clone(), resolution: none }
}

/// The error to show for a refused ticket (`status` not 2xx and not retried).
///
/// Our receiver's [`ErrorBody`] is taken as is (its `field` lets the panel put the message next to
/// the field at fault). Otherwise a top-level `message` (or `error` string) of a JSON body, or a
/// short plain-text body, is quoted; failing that the message names the status.
pub fn rejection_detail(status: u16, status_text: &str, body: &str) -> ErrorDetail {
    let value = wire::parse(body);
    if let Some(error) = value.as_ref().and_then(wire::error_detail) {
        return error;
    }
    let status_line = match status_text.trim() {
        "" => format!("HTTP {status}"),
        text => format!("HTTP {status} {text}"),
    };
    let quoted = foreign_message(body, value.as_ref());
    let message = match quoted {
        Some(text) => format!("The ticket endpoint refused the ticket ({status_line}): {text}"),
        None => format!("The ticket endpoint refused the ticket ({status_line})."),
    };
    ErrorDetail { code: format!("http_{status}"), message, field: None }
}

/// A message worth quoting from a body (`value` when it is JSON) that is not our `ErrorBody`.
fn foreign_message(body: &str, value: Option<&Value>) -> Option<String> {
    let body = body.trim();
    if body.is_empty() {
        return None;
    }
    if let Some(value) = value {
        let text = ["message", "error", "detail"].iter().find_map(|name| wire::text(value, name))?;
        return Some(shorten(&text));
    }
    // Plain text only: an HTML error page is no message for a customer.
    if body.starts_with('<') {
        return None;
    }
    Some(shorten(body))
}

fn shorten(text: &str) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= QUOTE_MAX_CHARS {
        one_line
    } else {
        let mut cut: String = one_line.chars().take(QUOTE_MAX_CHARS).collect();
        cut.push('…');
        cut
    }
}

/// The `error` event detail's message for an attempt that never got an answer.
pub fn unreachable_message(endpoint: &str, reason: &str) -> String {
    format!("Could not reach the ticket endpoint {endpoint} ({reason}); the ticket is kept and will be sent later.")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticket() -> QueuedTicket {
        let ticket = serde_json::json!({
            "policy": {"id": "acme", "version": "1"},
            "plan": "business", "severity": "P2",
            "answers": [{"question": "impact", "answer": "many"}],
            "reasons": ["Many users affected"],
            "due": {"first_response": {"due": "2026-11-23T20:00:00+00:00"},
                    "resolution": {"due": "2026-11-24T18:00:00+00:00"}},
            "contact": {"name": "Ana", "email": "ana@example.com"},
            "subject": "Down", "description": "Nothing loads",
            "page_url": "https://example.com/", "locale": "pt-BR",
            "time_zone": "America/Sao_Paulo", "created_at": "2026-11-23T18:00:00Z"
        });
        wire::queued_ticket(&ticket.to_string()).expect("test ticket is readable")
    }

    const KEY: &str = "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f0";

    #[test]
    fn our_receipt_is_taken_as_is() {
        let body = r#"{"id":"u-1","reference":"TW-000042","severity":"P1",
            "due":{"first_response":{"due":"a"},"resolution":{"due":"b"}},"replayed":true}"#;
        let receipt = receipt_from_success(body, KEY, Some(&ticket()));
        assert_eq!(receipt.reference, "TW-000042");
        assert_eq!(receipt.severity, "P1", "the receiver's recomputed severity wins");
        assert!(receipt.replayed);
    }

    #[test]
    fn a_foreign_receipt_keeps_its_id_and_reference() {
        let receipt = receipt_from_success(r#"{"id": 981, "reference": "HD-981"}"#, KEY, Some(&ticket()));
        assert_eq!((receipt.id.as_str(), receipt.reference.as_str()), ("981", "HD-981"));
        assert_eq!(receipt.severity, "P2", "the browser's severity stands in");
        assert_eq!(Some(receipt.due), ticket().due);
        let receipt = receipt_from_success(r#"{"id": "abc"}"#, KEY, None);
        assert_eq!((receipt.id.as_str(), receipt.reference.as_str()), ("abc", "abc"));
    }

    #[test]
    fn an_empty_or_odd_2xx_body_falls_back_to_the_key() {
        for body in ["", "OK", "[1,2]", r#"{"id": ""}"#, r#"{"id": null}"#] {
            let receipt = receipt_from_success(body, KEY, Some(&ticket()));
            assert_eq!(receipt.id, KEY, "{body:?}");
            assert_eq!(receipt.reference, "0F1E2D3C", "{body:?}");
        }
    }

    #[test]
    fn our_error_body_is_taken_as_is_with_its_field() {
        let body = r#"{"error":{"code":"invalid_field","message":"contact.email is not an e-mail address","field":"contact.email"}}"#;
        let detail = rejection_detail(400, "Bad Request", body);
        assert_eq!(detail.code, "invalid_field");
        assert_eq!(detail.field.as_deref(), Some("contact.email"));
    }

    #[test]
    fn foreign_errors_are_quoted_or_named_by_status() {
        let detail = rejection_detail(422, "Unprocessable Entity", r#"{"message":"Subject too long"}"#);
        assert_eq!(detail.code, "http_422");
        assert_eq!(
            detail.message,
            "The ticket endpoint refused the ticket (HTTP 422 Unprocessable Entity): Subject too long"
        );
        let detail = rejection_detail(403, "", "  forbidden \n origin ");
        assert_eq!(detail.message, "The ticket endpoint refused the ticket (HTTP 403): forbidden origin");
        let detail = rejection_detail(404, "Not Found", "<html><body>nginx</body></html>");
        assert_eq!(detail.message, "The ticket endpoint refused the ticket (HTTP 404 Not Found).");
        let detail = rejection_detail(400, "Bad Request", r#"{"ok":false}"#);
        assert_eq!(detail.message, "The ticket endpoint refused the ticket (HTTP 400 Bad Request).");
        assert_eq!(detail.field, None);
    }

    #[test]
    fn long_foreign_messages_are_shortened() {
        let detail = rejection_detail(400, "Bad Request", &"x".repeat(500));
        assert!(detail.message.ends_with('…'));
        assert!(detail.message.chars().count() < 300);
    }
}
