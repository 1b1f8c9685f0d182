//! The cached status-feed proxy, `GET /api/status/{product}`: reads a product's status feed (as
//! its policy's `status_feed` names it, or as `--status-feed PRODUCT=URL|FILE` overrides it) at
//! most once per cache period, and answers it in the generic shape (`www/schemas/status.schema.json`),
//! cleaned by the engine, for widgets whose status page sends no CORS headers.
//!
//! One read at a time per feed: concurrent requests for a feed being read wait for that read and
//! share its answer. A feed that cannot be read (down, slow beyond the timeout, not JSON, not the
//! shape its format says, too large) answers 502 `status_feed_unavailable` naming the feed and the
//! problem, cached for a shorter time so a broken status page is not hammered either.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use tokio::sync::Mutex;
use triage_policy::status::{parse_feed, MAX_FEED_BYTES};
use triage_policy::FeedFormat;

use crate::error::ApiError;
use crate::policies::PolicySet;
use crate::state::{AppState, ConfigError};

/// How long a feed read is served from the cache.
pub const FRESH_FOR: Duration = Duration::from_secs(60);
/// How long a failed read is remembered before the feed is tried again.
pub const FAILED_FOR: Duration = Duration::from_secs(15);
/// How long one read of an upstream feed may take.
pub const TIMEOUT: Duration = Duration::from_millis(crate::config::defaults::STATUS_TIMEOUT_MS);

/// Where a feed is read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// An http(s) URL.
    Url(String),
    /// A local file (`--status-feed nps=/srv/status/nps.json`), read at each refresh.
    File(PathBuf),
    /// A path on the help-center's site (`/status.json`), which the receiver cannot read.
    SitePath(String),
}

impl Source {
    fn parse(text: &str) -> Self {
        let lower = text.to_ascii_lowercase();
        if lower.starts_with("https://") || lower.starts_with("http://") {
            Self::Url(text.to_string())
        } else {
            Self::File(PathBuf::from(text))
        }
    }

    /// For the log.
    fn describe(&self) -> String {
        match self {
            Self::Url(url) | Self::SitePath(url) => url.clone(),
            Self::File(path) => path.display().to_string(),
        }
    }

    /// For the answer to a browser: a local file's path stays in the log.
    fn describe_public(&self) -> String {
        match self {
            Self::Url(url) | Self::SitePath(url) => url.clone(),
            Self::File(_) => "a local file given with --status-feed".to_string(),
        }
    }
}

/// One proxied feed.
#[derive(Debug)]
struct ProxiedFeed {
    policy: String,
    source: Source,
    format: FeedFormat,
    cache: Mutex<Option<Cached>>,
}

/// The last read of a feed.
#[derive(Debug, Clone)]
struct Cached {
    at: DateTime<Utc>,
    answer: Result<String, String>,
}

/// Every proxied feed, by product id (a product id used by several policies has one entry each).
#[derive(Debug)]
pub struct StatusProxy {
    feeds: BTreeMap<String, Vec<Arc<ProxiedFeed>>>,
    http: reqwest::Client,
    timeout: Duration,
}

impl StatusProxy {
    /// The feeds of every product with a `status_feed` in `policies`, with `overrides`
    /// (`PRODUCT=URL|FILE`) replacing where they are read from. An override naming no product
    /// with a status feed is refused.
    pub fn new(policies: &PolicySet, overrides: &[String]) -> Result<Self, ConfigError> {
        let mut replaced: BTreeMap<String, Source> = BTreeMap::new();
        for entry in overrides {
            let (product, source) = entry.split_once('=').map(|(p, s)| (p.trim(), s.trim())).unwrap_or(("", ""));
            if product.is_empty() || source.is_empty() {
                return Err(ConfigError(format!(
                    "--status-feed `{entry}`: expected PRODUCT=URL or PRODUCT=FILE, e.g. nps=https://status.example.com/api/v2/summary.json"
                )));
            }
            replaced.insert(product.to_string(), Source::parse(source));
        }
        let mut feeds: BTreeMap<String, Vec<Arc<ProxiedFeed>>> = BTreeMap::new();
        for id in policies.ids() {
            let Some(policy) = policies.get(id) else {
                continue;
            };
            for product in &policy.file().products {
                let Some(feed) = &product.status_feed else {
                    continue;
                };
                let source = match replaced.get(&product.id) {
                    Some(source) => source.clone(),
                    None if feed.url.starts_with('/') => Source::SitePath(feed.url.clone()),
                    None => Source::Url(feed.url.clone()),
                };
                feeds.entry(product.id.clone()).or_default().push(Arc::new(ProxiedFeed {
                    policy: id.to_string(),
                    source,
                    format: feed.format,
                    cache: Mutex::new(None),
                }));
            }
        }
        if let Some(unknown) = replaced.keys().find(|product| !feeds.contains_key(*product)) {
            let known: Vec<&str> = feeds.keys().map(String::as_str).collect();
            return Err(ConfigError(format!(
                "--status-feed {unknown}=…: no policy has a product `{unknown}` with a status_feed (products with one: {})",
                if known.is_empty() { "none".to_string() } else { known.join(", ") }
            )));
        }
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::limited(3))
            .user_agent(concat!("triage-receiver/", env!("CARGO_PKG_VERSION"), " (status proxy)"))
            .build()
            .unwrap_or_else(|_| reqwest::Client::new());
        Ok(Self { feeds, http, timeout: TIMEOUT })
    }

    /// The same proxy with another read timeout (`--status-timeout-ms`).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The feed for `product`, of `policy` when given.
    fn find(&self, product: &str, policy: Option<&str>) -> Result<&Arc<ProxiedFeed>, ApiError> {
        let Some(candidates) = self.feeds.get(product) else {
            let known: Vec<&str> = self.feeds.keys().map(String::as_str).collect();
            return Err(ApiError::not_found(format!(
                "no policy of this receiver has a product `{product}` with a status feed (products with one: {})",
                if known.is_empty() { "none".to_string() } else { known.join(", ") }
            )));
        };
        match (policy, candidates.as_slice()) {
            (Some(policy), _) => candidates.iter().find(|f| f.policy == policy).ok_or_else(|| {
                ApiError::not_found(format!("policy `{policy}` has no product `{product}` with a status feed"))
            }),
            (None, [only]) => Ok(only),
            (None, _) => {
                let policies: Vec<&str> = candidates.iter().map(|f| f.policy.as_str()).collect();
                Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "ambiguous_product",
                    format!(
                        "product `{product}` has a status feed in several policies ({}): add ?policy=ID",
                        policies.join(", ")
                    ),
                ))
            }
        }
    }

    /// The generic JSON of the feed, from the cache or read now: `(answer, seconds it stays fresh)`.
    async fn answer(&self, feed: &ProxiedFeed, now: DateTime<Utc>) -> (Result<String, String>, u64) {
        let mut cache = feed.cache.lock().await;
        if let Some(cached) = cache.as_ref() {
            let age = (now - cached.at).to_std().unwrap_or_default();
            let period = if cached.answer.is_ok() { FRESH_FOR } else { FAILED_FOR };
            if age < period {
                return (cached.answer.clone(), (period - age).as_secs().max(1));
            }
        }
        let answer = self.read(feed).await;
        if let Err(problem) = &answer {
            tracing::warn!(feed = %feed.source.describe(), %problem, "status feed unavailable");
        }
        let period = if answer.is_ok() { FRESH_FOR } else { FAILED_FOR };
        *cache = Some(Cached { at: now, answer: answer.clone() });
        (answer, period.as_secs())
    }

    /// Reads and converts the feed, or says why it cannot.
    async fn read(&self, feed: &ProxiedFeed) -> Result<String, String> {
        let text = match &feed.source {
            Source::SitePath(path) => {
                return Err(format!(
                    "the feed is the path {path} on the help center's site, which the receiver cannot read: give the \
                     policy a full URL, or start the receiver with --status-feed PRODUCT=URL"
                ))
            }
            Source::File(path) => {
                let bytes = tokio::fs::read(path).await.map_err(|e| {
                    tracing::warn!(file = %path.display(), error = %e, "status feed file unreadable");
                    format!("the file cannot be read ({})", e.kind())
                })?;
                if bytes.len() > MAX_FEED_BYTES {
                    return Err(format!("the file is larger than {MAX_FEED_BYTES} bytes"));
                }
                String::from_utf8(bytes).map_err(|_| "the file is not UTF-8 text".to_string())?
            }
            Source::Url(url) => match tokio::time::timeout(self.timeout, self.fetch(url)).await {
                Ok(result) => result?,
                Err(_) => return Err(format!("no answer within {} ms", self.timeout.as_millis())),
            },
        };
        let parsed =
            parse_feed(&text, feed.format).map_err(|e| format!("not a {} feed: {e}", format_name(feed.format)))?;
        for skipped in &parsed.skipped {
            tracing::warn!(feed = %feed.source.describe(), problem = %skipped, "status feed: incident left out");
        }
        Ok(parsed.to_generic_json())
    }

    async fn fetch(&self, url: &str) -> Result<String, String> {
        let mut response = self
            .http
            .get(url)
            .header(header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| format!("cannot reach it: {}", without_url(&e)))?;
        if !response.status().is_success() {
            return Err(format!("it answered HTTP {}", response.status().as_u16()));
        }
        let mut body = Vec::new();
        while let Some(chunk) =
            response.chunk().await.map_err(|e| format!("the answer broke off: {}", without_url(&e)))?
        {
            if body.len() + chunk.len() > MAX_FEED_BYTES {
                return Err(format!("the answer is larger than {MAX_FEED_BYTES} bytes"));
            }
            body.extend_from_slice(&chunk);
        }
        String::from_utf8(body).map_err(|_| "the answer is not UTF-8 text".to_string())
    }
}

/// What went wrong with a request, without repeating the URL (the answer names the feed already).
fn without_url(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "connection failed"
    } else if error.is_redirect() {
        "too many redirects"
    } else {
        "request failed"
    };
    match std::error::Error::source(error) {
        Some(source) => format!("{kind}: {source}"),
        None => kind.to_string(),
    }
}

fn format_name(format: FeedFormat) -> &'static str {
    match format {
        FeedFormat::Statuspage => "Statuspage v2 summary",
        FeedFormat::Generic => "generic status",
    }
}

#[derive(Debug, Deserialize)]
pub struct StatusQuery {
    policy: Option<String>,
}

/// `GET /api/status/{product}[?policy=ID]`.
pub async fn get_status(
    State(state): State<AppState>,
    Path(product): Path<String>,
    Query(query): Query<StatusQuery>,
) -> Result<Response, ApiError> {
    let feed = state.status.find(&product, query.policy.as_deref())?;
    let (answer, fresh_secs) = state.status.answer(feed, state.now()).await;
    let cache_control = HeaderValue::from_str(&format!("public, max-age={fresh_secs}"))
        .unwrap_or_else(|_| HeaderValue::from_static("no-store"));
    match answer {
        Ok(json) => {
            let mut response = (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], json).into_response();
            response.headers_mut().insert(header::CACHE_CONTROL, cache_control);
            Ok(response)
        }
        Err(problem) => {
            let error = ApiError::new(
                StatusCode::BAD_GATEWAY,
                "status_feed_unavailable",
                format!("the status feed of `{product}` ({}) cannot be read: {problem}", feed.source.describe_public()),
            );
            let mut response = error.into_response();
            response.headers_mut().insert(header::CACHE_CONTROL, cache_control);
            Ok(response)
        }
    }
}
