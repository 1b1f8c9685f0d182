//! `POST /api/tickets`: rate limit, idempotency, validation, storage, receipt.
//!
//! Answers: 201 with a [`TicketReceipt`] for a new ticket; 200 with the first receipt and
//! `replayed: true` for a repeat of an earlier request (same `Idempotency-Key`, same fingerprint);
//! both with a fresh `status_url` ([`crate::status`]; only its hash is stored, so a replay mints
//! another link to the same ticket);
//! 422 `idempotency_key_reused` for the same key with another ticket; 400/413/415/429 otherwise.

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::SubsecRound;
use triage_policy::ticket::{ReceiptAnswer, TicketReceipt};

use crate::db::{Inserted, StoredAnswer};
use crate::error::ApiError;
use crate::intake::{self, ReadLimits};
use crate::rate_limit::retry_after_seconds;
use crate::state::AppState;
use crate::validate::{self, RequestFacts, Rules};

async fn receipt_response(state: &AppState, status: StatusCode, receipt: TicketReceipt) -> Result<Response, ApiError> {
    let location = format!("/api/tickets/{}", receipt.id);
    // Without its link the customer could not follow the ticket: an error here makes the widget
    // retry with the same key, and the replay mints the link.
    let status_url = Some(crate::ticket_status::mint(state, &receipt.id).await?);
    let mut response = (status, Json(ReceiptAnswer { receipt, status_url })).into_response();
    if let Ok(location) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// The answer to a request whose key was used before.
async fn replay(state: &AppState, stored: StoredAnswer, request_hash: &str, key: &str) -> Result<Response, ApiError> {
    if stored.request_hash != request_hash {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_key_reused",
            format!(
                "Idempotency-Key {key} was already used for another ticket ({}); use a new key for a new ticket",
                stored.receipt.reference
            ),
        )
        .at("Idempotency-Key"));
    }
    tracing::info!(reference = %stored.receipt.reference, "ticket replayed");
    receipt_response(state, StatusCode::OK, TicketReceipt { replayed: true, ..stored.receipt }).await
}

pub async fn create_ticket(State(state): State<AppState>, request: Request) -> Result<Response, ApiError> {
    let client = intake::client_ip(&request, state.config.trust_forwarded_for);
    if let Err(wait) = state.limiter.check(client) {
        let seconds = retry_after_seconds(wait);
        let mut error = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!("too many tickets from this address; retry in {seconds} s"),
        );
        error.retry_after = Some(seconds);
        return Err(error);
    }
    if state.config.fault_injection {
        state.faults.before_ticket().await?;
    }
    let key = intake::idempotency_key(request.headers())?;
    let limits = ReadLimits {
        max_ticket_bytes: state.config.max_ticket_bytes,
        max_body_bytes: state.config.max_body_bytes,
        max_attachment_bytes: state.config.max_attachment_bytes,
    };
    let body = intake::read_body(request, limits).await?;
    let (request_hash, canonical_payload) = intake::fingerprint(&body);
    if let Some(stored) = state.db.find_by_key(&key).await? {
        return replay(&state, stored, &request_hash, &key).await;
    }
    let ticket = intake::typed_ticket(body.ticket)?;
    let rules = Rules {
        identity_secret: state.config.identity_secret.as_deref().map(str::as_bytes),
        min_fill_ms: state.config.min_fill_ms,
        max_attachment_bytes: state.config.max_attachment_bytes,
    };
    let facts = RequestFacts {
        id: uuid::Uuid::new_v4().to_string(),
        idempotency_key: key.clone(),
        request_hash: request_hash.clone(),
        canonical_payload,
        client_ip: Some(client.to_string()),
        // Whole seconds: due times read `12:30:00-03:00`, not `12:30:00.809666381-03:00`.
        received_at: state.now().trunc_subsecs(0),
    };
    let new_ticket = validate::accept(&state.policies, ticket, body.files, &rules, facts)?;
    match state.db.insert(&new_ticket).await? {
        Inserted::New(receipt) => {
            tracing::info!(
                reference = %receipt.reference,
                policy = %new_ticket.policy_id,
                severity = %receipt.severity,
                plan = %new_ticket.plan,
                flags = ?new_ticket.flags,
                "ticket accepted"
            );
            receipt_response(&state, StatusCode::CREATED, receipt).await
        }
        Inserted::KeyTaken => {
            // A concurrent request with the same key won the race; answer as its replay.
            match state.db.find_by_key(&key).await? {
                Some(stored) => replay(&state, stored, &request_hash, &key).await,
                None => Err(ApiError::internal("idempotency key taken but no row found", &key)),
            }
        }
    }
}
