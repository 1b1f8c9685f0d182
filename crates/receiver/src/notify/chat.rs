//! Chat target: a Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat): `text` is the
//! one line a person reads on a phone, `blocks` add the contact, policy and a link.

use serde_json::{json, Value};

use crate::notify::config::ChatSettings;
use crate::notify::event::Event;
use crate::notify::render;
use crate::notify::target::{post_json, Attempt, Context};

/// Slack's `mrkdwn` escaping: only `&`, `<` and `>` are special.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The message body for `event`.
pub fn message(event: &Event, now: chrono::DateTime<chrono::Utc>, zone: &str) -> Value {
    let ticket = &event.data.ticket;
    let line = escape(&render::headline(event, now, zone));
    let mut context = format!(
        "{} · {} · {} <{}>",
        escape(&ticket.severity_label),
        escape(&ticket.plan),
        escape(&ticket.contact.name),
        escape(&ticket.contact.email)
    );
    if let Some(product) = &ticket.product {
        context.push_str(&format!(" · {}", escape(product)));
    }
    let mut blocks = vec![
        json!({"type": "section", "text": {"type": "mrkdwn", "text": line}}),
        json!({"type": "context", "elements": [{"type": "mrkdwn", "text": context}]}),
    ];
    if let Some(url) = &ticket.url {
        blocks.push(json!({
            "type": "actions",
            "elements": [{"type": "button", "text": {"type": "plain_text", "text": format!("Open {}", ticket.reference)}, "url": url}]
        }));
    }
    json!({"text": line, "blocks": blocks})
}

pub async fn send(settings: &ChatSettings, event: &Event, context: &Context<'_>) -> Attempt {
    let body = message(event, context.now, context.time_zone).to_string();
    post_json(context.http, &settings.url, &[], body, context.timeout).await
}
