//! Configuration: command-line flags, each also settable through a `TRIAGE_*` environment variable.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, ValueEnum};

use crate::db::{DbLocation, DbSettings, DbTls};
use crate::rate_limit::RateLimit;

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// `triage-receiver`: stores support tickets from the Triage widget and serves the demo.
#[derive(Debug, Clone, Parser)]
#[command(name = "triage-receiver", version, about)]
pub struct Config {
    /// Address to listen on. Port 0 picks a free port; the actual address is printed as
    /// `listening on http://ADDR`.
    #[arg(long, env = "TRIAGE_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,

    /// Where tickets are stored: a SQLite file path or `sqlite://PATH` (created with its parent
    /// directories if missing), or `postgres://user:password@host:port/database` to run several
    /// instances on one PostgreSQL.
    #[arg(long, env = "TRIAGE_DB", default_value = ".triage/receiver.sqlite", value_parser = parse_db_location)]
    pub db: DbLocation,

    /// Most database connections this instance holds (PostgreSQL; SQLite: read connections).
    #[arg(long, env = "TRIAGE_DB_POOL_SIZE", default_value_t = crate::db::backend::defaults::POOL_SIZE,
          value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub db_pool_size: u32,

    /// Longest a database statement may run, in milliseconds (PostgreSQL `statement_timeout` and
    /// `lock_timeout`; SQLite: how long a statement waits for the file lock).
    #[arg(long, env = "TRIAGE_DB_STATEMENT_TIMEOUT_MS", default_value_t = crate::db::backend::defaults::STATEMENT_TIMEOUT_MS,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub db_statement_timeout_ms: u64,

    /// Longest a request waits for a free database connection, in milliseconds, before it is
    /// answered 503 with `Retry-After` (PostgreSQL).
    #[arg(long, env = "TRIAGE_DB_ACQUIRE_TIMEOUT_MS", default_value_t = crate::db::backend::defaults::ACQUIRE_TIMEOUT_MS,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub db_acquire_timeout_ms: u64,

    /// TLS to PostgreSQL; overrides the URL's `sslmode` (default: the URL's, else `prefer`).
    #[arg(long, env = "TRIAGE_DB_TLS", value_enum)]
    pub db_tls: Option<DbTls>,

    /// CA certificate (PEM) that signed the PostgreSQL server's certificate (`verify-ca`, `verify-full`).
    #[arg(long, env = "TRIAGE_DB_TLS_ROOT_CERT")]
    pub db_tls_root_cert: Option<PathBuf>,

    /// Policy file (JSON). Repeat the flag, or separate paths with commas in the variable.
    #[arg(long = "policy", env = "TRIAGE_POLICIES", value_delimiter = ',', required = true)]
    pub policies: Vec<PathBuf>,

    /// Directory served at `/` (its `index.html`), `/www/*` and `/dist/*`. Off when not given.
    #[arg(long, env = "TRIAGE_SITE_ROOT")]
    pub site_root: Option<PathBuf>,

    /// Origin allowed to POST tickets from a browser (CORS), e.g. `https://shop.example`. Repeatable.
    /// None: no cross-origin access (same-origin pages still work).
    #[arg(long = "allow-origin", env = "TRIAGE_ALLOW_ORIGINS", value_delimiter = ',')]
    pub allowed_origins: Vec<String>,

    /// Extra request header browsers may send cross-origin (the widget's `data-headers`). Repeatable.
    /// `Content-Type` and `Idempotency-Key` are always allowed.
    #[arg(long = "allow-header", env = "TRIAGE_ALLOW_HEADERS", value_delimiter = ',')]
    pub allowed_headers: Vec<String>,

    /// Secret for signed identities (HMAC-SHA256). When set, a ticket's plan is believed only from a
    /// valid signed identity; otherwise the policy's default plan is used and the ticket is flagged.
    #[arg(long, env = "TRIAGE_IDENTITY_SECRET", hide_env_values = true)]
    pub identity_secret: Option<String>,

    /// Bearer token for the admin API (`GET /api/tickets…`). Without it the admin API answers 403.
    #[arg(long, env = "TRIAGE_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,

    /// Tickets per minute per client IP (sustained); 0 turns rate limiting off.
    #[arg(long, env = "TRIAGE_RATE_LIMIT_PER_MINUTE", default_value_t = defaults::RATE_PER_MINUTE)]
    pub rate_limit_per_minute: u32,

    /// Tickets a client may send at once before the per-minute rate applies.
    #[arg(long, env = "TRIAGE_RATE_LIMIT_BURST", default_value_t = defaults::RATE_BURST)]
    pub rate_limit_burst: u32,

    /// Status link reads (`GET /api/ticket-status/…`) per minute per client IP; 0 turns the limit off.
    #[arg(long, env = "TRIAGE_STATUS_RATE_LIMIT_PER_MINUTE", default_value_t = defaults::STATUS_RATE_PER_MINUTE)]
    pub status_rate_limit_per_minute: u32,

    /// Status link reads a client may make at once (a browser refreshing all its tickets).
    #[arg(long, env = "TRIAGE_STATUS_RATE_LIMIT_BURST", default_value_t = defaults::STATUS_RATE_BURST)]
    pub status_rate_limit_burst: u32,

    /// The receiver's public base URL (`https://support.example`), to write absolute status links
    /// into receipts. Without it status links are root-relative (`/api/ticket-status/…`), resolved by the
    /// widget against the endpoint it posted to.
    #[arg(long, env = "TRIAGE_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Take the client IP from the last `X-Forwarded-For` entry (only behind a proxy you run).
    #[arg(long, env = "TRIAGE_TRUST_FORWARDED_FOR")]
    pub trust_forwarded_for: bool,

    /// Largest request body in bytes (ticket JSON and all attachments together).
    #[arg(long, env = "TRIAGE_MAX_BODY_BYTES", default_value_t = defaults::MAX_BODY_BYTES)]
    pub max_body_bytes: usize,

    /// Largest ticket JSON in bytes (without attachments).
    #[arg(long, env = "TRIAGE_MAX_TICKET_BYTES", default_value_t = defaults::MAX_TICKET_BYTES)]
    pub max_ticket_bytes: usize,

    /// Largest single attachment in bytes; a policy's own `attachments.max_bytes` applies when smaller.
    #[arg(long, env = "TRIAGE_MAX_ATTACHMENT_BYTES", default_value_t = defaults::MAX_ATTACHMENT_BYTES)]
    pub max_attachment_bytes: u64,

    /// Tickets sent faster than this after the panel opened (`fill_ms`) are flagged as spam.
    #[arg(long, env = "TRIAGE_MIN_FILL_MS", default_value_t = defaults::MIN_FILL_MS)]
    pub min_fill_ms: u64,

    /// How often the background task marks overdue tickets as escalated, in seconds.
    #[arg(long, env = "TRIAGE_ESCALATION_INTERVAL_SECS", default_value_t = defaults::ESCALATION_INTERVAL_SECS)]
    pub escalation_interval_secs: u64,

    /// A target is "due_soon" once less than this percentage of its time remains.
    #[arg(long, env = "TRIAGE_DUE_SOON_PERCENT", default_value_t = defaults::DUE_SOON_PERCENT,
          value_parser = clap::value_parser!(u8).range(0..=100))]
    pub due_soon_percent: u8,

    /// Notification configuration (TOML): targets (e-mail, webhooks, chat) and delivery settings.
    /// Off when not given. See the receiver's README for every key.
    #[arg(long = "config", env = "TRIAGE_CONFIG")]
    pub notify_config: Option<PathBuf>,

    /// Where the status proxy (`GET /api/status/{product}`) reads a product's feed instead of the
    /// `status_feed.url` of its policy: `PRODUCT=URL` or `PRODUCT=FILE` (a local file read at each
    /// refresh). Repeatable; for staging, demos, or a status page that moved.
    #[arg(long = "status-feed", env = "TRIAGE_STATUS_FEEDS", value_delimiter = ',')]
    pub status_feeds: Vec<String>,

    /// How long the status proxy waits for an upstream feed, in milliseconds.
    #[arg(long, env = "TRIAGE_STATUS_TIMEOUT_MS", default_value_t = defaults::STATUS_TIMEOUT_MS)]
    pub status_timeout_ms: u64,

    /// Log format on stderr (`RUST_LOG` sets the level, default `info`).
    #[arg(long, env = "TRIAGE_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// Testing aid: enables `POST /api/test/faults` (admin token required when one is set) to make
    /// the next ticket POSTs fail or stall. Never in production.
    #[arg(long, env = "TRIAGE_FAULT_INJECTION")]
    pub fault_injection: bool,
}

fn parse_db_location(text: &str) -> Result<DbLocation, String> {
    text.parse()
}

/// Default values of the flags.
pub mod defaults {
    pub const RATE_PER_MINUTE: u32 = 30;
    pub const RATE_BURST: u32 = 10;
    pub const STATUS_RATE_PER_MINUTE: u32 = 120;
    pub const STATUS_RATE_BURST: u32 = 30;
    pub const MAX_BODY_BYTES: usize = 25 * 1024 * 1024;
    pub const MAX_TICKET_BYTES: usize = 256 * 1024;
    pub const MAX_ATTACHMENT_BYTES: u64 = 10 * 1024 * 1024;
    pub const MIN_FILL_MS: u64 = 3_000;
    pub const ESCALATION_INTERVAL_SECS: u64 = 30;
    pub const DUE_SOON_PERCENT: u8 = 25;
    pub const STATUS_TIMEOUT_MS: u64 = 3_000;
}

impl Config {
    /// A configuration with every default, for the given policy files and database (tests, embedding).
    pub fn with_defaults(policies: Vec<PathBuf>, db: impl Into<DbLocation>) -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            db: db.into(),
            db_pool_size: crate::db::backend::defaults::POOL_SIZE,
            db_statement_timeout_ms: crate::db::backend::defaults::STATEMENT_TIMEOUT_MS,
            db_acquire_timeout_ms: crate::db::backend::defaults::ACQUIRE_TIMEOUT_MS,
            db_tls: None,
            db_tls_root_cert: None,
            policies,
            site_root: None,
            allowed_origins: Vec::new(),
            allowed_headers: Vec::new(),
            identity_secret: None,
            admin_token: None,
            rate_limit_per_minute: defaults::RATE_PER_MINUTE,
            rate_limit_burst: defaults::RATE_BURST,
            status_rate_limit_per_minute: defaults::STATUS_RATE_PER_MINUTE,
            status_rate_limit_burst: defaults::STATUS_RATE_BURST,
            public_url: None,
            trust_forwarded_for: false,
            max_body_bytes: defaults::MAX_BODY_BYTES,
            max_ticket_bytes: defaults::MAX_TICKET_BYTES,
            max_attachment_bytes: defaults::MAX_ATTACHMENT_BYTES,
            min_fill_ms: defaults::MIN_FILL_MS,
            escalation_interval_secs: defaults::ESCALATION_INTERVAL_SECS,
            due_soon_percent: defaults::DUE_SOON_PERCENT,
            notify_config: None,
            status_feeds: Vec::new(),
            status_timeout_ms: defaults::STATUS_TIMEOUT_MS,
            log_format: LogFormat::Text,
            fault_injection: false,
        }
    }

    /// How to reach the database.
    pub fn db_settings(&self) -> DbSettings {
        DbSettings {
            location: self.db.clone(),
            pool_size: self.db_pool_size,
            statement_timeout: Duration::from_millis(self.db_statement_timeout_ms),
            acquire_timeout: Duration::from_millis(self.db_acquire_timeout_ms),
            tls: self.db_tls,
            tls_root_cert: self.db_tls_root_cert.clone(),
        }
    }

    pub fn rate_limit(&self) -> RateLimit {
        RateLimit { per_minute: self.rate_limit_per_minute, burst: self.rate_limit_burst }
    }

    pub fn status_rate_limit(&self) -> RateLimit {
        RateLimit { per_minute: self.status_rate_limit_per_minute, burst: self.status_rate_limit_burst }
    }

    pub fn escalation_interval(&self) -> Duration {
        Duration::from_secs(self.escalation_interval_secs.max(1))
    }

    /// Empty secrets and tokens count as not set (an empty env var must not open the admin API).
    pub fn normalized(mut self) -> Self {
        self.identity_secret = self.identity_secret.filter(|s| !s.is_empty());
        self.admin_token = self.admin_token.filter(|s| !s.is_empty());
        self.public_url = self.public_url.map(|u| u.trim().trim_end_matches('/').to_string()).filter(|u| !u.is_empty());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_parse_and_repeat() {
        let config = Config::try_parse_from([
            "triage-receiver",
            "--bind",
            "127.0.0.1:0",
            "--policy",
            "a.json",
            "--policy",
            "b.json",
            "--allow-origin",
            "https://a.example,https://b.example",
            "--rate-limit-per-minute",
            "0",
        ])
        .unwrap();
        assert_eq!(config.bind.port(), 0);
        assert_eq!(config.policies, vec![PathBuf::from("a.json"), PathBuf::from("b.json")]);
        assert_eq!(config.allowed_origins.len(), 2);
        assert_eq!(config.rate_limit().per_minute, 0);
    }

    #[test]
    fn a_policy_is_required_and_percent_is_bounded() {
        assert!(Config::try_parse_from(["triage-receiver"]).is_err());
        assert!(Config::try_parse_from(["triage-receiver", "--policy", "a", "--due-soon-percent", "101"]).is_err());
    }

    #[test]
    fn db_takes_a_path_or_a_url_with_its_settings() {
        let base = ["triage-receiver", "--policy", "a.json"];
        let sqlite = Config::try_parse_from(base.iter().copied().chain(["--db", "data/t.sqlite"])).unwrap();
        assert_eq!(sqlite.db, DbLocation::Sqlite("data/t.sqlite".into()));
        let pg = Config::try_parse_from(base.iter().copied().chain([
            "--db",
            "postgres://triage:pw@127.0.0.1:5432/triage",
            "--db-pool-size",
            "20",
            "--db-statement-timeout-ms",
            "2500",
            "--db-tls",
            "verify-full",
        ]))
        .unwrap();
        let settings = pg.db_settings();
        assert!(settings.location.is_postgres());
        assert_eq!(settings.pool_size, 20);
        assert_eq!(settings.statement_timeout, Duration::from_millis(2500));
        assert_eq!(settings.tls, Some(DbTls::VerifyFull));
        let error = Config::try_parse_from(base.iter().copied().chain(["--db", "mysql://x/y"])).unwrap_err();
        assert!(error.to_string().contains("unsupported"), "{error}");
        assert!(Config::try_parse_from(base.iter().copied().chain(["--db-pool-size", "0"])).is_err());
    }

    #[test]
    fn empty_secrets_are_unset() {
        let mut config = Config::with_defaults(vec![], PathBuf::from("x"));
        config.admin_token = Some(String::new());
        config.identity_secret = Some(String::new());
        let config = config.normalized();
        assert_eq!(config.admin_token, None);
        assert_eq!(config.identity_secret, None);
    }
}
