//! Admin routes for notifications (bearer token like the rest of the admin API):
//! `GET /api/deliveries` (filters `ticket`, `state`, `before`, `limit`), `GET /api/tickets/{id}/deliveries`
//! and `POST /api/deliveries/{id}/redeliver`. [`ticket_deliveries`] is what the queue page calls.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, SecondsFormat};
use serde::{Deserialize, Serialize};

use crate::admin::require_admin;
use crate::error::ApiError;
use crate::outbox::{DeliveryFilter, DeliveryRow};
use crate::state::AppState;

const STATES: [&str; 4] = ["pending", "delivered", "failed", "dead"];
const DEFAULT_LIMIT: i64 = 50;
const MAX_LIMIT: i64 = 500;

/// One delivery: an event on its way to one target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeliveryView {
    pub id: i64,
    pub event_id: String,
    pub event_type: String,
    pub ticket: Option<String>,
    pub target: String,
    /// `pending`, `delivered`, `failed` (refused for good) or `dead` (out of retry time).
    pub state: String,
    pub attempts: i64,
    pub created_at: String,
    pub next_attempt_at: Option<String>,
    pub last_attempt_at: Option<String>,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub finished_at: Option<String>,
}

fn time(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms).unwrap_or_default().to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl From<DeliveryRow> for DeliveryView {
    fn from(row: DeliveryRow) -> Self {
        Self {
            id: row.id,
            event_id: row.event_id,
            event_type: row.event_type,
            ticket: row.ticket_reference,
            target: row.target,
            state: row.state,
            attempts: row.attempts,
            created_at: time(row.created_at_ms),
            next_attempt_at: row.next_attempt_ms.map(time),
            last_attempt_at: row.last_attempt_ms.map(time),
            last_status: row.last_status,
            last_error: row.last_error,
            finished_at: row.finished_at_ms.map(time),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct DeliveryList {
    pub deliveries: Vec<DeliveryView>,
    /// Pass as `before` for the next page; null on the last page.
    pub next_before: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Ticket UUID or reference.
    pub ticket: Option<String>,
    pub state: Option<String>,
    pub before: Option<i64>,
    pub limit: Option<i64>,
}

/// The routes, to merge into the app.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/deliveries", get(list))
        .route("/api/deliveries/{id}/redeliver", post(redeliver))
        .route("/api/tickets/{id}/deliveries", get(for_ticket))
}

/// Every delivery of ticket `seq`, newest first (for the agents' queue page).
pub async fn ticket_deliveries(state: &AppState, seq: i64) -> Result<Vec<DeliveryView>, ApiError> {
    let filter = DeliveryFilter { ticket_seq: Some(seq), limit: MAX_LIMIT, ..DeliveryFilter::default() };
    Ok(state.db.deliveries(&filter).await?.into_iter().map(DeliveryView::from).collect())
}

async fn ticket_seq(state: &AppState, id: &str) -> Result<i64, ApiError> {
    match state.db.get(id).await? {
        Some(row) => Ok(row.seq),
        None => Err(ApiError::not_found(format!("no ticket `{id}`"))),
    }
}

async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<DeliveryList>, ApiError> {
    require_admin(&state, &headers)?;
    let Query(query) = query.map_err(|e| ApiError::invalid("query", e.body_text()))?;
    if let Some(wanted) = &query.state {
        if !STATES.contains(&wanted.as_str()) {
            return Err(ApiError::invalid("state", format!("`{wanted}` is not one of {}", STATES.join(", "))));
        }
    }
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::invalid("limit", format!("between 1 and {MAX_LIMIT}")));
    }
    let ticket_seq = match &query.ticket {
        Some(id) => Some(ticket_seq(&state, id).await?),
        None => None,
    };
    let filter = DeliveryFilter { ticket_seq, state: query.state, before: query.before, limit };
    let rows = state.db.deliveries(&filter).await?;
    let next_before = if rows.len() as i64 == limit { rows.last().map(|r| r.id) } else { None };
    Ok(Json(DeliveryList { deliveries: rows.into_iter().map(DeliveryView::from).collect(), next_before }))
}

async fn for_ticket(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<DeliveryList>, ApiError> {
    require_admin(&state, &headers)?;
    let seq = ticket_seq(&state, &id).await?;
    Ok(Json(DeliveryList { deliveries: ticket_deliveries(&state, seq).await?, next_before: None }))
}

async fn redeliver(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<DeliveryView>), ApiError> {
    require_admin(&state, &headers)?;
    let id: i64 = id.parse().map_err(|_| ApiError::invalid("id", format!("`{id}` is not a delivery id")))?;
    let row = state.db.redeliver(id, chrono::Utc::now().timestamp_millis()).await?;
    let Some(row) = row else { return Err(ApiError::not_found(format!("no delivery {id}"))) };
    state.db.wake_deliveries();
    tracing::info!(delivery = id, target_name = %row.target, "redelivery requested");
    Ok((StatusCode::ACCEPTED, Json(DeliveryView::from(row))))
}
