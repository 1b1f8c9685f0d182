//! Admin API behind `Authorization: Bearer <admin token>`: tickets with their SLA state, progress
//! updates (first response, resolution), attachments, and the test-only fault switch.
//!
//! Without `--admin-token` every admin route answers 403 `admin_disabled`; a missing or wrong
//! token is 401 `unauthorized` (with `WWW-Authenticate: Bearer`).

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use triage_policy::ticket::DueTimes;

use crate::db::{AttachmentRow, ListFilter, TicketRow};
use crate::error::ApiError;
use crate::sla::{self, SlaState};
use crate::state::{AppState, FaultPlan};

/// Checks the bearer token in constant time.
pub fn require_admin(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(expected) = state.config.admin_token.as_deref() else {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "admin_disabled",
            "the admin API is off: start the receiver with --admin-token (or TRIAGE_ADMIN_TOKEN)",
        ));
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim);
    let Some(given) = given else {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "send the admin token as `Authorization: Bearer <token>`",
        ));
    };
    // Hash both sides so the comparison takes the same time whatever the lengths.
    let matches: bool = Sha256::digest(given.as_bytes()).ct_eq(&Sha256::digest(expected.as_bytes())).into();
    if !matches {
        return Err(ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "the admin token is wrong"));
    }
    Ok(())
}

/// One target's SLA view.
#[derive(Debug, Serialize)]
pub struct TargetView {
    pub due: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub average_due: Option<String>,
    pub state: SlaState,
    /// When the target was met (first response given / ticket resolved).
    pub met_at: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct SlaView {
    pub first_response: TargetView,
    pub resolution: TargetView,
}

#[derive(Debug, Serialize)]
pub struct IdentityView {
    /// `verified` (valid signature), `unverified` (secret set, identity missing or bad: the policy's
    /// plan for unverified customers used) or `unchecked` (no secret configured: the browser's plan was taken).
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct EscalationView {
    pub severity: String,
    pub reason: String,
}

#[derive(Debug, Serialize)]
pub struct ContactView {
    pub name: String,
    pub email: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
}

/// A ticket in the list.
#[derive(Debug, Serialize)]
pub struct TicketSummary {
    pub id: String,
    pub reference: String,
    pub received_at: String,
    pub policy: Value,
    pub plan: String,
    pub browser_plan: String,
    pub identity: IdentityView,
    /// The severity that counts (the escalation asked for, when granted, else the answers' result).
    pub severity: String,
    pub classified_severity: String,
    pub browser_severity: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub escalation_request: Option<EscalationView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    pub contact: ContactView,
    pub subject: String,
    pub sla: SlaView,
    /// True once a target passed its due time unmet (automatic escalation).
    pub escalated: bool,
    pub escalated_at: Option<String>,
    pub escalated_reason: Option<String>,
    pub flags: Vec<String>,
    pub spam: bool,
    pub attachments: i64,
}

/// A ticket with everything stored about it.
#[derive(Debug, Serialize)]
pub struct TicketDetail {
    #[serde(flatten)]
    pub summary: TicketSummary,
    pub description: String,
    /// The questionnaire path as the receiver walked it.
    pub trail: Value,
    /// Due times as the browser computed them (for comparison only).
    pub browser_due: Value,
    pub client_ip: Option<String>,
    pub attachment_files: Vec<AttachmentView>,
    /// The ticket JSON as received.
    pub payload: Value,
}

#[derive(Debug, Serialize)]
pub struct AttachmentView {
    pub position: i64,
    pub name: String,
    #[serde(rename = "type")]
    pub mime: String,
    pub size: i64,
    pub sha256: String,
    pub url: String,
}

#[derive(Debug, Serialize)]
pub struct TicketList {
    pub tickets: Vec<TicketSummary>,
    /// Tickets matching the filter (all pages).
    pub total: i64,
    /// Pass as `before` for the next page; null on the last page.
    pub next_before: Option<i64>,
}

fn parse_json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::Null)
}

pub(crate) fn summary(row: &TicketRow, now: DateTime<Utc>, due_soon_percent: u8) -> TicketSummary {
    let now_ms = now.timestamp_millis();
    let first_met_ms = row.first_response_met_ms();
    let first_met_at = row.first_response_met_at().map(str::to_owned);
    TicketSummary {
        id: row.id.clone(),
        reference: row.reference.clone().unwrap_or_default(),
        received_at: row.received_at.clone(),
        policy: serde_json::json!({
            "id": row.policy_id,
            "version": row.policy_version,
            "browser_version": row.browser_policy_version,
        }),
        plan: row.plan.clone(),
        browser_plan: row.browser_plan.clone(),
        identity: IdentityView {
            status: row.identity.clone(),
            problem: row.identity_problem.clone(),
            user_id: row.user_id.clone(),
        },
        severity: row.severity.clone(),
        classified_severity: row.classified_severity.clone(),
        browser_severity: row.browser_severity.clone(),
        escalation_request: row
            .escalation_severity
            .clone()
            .map(|severity| EscalationView { severity, reason: row.escalation_reason.clone().unwrap_or_default() }),
        channel: row.channel.clone(),
        product: row.product.clone(),
        contact: ContactView {
            name: row.contact_name.clone(),
            email: row.contact_email.clone(),
            phone: row.contact_phone.clone(),
            company: row.contact_company.clone(),
        },
        subject: row.subject.clone(),
        sla: SlaView {
            first_response: TargetView {
                due: row.first_response_due.clone(),
                average_due: row.first_response_average_due.clone(),
                state: sla::state(
                    row.received_at_ms,
                    row.first_response_due_ms,
                    first_met_ms,
                    now_ms,
                    due_soon_percent,
                ),
                met_at: first_met_at,
            },
            resolution: TargetView {
                due: row.resolution_due.clone(),
                average_due: row.resolution_average_due.clone(),
                state: sla::state(
                    row.received_at_ms,
                    row.resolution_due_ms,
                    row.resolved_at_ms,
                    now_ms,
                    due_soon_percent,
                ),
                met_at: row.resolved_at.clone(),
            },
        },
        escalated: row.escalated_at.is_some(),
        escalated_at: row.escalated_at.clone(),
        escalated_reason: row.escalated_reason.clone(),
        flags: serde_json::from_str(&row.flags).unwrap_or_default(),
        spam: row.spam,
        attachments: row.attachment_count,
    }
}

fn attachment_view(ticket_id: &str, row: AttachmentRow) -> AttachmentView {
    AttachmentView {
        url: format!("/api/tickets/{ticket_id}/attachments/{}", row.position),
        position: row.position,
        name: row.name,
        mime: row.mime,
        size: row.size,
        sha256: row.sha256,
    }
}

/// Marks overdue tickets as escalated and logs each one. Shared by the sweeper and the GETs.
pub async fn escalate_overdue(state: &AppState) -> Result<usize, ApiError> {
    let escalated = state.db.escalate_overdue(state.now()).await?;
    for ticket in &escalated {
        tracing::warn!(reference = %ticket.reference, id = %ticket.id, reason = %ticket.reason, "ticket escalated: past its due time");
    }
    Ok(escalated.len())
}

/// Query of `GET /api/tickets`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Page size, 1–500 (default 50).
    pub limit: Option<i64>,
    /// Cursor from `next_before`.
    pub before: Option<i64>,
    pub escalated: Option<bool>,
    pub spam: Option<bool>,
    pub severity: Option<String>,
    pub policy: Option<String>,
}

pub async fn list_tickets(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<TicketList>, ApiError> {
    require_admin(&state, &headers)?;
    let Query(query) = query.map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", e.body_text()))?;
    let limit = query.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(
            ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", "`limit` must be between 1 and 500").at("limit")
        );
    }
    escalate_overdue(&state).await?;
    let filter = ListFilter {
        before: query.before,
        limit,
        escalated: query.escalated,
        spam: query.spam,
        severity: query.severity,
        policy: query.policy,
    };
    let (rows, total) = state.db.list(&filter).await?;
    let now = state.now();
    let next_before = if rows.len() as i64 == limit { rows.last().map(|r| r.seq) } else { None };
    let tickets = rows.iter().map(|row| summary(row, now, state.config.due_soon_percent)).collect();
    Ok(Json(TicketList { tickets, total, next_before }))
}

async fn detail(state: &AppState, row: TicketRow) -> Result<TicketDetail, ApiError> {
    let files = state.db.attachments(row.seq).await?;
    Ok(TicketDetail {
        summary: summary(&row, state.now(), state.config.due_soon_percent),
        description: row.description.clone(),
        trail: parse_json(&row.trail),
        browser_due: serde_json::from_str::<DueTimes>(&row.browser_due)
            .ok()
            .and_then(|d| serde_json::to_value(d).ok())
            .unwrap_or(Value::Null),
        client_ip: row.client_ip.clone(),
        attachment_files: files.into_iter().map(|f| attachment_view(&row.id, f)).collect(),
        payload: parse_json(&row.payload),
    })
}

async fn find(state: &AppState, id: &str) -> Result<TicketRow, ApiError> {
    state.db.get(id).await?.ok_or_else(|| ApiError::not_found(format!("no ticket `{id}`")))
}

pub async fn get_ticket(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<TicketDetail>, ApiError> {
    require_admin(&state, &headers)?;
    escalate_overdue(&state).await?;
    let row = find(&state, &id).await?;
    Ok(Json(detail(&state, row).await?))
}

/// Body of `PATCH /api/tickets/{id}`: an RFC 3339 instant or `"now"` per target met.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Progress {
    pub first_response_at: Option<String>,
    pub resolved_at: Option<String>,
}

fn progress_time(
    field: &str,
    value: Option<&str>,
    received: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, ApiError> {
    let Some(value) = value else { return Ok(None) };
    let at = if value == "now" {
        now
    } else {
        DateTime::parse_from_rfc3339(value)
            .map_err(|_| ApiError::invalid(field, format!("`{value}` is neither \"now\" nor an RFC 3339 date-time")))?
            .with_timezone(&Utc)
    };
    if at < received {
        return Err(ApiError::invalid(field, "cannot be before the ticket was received"));
    }
    if at > now + chrono::TimeDelta::minutes(1) {
        return Err(ApiError::invalid(field, "cannot be in the future"));
    }
    Ok(Some(at))
}

pub async fn update_ticket(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Json<TicketDetail>, ApiError> {
    require_admin(&state, &headers)?;
    let progress: Progress = serde_path_to_error::deserialize(&mut serde_json::Deserializer::from_slice(&body))
        .map_err(|e| ApiError::invalid(e.path().to_string(), e.inner().to_string()))?;
    let row = find(&state, &id).await?;
    let received = DateTime::parse_from_rfc3339(&row.received_at)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| ApiError::internal("stored received_at is not RFC 3339", &e))?;
    let now = state.now();
    let first = progress_time("first_response_at", progress.first_response_at.as_deref(), received, now)?;
    let resolved = progress_time("resolved_at", progress.resolved_at.as_deref(), received, now)?;
    state.db.record_progress(row.seq, first, resolved).await?;
    let row = find(&state, &id).await?;
    Ok(Json(detail(&state, row).await?))
}

pub async fn get_attachment(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((id, position)): Path<(String, i64)>,
) -> Result<Response, ApiError> {
    require_admin(&state, &headers)?;
    let row = find(&state, &id).await?;
    let (meta, data) = state
        .db
        .attachment(row.seq, position)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("ticket `{id}` has no attachment {position}")))?;
    Ok(attachment_response(&meta, data))
}

/// An attachment's bytes as a download: never rendered by the browser as a page (`attachment`,
/// `nosniff`, a sandboxing CSP), never cached. Shared with the queue page's download links.
pub(crate) fn attachment_response(meta: &AttachmentRow, data: Vec<u8>) -> Response {
    let mut response = data.into_response();
    let headers = response.headers_mut();
    if let Ok(mime) = HeaderValue::from_str(&meta.mime) {
        headers.insert(header::CONTENT_TYPE, mime);
    }
    let ascii_name: String =
        meta.name.chars().map(|c| if (c.is_ascii_graphic() && c != '"' && c != '\\') || c == ' ' { c } else { '_' }).collect();
    if let Ok(disposition) = HeaderValue::from_str(&format!("attachment; filename=\"{ascii_name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, disposition);
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; sandbox"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    response
}

pub async fn get_faults(State(state): State<AppState>, headers: HeaderMap) -> Result<Json<FaultPlan>, ApiError> {
    require_faults_access(&state, &headers)?;
    Ok(Json(state.faults.get()))
}

pub async fn set_faults(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Json<FaultPlan>, ApiError> {
    require_faults_access(&state, &headers)?;
    let plan: FaultPlan = serde_path_to_error::deserialize(&mut serde_json::Deserializer::from_slice(&body))
        .map_err(|e| ApiError::invalid(e.path().to_string(), e.inner().to_string()))?;
    if !(400..=599).contains(&plan.status) {
        return Err(ApiError::invalid("status", "must be an HTTP error status (400–599)"));
    }
    state.faults.set(plan);
    tracing::warn!(?plan, "fault injection plan set");
    Ok(Json(plan))
}

/// The fault switch is open when no admin token is configured (a local test run), else needs it.
fn require_faults_access(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    if state.config.admin_token.is_none() {
        return Ok(());
    }
    require_admin(state, headers)
}
