//! The queue page: open tickets, next due first, with filters, search and a live refresh
//! (`admin.js` polls `/admin/queue/rows` with the same query and swaps the rows in).

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use serde::Deserialize;

use super::html::{esc, page, url_value, Shell};
use super::i18n::{fill, Lang};
use super::parts::{marks, severity_badge, target_cell, Target};
use super::{agent, html, Agent};
use crate::admin::summary;
use crate::db::queue::{QueueFilter, QueuePage, QueueState, Search};
use crate::state::AppState;

/// Rows per page.
pub const PAGE_SIZE: i64 = 50;

/// The queue's query string, as the filter form sends it. Unknown or empty values mean "any".
#[derive(Debug, Default, Deserialize)]
pub struct QueueQuery {
    pub severity: Option<String>,
    pub state: Option<String>,
    pub policy: Option<String>,
    pub q: Option<String>,
    pub spam: Option<String>,
    /// `<next due ms>.<seq>` of the previous page's last row.
    pub after: Option<String>,
}

fn non_empty(value: &Option<String>) -> Option<String> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_string)
}

impl QueueQuery {
    fn parse(raw: Option<&str>) -> Self {
        raw.and_then(|q| serde_urlencoded::from_str(q).ok()).unwrap_or_default()
    }

    fn filter(&self) -> QueueFilter {
        QueueFilter {
            severity: non_empty(&self.severity),
            policy: non_empty(&self.policy),
            state: self.state.as_deref().and_then(QueueState::parse),
            search: self.q.as_deref().and_then(Search::parse),
            include_spam: self.spam.as_deref() == Some("1"),
            after: self.after.as_deref().and_then(|a| {
                let (due, seq) = a.split_once('.')?;
                Some((due.parse().ok()?, seq.parse().ok()?))
            }),
            limit: PAGE_SIZE,
        }
    }

    /// The query string without the cursor (the filters to keep across pages and refreshes).
    fn filters_query(&self) -> String {
        let pairs = [
            ("severity", non_empty(&self.severity)),
            ("state", non_empty(&self.state)),
            ("policy", non_empty(&self.policy)),
            ("q", non_empty(&self.q)),
            ("spam", non_empty(&self.spam)),
        ];
        pairs
            .iter()
            .filter_map(|(key, value)| value.as_ref().map(|v| format!("{key}={}", url_value(v))))
            .collect::<Vec<_>>()
            .join("&")
    }
}

async fn load(state: &AppState, query: &QueueQuery) -> Result<QueuePage, Response> {
    let failed = |e: &dyn std::fmt::Display| {
        tracing::error!(error = %e, "queue page: database error");
        html(StatusCode::SERVICE_UNAVAILABLE, "<!doctype html><title>503</title><p>The database is not available; retry in a moment.</p>".into())
    };
    // No escalation sweep here: it is a write transaction (an fsync) and the background sweeper
    // runs it every `--escalation-interval-secs`; the overdue state itself is computed from the clock.
    state.db.queue(&query.filter(), state.now(), state.config.due_soon_percent).await.map_err(|e| failed(&e))
}

/// The `<tr>`s of one page.
fn rows(state: &AppState, lang: Lang, page: &QueuePage) -> String {
    let t = lang.text();
    let now = state.now();
    let mut out = String::new();
    if page.rows.is_empty() {
        out.push_str(&format!("<tr class=\"empty\"><td colspan=\"8\">{}</td></tr>", t.empty_queue));
    }
    for (row, _) in &page.rows {
        let ticket = summary(row, now, state.config.due_soon_percent);
        let reference = esc(&ticket.reference);
        let customer = match &ticket.contact.company {
            Some(company) if !company.is_empty() => format!(
                "{}<br><span class=\"muted\">{} · {}</span>",
                esc(&ticket.contact.name),
                esc(&ticket.contact.email),
                esc(company)
            ),
            _ => format!("{}<br><span class=\"muted\">{}</span>", esc(&ticket.contact.name), esc(&ticket.contact.email)),
        };
        out.push_str(&format!(
            "<tr data-id=\"{id}\" data-overdue=\"{overdue}\">\
             <th scope=\"row\" data-label=\"{l_ref}\"><a href=\"/admin/tickets/{reference}\">{reference}</a></th>\
             <td data-label=\"{l_sev}\">{severity}</td>\
             <td data-label=\"{l_subject}\" class=\"subject\">{subject}</td>\
             <td data-label=\"{l_customer}\">{customer}</td>\
             <td data-label=\"{l_plan}\">{plan}</td>\
             <td data-label=\"{l_first}\">{first}</td>\
             <td data-label=\"{l_resolution}\">{resolution}</td>\
             <td data-label=\"{l_marks}\">{marks}</td></tr>",
            id = esc(&ticket.id),
            overdue = matches!(
                (ticket.sla.first_response.state, ticket.sla.resolution.state),
                (crate::sla::SlaState::Overdue, _) | (_, crate::sla::SlaState::Overdue)
            ),
            l_ref = t.col_reference,
            l_sev = t.col_severity,
            l_subject = t.col_subject,
            l_customer = t.col_customer,
            l_plan = t.col_plan,
            l_first = t.col_first_response,
            l_resolution = t.col_resolution,
            l_marks = t.col_marks,
            severity = severity_badge(state, &row.policy_id, &ticket.severity, lang.tag()),
            subject = esc(&ticket.subject),
            plan = esc(&plan_label(state, &row.policy_id, &ticket.plan, lang)),
            first = target_cell(t, Target::FirstResponse, &ticket.sla.first_response, now),
            resolution = target_cell(t, Target::Resolution, &ticket.sla.resolution, now),
            marks = marks(state, t, &ticket, lang.tag()),
        ));
    }
    out
}

pub(super) fn plan_label(state: &AppState, policy_id: &str, plan: &str, lang: Lang) -> String {
    state
        .policies
        .get(policy_id)
        .and_then(|p| p.plan(plan).map(|pl| p.text(&pl.label, lang.tag()).to_string()))
        .unwrap_or_else(|| plan.to_string())
}

fn title(lang: Lang, overdue: i64) -> String {
    let t = lang.text();
    if overdue > 0 {
        fill(t.js_title_overdue, &[("n", &overdue.to_string())])
    } else {
        t.queue_title.to_string()
    }
}

fn counts(lang: Lang, page: &QueuePage) -> String {
    let t = lang.text();
    format!(
        "{} · {}",
        fill(t.total, &[("n", &page.total.to_string())]),
        fill(t.overdue_count, &[("n", &page.overdue.to_string())])
    )
}

fn select(name: &str, label: &str, any: &str, options: &[(String, String)], selected: Option<&str>) -> String {
    let mut out = format!("<div class=\"field\"><label for=\"f-{name}\">{label}</label><select id=\"f-{name}\" name=\"{name}\"><option value=\"\">{any}</option>");
    for (value, text) in options {
        let is = if selected == Some(value.as_str()) { " selected" } else { "" };
        out.push_str(&format!("<option value=\"{}\"{is}>{}</option>", esc(value), esc(text)));
    }
    out.push_str("</select></div>");
    out
}

fn filter_form(state: &AppState, lang: Lang, query: &QueueQuery) -> String {
    let t = lang.text();
    let mut severities: Vec<(String, String)> = Vec::new();
    let mut policies: Vec<(String, String)> = Vec::new();
    for id in state.policies.ids() {
        let Some(policy) = state.policies.get(id) else { continue };
        policies.push((id.to_string(), policy.text(&policy.file().name, lang.tag()).to_string()));
        for severity in policy.severities() {
            if !severities.iter().any(|(s, _)| s == &severity.id) {
                severities.push((severity.id.clone(), policy.text(&severity.label, lang.tag()).to_string()));
            }
        }
    }
    let states: Vec<(String, String)> = QueueState::ALL
        .iter()
        .map(|s| {
            let label = match s {
                QueueState::Overdue => t.state_overdue,
                QueueState::DueSoon => t.state_due_soon,
                QueueState::AwaitingFirstResponse => t.state_awaiting_first_response,
                QueueState::AwaitingResolution => t.state_awaiting_resolution,
                QueueState::Escalated => t.state_escalated,
            };
            (s.id().to_string(), label.to_string())
        })
        .collect();
    let spam = if query.spam.as_deref() == Some("1") { " checked" } else { "" };
    format!(
        "<form method=\"get\" action=\"/admin\" class=\"filters\" role=\"search\" aria-label=\"{filters}\">\
         <div class=\"field field-search\"><label for=\"f-q\">{search}</label>\
         <input id=\"f-q\" name=\"q\" type=\"search\" value=\"{q}\" aria-describedby=\"f-q-hint\">\
         <span id=\"f-q-hint\" class=\"hint\">{hint}</span></div>\
         {severity}{state}{policy}\
         <div class=\"field field-check\"><input id=\"f-spam\" name=\"spam\" type=\"checkbox\" value=\"1\"{spam}>\
         <label for=\"f-spam\">{show_spam}</label></div>\
         <div class=\"field field-buttons\"><button type=\"submit\">{apply}</button> <a href=\"/admin\">{clear}</a></div></form>",
        filters = t.filters,
        search = t.search_label,
        q = esc(query.q.as_deref().unwrap_or("")),
        hint = t.search_hint,
        severity = select("severity", t.severity, t.any, &severities, query.severity.as_deref()),
        state = select("state", t.state, t.any, &states, query.state.as_deref()),
        policy = select("policy", t.policy, t.any, &policies, query.policy.as_deref()),
        show_spam = t.show_spam,
        apply = t.apply,
        clear = t.clear,
    )
}

fn next_link(query: &QueueQuery, page: &QueuePage, lang: Lang) -> String {
    if page.rows.len() < PAGE_SIZE as usize {
        return String::new();
    }
    let Some((row, due)) = page.rows.last() else { return String::new() };
    let filters = query.filters_query();
    let sep = if filters.is_empty() { "" } else { "&" };
    format!(
        "<p class=\"pager\"><a href=\"/admin?{}{sep}after={due}.{}\">{}</a></p>",
        esc(&filters),
        row.seq,
        lang.text().next_page
    )
}

/// `GET /admin`: the queue.
pub async fn queue_page(State(state): State<AppState>, headers: HeaderMap, RawQuery(raw): RawQuery) -> Response {
    let here = match &raw {
        Some(q) => format!("/admin?{q}"),
        None => "/admin".to_string(),
    };
    let Agent { lang, session, .. } = match agent(&state, &headers, &here) {
        Ok(agent) => agent,
        Err(response) => return response,
    };
    let query = QueueQuery::parse(raw.as_deref());
    let page_data = match load(&state, &query).await {
        Ok(page) => page,
        Err(response) => return response,
    };
    let t = lang.text();
    let body = format!(
        "<h1 id=\"queue-heading\">{heading}</h1>{form}\
         <p class=\"counts\" id=\"queue-counts\" role=\"status\">{counts}</p>\
         <p class=\"visually-hidden\" id=\"queue-announce\" aria-live=\"polite\"></p>\
         <div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-labelledby=\"queue-heading\"><table class=\"queue\" id=\"queue\" data-rows=\"/admin/queue/rows?{filters}\" \
         data-first-page=\"{first_page}\">\
         <caption class=\"visually-hidden\">{heading}</caption><thead><tr>\
         <th scope=\"col\">{c_ref}</th><th scope=\"col\">{c_sev}</th><th scope=\"col\">{c_subject}</th>\
         <th scope=\"col\">{c_customer}</th><th scope=\"col\">{c_plan}</th><th scope=\"col\">{c_first}</th>\
         <th scope=\"col\">{c_resolution}</th><th scope=\"col\">{c_marks}</th></tr></thead>\
         <tbody id=\"queue-rows\">{rows}</tbody></table></div>{next}",
        heading = t.queue_heading,
        form = filter_form(&state, lang, &query),
        counts = counts(lang, &page_data),
        filters = esc(&query.filters_query()),
        first_page = query.after.is_none(),
        c_ref = t.col_reference,
        c_sev = t.col_severity,
        c_subject = t.col_subject,
        c_customer = t.col_customer,
        c_plan = t.col_plan,
        c_first = t.col_first_response,
        c_resolution = t.col_resolution,
        c_marks = t.col_marks,
        rows = rows(&state, lang, &page_data),
        next = next_link(&query, &page_data, lang),
    );
    let title = title(lang, page_data.overdue);
    html(StatusCode::OK, page(&Shell { lang, title: &title, here: &here, csrf: Some(&session.csrf), page: "queue" }, &body))
}

/// `GET /admin/queue/rows?<filters>`: the first page's rows as an HTML fragment, with the counts
/// and the tab title in headers, for `admin.js`'s refresh.
pub async fn queue_rows(State(state): State<AppState>, headers: HeaderMap, RawQuery(raw): RawQuery) -> Response {
    let Agent { lang, .. } = match agent(&state, &headers, "/admin") {
        Ok(agent) => agent,
        Err(_) => return html(StatusCode::UNAUTHORIZED, String::new()),
    };
    let mut query = QueueQuery::parse(raw.as_deref());
    query.after = None;
    let page_data = match load(&state, &query).await {
        Ok(page) => page,
        Err(response) => return response,
    };
    let mut response = html(StatusCode::OK, rows(&state, lang, &page_data));
    let headers = response.headers_mut();
    // Header values are ASCII-only; the title and counts travel percent-encoded.
    for (name, value) in [
        ("x-queue-title", url_value(&title(lang, page_data.overdue))),
        ("x-queue-counts", url_value(&counts(lang, &page_data))),
        ("x-queue-overdue", page_data.overdue.to_string()),
    ] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
    response
}
