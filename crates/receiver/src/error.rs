//! The receiver's one error type: every failure becomes `{"error":{"code","message","field"?}}`.

use std::fmt;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use triage_policy::ticket::{ErrorBody, ErrorDetail};

/// An error answered to the client: HTTP status, machine code, English message and, where one is at
/// fault, the JSON path of the offending field in the ticket (`contact.email`, `attachments[1]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub field: Option<String>,
    /// Seconds for the `Retry-After` header (429 and 503).
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), field: None, retry_after: None }
    }

    /// Names the field at fault.
    pub fn at(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// 400 `invalid_field` naming the field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_field", message).at(field)
    }

    /// 400 `missing_field` naming the field.
    pub fn missing(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "missing_field", message).at(field)
    }

    /// 400 `malformed` for a body that is not what the endpoint takes at all.
    pub fn malformed(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "malformed", message)
    }

    /// 413 `too_large`.
    pub fn too_large(message: impl Into<String>) -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", message)
    }

    /// 415 `unsupported_type`.
    pub fn unsupported_type(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_type", message)
    }

    /// 404 `not_found`.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// 500 `internal`: the details go to the log, never to the client.
    pub fn internal(context: &str, error: &dyn fmt::Display) -> Self {
        tracing::error!(%error, "{context}");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the receiver could not store or read the ticket; please retry",
        )
    }

    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                code: self.code.to_string(),
                message: self.message.clone(),
                field: self.field.clone(),
            },
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.message)?;
        if let Some(field) = &self.field {
            write!(f, " (field `{field}`)")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// Whether a database error means "not now" (the database is down, restarting, overloaded, or the
/// transaction lost a race it can win on a retry) rather than a fault of the receiver.
pub fn database_unavailable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            // PostgreSQL: connection exceptions (08), insufficient resources (53), operator
            // intervention (57: shutdown, statement timeout), serialization failure and deadlock
            // (40001, 40P01), lock not available (55P03). SQLite: BUSY and LOCKED (and extended codes).
            code.starts_with("08")
                || code.starts_with("53")
                || code.starts_with("57")
                || matches!(&*code, "40001" | "40P01" | "55P03" | "5" | "6" | "261" | "517" | "262")
        }),
        _ => false,
    }
}

/// Seconds a client is told to wait when the database is unavailable.
pub const UNAVAILABLE_RETRY_AFTER_SECS: u64 = 2;

impl ApiError {
    /// 503 `unavailable` with `Retry-After`: nothing was stored (or a retry with the same
    /// `Idempotency-Key` replays what was).
    pub fn unavailable(error: &dyn fmt::Display) -> Self {
        tracing::warn!(%error, "database unavailable");
        let mut answer = Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "the ticket database is not available right now; please retry",
        );
        answer.retry_after = Some(UNAVAILABLE_RETRY_AFTER_SECS);
        answer
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        if database_unavailable(&error) {
            Self::unavailable(&error)
        } else {
            Self::internal("database error", &error)
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body())).into_response();
        let headers = response.headers_mut();
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    }
}
