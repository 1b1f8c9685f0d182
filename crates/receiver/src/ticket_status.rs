//! Status links: the customer follows their ticket's promise without signing in.
//!
//! A receipt carries `status_url`, a capability URL with a 256-bit random token; only the token's
//! SHA-256 is stored. `GET /api/ticket-status/{token}` answers a [`TicketStatus`]: what the customer
//! already knows (reference, subject, severity, when it was sent, each target's due time and
//! state, escalation), never contact data or anything of another ticket. An unknown, malformed or
//! revoked token is the same 404 that tells nothing. Reads are rate-limited per client IP apart
//! from sends; CORS follows `--allow-origin`. `DELETE /api/ticket-status/{token}` revokes the link (the
//! customer forgets the ticket); `DELETE /api/tickets/{id}/status-links` (admin) revokes them all.

use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use triage_policy::ticket::{
    AutomaticEscalation, EscalatedTarget, EscalationStatus, PolicyRef, RequestedEscalation, TargetState, TargetStatus,
    TicketStatus,
};
use triage_policy::{Policy, Tzdb};

use crate::admin::require_admin;
use crate::db::TicketRow;
use crate::error::ApiError;
use crate::intake;
use crate::rate_limit::retry_after_seconds;
use crate::sla::{self, SlaState};
use crate::state::AppState;

/// Random bytes in a token: 256 bits (hex-encoded, 64 characters).
const TOKEN_BYTES: usize = 32;

/// A new random token from the operating system's CSPRNG.
pub fn new_token() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; TOKEN_BYTES];
    getrandom::fill(&mut bytes)?;
    Ok(hex::encode(bytes))
}

/// What is stored for a token: its SHA-256, hex.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Whether `text` looks like a token we mint (64 lowercase hex digits). Anything else is a 404
/// without a database read.
fn well_formed(text: &str) -> bool {
    text.len() == TOKEN_BYTES * 2 && text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The status URL of `token`: under `--public-url` when set, else root-relative.
pub fn status_url(state: &AppState, token: &str) -> String {
    match &state.config.public_url {
        Some(base) => format!("{base}/api/ticket-status/{token}"),
        None => format!("/api/ticket-status/{token}"),
    }
}

/// Mints a status link for the stored ticket `ticket_id`: its URL.
pub async fn mint(state: &AppState, ticket_id: &str) -> Result<String, ApiError> {
    let token = new_token().map_err(|e| ApiError::internal("cannot draw a status token", &e))?;
    if !state.db.add_status_token(ticket_id, &token_hash(&token), state.now()).await? {
        return Err(ApiError::internal("no stored ticket for a new status link", &ticket_id));
    }
    Ok(status_url(state, &token))
}

fn not_found() -> ApiError {
    ApiError::not_found("no such status link")
}

fn limit(state: &AppState, request_headers: &Request) -> Result<(), ApiError> {
    let client = intake::client_ip(request_headers, state.config.trust_forwarded_for);
    state.status_limiter.check(client).map_err(|wait| {
        let seconds = retry_after_seconds(wait);
        let mut error = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!("too many status reads from this address; retry in {seconds} s"),
        );
        error.retry_after = Some(seconds);
        error
    })
}

/// Answers of status links are private to whoever holds the link: never cached, never indexed,
/// never leaked in a `Referer`.
fn private(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert("x-robots-tag", HeaderValue::from_static("noindex"));
    response
}

/// `GET /api/ticket-status/{token}`.
pub async fn get_status(
    State(state): State<AppState>,
    Path(token): Path<String>,
    request: Request,
) -> Result<Response, ApiError> {
    limit(&state, &request)?;
    if !well_formed(&token) {
        return Err(not_found());
    }
    let row = state.db.ticket_by_status_token(&token_hash(&token)).await?.ok_or_else(not_found)?;
    let policy = state.policies.get(&row.policy_id).map(|p| p.as_ref());
    let status = ticket_status(&row, policy, state.now(), state.config.due_soon_percent);
    Ok(private(Json(status).into_response()))
}

/// `DELETE /api/ticket-status/{token}`: the holder revokes the link. 204, or the same 404.
pub async fn revoke_status(
    State(state): State<AppState>,
    Path(token): Path<String>,
    request: Request,
) -> Result<Response, ApiError> {
    limit(&state, &request)?;
    if !well_formed(&token) || !state.db.revoke_status_token(&token_hash(&token), state.now()).await? {
        return Err(not_found());
    }
    Ok(private(StatusCode::NO_CONTENT.into_response()))
}

/// `DELETE /api/tickets/{id}/status-links` (admin): revokes every link of a ticket.
pub async fn revoke_ticket_links(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, ApiError> {
    require_admin(&state, &headers)?;
    let row = state.db.get(&id).await?.ok_or_else(|| ApiError::not_found(format!("no ticket `{id}`")))?;
    let revoked = state.db.revoke_status_tokens_of(row.seq, state.now()).await?;
    tracing::info!(reference = ?row.reference, revoked, "status links revoked");
    Ok(Json(serde_json::json!({ "revoked": revoked })))
}

fn target_state(state: SlaState) -> TargetState {
    match state {
        SlaState::Pending => TargetState::Pending,
        SlaState::DueSoon => TargetState::DueSoon,
        SlaState::Overdue => TargetState::Overdue,
        SlaState::Met => TargetState::Met,
        SlaState::Breached => TargetState::Breached,
    }
}

/// The status of a stored ticket at `now`. `policy` (when the receiver still serves the ticket's
/// policy at the same version) adds the promises as written and the severity's label.
pub fn ticket_status(row: &TicketRow, policy: Option<&Policy>, now: DateTime<Utc>, due_soon_percent: u8) -> TicketStatus {
    let now_ms = now.timestamp_millis();
    let policy = policy.filter(|p| p.version() == row.policy_version);
    let received = DateTime::from_timestamp_millis(row.received_at_ms);
    let due = policy.zip(received).and_then(|(p, opened)| {
        p.due(&row.plan, &row.severity, row.channel.as_deref(), opened, &Tzdb).ok().filter(|due| {
            // Only when it is what was stored (the same inputs give the same instants).
            due.first_response.due.timestamp_millis() == row.first_response_due_ms
                && due.resolution.due.timestamp_millis() == row.resolution_due_ms
        })
    });
    let first_met_ms = row.first_response_met_ms();
    let first_met_at = row.first_response_met_at().map(str::to_owned);
    let first_response = TargetStatus {
        due: row.first_response_due.clone(),
        average_due: row.first_response_average_due.clone(),
        state: target_state(sla::state(
            row.received_at_ms,
            row.first_response_due_ms,
            first_met_ms,
            now_ms,
            due_soon_percent,
        )),
        met_at: first_met_at,
        promised: due.as_ref().map(|d| d.first_response.limit),
        capped: due.as_ref().is_some_and(|d| d.first_response.capped),
    };
    let resolution = TargetStatus {
        due: row.resolution_due.clone(),
        average_due: row.resolution_average_due.clone(),
        state: target_state(sla::state(
            row.received_at_ms,
            row.resolution_due_ms,
            row.resolved_at_ms,
            now_ms,
            due_soon_percent,
        )),
        met_at: row.resolved_at.clone(),
        promised: due.as_ref().map(|d| d.resolution.limit),
        capped: false,
    };
    let requested = row.escalation_severity.as_ref().filter(|asked| **asked == row.severity).map(|asked| {
        RequestedEscalation {
            from: row.classified_severity.clone(),
            to: asked.clone(),
            at: row.received_at.clone(),
            reason: row.escalation_reason.clone().unwrap_or_default(),
        }
    });
    let automatic = row.escalated_at.as_ref().map(|at| AutomaticEscalation {
        at: at.clone(),
        target: match row.escalated_reason.as_deref() {
            Some("first_response_overdue") => EscalatedTarget::FirstResponse,
            _ => EscalatedTarget::Resolution,
        },
    });
    let escalation =
        (requested.is_some() || automatic.is_some()).then_some(EscalationStatus { requested, automatic });
    TicketStatus {
        reference: row.reference.clone().unwrap_or_default(),
        subject: row.subject.clone(),
        policy: PolicyRef { id: row.policy_id.clone(), version: row.policy_version.clone() },
        severity: row.severity.clone(),
        severity_label: policy.and_then(|p| p.severity(&row.severity)).map(|s| s.label.clone()),
        created_at: row.received_at.clone(),
        channel: row.channel.clone(),
        first_response,
        resolution,
        escalation,
        as_of: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_256_random_bits_and_stored_hashed() {
        let a = new_token().expect("token");
        let b = new_token().expect("token");
        assert_eq!(a.len(), 64);
        assert!(well_formed(&a) && well_formed(&b));
        assert_ne!(a, b);
        let hash = token_hash(&a);
        assert_eq!(hash.len(), 64);
        assert_ne!(hash, a, "the stored form is not the token");
        assert_eq!(hash, token_hash(&a));
    }

    #[test]
    fn malformed_tokens_are_refused_before_any_lookup() {
        for bad in ["", "abc", &"A".repeat(64), &"g".repeat(64), &"0".repeat(63), &"0".repeat(65), "../../etc/passwd"] {
            assert!(!well_formed(bad), "{bad}");
        }
    }
}
