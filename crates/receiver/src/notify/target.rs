//! One delivery attempt to a target, and how its answer is classified (delivered, retry, failed).

use std::time::Duration;

use crate::notify::config::{TargetKind, TargetSettings};
use crate::notify::event::Event;
use crate::notify::{chat, email, webhook};

/// Longest part of a refusal kept as the delivery's last error.
const MAX_ERROR_CHARS: usize = 500;

/// How one attempt went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    Delivered { status: Option<u16> },
    /// Worth trying again (network, timeout, 408, 429, 5xx, transient SMTP error).
    Transient { status: Option<u16>, error: String },
    /// The target refused the event for good (other 4xx, permanent SMTP error).
    Refused { status: Option<u16>, error: String },
}

/// What an attempt needs besides the event.
#[derive(Debug, Clone)]
pub struct Context<'a> {
    pub http: &'a reqwest::Client,
    pub timeout: Duration,
    /// The team's time zone (IANA) for the times people read.
    pub time_zone: &'a str,
    /// The ticket's attachments with their bytes (e-mail only; empty otherwise).
    pub attachments: &'a [(crate::db::AttachmentRow, Vec<u8>)],
    /// The event JSON exactly as stored.
    pub payload: &'a str,
    /// The receiver's clock: what "in 28 min" is counted from.
    pub now: chrono::DateTime<chrono::Utc>,
    /// The real time of this attempt (`webhook-timestamp`, checked by receivers against theirs).
    pub sent_at: chrono::DateTime<chrono::Utc>,
}

/// Sends `event` to `target` once.
pub async fn send(target: &TargetSettings, event: &Event, context: &Context<'_>) -> Attempt {
    match &target.kind {
        TargetKind::Webhook(settings) => webhook::send(settings, event, context).await,
        TargetKind::Chat(settings) => chat::send(settings, event, context).await,
        TargetKind::Email(settings) => email::send(settings, event, context).await,
    }
}

/// Whether the target needs the attachments' bytes.
pub fn wants_attachments(target: &TargetSettings) -> bool {
    matches!(target.kind, TargetKind::Email(_))
}

/// POSTs `body` as JSON with `headers` and classifies the answer.
pub async fn post_json(
    http: &reqwest::Client,
    url: &reqwest::Url,
    headers: &[(&str, String)],
    body: String,
    timeout: Duration,
) -> Attempt {
    let mut request = http.post(url.clone()).timeout(timeout).header("content-type", "application/json");
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    match request.body(body).send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            if response.status().is_success() {
                return Attempt::Delivered { status: Some(status) };
            }
            let text = response.text().await.unwrap_or_default();
            let error = format!("HTTP {status}: {}", truncate(text.trim()));
            if status == 408 || status == 429 || status >= 500 || status < 400 {
                Attempt::Transient { status: Some(status), error }
            } else {
                Attempt::Refused { status: Some(status), error }
            }
        }
        Err(error) => {
            let what = if error.is_timeout() { "timed out" } else if error.is_connect() { "cannot connect" } else { "request failed" };
            // Without the URL: a chat webhook's URL is its secret.
            Attempt::Transient { status: None, error: format!("{what}: {}", truncate(&error.without_url().to_string())) }
        }
    }
}

/// At most [`MAX_ERROR_CHARS`] characters of `text`.
pub fn truncate(text: &str) -> String {
    match text.char_indices().nth(MAX_ERROR_CHARS) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}
