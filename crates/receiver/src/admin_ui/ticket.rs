//! A ticket's page: everything the customer sent, the browser's figures beside the receiver's
//! with every flag explained, attachments, and the two actions ("first response sent",
//! "resolved"), each confirmed on its own page and recorded with the receiver's clock.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::Value;
use triage_policy::ticket::{DueTimes, TicketPayload};

use super::html::{esc, page, url_value, Shell};
use super::i18n::{fill, Lang, Text};
use super::parts::{marks, severity_badge, target_cell, utc_time, Target};
use super::queue::plan_label;
use super::{agent, html, pages, session, Agent};
use crate::admin::{self, summary, TicketSummary};
use crate::db::TicketRow;
use crate::state::AppState;

/// The two things an agent records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    FirstResponse,
    Resolved,
}

impl Action {
    fn parse(text: &str) -> Option<Self> {
        match text {
            "first-response" => Some(Self::FirstResponse),
            "resolved" => Some(Self::Resolved),
            _ => None,
        }
    }

    fn slug(self) -> &'static str {
        match self {
            Self::FirstResponse => "first-response",
            Self::Resolved => "resolved",
        }
    }

    /// When it was recorded already, if it was.
    fn recorded_at(self, row: &TicketRow) -> Option<&str> {
        match self {
            Self::FirstResponse => row.first_response_met_at(),
            Self::Resolved => row.resolved_at.as_deref(),
        }
    }
}

async fn find(state: &AppState, lang: Lang, csrf: &str, id: &str) -> Result<TicketRow, Response> {
    let t = lang.text();
    match state.db.get(id).await {
        Ok(Some(row)) => Ok(row),
        Ok(None) => Err(pages::message(lang, StatusCode::NOT_FOUND, t.brand, &fill(t.not_found, &[("id", id)]), Some(csrf))),
        Err(e) => {
            tracing::error!(error = %e, "ticket page: database error");
            Err(html(StatusCode::SERVICE_UNAVAILABLE, "<!doctype html><title>503</title><p>The database is not available; retry in a moment.</p>".into()))
        }
    }
}

fn dl_row(term: &str, value: &str) -> String {
    format!("<div><dt>{term}</dt><dd>{value}</dd></div>")
}

/// `<time>` of an instant, rewritten by `admin.js` into the agent's time zone.
fn time_el(rfc3339: &str) -> String {
    format!("<time class=\"local-time\" datetime=\"{}\">{}</time>", esc(rfc3339), esc(&utc_time(rfc3339)))
}

fn customer_section(t: &Text, ticket: &TicketSummary, payload: Option<&TicketPayload>, row: &TicketRow) -> String {
    let mut out = String::from("<section aria-labelledby=\"h-customer\"><h2 id=\"h-customer\">");
    out.push_str(t.customer);
    out.push_str("</h2><dl class=\"facts\">");
    out.push_str(&dl_row(t.customer, &format!("{} &lt;{}&gt;", esc(&ticket.contact.name), esc(&ticket.contact.email))));
    if let Some(phone) = ticket.contact.phone.as_deref().filter(|p| !p.is_empty()) {
        out.push_str(&dl_row(t.phone, &esc(phone)));
    }
    if let Some(company) = ticket.contact.company.as_deref().filter(|c| !c.is_empty()) {
        out.push_str(&dl_row(t.company, &esc(company)));
    }
    if let Some(product) = ticket.product.as_deref() {
        out.push_str(&dl_row(t.product, &esc(product)));
    }
    if let Some(channel) = ticket.channel.as_deref() {
        out.push_str(&dl_row(t.channel, &esc(channel)));
    }
    if let Some(payload) = payload {
        // The page URL is shown as text, not a link: it is whatever the browser claimed.
        out.push_str(&dl_row(t.page, &format!("<span class=\"break\">{}</span>", esc(&payload.page_url))));
        out.push_str(&dl_row(t.locale, &esc(&payload.locale)));
        out.push_str(&dl_row(t.time_zone, &esc(&payload.time_zone)));
    }
    out.push_str(&dl_row(t.received, &time_el(&row.received_at)));
    out.push_str("</dl></section>");
    out
}

fn answers_section(state: &AppState, lang: Lang, row: &TicketRow, payload: Option<&TicketPayload>) -> String {
    let t = lang.text();
    let trail: Vec<Value> = serde_json::from_str(&row.trail).unwrap_or_default();
    let policy = state.policies.get(&row.policy_id);
    let mut out = format!(
        "<section aria-labelledby=\"h-answers\"><h2 id=\"h-answers\">{}</h2><div class=\"table-wrap\" tabindex=\"0\"><table class=\"answers\">\
         <thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
        t.answers, t.question, t.answer, t.reason
    );
    for (i, step) in trail.iter().enumerate() {
        let question_id = step.get("question").and_then(Value::as_str).unwrap_or("");
        let answer_id = step.get("answer").and_then(Value::as_str).unwrap_or("");
        let unsure = step.get("unsure").and_then(Value::as_bool).unwrap_or(false);
        let (prompt, label, reason) = match policy {
            Some(policy) => (
                policy.question(question_id).map(|q| policy.text(&q.prompt, lang.tag()).to_string()),
                policy.answer(question_id, answer_id).map(|a| policy.text(&a.label, lang.tag()).to_string()),
                policy.answer(question_id, answer_id).map(|a| policy.text(&a.reason, lang.tag()).to_string()),
            ),
            None => (None, None, None),
        };
        // The reason as the customer saw it, when the browser sent it for this step.
        let shown = payload.and_then(|p| p.reasons.get(i)).filter(|r| !r.is_empty());
        let reason = match (reason, shown) {
            (Some(ours), Some(theirs)) if ours != *theirs => {
                format!("{}<br><span class=\"muted\" lang=\"{}\">{}</span>", esc(&ours), esc(&payload.map(|p| p.locale.clone()).unwrap_or_default()), esc(theirs))
            }
            (Some(ours), _) => esc(&ours),
            (None, Some(theirs)) => esc(theirs),
            (None, None) => String::new(),
        };
        out.push_str(&format!(
            "<tr><th scope=\"row\">{}</th><td>{}{}</td><td>{}</td></tr>",
            esc(&prompt.unwrap_or_else(|| question_id.to_string())),
            esc(&label.unwrap_or_else(|| answer_id.to_string())),
            if unsure { format!(" <span class=\"muted\">{}</span>", t.unsure) } else { String::new() },
            reason,
        ));
    }
    out.push_str("</tbody></table></div></section>");
    out
}

fn comparison_section(state: &AppState, lang: Lang, ticket: &TicketSummary, row: &TicketRow) -> String {
    let t = lang.text();
    let browser_due: Option<DueTimes> = serde_json::from_str(&row.browser_due).ok();
    let due = |value: Option<&str>| value.map(time_el).unwrap_or_default();
    let mut lines: Vec<(&str, String, String, bool)> = vec![
        (
            t.severity,
            severity_badge(state, &row.policy_id, &ticket.browser_severity, lang.tag()),
            severity_badge(state, &row.policy_id, &ticket.classified_severity, lang.tag()),
            ticket.browser_severity != ticket.classified_severity,
        ),
        (
            t.plan,
            esc(&plan_label(state, &row.policy_id, &ticket.browser_plan, lang)),
            esc(&plan_label(state, &row.policy_id, &ticket.plan, lang)),
            ticket.browser_plan != ticket.plan,
        ),
        (t.policy_version, esc(&row.browser_policy_version), esc(&row.policy_version), row.browser_policy_version != row.policy_version),
    ];
    let browser_first = browser_due.as_ref().map(|d| d.first_response.due.clone());
    let browser_resolution = browser_due.as_ref().map(|d| d.resolution.due.clone());
    let differs = |a: Option<&str>, b: &str| {
        let ms = |s: &str| chrono::DateTime::parse_from_rfc3339(s).ok().map(|d| d.timestamp());
        a.and_then(ms) != ms(b)
    };
    lines.push((
        t.first_response_due,
        due(browser_first.as_deref()),
        due(Some(&row.first_response_due)),
        differs(browser_first.as_deref(), &row.first_response_due),
    ));
    lines.push((
        t.resolution_due,
        due(browser_resolution.as_deref()),
        due(Some(&row.resolution_due)),
        differs(browser_resolution.as_deref(), &row.resolution_due),
    ));
    let mut out = format!(
        "<section aria-labelledby=\"h-comparison\"><h2 id=\"h-comparison\">{}</h2><div class=\"table-wrap\" tabindex=\"0\"><table class=\"comparison\">\
         <thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
        t.comparison, t.what, t.browser, t.receiver
    );
    for (what, browser, receiver, mismatch) in lines {
        let class = if mismatch { " class=\"mismatch\"" } else { "" };
        let mark = if mismatch { " <span class=\"mark mark-mismatch\">≠</span>" } else { "" };
        out.push_str(&format!("<tr{class}><th scope=\"row\">{what}{mark}</th><td>{browser}</td><td>{receiver}</td></tr>"));
    }
    let identity = match ticket.identity.status.as_str() {
        "verified" => t.identity_verified,
        "unverified" => t.identity_unverified,
        _ => t.identity_unchecked,
    };
    let problem = ticket.identity.problem.as_deref().map(|p| format!(" ({})", esc(p))).unwrap_or_default();
    out.push_str(&format!(
        "</tbody></table></div><dl class=\"facts\">{}</dl><h3>{}</h3>",
        dl_row(t.identity, &format!("{identity}{problem}")),
        t.flags
    ));
    if ticket.flags.is_empty() {
        out.push_str(&format!("<p>{}</p>", t.no_flags));
    } else {
        out.push_str("<ul class=\"flags\">");
        for flag in &ticket.flags {
            out.push_str(&format!("<li><code>{}</code> {}</li>", esc(flag), t.flag(flag)));
        }
        out.push_str("</ul>");
    }
    out.push_str("</section>");
    out
}

/// Types the browser may show inline as an `<img>` (never SVG: it can carry script).
fn previewable(mime: &str) -> bool {
    matches!(mime, "image/png" | "image/jpeg" | "image/gif" | "image/webp")
}

fn human_size(bytes: i64) -> String {
    if bytes < 1024 {
        format!("{bytes} B")
    } else if bytes < 1024 * 1024 {
        format!("{:.1} KB", bytes as f64 / 1024.0)
    } else {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    }
}

async fn attachments_section(state: &AppState, t: &Text, row: &TicketRow, reference: &str) -> String {
    let mut out = format!("<section aria-labelledby=\"h-attachments\"><h2 id=\"h-attachments\">{}</h2>", t.attachments);
    let files = match state.db.attachments(row.seq).await {
        Ok(files) => files,
        Err(e) => {
            tracing::error!(error = %e, "ticket page: listing attachments failed");
            out.push_str(&format!("<p role=\"alert\">{}</p></section>", t.read_failed));
            return out;
        }
    };
    if files.is_empty() {
        out.push_str(&format!("<p>{}</p></section>", t.no_attachments));
        return out;
    }
    out.push_str("<ul class=\"attachments\">");
    for file in files {
        let url = format!("/admin/tickets/{}/attachments/{}", url_value(reference), file.position);
        let preview = if previewable(&file.mime) {
            format!("<img src=\"{url}\" alt=\"{}\" loading=\"lazy\">", esc(&file.name))
        } else {
            String::new()
        };
        out.push_str(&format!(
            "<li>{preview}<span class=\"file-name\">{name}</span> <span class=\"muted\">{mime} · {size}</span> \
             <a href=\"{url}\" download>{download}<span class=\"visually-hidden\"> {name}</span></a></li>",
            name = esc(&file.name),
            mime = esc(&file.mime),
            size = human_size(file.size),
            download = t.download,
        ));
    }
    out.push_str("</ul></section>");
    out
}

/// The ticket's notification deliveries (event, target, state, attempts, last answer, next try),
/// when the receiver sends notifications; nothing at all when it does not.
async fn notifications_section(state: &AppState, t: &Text, row: &TicketRow) -> String {
    if state.notifications.is_none() {
        return String::new();
    }
    let mut out = format!("<section aria-labelledby=\"h-notifications\"><h2 id=\"h-notifications\">{}</h2>", t.notifications);
    let deliveries = match crate::notify::api::ticket_deliveries(state, row.seq).await {
        Ok(deliveries) => deliveries,
        Err(e) => {
            tracing::error!(error = ?e, "ticket page: listing deliveries failed");
            out.push_str(&format!("<p role=\"alert\">{}</p></section>", t.read_failed));
            return out;
        }
    };
    if deliveries.is_empty() {
        out.push_str(&format!("<p>{}</p></section>", t.no_notifications));
        return out;
    }
    out.push_str(&format!(
        "<div class=\"table-wrap\" tabindex=\"0\"><table class=\"deliveries\">\
         <thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th>\
         <th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
        t.notify_event, t.notify_target, t.notify_state, t.notify_attempts, t.notify_last, t.notify_next
    ));
    for delivery in &deliveries {
        let state_text = match delivery.state.as_str() {
            "pending" => t.delivery_pending,
            "delivered" => t.delivery_delivered,
            "failed" => t.delivery_failed,
            "dead" => t.delivery_dead,
            other => other,
        };
        let mut last = delivery.last_attempt_at.as_deref().map(time_el).unwrap_or_default();
        if let Some(status) = delivery.last_status {
            last.push_str(&format!(" <span class=\"muted\">({status})</span>"));
        }
        if let Some(error) = delivery.last_error.as_deref().filter(|e| !e.is_empty()) {
            last.push_str(&format!("<br><span class=\"muted\">{}</span>", esc(error)));
        }
        let next = match (&delivery.finished_at, &delivery.next_attempt_at) {
            (None, Some(at)) => time_el(at),
            _ => String::new(),
        };
        out.push_str(&format!(
            "<tr><th scope=\"row\"><code>{}</code></th><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&delivery.event_type),
            esc(&delivery.target),
            state_text,
            delivery.attempts,
            last,
            next,
        ));
    }
    out.push_str("</tbody></table></div></section>");
    out
}

fn sla_section(t: &Text, ticket: &TicketSummary, row: &TicketRow, reference: &str, now: chrono::DateTime<chrono::Utc>, notice: Option<String>) -> String {
    let mut out = format!("<section aria-labelledby=\"h-sla\" class=\"sla-box\"><h2 id=\"h-sla\">{}</h2>", t.sla);
    if let Some(notice) = notice {
        out.push_str(&format!("<p role=\"status\" class=\"notice notice-ok\" id=\"recorded\">{}</p>", notice));
    }
    out.push_str(&format!(
        "<dl class=\"facts\">{}{}</dl><div class=\"actions\">",
        dl_row(t.first_response, &target_cell(t, Target::FirstResponse, &ticket.sla.first_response, now)),
        dl_row(t.resolution, &target_cell(t, Target::Resolution, &ticket.sla.resolution, now)),
    ));
    for action in [Action::FirstResponse, Action::Resolved] {
        if action.recorded_at(row).is_none() {
            let label = if action == Action::FirstResponse { t.mark_first_response } else { t.mark_resolved };
            out.push_str(&format!(
                "<a class=\"button\" href=\"/admin/tickets/{}/confirm/{}\">{label}</a> ",
                url_value(reference),
                action.slug()
            ));
        }
    }
    out.push_str("</div></section>");
    out
}

#[derive(Debug, Deserialize)]
pub struct TicketQuery {
    recorded: Option<String>,
}

/// `GET /admin/tickets/{id}` (id or reference).
pub async fn ticket_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(query): Query<TicketQuery>,
) -> Response {
    let here = format!("/admin/tickets/{}", url_value(&id));
    let Agent { lang, session, .. } = match agent(&state, &headers, &here) {
        Ok(agent) => agent,
        Err(response) => return response,
    };
    let row = match find(&state, lang, &session.csrf, &id).await {
        Ok(row) => row,
        Err(response) => return response,
    };
    let t = lang.text();
    let now = state.now();
    let ticket = summary(&row, now, state.config.due_soon_percent);
    let payload: Option<TicketPayload> = serde_json::from_str(&row.payload).ok();
    let notice = query.recorded.as_deref().and_then(Action::parse).and_then(|action| {
        let at = action.recorded_at(&row)?;
        let template = if action == Action::FirstResponse { t.recorded_first_response } else { t.recorded_resolved };
        Some(fill(template, &[("time", &time_el(at))]))
    });
    let reference = ticket.reference.clone();
    let body = format!(
        "<p><a href=\"/admin\">← {back}</a></p>\
         <header class=\"ticket-head\"><p class=\"muted\">{reference} · {severity} · {plan}</p><h1>{subject}</h1><p>{marks}</p></header>\
         <div class=\"ticket-grid\"><div>{sla}\
         <section aria-labelledby=\"h-description\"><h2 id=\"h-description\">{l_description}</h2><p class=\"description\">{description}</p></section>\
         {answers}{attachments}{notifications}</div><div>{customer}{comparison}</div></div>",
        back = t.back_to_queue,
        reference = esc(&reference),
        severity = severity_badge(&state, &row.policy_id, &ticket.severity, lang.tag()),
        plan = esc(&plan_label(&state, &row.policy_id, &ticket.plan, lang)),
        subject = esc(&ticket.subject),
        marks = marks(&state, t, &ticket, lang.tag()),
        sla = sla_section(t, &ticket, &row, &reference, now, notice),
        l_description = t.description,
        description = esc(&row.description),
        answers = answers_section(&state, lang, &row, payload.as_ref()),
        attachments = attachments_section(&state, t, &row, &reference).await,
        notifications = notifications_section(&state, t, &row).await,
        customer = customer_section(t, &ticket, payload.as_ref(), &row),
        comparison = comparison_section(&state, lang, &ticket, &row),
    );
    let title = format!("{reference} · {}", ticket.subject);
    html(StatusCode::OK, page(&Shell { lang, title: &title, here: &here, csrf: Some(&session.csrf), page: "ticket" }, &body))
}

/// The action named in the path and the ticket it is for, or the page that says which is unknown.
async fn action_and_ticket(state: &AppState, lang: Lang, csrf: &str, id: &str, action: &str) -> Result<(Action, TicketRow), Response> {
    let t = lang.text();
    let Some(action) = Action::parse(action) else {
        return Err(pages::message(lang, StatusCode::NOT_FOUND, t.brand, &fill(t.not_found, &[("id", id)]), Some(csrf)));
    };
    Ok((action, find(state, lang, csrf, id).await?))
}

/// `GET /admin/tickets/{id}/confirm/{action}`: asks before recording, showing the time it will be.
pub async fn confirm_page(State(state): State<AppState>, headers: HeaderMap, Path((id, action)): Path<(String, String)>) -> Response {
    let here = format!("/admin/tickets/{}/confirm/{}", url_value(&id), url_value(&action));
    let Agent { lang, session, .. } = match agent(&state, &headers, &here) {
        Ok(agent) => agent,
        Err(response) => return response,
    };
    let t = lang.text();
    let (action, row) = match action_and_ticket(&state, lang, &session.csrf, &id, &action).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let reference = row.reference.clone().unwrap_or_default();
    let ticket_url = format!("/admin/tickets/{}", url_value(&reference));
    if let Some(at) = action.recorded_at(&row) {
        let text = fill(t.already_recorded, &[("time", &utc_time(at))]);
        return pages::message(lang, StatusCode::CONFLICT, &reference, &text, Some(&session.csrf));
    }
    let now = state.now().to_rfc3339();
    let question = match action {
        Action::FirstResponse => t.confirm_first_response,
        Action::Resolved => t.confirm_resolved,
    };
    let question = fill(question, &[("reference", &esc(&reference)), ("time", &time_el(&now))]);
    let body = format!(
        "<h1>{subject}</h1><form method=\"post\" action=\"{ticket_url}/progress/{slug}\" class=\"confirm\">\
         <p id=\"confirm-question\">{question}</p><input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <button type=\"submit\" aria-describedby=\"confirm-question\" autofocus>{yes}</button> <a href=\"{ticket_url}\">{cancel}</a></form>",
        subject = esc(&row.subject),
        slug = action.slug(),
        csrf = esc(&session.csrf),
        yes = t.confirm,
        cancel = t.cancel,
    );
    html(StatusCode::OK, page(&Shell { lang, title: &reference, here: &here, csrf: Some(&session.csrf), page: "confirm" }, &body))
}

#[derive(Debug, Deserialize)]
pub struct ActionForm {
    csrf: Option<String>,
}

/// `POST /admin/tickets/{id}/progress/{action}`: records the action at the receiver's time (not
/// twice) and goes back to the ticket, which shows the time recorded.
pub async fn record(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((id, action)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Response {
    let here = format!("/admin/tickets/{}", url_value(&id));
    let Agent { lang, session, .. } = match agent(&state, &headers, &here) {
        Ok(agent) => agent,
        Err(response) => return response,
    };
    let given = serde_urlencoded::from_bytes::<ActionForm>(&body).ok().and_then(|f| f.csrf).unwrap_or_default();
    if !session.csrf_matches(&given) || !session::same_origin(&headers) {
        return pages::csrf_refused(lang, Some(&session.csrf));
    }
    let (action, row) = match action_and_ticket(&state, lang, &session.csrf, &id, &action).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let reference = row.reference.clone().unwrap_or_default();
    if action.recorded_at(&row).is_none() {
        let now = state.now();
        let (first, resolved) = match action {
            Action::FirstResponse => (Some(now), None),
            Action::Resolved => (None, Some(now)),
        };
        if let Err(e) = state.db.record_progress(row.seq, first, resolved).await {
            tracing::error!(error = %e, "recording progress failed");
            return html(StatusCode::SERVICE_UNAVAILABLE, "<!doctype html><title>503</title><p>The database is not available; nothing was recorded. Retry in a moment.</p>".into());
        }
        tracing::info!(%reference, action = action.slug(), "recorded from the queue page");
    }
    Redirect::to(&format!("/admin/tickets/{}?recorded={}", url_value(&reference), action.slug())).into_response()
}

/// `GET /admin/tickets/{id}/attachments/{position}`: the file as a safe download.
pub async fn attachment(State(state): State<AppState>, headers: HeaderMap, Path((id, position)): Path<(String, i64)>) -> Response {
    let here = format!("/admin/tickets/{}", url_value(&id));
    let Agent { lang, session, .. } = match agent(&state, &headers, &here) {
        Ok(agent) => agent,
        Err(response) => return response,
    };
    let row = match find(&state, lang, &session.csrf, &id).await {
        Ok(row) => row,
        Err(response) => return response,
    };
    match state.db.attachment(row.seq, position).await {
        Ok(Some((meta, data))) => admin::attachment_response(&meta, data),
        Ok(None) => {
            let t = lang.text();
            pages::message(lang, StatusCode::NOT_FOUND, t.brand, &fill(t.not_found, &[("id", &format!("{id}/{position}"))]), Some(&session.csrf))
        }
        Err(e) => {
            tracing::error!(error = %e, "attachment: database error");
            html(StatusCode::SERVICE_UNAVAILABLE, String::new())
        }
    }
}
