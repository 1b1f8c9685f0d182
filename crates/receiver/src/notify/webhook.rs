//! Webhook target: the event JSON POSTed as is, signed per Standard Webhooks 1.0 (`webhook-id` is
//! the event id, the same on every attempt, so receivers can drop duplicates).

use crate::notify::config::WebhookSettings;
use crate::notify::event::Event;
use crate::notify::target::{post_json, Attempt, Context};

pub async fn send(settings: &WebhookSettings, event: &Event, context: &Context<'_>) -> Attempt {
    let timestamp = context.sent_at.timestamp();
    let signature = standardwebhooks::Webhook::new(&settings.secret)
        .and_then(|signer| signer.sign(&event.id, timestamp, context.payload.as_bytes()));
    let signature = match signature {
        Ok(signature) => signature,
        // Validated at start; only a broken secret gets here.
        Err(error) => return Attempt::Refused { status: None, error: format!("cannot sign: {error}") },
    };
    let headers = [
        ("webhook-id", event.id.clone()),
        ("webhook-timestamp", timestamp.to_string()),
        ("webhook-signature", signature),
        ("user-agent", format!("triage-receiver/{}", env!("CARGO_PKG_VERSION"))),
    ];
    post_json(context.http, &settings.url, &headers, context.payload.to_string(), context.timeout).await
}
