//! The router: every route of the receiver, testable with `oneshot`.

use std::time::Duration;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderName, Method, StatusCode, Uri};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::trace::TraceLayer;

use crate::error::ApiError;
use crate::state::AppState;
use crate::{admin, admin_ui, static_files, ticket_status, tickets};

/// Routes: `POST /api/tickets`; status links `GET|DELETE /api/ticket-status/{token}`
/// ([`ticket_status`]); admin `GET /api/tickets`, `GET|PATCH /api/tickets/{id}`,
/// `GET /api/tickets/{id}/attachments/{position}`, `DELETE /api/tickets/{id}/status-links`; the
/// status proxy `GET /api/status/{product}` ([`crate::status`]); notifications (`GET /api/deliveries`,
/// `GET /api/tickets/{id}/deliveries`, `POST /api/deliveries/{id}/redeliver`); `GET /healthz`; the
/// agents' pages under `/admin` ([`admin_ui::routes`]); with `--fault-injection`
/// `GET|POST /api/test/faults`; with `--site-root` `/`, `/www/*`, `/dist/*`.
pub fn app(state: AppState) -> Router {
    let mut api = Router::new()
        .route("/api/tickets", post(tickets::create_ticket).get(admin::list_tickets))
        .route("/api/tickets/{id}", get(admin::get_ticket).patch(admin::update_ticket))
        .route("/api/tickets/{id}/attachments/{position}", get(admin::get_attachment))
        .route("/api/status/{product}", get(crate::status::get_status))
        .route("/api/tickets/{id}/status-links", delete(ticket_status::revoke_ticket_links))
        .route("/api/ticket-status/{token}", get(ticket_status::get_status).delete(ticket_status::revoke_status))
        .route("/healthz", get(healthz))
        .merge(crate::notify::api::routes())
        .merge(admin_ui::routes());
    if state.config.fault_injection {
        api = api.route("/api/test/faults", get(admin::get_faults).post(admin::set_faults));
    }
    let mut router = api.layer(DefaultBodyLimit::max(state.config.max_body_bytes)).with_state(state.clone());
    if let Some(root) = &state.config.site_root {
        router = router.merge(static_files::routes(root));
    }
    router = router.fallback(not_found).method_not_allowed_fallback(method_not_allowed);
    // Outermost, so preflights are answered before routing and every answer (errors, 429) carries
    // the CORS headers the page needs to read it.
    if let Some(cors) = cors_layer(&state) {
        router = router.layer(cors);
    }
    router.layer(TraceLayer::new_for_http())
}

/// CORS for the allowed origins only: POST with `Content-Type`, `Idempotency-Key` and the extra
/// headers configured, GET of the status proxy and GET and DELETE of status links; `Retry-After`
/// and `Location` readable by the page.
fn cors_layer(state: &AppState) -> Option<CorsLayer> {
    if state.allowed_origins.is_empty() {
        return None;
    }
    let mut headers = vec![header::CONTENT_TYPE, HeaderName::from_static("idempotency-key")];
    headers.extend(state.allowed_headers.iter().cloned());
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(state.allowed_origins.iter().cloned()))
            .allow_methods([Method::POST, Method::GET, Method::DELETE])
            .allow_headers(headers)
            .expose_headers([header::RETRY_AFTER, header::LOCATION])
            .max_age(Duration::from_secs(600)),
    )
}

async fn healthz(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    state.db.ping().await.map_err(|e| {
        tracing::error!(error = %e, "health check: database unavailable");
        let mut error = ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", "the database is not available");
        error.retry_after = Some(crate::error::UNAVAILABLE_RETRY_AFTER_SECS);
        error
    })?;
    Ok(Json(json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "database": state.db.backend(),
        "policies": state.policies.ids().collect::<Vec<_>>(),
    })))
}

async fn not_found(method: Method, uri: Uri) -> ApiError {
    ApiError::not_found(format!("no route for {method} {}", uri.path()))
}

async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("{method} is not allowed on {}", uri.path()),
    )
}
