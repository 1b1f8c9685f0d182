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

use std::sync::Arc;

use chrono::{DateTime, Utc};
use sqlx::{FromRow, Row};
use tokio::sync::{mpsc, oneshot, Notify};

use crate::outbox::{self, EventKind, Planner, SlaTarget};

/// A boxed `Send` future (sidesteps higher-ranked lifetime inference on sqlx executors in spawned tasks).
type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;
use triage_policy::ticket::{Contact, DueTimes, TicketReceipt};

pub mod backend;
pub mod queue;
pub mod status;

pub use backend::{DbLocation, DbSettings, DbTls};
use backend::{bind_values, on_conn, on_pool, Conn, Pools, Sql, Value};

/// The database could not be opened or migrated.
#[derive(Debug)]
pub struct OpenError {
    /// The database, password redacted.
    pub location: String,
    pub message: String,
}

impl std::fmt::Display for OpenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot open database {}: {}", self.location, self.message)
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
    pub(crate) pools: Pools,
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

impl TicketRow {
    /// When the first response was met, in ms: at the first response or, before one, at the
    /// resolution (resolving a ticket also answers it).
    pub fn first_response_met_ms(&self) -> Option<i64> {
        self.first_response_at_ms.or(self.resolved_at_ms)
    }

    /// The same instant as RFC 3339 text.
    pub fn first_response_met_at(&self) -> Option<&str> {
        self.first_response_at.as_deref().or(self.resolved_at.as_deref())
    }
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
async fn group_commit(pools: Pools, mut queue: mpsc::Receiver<WriteJob>, planner: Planner, wake: Arc<Notify>) {
    let mut batch: Vec<WriteJob> = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = queue.recv().await {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        // Keys in one order on every instance: two batches holding the same keys wait for each
        // other instead of deadlocking on PostgreSQL's unique index.
        batch.sort_by(|a, b| a.ticket.idempotency_key.cmp(&b.ticket.idempotency_key));
        let outcomes = write_batch(&pools, &batch, &planner).await;
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
fn run<'a>(conn: &'a mut Conn<'_>, statement: &'static str) -> BoxFuture<'a, Result<(), sqlx::Error>> {
    Box::pin(async move { on_conn!(conn, c => sqlx::query(statement).execute(&mut **c).await.map(|_| ())) })
}

/// Every job's outcome when the transaction as a whole failed (nothing of the batch is stored, or,
/// when the connection broke during `COMMIT`, it is unknown: a retry with the same key tells).
fn all_failed(count: usize, error: &sqlx::Error) -> Vec<Result<Inserted, sqlx::Error>> {
    let message = error.to_string();
    let unavailable = crate::error::database_unavailable(error);
    tracing::error!(%message, tickets = count, "ticket batch not committed");
    (0..count)
        .map(|_| {
            let message = format!("batch not committed: {message}");
            Err(if unavailable {
                sqlx::Error::Io(std::io::Error::new(std::io::ErrorKind::ConnectionAborted, message))
            } else {
                sqlx::Error::Protocol(message)
            })
        })
        .collect()
}

/// Writes each job in its own savepoint inside one transaction; per-job outcomes, all errors if
/// the transaction itself fails.
fn write_batch<'a>(
    pools: &'a Pools,
    batch: &'a [WriteJob],
    planner: &'a Planner,
) -> BoxFuture<'a, Vec<Result<Inserted, sqlx::Error>>> {
    Box::pin(async move {
        let mut tx = match pools.begin().await {
            Ok(tx) => tx,
            Err(error) => return all_failed(batch.len(), &error),
        };
        let mut outcomes = Vec::with_capacity(batch.len());
        let mut broken: Option<sqlx::Error> = None;
        {
            let mut conn = tx.conn();
            for job in batch {
                if let Err(error) = run(&mut conn, "SAVEPOINT ticket").await {
                    broken = Some(error);
                    break;
                }
                let outcome = insert_one(&mut conn, &job.ticket, planner).await;
                let keep = matches!(outcome, Ok(Inserted::New(_)));
                let rolled_back = if keep { Ok(()) } else { run(&mut conn, "ROLLBACK TO SAVEPOINT ticket").await };
                if let Err(error) = rolled_back.and(run(&mut conn, "RELEASE SAVEPOINT ticket").await) {
                    broken = Some(error);
                    break;
                }
                outcomes.push(outcome);
            }
        }
        if let Some(error) = broken {
            // Dropping the transaction rolls it back.
            drop(tx);
            return all_failed(batch.len(), &error);
        }
        if let Err(error) = tx.commit().await {
            return all_failed(batch.len(), &error);
        }
        outcomes
    })
}

/// Inserts one ticket, its receipt, its attachments and its events on `conn`.
fn insert_one<'a>(
    conn: &'a mut Conn<'_>,
    ticket: &'a NewTicket,
    planner: &'a Planner,
) -> BoxFuture<'a, Result<Inserted, sqlx::Error>> {
    Box::pin(insert_one_inner(conn, ticket, planner))
}

const INSERT_TICKET: &str = "INSERT INTO tickets (id, idempotency_key, request_hash, received_at, received_at_ms, client_ip, \
     policy_id, policy_version, browser_policy_version, plan, browser_plan, identity, identity_problem, \
     user_id, severity, classified_severity, browser_severity, escalation_severity, escalation_reason, \
     channel, product, contact_name, contact_email, contact_phone, contact_company, subject, description, \
     trail, first_response_due, first_response_due_ms, first_response_average_due, resolution_due, \
     resolution_due_ms, resolution_average_due, browser_due, flags, spam, payload) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, \
     $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35, $36, $37, $38) \
     ON CONFLICT (idempotency_key) DO NOTHING RETURNING seq";

async fn insert_one_inner(conn: &mut Conn<'_>, ticket: &NewTicket, planner: &Planner) -> Result<Inserted, sqlx::Error> {
    let browser_due = json_string(&ticket.browser_due);
    let flags = json_string(&ticket.flags);
    let seq: Option<i64> = on_conn!(conn, c => sqlx::query_scalar(INSERT_TICKET)
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
        .bind(&browser_due)
        .bind(&flags)
        .bind(ticket.spam)
        .bind(&ticket.payload)
        .fetch_optional(&mut **c)
        .await)?;
    let Some(seq) = seq else { return Ok(Inserted::KeyTaken) };
    let receipt = TicketReceipt {
        id: ticket.id.clone(),
        reference: reference_for(seq),
        severity: ticket.severity.clone(),
        due: ticket.due.clone(),
        replayed: false,
    };
    let receipt_json = json_string(&receipt);
    on_conn!(conn, c => sqlx::query("UPDATE tickets SET reference = $1, receipt = $2 WHERE seq = $3")
        .bind(&receipt.reference)
        .bind(&receipt_json)
        .bind(seq)
        .execute(&mut **c)
        .await.map(|r| r.rows_affected()))?;
    for (position, file) in ticket.attachments.iter().enumerate() {
        on_conn!(conn, c => sqlx::query(
            "INSERT INTO attachments (ticket_seq, position, name, mime, size, sha256, data) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(seq)
        .bind(position as i64)
        .bind(&file.name)
        .bind(&file.mime)
        .bind(file.data.len() as i64)
        .bind(&file.sha256)
        .bind(&file.data)
        .execute(&mut **c)
        .await.map(|r| r.rows_affected()))?;
    }
    outbox::emit(conn, planner, seq, EventKind::Created, ticket.received_at).await?;
    if ticket.escalation_severity.is_some() {
        outbox::emit(conn, planner, seq, EventKind::EscalationRequested, ticket.received_at).await?;
    }
    Ok(Inserted::New(receipt))
}

/// One ticket by its sequence number, read on `conn` (inside the caller's transaction).
pub(crate) async fn ticket_by_seq(conn: &mut Conn<'_>, seq: i64) -> Result<TicketRow, sqlx::Error> {
    let sql = format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE seq = $1");
    on_conn!(conn, c => sqlx::query_as::<_, TicketRow>(&sql).bind(seq).fetch_one(&mut **c).await)
}

/// Marks, once per ticket and SLA target, the targets that ran out unmet (`ticket.escalated`) and,
/// with a planner, those with less than the due-soon share of their time left (`ticket.due_soon`),
/// emitting the events on the caller's transaction. Returns whether deliveries were written.
/// On PostgreSQL the rows are taken with `FOR UPDATE SKIP LOCKED`: two instances sweeping at once
/// never mark (nor announce) the same target twice.
async fn mark_targets(conn: &mut Conn<'_>, planner: &Planner, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    let dialect = conn.dialect();
    let (greatest, lock) = (dialect.greatest(), dialect.skip_locked());
    let now_ms = now.timestamp_millis();
    let mut wrote = false;
    for target in SlaTarget::ALL {
        let (due, met) = match target {
            SlaTarget::FirstResponse => ("first_response_due_ms", "first_response_at_ms IS NULL"),
            SlaTarget::Resolution => ("resolution_due_ms", "TRUE"),
        };
        let column = target.as_str();
        let escalate = format!(
            "UPDATE tickets SET {column}_escalated_at_ms = $1 WHERE seq IN (SELECT seq FROM tickets \
             WHERE {column}_escalated_at_ms IS NULL AND receipt IS NOT NULL AND resolved_at_ms IS NULL \
                 AND {met} AND {due} <= $1{lock}) RETURNING seq"
        );
        let escalated: Vec<i64> =
            on_conn!(conn, c => sqlx::query_scalar(&escalate).bind(now_ms).fetch_all(&mut **c).await)?;
        for seq in escalated {
            wrote |= outbox::emit(conn, planner, seq, EventKind::Escalated(target), now).await?;
        }
        let Some(percent) = planner.as_ref().map(|p| i64::from(p.due_soon_percent())).filter(|p| *p > 0) else {
            continue;
        };
        let warn = format!(
            "UPDATE tickets SET {column}_due_soon_at_ms = $1 WHERE seq IN (SELECT seq FROM tickets \
             WHERE {column}_due_soon_at_ms IS NULL AND receipt IS NOT NULL AND resolved_at_ms IS NULL \
                 AND {met} AND {due} > $1 AND ({due} - $1) * 100 < $2 * {greatest}({due} - received_at_ms, 1){lock}) \
             RETURNING seq"
        );
        let due_soon: Vec<i64> =
            on_conn!(conn, c => sqlx::query_scalar(&warn).bind(now_ms).bind(percent).fetch_all(&mut **c).await)?;
        for seq in due_soon {
            wrote |= outbox::emit(conn, planner, seq, EventKind::DueSoon(target), now).await?;
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
    /// Opens (creating a SQLite file and its parent directories if needed) and migrates the
    /// database, without notifications.
    pub async fn open(settings: impl Into<DbSettings>) -> Result<Self, OpenError> {
        Self::open_with(settings, None).await
    }

    /// Like [`Db::open`]; every change also stores the events `planner` plans, in its transaction.
    pub async fn open_with(settings: impl Into<DbSettings>, planner: Planner) -> Result<Self, OpenError> {
        let settings = settings.into();
        let pools = Pools::open(&settings)
            .await
            .map_err(|message| OpenError { location: settings.location.redacted(), message })?;
        let (jobs, queue) = mpsc::channel(MAX_BATCH * 8);
        let deliveries_written = Arc::new(Notify::new());
        tokio::spawn(group_commit(pools.clone(), queue, planner.clone(), deliveries_written.clone()));
        Ok(Self { pools, jobs, planner, deliveries_written })
    }

    /// `sqlite` or `postgres` (for logs and `/healthz`).
    pub fn backend(&self) -> &'static str {
        match self.pools.dialect() {
            backend::Dialect::Sqlite => "sqlite",
            backend::Dialect::Postgres => "postgres",
        }
    }

    /// Resolves when a commit wrote new deliveries (the delivery worker waits on it).
    pub async fn deliveries_written(&self) {
        self.deliveries_written.notified().await;
    }

    /// Wakes the delivery worker (after a redelivery).
    pub fn wake_deliveries(&self) {
        self.deliveries_written.notify_one();
    }

    /// Closes the pools (SQLite checkpoints the WAL when the last connection goes).
    pub async fn close(&self) {
        self.pools.close().await;
    }

    /// The stored answer for an idempotency key, if a ticket was accepted under it.
    pub async fn find_by_key(&self, key: &str) -> Result<Option<StoredAnswer>, sqlx::Error> {
        const SQL: &str = "SELECT request_hash, receipt FROM tickets WHERE idempotency_key = $1 AND receipt IS NOT NULL";
        let row: Option<(String, String)> =
            on_pool!(self.pools.reader(), p => sqlx::query_as(SQL).bind(key).fetch_optional(p).await)?;
        let Some((request_hash, receipt)) = row else { return Ok(None) };
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
        fn push_filters(query: &mut Sql, filter: &ListFilter, with_cursor: bool) {
            query.push(" WHERE receipt IS NOT NULL");
            if let (true, Some(before)) = (with_cursor, filter.before) {
                query.push(" AND seq < ").bind(Value::Int(before));
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
                query.push(" AND spam = ").bind(Value::Bool(spam));
            }
            if let Some(severity) = &filter.severity {
                query.push(" AND severity = ").bind(Value::Text(severity.clone()));
            }
            if let Some(policy) = &filter.policy {
                query.push(" AND policy_id = ").bind(Value::Text(policy.clone()));
            }
        }
        let mut page = Sql::new(format!("SELECT {TICKET_COLUMNS} FROM tickets"));
        push_filters(&mut page, filter, true);
        page.push(" ORDER BY seq DESC LIMIT ").bind(Value::Int(filter.limit));
        let rows: Vec<TicketRow> = on_pool!(self.pools.reader(), p => {
            bind_values!(sqlx::query_as::<_, TicketRow>(&page.text), &page.values).fetch_all(p).await
        })?;
        let mut count = Sql::new("SELECT COUNT(*) FROM tickets");
        push_filters(&mut count, filter, false);
        let total: i64 = on_pool!(self.pools.reader(), p => {
            bind_values!(sqlx::query_scalar::<_, i64>(&count.text), &count.values).fetch_one(p).await
        })?;
        Ok((rows, total))
    }

    /// A ticket by its UUID or its human reference (`TW-000042`).
    pub async fn get(&self, id_or_reference: &str) -> Result<Option<TicketRow>, sqlx::Error> {
        let sql = format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE (id = $1 OR reference = $1) AND receipt IS NOT NULL");
        on_pool!(self.pools.reader(), p => {
            sqlx::query_as::<_, TicketRow>(&sql).bind(id_or_reference).fetch_optional(p).await
        })
    }

    /// Metadata of a ticket's attachments, in the order they were sent.
    pub async fn attachments(&self, seq: i64) -> Result<Vec<AttachmentRow>, sqlx::Error> {
        const SQL: &str =
            "SELECT position, name, mime, size, sha256 FROM attachments WHERE ticket_seq = $1 ORDER BY position";
        on_pool!(self.pools.reader(), p => sqlx::query_as::<_, AttachmentRow>(SQL).bind(seq).fetch_all(p).await)
    }

    /// One attachment with its bytes.
    pub async fn attachment(&self, seq: i64, position: i64) -> Result<Option<(AttachmentRow, Vec<u8>)>, sqlx::Error> {
        const SQL: &str =
            "SELECT position, name, mime, size, sha256, data FROM attachments WHERE ticket_seq = $1 AND position = $2";
        on_pool!(self.pools.reader(), p => {
            let row = sqlx::query(SQL).bind(seq).bind(position).fetch_optional(p).await?;
            match row {
                Some(row) => {
                    let meta = AttachmentRow::from_row(&row)?;
                    let data: Vec<u8> = row.try_get("data")?;
                    Ok(Some((meta, data)))
                }
                None => Ok(None),
            }
        })
    }

    /// Marks every ticket with a target past due and not met as escalated, once, and records the
    /// per-target `ticket.escalated` / `ticket.due_soon` events, all in one transaction. Returns the
    /// tickets marked escalated now. Safe to run on several instances at once: on PostgreSQL each
    /// sweep takes its rows with `FOR UPDATE SKIP LOCKED`, so a ticket is escalated by one of them.
    pub async fn escalate_overdue(&self, now: DateTime<Utc>) -> Result<Vec<Escalation>, sqlx::Error> {
        let now_ms = now.timestamp_millis();
        let lock = self.pools.dialect().skip_locked();
        let sql = format!(
            "UPDATE tickets SET escalated_at = $1, escalated_reason = CASE \
                 WHEN first_response_at_ms IS NULL AND first_response_due_ms <= $2 THEN 'first_response_overdue' \
                 ELSE 'resolution_overdue' END \
             WHERE seq IN (SELECT seq FROM tickets \
                 WHERE escalated_at IS NULL AND receipt IS NOT NULL AND resolved_at_ms IS NULL AND ( \
                     (first_response_at_ms IS NULL AND first_response_due_ms <= $2) OR resolution_due_ms <= $2){lock}) \
             RETURNING id, reference, escalated_reason"
        );
        let mut tx = self.pools.begin().await?;
        let mut conn = tx.conn();
        let rows: Vec<(String, Option<String>, Option<String>)> = on_conn!(&mut conn, c => {
            sqlx::query_as(&sql).bind(now.to_rfc3339()).bind(now_ms).fetch_all(&mut **c).await
        })?;
        let escalations = rows
            .into_iter()
            .map(|(id, reference, reason)| Escalation {
                id,
                reference: reference.unwrap_or_default(),
                reason: reason.unwrap_or_default(),
            })
            .collect();
        let wrote = mark_targets(&mut conn, &self.planner, now).await?;
        drop(conn);
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
        let mut tx = self.pools.begin().await?;
        let mut conn = tx.conn();
        // The row stays locked until the commit (PostgreSQL): two agents' updates apply one after the other.
        let lock = conn.dialect().for_update();
        let select = format!("SELECT first_response_at_ms, resolved_at_ms FROM tickets WHERE seq = $1{lock}");
        let before: Option<(Option<i64>, Option<i64>)> =
            on_conn!(&mut conn, c => sqlx::query_as(&select).bind(seq).fetch_optional(&mut **c).await)?;
        let Some((first_before, resolved_before)) = before else { return Ok(false) };
        on_conn!(&mut conn, c => sqlx::query(
            "UPDATE tickets SET \
                first_response_at = COALESCE($1, first_response_at), \
                first_response_at_ms = COALESCE($2, first_response_at_ms), \
                resolved_at = COALESCE($3, resolved_at), \
                resolved_at_ms = COALESCE($4, resolved_at_ms) \
             WHERE seq = $5",
        )
        .bind(first_response_at.map(|t| t.to_rfc3339()))
        .bind(first_response_at.map(|t| t.timestamp_millis()))
        .bind(resolved_at.map(|t| t.to_rfc3339()))
        .bind(resolved_at.map(|t| t.timestamp_millis()))
        .bind(seq)
        .execute(&mut **c)
        .await.map(|r| r.rows_affected()))?;
        let mut changes = Vec::new();
        if first_response_at.is_some_and(|t| Some(t.timestamp_millis()) != first_before) {
            changes.push("first_response");
        }
        if resolved_at.is_some_and(|t| Some(t.timestamp_millis()) != resolved_before) {
            changes.push("resolved");
        }
        let at = resolved_at.or(first_response_at).unwrap_or_else(Utc::now);
        let wrote =
            !changes.is_empty() && outbox::emit(&mut conn, &self.planner, seq, EventKind::Updated(changes), at).await?;
        drop(conn);
        tx.commit().await?;
        if wrote {
            self.deliveries_written.notify_one();
        }
        Ok(true)
    }

    /// Number of stored tickets.
    pub async fn count(&self) -> Result<i64, sqlx::Error> {
        const SQL: &str = "SELECT COUNT(*) FROM tickets WHERE receipt IS NOT NULL";
        on_pool!(self.pools.reader(), p => sqlx::query_scalar(SQL).fetch_one(p).await)
    }

    /// A trivial round trip to the database for `/healthz`.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        on_pool!(self.pools.reader(), p => sqlx::query("SELECT 1").execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }
}
