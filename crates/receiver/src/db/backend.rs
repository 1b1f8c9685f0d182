//! The two storage backends (SQLite embedded, PostgreSQL for several instances) behind one set of
//! handles: where the database is, how to connect, and the few SQL spellings that differ.
//!
//! Every query of the storage layer is written once, with `$1`-style placeholders (both engines
//! take them), and run on either backend through [`on_pool!`] / [`on_conn!`], which expand the
//! same code once per backend so each is type-checked against its own driver. Code above the
//! storage layer never sees which backend it runs on.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgSslMode};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgConnection, Postgres, Sqlite, SqliteConnection, Transaction};

/// Where the tickets are stored: `--db PATH`, `--db sqlite://PATH` or `--db postgres://…`.
#[derive(Clone, PartialEq, Eq)]
pub enum DbLocation {
    Sqlite(PathBuf),
    /// A `postgres://` or `postgresql://` URL (it may carry a password: see [`DbLocation::redacted`]).
    Postgres(String),
}

impl DbLocation {
    /// The location with any password replaced by `***`, for logs and error messages.
    pub fn redacted(&self) -> String {
        match self {
            Self::Sqlite(path) => path.display().to_string(),
            Self::Postgres(url) => redact_url(url),
        }
    }

    /// The location as given, password included (to hand to another process).
    pub fn to_string_unredacted(&self) -> String {
        match self {
            Self::Sqlite(path) => path.display().to_string(),
            Self::Postgres(url) => url.clone(),
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, Self::Postgres(_))
    }
}

impl fmt::Debug for DbLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.redacted())
    }
}

impl fmt::Display for DbLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl From<PathBuf> for DbLocation {
    fn from(path: PathBuf) -> Self {
        Self::Sqlite(path)
    }
}

impl From<&Path> for DbLocation {
    fn from(path: &Path) -> Self {
        Self::Sqlite(path.to_path_buf())
    }
}

impl FromStr for DbLocation {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("empty database location: give a file path, sqlite://PATH or postgres://…".into());
        }
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            // Checked now so a typo is reported at start, naming the flag, not at the first query.
            PgConnectOptions::from_str(text).map_err(|e| format!("`{}`: not a PostgreSQL URL: {e}", redact_url(text)))?;
            return Ok(Self::Postgres(text.to_string()));
        }
        if let Some(path) = text.strip_prefix("sqlite://").or_else(|| text.strip_prefix("sqlite:")) {
            let path = path.split('?').next().unwrap_or_default();
            if path.is_empty() {
                return Err(format!("`{text}`: sqlite:// needs a file path"));
            }
            return Ok(Self::Sqlite(PathBuf::from(path)));
        }
        if let Some((scheme, _)) = text.split_once("://") {
            return Err(format!("`{scheme}://`: unsupported database; use a file path, sqlite://PATH or postgres://…"));
        }
        Ok(Self::Sqlite(PathBuf::from(text)))
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_string() };
    let (authority, tail) = match rest.find('/') {
        Some(at) => rest.split_at(at),
        None => (rest, ""),
    };
    match authority.rsplit_once('@') {
        Some((credentials, host)) => match credentials.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

/// TLS to PostgreSQL (`--db-tls`); the URL's `sslmode` applies when this is not given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DbTls {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl DbTls {
    fn mode(self) -> PgSslMode {
        match self {
            Self::Disable => PgSslMode::Disable,
            Self::Prefer => PgSslMode::Prefer,
            Self::Require => PgSslMode::Require,
            Self::VerifyCa => PgSslMode::VerifyCa,
            Self::VerifyFull => PgSslMode::VerifyFull,
        }
    }
}

/// How to reach the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbSettings {
    pub location: DbLocation,
    /// Most connections this instance holds (PostgreSQL; SQLite has one writer and this many readers).
    pub pool_size: u32,
    /// Longest a statement may run (PostgreSQL `statement_timeout`; SQLite waits this long for a lock).
    pub statement_timeout: Duration,
    /// Longest a request waits for a connection before it is answered 503.
    pub acquire_timeout: Duration,
    pub tls: Option<DbTls>,
    /// CA certificate (PEM) for `verify-ca` / `verify-full`.
    pub tls_root_cert: Option<PathBuf>,
}

/// Default values of the database flags.
pub mod defaults {
    pub const POOL_SIZE: u32 = 8;
    pub const STATEMENT_TIMEOUT_MS: u64 = 10_000;
    pub const ACQUIRE_TIMEOUT_MS: u64 = 5_000;
}

impl DbSettings {
    /// Defaults for a location (tests, embedding).
    pub fn new(location: impl Into<DbLocation>) -> Self {
        Self {
            location: location.into(),
            pool_size: defaults::POOL_SIZE,
            statement_timeout: Duration::from_millis(defaults::STATEMENT_TIMEOUT_MS),
            acquire_timeout: Duration::from_millis(defaults::ACQUIRE_TIMEOUT_MS),
            tls: None,
            tls_root_cert: None,
        }
    }
}

impl From<PathBuf> for DbSettings {
    fn from(path: PathBuf) -> Self {
        Self::new(path)
    }
}

impl From<&Path> for DbSettings {
    fn from(path: &Path) -> Self {
        Self::new(path)
    }
}

impl From<DbLocation> for DbSettings {
    fn from(location: DbLocation) -> Self {
        Self::new(location)
    }
}

impl From<&DbLocation> for DbSettings {
    fn from(location: &DbLocation) -> Self {
        Self::new(location.clone())
    }
}

/// The connection pools of the open database.
#[derive(Clone, Debug)]
pub(crate) enum Pools {
    /// One writer connection (SQLite has one writer anyway) and read-only readers.
    Sqlite { writer: SqlitePool, reader: SqlitePool },
    /// One pool; PostgreSQL takes concurrent writers.
    Postgres(PgPool),
}

/// A borrowed pool to run one statement on.
#[derive(Clone, Copy)]
pub(crate) enum PoolRef<'a> {
    Sqlite(&'a SqlitePool),
    Postgres(&'a PgPool),
}

/// A borrowed connection (inside a transaction).
pub(crate) enum Conn<'a> {
    Sqlite(&'a mut SqliteConnection),
    Postgres(&'a mut PgConnection),
}

/// An open transaction; dropped without [`Tx::commit`] it rolls back.
pub(crate) enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Runs `$body` with `$p` bound to the backend's pool (`&SqlitePool` or `&PgPool`).
macro_rules! on_pool {
    ($pool:expr, $p:ident => $body:expr) => {
        match $pool {
            $crate::db::backend::PoolRef::Sqlite($p) => $body,
            $crate::db::backend::PoolRef::Postgres($p) => $body,
        }
    };
}

/// Runs `$body` with `$c` bound to the backend's connection (`&mut &mut SqliteConnection` or
/// `&mut &mut PgConnection`: execute on `&mut **$c`).
macro_rules! on_conn {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            $crate::db::backend::Conn::Sqlite($c) => $body,
            $crate::db::backend::Conn::Postgres($c) => $body,
        }
    };
}

pub(crate) use {on_conn, on_pool};

impl Pools {
    /// Opens the pools and applies the migrations (PostgreSQL: under an advisory lock, so two
    /// instances starting at once migrate once).
    pub(crate) async fn open(settings: &DbSettings) -> Result<Self, String> {
        match &settings.location {
            DbLocation::Sqlite(path) => Self::open_sqlite(path, settings).await,
            DbLocation::Postgres(url) => Self::open_postgres(url, settings).await,
        }
    }

    async fn open_sqlite(path: &Path, settings: &DbSettings) -> Result<Self, String> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| format!("cannot create directory {}: {e}", parent.display()))?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(settings.statement_timeout.max(Duration::from_secs(1)))
            .foreign_keys(true)
            .pragma("temp_store", "memory");
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options.clone())
            .await
            .map_err(|e| e.to_string())?;
        sqlx::migrate!("./migrations").run(&writer).await.map_err(|e| format!("migration failed: {e}"))?;
        let reader = SqlitePoolOptions::new()
            .max_connections(settings.pool_size.clamp(1, 64))
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options.read_only(true))
            .await
            .map_err(|e| e.to_string())?;
        Ok(Self::Sqlite { writer, reader })
    }

    async fn open_postgres(url: &str, settings: &DbSettings) -> Result<Self, String> {
        let mut options = PgConnectOptions::from_str(url).map_err(|e| format!("not a PostgreSQL URL: {e}"))?;
        if let Some(tls) = settings.tls {
            options = options.ssl_mode(tls.mode());
        }
        if let Some(cert) = &settings.tls_root_cert {
            if !cert.is_file() {
                return Err(format!("--db-tls-root-cert {}: no such file", cert.display()));
            }
            options = options.ssl_root_cert(cert);
        }
        let timeout_ms = settings.statement_timeout.as_millis().max(1).to_string();
        options = options
            .application_name("triage-receiver")
            .options([("statement_timeout", timeout_ms.as_str()), ("lock_timeout", timeout_ms.as_str())]);
        let pool = PgPoolOptions::new()
            .max_connections(settings.pool_size.max(2))
            .acquire_timeout(settings.acquire_timeout)
            .connect_with(options)
            .await
            .map_err(|e| e.to_string())?;
        sqlx::migrate!("./migrations-postgres").run(&pool).await.map_err(|e| format!("migration failed: {e}"))?;
        Ok(Self::Postgres(pool))
    }

    /// The pool writes go through.
    pub(crate) fn writer(&self) -> PoolRef<'_> {
        match self {
            Self::Sqlite { writer, .. } => PoolRef::Sqlite(writer),
            Self::Postgres(pool) => PoolRef::Postgres(pool),
        }
    }

    /// The pool reads go through.
    pub(crate) fn reader(&self) -> PoolRef<'_> {
        match self {
            Self::Sqlite { reader, .. } => PoolRef::Sqlite(reader),
            Self::Postgres(pool) => PoolRef::Postgres(pool),
        }
    }

    pub(crate) fn dialect(&self) -> Dialect {
        match self {
            Self::Sqlite { .. } => Dialect::Sqlite,
            Self::Postgres(_) => Dialect::Postgres,
        }
    }

    /// Starts a write transaction (SQLite: `BEGIN IMMEDIATE`, taking the write lock up front).
    pub(crate) async fn begin(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            Self::Sqlite { writer, .. } => Tx::Sqlite(writer.begin_with("BEGIN IMMEDIATE").await?),
            Self::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    pub(crate) async fn close(&self) {
        match self {
            Self::Sqlite { writer, reader } => {
                reader.close().await;
                writer.close().await;
            }
            Self::Postgres(pool) => pool.close().await,
        }
    }
}

impl Tx {
    pub(crate) fn conn(&mut self) -> Conn<'_> {
        match self {
            Self::Sqlite(tx) => Conn::Sqlite(&mut **tx),
            Self::Postgres(tx) => Conn::Postgres(&mut **tx),
        }
    }

    pub(crate) async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Self::Sqlite(tx) => tx.commit().await,
            Self::Postgres(tx) => tx.commit().await,
        }
    }
}

impl Conn<'_> {
    pub(crate) fn dialect(&self) -> Dialect {
        match self {
            Self::Sqlite(_) => Dialect::Sqlite,
            Self::Postgres(_) => Dialect::Postgres,
        }
    }
}

/// The SQL spellings that differ between the engines (everything else is written once).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// The larger of two values.
    pub(crate) fn greatest(self) -> &'static str {
        match self {
            Self::Sqlite => "MAX",
            Self::Postgres => "GREATEST",
        }
    }

    /// `spam` is false (spelled as in each engine's partial index).
    pub(crate) fn not_spam(self) -> &'static str {
        match self {
            Self::Sqlite => "spam = 0",
            Self::Postgres => "spam = FALSE",
        }
    }

    /// Appended to a `SELECT` that picks rows to change, so two instances never take the same row
    /// (SQLite has one writer: nothing to add).
    pub(crate) fn skip_locked(self) -> &'static str {
        match self {
            Self::Sqlite => "",
            Self::Postgres => " FOR UPDATE SKIP LOCKED",
        }
    }

    /// Appended to a `SELECT` whose rows the transaction changes next (waits for other writers).
    pub(crate) fn for_update(self) -> &'static str {
        match self {
            Self::Sqlite => "",
            Self::Postgres => " FOR UPDATE",
        }
    }

    /// `column` equals the bound `$n` ignoring ASCII case (served by each engine's index).
    pub(crate) fn equals_ignoring_case(self, column: &str, placeholder: &str) -> String {
        match self {
            Self::Sqlite => format!("{column} = {placeholder} COLLATE NOCASE"),
            Self::Postgres => format!("lower({column}) = lower({placeholder})"),
        }
    }

    /// The column that orders events of the same millisecond by insertion.
    pub(crate) fn event_order(self) -> &'static str {
        match self {
            Self::Sqlite => "rowid",
            Self::Postgres => "pos",
        }
    }
}

/// A bound value of a query assembled at run time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Value {
    Int(i64),
    Text(String),
    Bool(bool),
}

/// A query assembled at run time: its text with `$n` placeholders and the values they take.
#[derive(Debug, Clone, Default)]
pub(crate) struct Sql {
    pub(crate) text: String,
    pub(crate) values: Vec<Value>,
}

impl Sql {
    pub(crate) fn new(text: impl Into<String>) -> Self {
        Self { text: text.into(), values: Vec::new() }
    }

    pub(crate) fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Adds a value and returns its placeholder (`$3`), without writing it.
    pub(crate) fn placeholder(&mut self, value: Value) -> String {
        self.values.push(value);
        format!("${}", self.values.len())
    }

    /// Adds a value and writes its placeholder.
    pub(crate) fn bind(&mut self, value: Value) -> &mut Self {
        let placeholder = self.placeholder(value);
        self.text.push_str(&placeholder);
        self
    }
}

/// Binds every value of `sql` to a query of any backend.
macro_rules! bind_values {
    ($query:expr, $values:expr) => {{
        let mut query = $query;
        for value in $values {
            query = match value {
                $crate::db::backend::Value::Int(v) => query.bind(*v),
                $crate::db::backend::Value::Text(v) => query.bind(v.as_str()),
                $crate::db::backend::Value::Bool(v) => query.bind(*v),
            };
        }
        query
    }};
}

pub(crate) use bind_values;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_parse_by_scheme() {
        assert_eq!("data/t.sqlite".parse::<DbLocation>().unwrap(), DbLocation::Sqlite("data/t.sqlite".into()));
        assert_eq!("sqlite://data/t.sqlite".parse::<DbLocation>().unwrap(), DbLocation::Sqlite("data/t.sqlite".into()));
        assert_eq!("sqlite:///abs/t.sqlite?mode=rwc".parse::<DbLocation>().unwrap(), DbLocation::Sqlite("/abs/t.sqlite".into()));
        let pg = "postgres://triage:hunter2@db.internal:5432/triage".parse::<DbLocation>().unwrap();
        assert!(pg.is_postgres());
        assert_eq!(pg.redacted(), "postgres://triage:***@db.internal:5432/triage");
        assert!(!format!("{pg:?}").contains("hunter2"));
        assert!("postgresql://localhost/triage".parse::<DbLocation>().unwrap().is_postgres());
    }

    #[test]
    fn bad_locations_say_what_is_wrong() {
        let mysql = "mysql://localhost/x".parse::<DbLocation>().unwrap_err();
        assert!(mysql.contains("mysql://") && mysql.contains("unsupported"), "{mysql}");
        assert!("".parse::<DbLocation>().unwrap_err().contains("empty"));
        assert!("sqlite://".parse::<DbLocation>().unwrap_err().contains("file path"));
        let bad = "postgres://u:secret@host:notaport/db".parse::<DbLocation>().unwrap_err();
        assert!(!bad.contains("secret"), "{bad}");
    }

    #[test]
    fn assembled_queries_number_their_placeholders() {
        let mut sql = Sql::new("SELECT 1 WHERE a = ");
        sql.bind(Value::Int(1)).push(" AND b = ").bind(Value::Text("x".into()));
        assert_eq!(sql.text, "SELECT 1 WHERE a = $1 AND b = $2");
        assert_eq!(sql.values.len(), 2);
    }
}
