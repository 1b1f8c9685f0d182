//! Shared state of the receiver: configuration, policies, database, rate limiter, clock, faults.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderName, HeaderValue, StatusCode};
use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::db::Db;
use crate::error::ApiError;
use crate::policies::PolicySet;
use crate::rate_limit::RateLimiter;

/// The receiver's clock. `System` in production; tests pin and move it.
#[derive(Clone, Debug)]
pub enum Clock {
    System,
    /// Milliseconds since the Unix epoch, shared so a test can move time after building the app.
    Manual(Arc<AtomicI64>),
}

impl Clock {
    pub fn manual(at: DateTime<Utc>) -> Self {
        Self::Manual(Arc::new(AtomicI64::new(at.timestamp_millis())))
    }

    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Self::System => Utc::now(),
            Self::Manual(ms) => DateTime::from_timestamp_millis(ms.load(Ordering::SeqCst)).unwrap_or_default(),
        }
    }

    /// Moves a manual clock (no effect on the system clock).
    pub fn set(&self, at: DateTime<Utc>) {
        if let Self::Manual(ms) = self {
            ms.store(at.timestamp_millis(), Ordering::SeqCst);
        }
    }
}

/// Faults to inject into the next ticket POSTs (testing aid, `--fault-injection`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultPlan {
    /// How many of the next ticket POSTs fail (before anything is stored).
    #[serde(default)]
    pub fail_next: u32,
    /// Status of those failures (default 500).
    #[serde(default = "FaultPlan::default_status")]
    pub status: u16,
    /// Delay in milliseconds before each ticket POST is handled (0 = none); stays until reset.
    #[serde(default)]
    pub delay_ms: u64,
}

impl FaultPlan {
    fn default_status() -> u16 {
        500
    }
}

/// The current fault plan.
#[derive(Debug, Default)]
pub struct Faults {
    plan: Mutex<FaultPlan>,
}

impl Faults {
    pub fn set(&self, plan: FaultPlan) {
        *self.plan.lock().unwrap_or_else(|p| p.into_inner()) = plan;
    }

    pub fn get(&self) -> FaultPlan {
        *self.plan.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Applies the plan to one ticket POST: waits the delay, then fails if failures remain.
    pub async fn before_ticket(&self) -> Result<(), ApiError> {
        let (delay, failure) = {
            let mut plan = self.plan.lock().unwrap_or_else(|p| p.into_inner());
            let failure = if plan.fail_next > 0 {
                plan.fail_next -= 1;
                Some(plan.status)
            } else {
                None
            };
            (plan.delay_ms, failure)
        };
        if delay > 0 {
            tokio::time::sleep(Duration::from_millis(delay)).await;
        }
        match failure {
            Some(status) => {
                let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                let mut error = ApiError::new(status, "injected_fault", "failure injected by --fault-injection");
                if status == StatusCode::TOO_MANY_REQUESTS || status == StatusCode::SERVICE_UNAVAILABLE {
                    error.retry_after = Some(1);
                }
                Err(error)
            }
            None => Ok(()),
        }
    }
}

/// Shared state of the app; cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState(Arc<Inner>);

#[derive(Debug)]
pub struct Inner {
    pub config: Config,
    pub policies: PolicySet,
    pub db: Db,
    pub limiter: RateLimiter,
    /// Limits status link reads, apart from ticket sends.
    pub status_limiter: RateLimiter,
    pub clock: Clock,
    pub faults: Faults,
    /// Parsed `--allow-origin` values.
    pub allowed_origins: Vec<HeaderValue>,
    /// Parsed `--allow-header` values.
    pub allowed_headers: Vec<HeaderName>,
    /// Notification targets and routing (`--config`); `None` when notifications are off.
    pub notifications: Option<Arc<crate::notify::Router>>,
    /// The cached proxy of the products' status feeds (`GET /api/status/{product}`).
    pub status: crate::status::StatusProxy,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

/// A configuration value that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

/// `https://shop.example/` → `https://shop.example`; refuses anything that is not an origin.
pub fn parse_origin(origin: &str) -> Result<HeaderValue, ConfigError> {
    let trimmed = origin.trim().trim_end_matches('/');
    let bad = |why: &str| ConfigError(format!("--allow-origin `{origin}`: {why}"));
    let (scheme, rest) = trimmed.split_once("://").ok_or_else(|| bad("expected scheme://host[:port]"))?;
    if scheme != "http" && scheme != "https" {
        return Err(bad("scheme must be http or https"));
    }
    if rest.is_empty() || rest.contains('/') || rest.contains('?') || rest.contains('#') {
        return Err(bad("an origin has no path, query or fragment"));
    }
    HeaderValue::from_str(&trimmed.to_ascii_lowercase()).map_err(|_| bad("not a valid header value"))
}

impl AppState {
    /// Builds the state from parts (tests pass a manual clock and inline policies).
    pub fn new(config: Config, policies: PolicySet, db: Db, clock: Clock) -> Result<Self, ConfigError> {
        Self::with_notifications(config, policies, db, clock, None)
    }

    /// Like [`AppState::new`], with the notification router `db` was opened with.
    pub fn with_notifications(
        config: Config,
        policies: PolicySet,
        db: Db,
        clock: Clock,
        notifications: Option<Arc<crate::notify::Router>>,
    ) -> Result<Self, ConfigError> {
        let config = config.normalized();
        let allowed_origins = config.allowed_origins.iter().map(|o| parse_origin(o)).collect::<Result<Vec<_>, _>>()?;
        let allowed_headers = config
            .allowed_headers
            .iter()
            .map(|h| {
                HeaderName::from_bytes(h.trim().as_bytes())
                    .map_err(|_| ConfigError(format!("--allow-header `{h}`: not a valid header name")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if let Some(url) = &config.public_url {
            if !(url.starts_with("https://") || url.starts_with("http://")) || url.contains(['?', '#', ' ']) {
                return Err(ConfigError(format!(
                    "--public-url `{url}`: expected http(s)://host[:port][/path], without query or fragment"
                )));
            }
        }
        let limiter = RateLimiter::new(config.rate_limit());
        let status = crate::status::StatusProxy::new(&policies, &config.status_feeds)?
            .with_timeout(std::time::Duration::from_millis(config.status_timeout_ms.max(1)));
        let status_limiter = RateLimiter::new(config.status_rate_limit());
        Ok(Self(Arc::new(Inner {
            config,
            policies,
            db,
            limiter,
            status_limiter,
            clock,
            faults: Faults::default(),
            allowed_origins,
            allowed_headers,
            notifications,
            status,
        })))
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_normalized_and_checked() {
        assert_eq!(parse_origin("https://Shop.Example/").unwrap(), "https://shop.example");
        assert_eq!(parse_origin("http://localhost:5173").unwrap(), "http://localhost:5173");
        assert!(parse_origin("shop.example").is_err());
        assert!(parse_origin("ftp://shop.example").is_err());
        assert!(parse_origin("https://shop.example/path").is_err());
    }

    #[tokio::test]
    async fn faults_fail_the_next_n_then_pass() {
        let faults = Faults::default();
        faults.set(FaultPlan { fail_next: 2, status: 503, delay_ms: 0 });
        let first = faults.before_ticket().await.unwrap_err();
        assert_eq!(first.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(first.retry_after, Some(1));
        assert!(faults.before_ticket().await.is_err());
        assert!(faults.before_ticket().await.is_ok());
    }
}
