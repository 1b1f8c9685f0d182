//! E-mail target over SMTP (lettre): one conversation per ticket in the helpdesk's mailbox.
//!
//! `ticket.created` opens the thread with `Message-ID: <ticket-{id}@{sender's domain}>`; every later
//! event replies to it (`In-Reply-To` / `References`), so helpdesks that create tickets from mail
//! (Zendesk, Freshdesk, Help Scout, Zammad, Jira Service Management) file it on the same ticket.
//! `Reply-To` is the customer. Text and HTML bodies; the created message carries the attachments up
//! to the configured total size and names the ones left out.

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::notify::config::{EmailSettings, SmtpTls};
use crate::notify::event::Event;
use crate::notify::render;
use crate::notify::target::{truncate, Attempt, Context};

/// The parts of a message before it is assembled (kept separate so tests can read them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    pub subject: String,
    pub message_id: String,
    /// The thread's first message, for every event but `ticket.created`.
    pub in_reply_to: Option<String>,
    pub text: String,
    pub html: String,
    /// Indexes into the context's attachments that fit the size limit.
    pub attached: Vec<usize>,
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn domain(mailbox: &Mailbox) -> &str {
    mailbox.email.domain()
}

/// Composes the message for `event` (pure: no network).
pub fn compose(settings: &EmailSettings, event: &Event, context: &Context<'_>) -> Letter {
    let ticket = &event.data.ticket;
    let zone = context.time_zone;
    let now = context.now;
    let thread = format!("<ticket-{}@{}>", ticket.id, domain(&settings.from));
    let created = event.kind == "ticket.created";
    let base_subject = format!("[{}] {}: {}", ticket.severity, ticket.reference, ticket.subject);
    let subject = if created { base_subject } else { format!("Re: {base_subject}") };
    let mut lines: Vec<(String, String)> = Vec::new();
    lines.push(("Event".into(), render::what_happened(event, now, zone)));
    let mut severity = format!("{} ({})", ticket.severity_label, ticket.severity);
    if ticket.classified_severity != ticket.severity {
        severity.push_str(&format!(", classified {}", ticket.classified_severity));
    }
    lines.push(("Severity".into(), severity));
    if !ticket.severity_definition.is_empty() {
        lines.push(("Definition".into(), ticket.severity_definition.clone()));
    }
    if let Some(request) = &ticket.escalation_request {
        lines.push(("Customer asks for".into(), format!("{}: {}", request.severity, request.reason)));
    }
    for (label, view) in [("First response", &ticket.due.first_response), ("Resolution", &ticket.due.resolution)] {
        let due = chrono::DateTime::parse_from_rfc3339(&view.due).map(|d| d.with_timezone(&chrono::Utc));
        let text = match due {
            Ok(due) => format!(
                "by {} {} ({}), {}",
                render::in_zone(due, zone).format("%Y-%m-%d %H:%M"),
                zone,
                render::relative(due, now),
                view.state.replace('_', " ")
            ),
            Err(_) => view.due.clone(),
        };
        lines.push((label.into(), text));
    }
    lines.push(("Plan".into(), format!("{} (policy {} {})", ticket.plan, ticket.policy.id, ticket.policy.version)));
    let mut contact = format!("{} <{}>", ticket.contact.name, ticket.contact.email);
    for extra in [&ticket.contact.phone, &ticket.contact.company].into_iter().flatten() {
        contact.push_str(&format!(", {extra}"));
    }
    lines.push(("Contact".into(), contact));
    if let Some(product) = &ticket.product {
        lines.push(("Product".into(), product.clone()));
    }
    if let Some(page) = &ticket.page_url {
        lines.push(("Page".into(), page.clone()));
    }
    if let Some(url) = &ticket.url {
        lines.push(("Ticket".into(), url.clone()));
    }
    // Attachments: in order, while the total fits.
    let mut attached = Vec::new();
    let mut left_out = Vec::new();
    let mut total = 0u64;
    if created {
        for (index, (meta, data)) in context.attachments.iter().enumerate() {
            let size = data.len() as u64;
            if total + size <= settings.max_attachment_bytes {
                total += size;
                attached.push(index);
            } else {
                left_out.push(format!("{} ({} bytes)", meta.name, meta.size));
            }
        }
    }
    let mut text = String::new();
    let mut html = String::from("<!doctype html><html><body style=\"font-family:sans-serif\">");
    html.push_str(&format!("<h1 style=\"font-size:1.2em\">{}</h1><table>", html_escape(&render::headline(event, now, zone))));
    for (label, value) in &lines {
        text.push_str(&format!("{label}: {value}\n"));
        html.push_str(&format!("<tr><th align=\"left\">{}</th><td>{}</td></tr>", html_escape(label), html_escape(value)));
    }
    html.push_str("</table>");
    let mut section = |title: &str, items: &[String]| {
        if items.is_empty() {
            return;
        }
        text.push_str(&format!("\n{title}:\n"));
        html.push_str(&format!("<h2 style=\"font-size:1em\">{}</h2><ul>", html_escape(title)));
        for item in items {
            text.push_str(&format!("- {item}\n"));
            html.push_str(&format!("<li>{}</li>", html_escape(item)));
        }
        html.push_str("</ul>");
    };
    section("Why this severity", &ticket.reasons);
    let answers: Vec<String> = ticket.answers.iter().map(|a| format!("{} — {}", a.question, a.answer)).collect();
    section("Answers", &answers);
    section("Not attached (over the size limit)", &left_out);
    text.push_str(&format!("\nDescription:\n{}\n", ticket.description));
    html.push_str(&format!(
        "<h2 style=\"font-size:1em\">Description</h2><p style=\"white-space:pre-wrap\">{}</p></body></html>",
        html_escape(&ticket.description)
    ));
    Letter {
        subject,
        message_id: if created { thread.clone() } else { format!("<{}@{}>", event.id, domain(&settings.from)) },
        in_reply_to: (!created).then_some(thread),
        text,
        html,
        attached,
    }
}

fn message(settings: &EmailSettings, event: &Event, letter: Letter, context: &Context<'_>) -> Result<Message, String> {
    let mut builder = Message::builder().from(settings.from.clone()).subject(letter.subject).message_id(Some(letter.message_id));
    for to in &settings.to {
        builder = builder.to(to.clone());
    }
    let contact = &event.data.ticket.contact;
    if let Ok(reply_to) = format!("{} <{}>", contact.name.replace(['"', '<', '>'], ""), contact.email).parse::<Mailbox>() {
        builder = builder.reply_to(reply_to);
    } else if let Ok(reply_to) = contact.email.parse::<Mailbox>() {
        builder = builder.reply_to(reply_to);
    }
    if let Some(thread) = letter.in_reply_to {
        builder = builder.in_reply_to(thread.clone()).references(thread);
    }
    let bodies = MultiPart::alternative_plain_html(letter.text, letter.html);
    let body = if letter.attached.is_empty() {
        bodies
    } else {
        let mut mixed = MultiPart::mixed().multipart(bodies);
        for index in letter.attached {
            let (meta, data) = &context.attachments[index];
            let mime = ContentType::parse(&meta.mime).unwrap_or(ContentType::parse("application/octet-stream").map_err(|e| e.to_string())?);
            let part: SinglePart = Attachment::new(meta.name.clone()).body(data.clone(), mime);
            mixed = mixed.singlepart(part);
        }
        mixed
    };
    builder.multipart(body).map_err(|e| format!("cannot build the message: {e}"))
}

pub async fn send(settings: &EmailSettings, event: &Event, context: &Context<'_>) -> Attempt {
    let letter = compose(settings, event, context);
    let message = match message(settings, event, letter, context) {
        Ok(message) => message,
        Err(error) => return Attempt::Refused { status: None, error },
    };
    let builder = match settings.tls {
        SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&settings.host),
        SmtpTls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&settings.host),
        SmtpTls::Plain => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host)),
    };
    let mut builder = match builder {
        Ok(builder) => builder.port(settings.port).timeout(Some(context.timeout)),
        Err(error) => return Attempt::Transient { status: None, error: format!("TLS setup: {error}") },
    };
    if let Some((user, password)) = &settings.credentials {
        builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
    }
    let transport = builder.build();
    match tokio::time::timeout(context.timeout, transport.send(message)).await {
        Ok(Ok(response)) => Attempt::Delivered { status: response.code().to_string().parse().ok() },
        Ok(Err(error)) => {
            let status = error.status().and_then(|code| code.to_string().parse().ok());
            let error_text = format!("SMTP: {}", truncate(&error.to_string()));
            if error.is_permanent() {
                Attempt::Refused { status, error: error_text }
            } else {
                Attempt::Transient { status, error: error_text }
            }
        }
        Err(_) => Attempt::Transient { status: None, error: "SMTP: timed out".into() },
    }
}
