//! SQLite storage: one file in WAL mode with `synchronous=FULL`, migrations embedded in the binary.
//!
//! Writes go through a pool of exactly one connection (SQLite has one writer anyway; queueing in the
//! pool is cheaper than `SQLITE_BUSY` retries), reads through a separate pool.
//!
//! New tickets go through a group-commit writer task: the tickets waiting when it becomes free
//! (up to [`MAX_BATCH`]) are written in one transaction, each inside its own savepoint (one bad
//! ticket cannot take the others down), and every request is answered only after the `COMMIT`
//! (fsync'ed, `synchronous=FULL`) returned. One fsync per batch instead of one per ticket; no
//! ticket is ever answered 201 before it is on disk. The `UNIQUE` idempotency key makes two
//! concurrent identical requests produce one row.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{FromRow, QueryBuilder, Row, Sqlite, SqliteConnection};
use tokio::sync::{mpsc, oneshot, Notify};

use crate::outbox::{self, EventKind, Planner, SlaTarget};

/// A boxed `Send` future (sidesteps higher-ranked lifetime inference on sqlx executors in spawned tasks).
type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;
use triage_policy::ticket::{Contact, DueTimes, TicketReceipt};

pub mod queue;
pub mod status;

/// The database could not be opened or migrated.
#[derive(Debug)]
pub struct OpenError {
    pub path: PathBuf,
    pub message: String,
}

impl std::fmt::Display for OpenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot open database {}: {}", self.path.display(), self.message)
    }
}

impl std::error::Error for OpenError {}

/// Most tickets written in one transaction by the group-commit writer.
pub const MAX_BATCH: usize = 128;

/// A ticket waiting for the writer, with where to send the outcome.
struct WriteJob {
    ticket: NewTicket,
    reply: oneshot::Sender<Result<Inserted, sqlx::Error>>,
}

/// Handle to the ticket database.
#[derive(Clone, Debug)]
pub struct Db {
    writer: SqlitePool,
    pub(crate) reader: SqlitePool,
    jobs: mpsc::Sender<WriteJob>,
    /// Decides the events and deliveries written with each change (none when notifications are off).
    planner: Planner,
    /// Woken after a commit that wrote deliveries.
    deliveries_written: Arc<Notify>,
}

impl std::fmt::Debug for WriteJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriteJob").field("id", &self.ticket.id).finish_non_exhaustive()
    }
}

/// A file to store with its ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAttachment {
    pub name: String,
    pub mime: String,
    pub sha256: String,
    pub data: Vec<u8>,
}

/// Everything stored for an accepted ticket, before it has a reference.
#[derive(Debug, Clone)]
pub struct NewTicket {
    pub id: String,
    pub idempotency_key: String,
    pub request_hash: String,
    pub received_at: DateTime<Utc>,
    pub client_ip: Option<String>,
    pub policy_id: String,
    pub policy_version: String,
    pub browser_policy_version: String,
    pub plan: String,
    pub browser_plan: String,
    pub identity: &'static str,
    pub identity_problem: Option<String>,
    pub user_id: Option<String>,
    pub severity: String,
    pub classified_severity: String,
    pub browser_severity: String,
    pub escalation_severity: Option<String>,
    pub escalation_reason: Option<String>,
    pub channel: Option<String>,
    pub product: Option<String>,
    pub contact: Contact,
    pub subject: String,
    pub description: String,
    /// JSON array of `{question, answer, unsure}` as the receiver walked it.
    pub trail: String,
    pub due: DueTimes,
    pub first_response_due_ms: i64,
    pub resolution_due_ms: i64,
    pub browser_due: DueTimes,
    pub flags: Vec<String>,
    pub spam: bool,
    /// The ticket JSON as received (canonical form).
    pub payload: String,
    pub attachments: Vec<NewAttachment>,
}

/// What an insert did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inserted {
    /// Stored; this is the receipt that was stored with it.
    New(TicketReceipt),
    /// Another request with the same idempotency key got there first; nothing was written.
    KeyTaken,
}

/// The first answer stored under an idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAnswer {
    pub request_hash: String,
    pub receipt: TicketReceipt,
}

/// A stored ticket as the admin API reads it (attachment bytes excluded).
#[derive(Debug, Clone, FromRow)]
pub struct TicketRow {
    pub seq: i64,
    pub id: String,
    pub reference: Option<String>,
    pub received_at: String,
    pub client_ip: Option<String>,
    pub policy_id: String,
    pub policy_version: String,
    pub browser_policy_version: String,
    pub plan: String,
    pub browser_plan: String,
    pub identity: String,
    pub identity_problem: Option<String>,
    pub user_id: Option<String>,
    pub severity: String,
    pub classified_severity: String,
    pub browser_severity: String,
    pub escalation_severity: Option<String>,
    pub escalation_reason: Option<String>,
    pub channel: Option<String>,
    pub product: Option<String>,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: Option<String>,
    pub contact_company: Option<String>,
    pub subject: String,
    pub description: String,
    pub trail: String,
    pub received_at_ms: i64,
    pub first_response_due: String,
    pub first_response_due_ms: i64,
    pub first_response_average_due: Option<String>,
    pub resolution_due: String,
    pub resolution_due_ms: i64,
    pub resolution_average_due: Option<String>,
    pub browser_due: String,
    pub flags: String,
    pub spam: bool,
    pub payload: String,
    pub first_response_at: Option<String>,
    pub first_response_at_ms: Option<i64>,
    pub resolved_at: Option<String>,
    pub resolved_at_ms: Option<i64>,
    pub escalated_at: Option<String>,
    pub escalated_reason: Option<String>,
    pub attachment_count: i64,
}

/// Metadata of a stored attachment.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct AttachmentRow {
    pub position: i64,
    pub name: String,
    pub mime: String,
    pub size: i64,
    pub sha256: String,
}

/// Filters of the ticket list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    /// Only tickets with `seq` below this (cursor for the next page).
    pub before: Option<i64>,
    pub limit: i64,
    pub escalated: Option<bool>,
    pub spam: Option<bool>,
    pub severity: Option<String>,
    pub policy: Option<String>,
}

/// A ticket marked escalated by [`Db::escalate_overdue`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Escalation {
    pub id: String,
    pub reference: String,
    pub reason: String,
}

const TICKET_COLUMNS: &str = "seq, id, reference, received_at, client_ip, policy_id, policy_version, \
    browser_policy_version, plan, browser_plan, identity, identity_problem, user_id, severity, \
    classified_severity, browser_severity, escalation_severity, escalation_reason, channel, product, \
    contact_name, contact_email, contact_phone, contact_company, subject, description, trail, \
    received_at_ms, first_response_due, first_response_due_ms, first_response_average_due, resolution_due, \
    resolution_due_ms, resolution_average_due, browser_due, flags, spam, payload, first_response_at, \
    first_response_at_ms, resolved_at, resolved_at_ms, escalated_at, escalated_reason, \
    (SELECT COUNT(*) FROM attachments WHERE attachments.ticket_seq = tickets.seq) AS attachment_count";

/// The writer task: takes the tickets waiting, writes them in one transaction, answers each.
async fn group_commit(pool: SqlitePool, mut queue: mpsc::Receiver<WriteJob>, planner: Planner, wake: Arc<Notify>) {
    let mut batch: Vec<WriteJob> = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = queue.recv().await {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let outcomes = write_batch(&pool, &batch, &planner).await;
        if planner.is_some() && outcomes.iter().any(|o| matches!(o, Ok(Inserted::New(_)))) {
            wake.notify_one();
        }
        for (job, outcome) in batch.drain(..).zip(outcomes) {
            // The requester may have gone away (client disconnected); the ticket is stored anyway.
            let _ = job.reply.send(outcome);
        }
    }
}

/// Runs one statement without results.
fn run<'a>(conn: &'a mut SqliteConnection, statement: &'static str) -> BoxFuture<'a, Result<(), sqlx::Error>> {
    Box::pin(async move { sqlx::query(statement).execute(conn).await.map(|_| ()) })
}

/// Every job's outcome when the transaction as a whole failed.
fn all_failed(count: usize, error: &sqlx::Error) -> Vec<Result<Inserted, sqlx::Error>> {
    let message = error.to_string();
    tracing::error!(%message, tickets = count, "ticket batch not committed");
    (0..count).map(|_| Err(sqlx::Error::Protocol(format!("batch not committed: {message}")))).collect()
}

/// Writes each job in its own savepoint inside one transaction; per-job outcomes, all errors if
/// the transaction itself fails.
fn write_batch<'a>(
    pool: &'a SqlitePool,
    batch: &'a [WriteJob],
    planner: &'a Planner,
) -> BoxFuture<'a, Vec<Result<Inserted, sqlx::Error>>> {
    Box::pin(async move {
        let mut conn = match pool.acquire().await {
            Ok(conn) => conn,
            Err(error) => return all_failed(batch.len(), &error),
        };
        if let Err(error) = run(&mut conn, "BEGIN IMMEDIATE").await {
            return all_failed(batch.len(), &error);
        }
        let mut outcomes = Vec::with_capacity(batch.len());
        let mut broken: Option<sqlx::Error> = None;
        for job in batch {
            if let Err(error) = run(&mut conn, "SAVEPOINT ticket").await {
                broken = Some(error);
                break;
            }
            let outcome = insert_one(&mut conn, &job.ticket, planner).await;
            let keep = matches!(outcome, Ok(Inserted::New(_)));
            let rolled_back = if keep { Ok(()) } else { run(&mut conn, "ROLLBACK TO ticket").await };
            if let Err(error) = rolled_back.and(run(&mut conn, "RELEASE ticket").await) {
                broken = Some(error);
                break;
            }
            outcomes.push(outcome);
        }
        if let Some(error) = broken {
            let _ = run(&mut conn, "ROLLBACK").await;
            return all_failed(batch.len(), &error);
        }
        if let Err(error) = run(&mut conn, "COMMIT").await {
            let _ = run(&mut conn, "ROLLBACK").await;
            return all_failed(batch.len(), &error);
        }
        outcomes
    })
}

/// Inserts one ticket, its receipt, its attachments and its events on `conn`.
fn insert_one<'a>(
    conn: &'a mut SqliteConnection,
    ticket: &'a NewTicket,
    planner: &'a Planner,
) -> BoxFuture<'a, Result<Inserted, sqlx::Error>> {
    Box::pin(insert_one_inner(conn, ticket, planner))
}

async fn insert_one_inner(
    conn: &mut SqliteConnection,
    ticket: &NewTicket,
    planner: &Planner,
) -> Result<Inserted, sqlx::Error> {
    let seq: Option<i64> = sqlx::query_scalar(
        "INSERT INTO tickets (id, idempotency_key, request_hash, received_at, received_at_ms, client_ip, \
         policy_id, policy_version, browser_policy_version, plan, browser_plan, identity, identity_problem, \
         user_id, severity, classified_severity, browser_severity, escalation_severity, escalation_reason, \
         channel, product, contact_name, contact_email, contact_phone, contact_company, subject, description, \
         trail, first_response_due, first_response_due_ms, first_response_average_due, resolution_due, \
         resolution_due_ms, resolution_average_due, browser_due, flags, spam, payload) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (idempotency_key) DO NOTHING RETURNING seq",
    )
    .bind(&ticket.id)
    .bind(&ticket.idempotency_key)
    .bind(&ticket.request_hash)
    .bind(ticket.received_at.to_rfc3339())
    .bind(ticket.received_at.timestamp_millis())
    .bind(&ticket.client_ip)
    .bind(&ticket.policy_id)
    .bind(&ticket.policy_version)
    .bind(&ticket.browser_policy_version)
    .bind(&ticket.plan)
    .bind(&ticket.browser_plan)
    .bind(ticket.identity)
    .bind(&ticket.identity_problem)
    .bind(&ticket.user_id)
    .bind(&ticket.severity)
    .bind(&ticket.classified_severity)
    .bind(&ticket.browser_severity)
    .bind(&ticket.escalation_severity)
    .bind(&ticket.escalation_reason)
    .bind(&ticket.channel)
    .bind(&ticket.product)
    .bind(&ticket.contact.name)
    .bind(&ticket.contact.email)
    .bind(&ticket.contact.phone)
    .bind(&ticket.contact.company)
    .bind(&ticket.subject)
    .bind(&ticket.description)
    .bind(&ticket.trail)
    .bind(&ticket.due.first_response.due)
    .bind(ticket.first_response_due_ms)
    .bind(&ticket.due.first_response.average_due)
    .bind(&ticket.due.resolution.due)
    .bind(ticket.resolution_due_ms)
    .bind(&ticket.due.resolution.average_due)
    .bind(json_string(&ticket.browser_due))
    .bind(json_string(&ticket.flags))
    .bind(ticket.spam)
    .bind(&ticket.payload)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(seq) = seq else { return Ok(Inserted::KeyTaken) };
    let receipt = TicketReceipt {
        id: ticket.id.clone(),
        reference: reference_for(seq),
        severity: ticket.severity.clone(),
        due: ticket.due.clone(),
        replayed: false,
    };
    sqlx::query("UPDATE tickets SET reference = ?, receipt = ? WHERE seq = ?")
        .bind(&receipt.reference)
        .bind(json_string(&receipt))
        .bind(seq)
        .execute(&mut *conn)
        .await?;
    for (position, file) in ticket.attachments.iter().enumerate() {
        sqlx::query(
            "INSERT INTO attachments (ticket_seq, position, name, mime, size, sha256, data) VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(seq)
        .bind(position as i64)
        .bind(&file.name)
        .bind(&file.mime)
        .bind(file.data.len() as i64)
        .bind(&file.sha256)
        .bind(&file.data)
        .execute(&mut *conn)
        .await?;
    }
    outbox::emit(&mut *conn, planner, seq, EventKind::Created, ticket.received_at).await?;
    if ticket.escalation_severity.is_some() {
        outbox::emit(&mut *conn, planner, seq, EventKind::EscalationRequested, ticket.received_at).await?;
    }
    Ok(Inserted::New(receipt))
}

/// One ticket by its sequence number, read on `conn` (inside the caller's transaction).
pub(crate) async fn ticket_by_seq(conn: &mut SqliteConnection, seq: i64) -> Result<TicketRow, sqlx::Error> {
    sqlx::query_as::<_, TicketRow>(&format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE seq = ?"))
        .bind(seq)
        .fetch_one(conn)
        .await
}

/// Marks, once per ticket and SLA target, the targets that ran out unmet (`ticket.escalated`) and,
/// with a planner, those with less than the due-soon share of their time left (`ticket.due_soon`),
/// emitting the events on the caller's transaction. Returns whether deliveries were written.
async fn mark_targets(conn: &mut SqliteConnection, planner: &Planner, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    let now_ms = now.timestamp_millis();
    let mut wrote = false;
    for target in SlaTarget::ALL {
        let (due, met) = match target {
            SlaTarget::FirstResponse => ("first_response_due_ms", "first_response_at_ms IS NULL"),
            SlaTarget::Resolution => ("resolution_due_ms", "TRUE"),
        };
        let column = target.as_str();
        let escalated: Vec<i64> = sqlx::query_scalar(&format!(
            "UPDATE tickets SET {column}_escalated_at_ms = ?1 \
             WHERE {column}_escalated_at_ms IS NULL AND receipt IS NOT NULL AND resolved_at_ms IS NULL \
                 AND {met} AND {due} <= ?1 RETURNING seq"
        ))
        .bind(now_ms)
        .fetch_all(&mut *conn)
        .await?;
        for seq in escalated {
            wrote |= outbox::emit(&mut *conn, planner, seq, EventKind::Escalated(target), now).await?;
        }
        let Some(percent) = planner.as_ref().map(|p| i64::from(p.due_soon_percent())).filter(|p| *p > 0) else {
            continue;
        };
        let due_soon: Vec<i64> = sqlx::query_scalar(&format!(
            "UPDATE tickets SET {column}_due_soon_at_ms = ?1 \
             WHERE {column}_due_soon_at_ms IS NULL AND receipt IS NOT NULL AND resolved_at_ms IS NULL \
                 AND {met} AND {due} > ?1 AND ({due} - ?1) * 100 < ?2 * MAX({due} - received_at_ms, 1) \
             RETURNING seq"
        ))
        .bind(now_ms)
        .bind(percent)
        .fetch_all(&mut *conn)
        .await?;
        for seq in due_soon {
            wrote |= outbox::emit(&mut *conn, planner, seq, EventKind::DueSoon(target), now).await?;
        }
    }
    Ok(wrote)
}

/// `TW-000042` for sequence number 42.
pub fn reference_for(seq: i64) -> String {
    format!("TW-{seq:06}")
}

fn json_string<T: serde::Serialize>(value: &T) -> String {
    // Serializing our own plain structs to a String cannot fail (no maps with non-string keys).
    serde_json::to_string(value).unwrap_or_else(|_| String::from("null"))
}

impl Db {
    /// Opens (creating it and its parent directories if needed) and migrates the database at `path`,
    /// without notifications.
    pub async fn open(path: &Path) -> Result<Self, OpenError> {
        Self::open_with(path, None).await
    }

    /// Like [`Db::open`]; every change also stores the events `planner` plans, in its transaction.
    pub async fn open_with(path: &Path, planner: Planner) -> Result<Self, OpenError> {
        let fail = |message: String| OpenError { path: path.to_path_buf(), message };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|e| fail(format!("cannot create directory {}: {e}", parent.display())))?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true)
            .pragma("temp_store", "memory");
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options.clone())
            .await
            .map_err(|e| fail(e.to_string()))?;
        sqlx::migrate!("./migrations").run(&writer).await.map_err(|e| fail(format!("migration failed: {e}")))?;
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options.read_only(true))
            .await
            .map_err(|e| fail(e.to_string()))?;
        let (jobs, queue) = mpsc::channel(MAX_BATCH * 8);
        let deliveries_written = Arc::new(Notify::new());
        tokio::spawn(group_commit(writer.clone(), queue, planner.clone(), deliveries_written.clone()));
        Ok(Self { writer, reader, jobs, planner, deliveries_written })
    }

    /// The pool every write goes through.
    pub(crate) fn writer(&self) -> &SqlitePool {
        &self.writer
    }

    /// Resolves when a commit wrote new deliveries (the delivery worker waits on it).
    pub async fn deliveries_written(&self) {
        self.deliveries_written.notified().await;
    }

    /// Wakes the delivery worker (after a redelivery).
    pub fn wake_deliveries(&self) {
        self.deliveries_written.notify_one();
    }

    /// Closes both pools (checkpointing the WAL when the last connection goes).
    pub async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }

    /// The stored answer for an idempotency key, if a ticket was accepted under it.
    pub async fn find_by_key(&self, key: &str) -> Result<Option<StoredAnswer>, sqlx::Error> {
        let row =
            sqlx::query("SELECT request_hash, receipt FROM tickets WHERE idempotency_key = ? AND receipt IS NOT NULL")
                .bind(key)
                .fetch_optional(&self.reader)
                .await?;
        let Some(row) = row else { return Ok(None) };
        let request_hash: String = row.try_get("request_hash")?;
        let receipt: String = row.try_get("receipt")?;
        let receipt = serde_json::from_str(&receipt).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        Ok(Some(StoredAnswer { request_hash, receipt }))
    }

    /// Stores a ticket with its attachments and receipt, unless its idempotency key is taken.
    /// Returns once the transaction holding it is committed.
    pub async fn insert(&self, ticket: &NewTicket) -> Result<Inserted, sqlx::Error> {
        let (reply, outcome) = oneshot::channel();
        self.jobs.send(WriteJob { ticket: ticket.clone(), reply }).await.map_err(|_| sqlx::Error::PoolClosed)?;
        outcome.await.map_err(|_| sqlx::Error::WorkerCrashed)?
    }

    /// One page of tickets, newest first, and the total number matching the filter.
    pub async fn list(&self, filter: &ListFilter) -> Result<(Vec<TicketRow>, i64), sqlx::Error> {
        fn push_filters<'a>(query: &mut QueryBuilder<'a, Sqlite>, filter: &'a ListFilter, with_cursor: bool) {
            query.push(" WHERE 1 = 1");
            if let (true, Some(before)) = (with_cursor, filter.before) {
                query.push(" AND seq < ").push_bind(before);
            }
            match filter.escalated {
                Some(true) => {
                    query.push(" AND escalated_at IS NOT NULL");
                }
                Some(false) => {
                    query.push(" AND escalated_at IS NULL");
                }
                None => {}
            }
            if let Some(spam) = filter.spam {
                query.push(" AND spam = ").push_bind(spam);
            }
            if let Some(severity) = &filter.severity {
                query.push(" AND severity = ").push_bind(severity);
            }
            if let Some(policy) = &filter.policy {
                query.push(" AND policy_id = ").push_bind(policy);
            }
        }
        let mut page = QueryBuilder::<Sqlite>::new(format!("SELECT {TICKET_COLUMNS} FROM tickets"));
        push_filters(&mut page, filter, true);
        page.push(" AND receipt IS NOT NULL ORDER BY seq DESC LIMIT ").push_bind(filter.limit);
        let rows = page.build_query_as::<TicketRow>().fetch_all(&self.reader).await?;
        let mut count = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM tickets");
        push_filters(&mut count, filter, false);
        count.push(" AND receipt IS NOT NULL");
        let total: i64 = count.build_query_scalar().fetch_one(&self.reader).await?;
        Ok((rows, total))
    }

    /// A ticket by its UUID or its human reference (`TW-000042`).
    pub async fn get(&self, id_or_reference: &str) -> Result<Option<TicketRow>, sqlx::Error> {
        sqlx::query_as::<_, TicketRow>(&format!(
            "SELECT {TICKET_COLUMNS} FROM tickets WHERE (id = ? OR reference = ?) AND receipt IS NOT NULL"
        ))
        .bind(id_or_reference)
        .bind(id_or_reference)
        .fetch_optional(&self.reader)
        .await
    }

    /// Metadata of a ticket's attachments, in the order they were sent.
    pub async fn attachments(&self, seq: i64) -> Result<Vec<AttachmentRow>, sqlx::Error> {
        sqlx::query_as::<_, AttachmentRow>(
            "SELECT position, name, mime, size, sha256 FROM attachments WHERE ticket_seq = ? ORDER BY position",
        )
        .bind(seq)
        .fetch_all(&self.reader)
        .await
    }

    /// One attachment with its bytes.
    pub async fn attachment(&self, seq: i64, position: i64) -> Result<Option<(AttachmentRow, Vec<u8>)>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT position, name, mime, size, sha256, data FROM attachments WHERE ticket_seq = ? AND position = ?",
        )
        .bind(seq)
        .bind(position)
        .fetch_optional(&self.reader)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let meta = AttachmentRow::from_row(&row)?;
        let data: Vec<u8> = row.try_get("data")?;
        Ok(Some((meta, data)))
    }

    /// Marks every ticket with a target past due and not met as escalated, once, and records the
    /// per-target `ticket.escalated` / `ticket.due_soon` events, all in one transaction. Returns the
    /// tickets marked escalated now.
    pub async fn escalate_overdue(&self, now: DateTime<Utc>) -> Result<Vec<Escalation>, sqlx::Error> {
        let now_ms = now.timestamp_millis();
        let mut tx = self.writer.begin().await?;
        let rows = sqlx::query(
            "UPDATE tickets SET escalated_at = ?1, escalated_reason = CASE \
                 WHEN first_response_at_ms IS NULL AND first_response_due_ms <= ?2 THEN 'first_response_overdue' \
                 ELSE 'resolution_overdue' END \
             WHERE escalated_at IS NULL AND receipt IS NOT NULL AND resolved_at_ms IS NULL AND ( \
                 (first_response_at_ms IS NULL AND first_response_due_ms <= ?2) OR resolution_due_ms <= ?2) \
             RETURNING id, reference, escalated_reason",
        )
        .bind(now.to_rfc3339())
        .bind(now_ms)
        .fetch_all(&mut *tx)
        .await?;
        let escalations = rows
            .iter()
            .map(|row| {
                Ok(Escalation {
                    id: row.try_get("id")?,
                    reference: row.try_get::<Option<String>, _>("reference")?.unwrap_or_default(),
                    reason: row.try_get::<Option<String>, _>("escalated_reason")?.unwrap_or_default(),
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let wrote = mark_targets(&mut tx, &self.planner, now).await?;
        tx.commit().await?;
        if wrote {
            self.deliveries_written.notify_one();
        }
        Ok(escalations)
    }

    /// Records when the support team first responded and/or resolved the ticket. `None` leaves a
    /// value as it is. Returns false when no such ticket exists.
    pub async fn record_progress(
        &self,
        seq: i64,
        first_response_at: Option<DateTime<Utc>>,
        resolved_at: Option<DateTime<Utc>>,
    ) -> Result<bool, sqlx::Error> {
        let mut tx = self.writer.begin().await?;
        let before: Option<(Option<i64>, Option<i64>)> =
            sqlx::query_as("SELECT first_response_at_ms, resolved_at_ms FROM tickets WHERE seq = ?")
                .bind(seq)
                .fetch_optional(&mut *tx)
                .await?;
        let Some((first_before, resolved_before)) = before else { return Ok(false) };
        sqlx::query(
            "UPDATE tickets SET \
                first_response_at = COALESCE(?1, first_response_at), \
                first_response_at_ms = COALESCE(?2, first_response_at_ms), \
                resolved_at = COALESCE(?3, resolved_at), \
                resolved_at_ms = COALESCE(?4, resolved_at_ms) \
             WHERE seq = ?5",
        )
        .bind(first_response_at.map(|t| t.to_rfc3339()))
        .bind(first_response_at.map(|t| t.timestamp_millis()))
        .bind(resolved_at.map(|t| t.to_rfc3339()))
        .bind(resolved_at.map(|t| t.timestamp_millis()))
        .bind(seq)
        .execute(&mut *tx)
        .await?;
        let mut changes = Vec::new();
        if first_response_at.is_some_and(|t| Some(t.timestamp_millis()) != first_before) {
            changes.push("first_response");
        }
        if resolved_at.is_some_and(|t| Some(t.timestamp_millis()) != resolved_before) {
            changes.push("resolved");
        }
        let at = resolved_at.or(first_response_at).unwrap_or_else(Utc::now);
        let wrote = !changes.is_empty() && outbox::emit(&mut tx, &self.planner, seq, EventKind::Updated(changes), at).await?;
        tx.commit().await?;
        if wrote {
            self.deliveries_written.notify_one();
        }
        Ok(true)
    }

    /// Number of stored tickets.
    pub async fn count(&self) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar("SELECT COUNT(*) FROM tickets WHERE receipt IS NOT NULL").fetch_one(&self.reader).await
    }

    /// A trivial read and write check for `/healthz`.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1").execute(&self.reader).await?;
        Ok(())
    }
}
