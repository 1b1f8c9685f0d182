//! Storage of notifications: events and their deliveries (the outbox), behind a few operations a
//! second backend can implement the same way (PostgreSQL: `FOR UPDATE SKIP LOCKED` in `claim`).
//!
//! Events are written by [`crate::db`] inside the transaction of the change that causes them; which
//! targets get an event is decided by an [`EventPlanner`] (the notification layer), so this module
//! holds the SQL and no routing rules. Workers [`Db::claim`] due deliveries with a lease, so two
//! workers never send the same row at once, and report each attempt with [`Db::finish_attempts`] (several in one transaction).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::FromRow;

use crate::db::backend::{on_conn, on_pool, Conn};
use crate::db::{Db, TicketRow};

/// An SLA target of a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaTarget {
    FirstResponse,
    Resolution,
}

impl SlaTarget {
    pub const ALL: [SlaTarget; 2] = [SlaTarget::FirstResponse, SlaTarget::Resolution];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::FirstResponse => "first_response",
            Self::Resolution => "resolution",
        }
    }
}

/// What happened to a ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    Created,
    /// The customer asked for a higher severity than the answers gave.
    EscalationRequested,
    /// Less than the configured share of the target's time is left.
    DueSoon(SlaTarget),
    /// The target ran out unmet: escalated automatically.
    Escalated(SlaTarget),
    /// The support team recorded progress (`first_response`, `resolved`).
    Updated(Vec<&'static str>),
}

impl EventKind {
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Created => "ticket.created",
            Self::EscalationRequested => "ticket.escalation_requested",
            Self::DueSoon(_) => "ticket.due_soon",
            Self::Escalated(_) => "ticket.escalated",
            Self::Updated(_) => "ticket.updated",
        }
    }
}

/// An event to store, with the targets it goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedEvent {
    pub id: String,
    pub kind: &'static str,
    /// The event JSON as it will be sent.
    pub payload: String,
    pub targets: Vec<String>,
}

/// Turns a change into an event and chooses its targets (implemented by the notification layer).
pub trait EventPlanner: Send + Sync + std::fmt::Debug {
    /// The event for `kind` on `ticket` (as it is after the change) at `at`; `None` when no target
    /// wants it (nothing is stored then).
    fn plan(&self, kind: &EventKind, ticket: &TicketRow, at: DateTime<Utc>) -> Option<PlannedEvent>;

    /// Share of a target's time left, in percent, below which `ticket.due_soon` is sent.
    fn due_soon_percent(&self) -> u8;
}

/// The planner a database was opened with, if notifications are on.
pub type Planner = Option<Arc<dyn EventPlanner>>;

/// Stores `event` and one pending delivery per target, on the caller's transaction.
pub(crate) async fn record(
    conn: &mut Conn<'_>,
    ticket_seq: i64,
    event: &PlannedEvent,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    on_conn!(conn, c => sqlx::query(
        "INSERT INTO events (id, ticket_seq, type, occurred_at_ms, payload) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&event.id)
    .bind(ticket_seq)
    .bind(event.kind)
    .bind(now_ms)
    .bind(&event.payload)
    .execute(&mut **c)
    .await.map(|r| r.rows_affected()))?;
    for target in &event.targets {
        on_conn!(conn, c => sqlx::query(
            "INSERT INTO deliveries (event_id, target, created_at_ms, window_start_ms, next_attempt_ms) \
             VALUES ($1, $2, $3, $3, $3)",
        )
        .bind(&event.id)
        .bind(target)
        .bind(now_ms)
        .execute(&mut **c)
        .await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// Plans and records `kind` for the ticket `seq` on the caller's transaction (nothing without a
/// planner or without a target that wants it). Returns whether deliveries were written.
pub(crate) async fn emit(
    conn: &mut Conn<'_>,
    planner: &Planner,
    seq: i64,
    kind: EventKind,
    at: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let Some(planner) = planner else { return Ok(false) };
    let ticket = crate::db::ticket_by_seq(conn, seq).await?;
    let Some(event) = planner.plan(&kind, &ticket, at) else { return Ok(false) };
    record(conn, seq, &event, Utc::now().timestamp_millis()).await?;
    Ok(!event.targets.is_empty())
}

/// A delivery a worker holds the lease on.
#[derive(Debug, Clone, FromRow)]
pub struct Claimed {
    pub id: i64,
    pub event_id: String,
    pub event_type: String,
    pub target: String,
    /// Attempts including this one.
    pub attempts: i64,
    pub window_start_ms: i64,
    pub ticket_seq: i64,
    pub payload: String,
}

/// How an attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// Accepted (2xx, or the SMTP server took the message).
    Delivered { status: Option<u16> },
    /// Failed for now: try again at `next_attempt_ms`.
    Retry { status: Option<u16>, error: String, next_attempt_ms: i64 },
    /// Refused for good (a 4xx other than 408/429, a permanent SMTP error): the answer is kept.
    Failed { status: Option<u16>, error: String },
    /// Failed and out of time.
    Dead { status: Option<u16>, error: String },
}

/// A delivery as the admin API lists it.
#[derive(Debug, Clone, FromRow, Serialize)]
pub struct DeliveryRow {
    pub id: i64,
    pub event_id: String,
    pub event_type: String,
    #[serde(skip)]
    pub ticket_seq: i64,
    pub ticket_reference: Option<String>,
    pub target: String,
    pub state: String,
    pub attempts: i64,
    pub created_at_ms: i64,
    /// Next attempt (pending deliveries only).
    pub next_attempt_ms: Option<i64>,
    pub last_attempt_ms: Option<i64>,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub finished_at_ms: Option<i64>,
}

/// Filters of the delivery list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryFilter {
    pub ticket_seq: Option<i64>,
    pub state: Option<String>,
    /// Only deliveries with `id` below this (cursor for the next page).
    pub before: Option<i64>,
    pub limit: i64,
}

const DELIVERY_COLUMNS: &str = "d.id, d.event_id, e.type AS event_type, e.ticket_seq, t.reference AS ticket_reference, \
    d.target, d.state, d.attempts, d.created_at_ms, \
    CASE WHEN d.state = 'pending' THEN d.next_attempt_ms END AS next_attempt_ms, \
    d.last_attempt_ms, d.last_status, d.last_error, d.finished_at_ms";

impl Db {
    /// Takes up to `limit` due deliveries for `lease_ms`, counting the attempt. A row whose lease ran
    /// out (its worker died) is due again. Atomic against every other worker: SQLite has one writer
    /// connection; PostgreSQL takes the rows `FOR UPDATE SKIP LOCKED`, so two instances claiming at
    /// once get different rows.
    pub async fn claim(&self, now_ms: i64, lease_ms: i64, limit: i64) -> Result<Vec<Claimed>, sqlx::Error> {
        let lock = self.pools.dialect().skip_locked();
        let sql = format!(
            "UPDATE deliveries SET lease_until_ms = $1 + $2, attempts = attempts + 1, last_attempt_ms = $1 \
             WHERE id IN ( \
                 SELECT id FROM deliveries \
                 WHERE state = 'pending' AND next_attempt_ms <= $1 AND (lease_until_ms IS NULL OR lease_until_ms <= $1) \
                 ORDER BY next_attempt_ms, id LIMIT $3{lock}) \
             RETURNING id, event_id, target, attempts, window_start_ms, \
                 (SELECT type FROM events WHERE events.id = deliveries.event_id) AS event_type, \
                 (SELECT ticket_seq FROM events WHERE events.id = deliveries.event_id) AS ticket_seq, \
                 (SELECT payload FROM events WHERE events.id = deliveries.event_id) AS payload"
        );
        on_pool!(self.pools.writer(), p => {
            sqlx::query_as::<_, Claimed>(&sql).bind(now_ms).bind(lease_ms).bind(limit).fetch_all(p).await
        })
    }

    /// Records how attempts ended and releases their leases, in one transaction (one fsync for all:
    /// the writer is shared with the ticket intake).
    pub async fn finish_attempts(&self, finished: &[(i64, AttemptOutcome)], now_ms: i64) -> Result<(), sqlx::Error> {
        let mut tx = self.pools.begin().await?;
        {
            let mut conn = tx.conn();
            for (id, outcome) in finished {
                finish_one(&mut conn, *id, outcome, now_ms).await?;
            }
        }
        tx.commit().await
    }

    /// Deliveries, newest first, with the ticket's reference.
    pub async fn deliveries(&self, filter: &DeliveryFilter) -> Result<Vec<DeliveryRow>, sqlx::Error> {
        let sql = format!(
            "SELECT {DELIVERY_COLUMNS} FROM deliveries d JOIN events e ON e.id = d.event_id \
             JOIN tickets t ON t.seq = e.ticket_seq \
             WHERE ($1 IS NULL OR e.ticket_seq = $1) AND ($2 IS NULL OR d.state = $2) AND ($3 IS NULL OR d.id < $3) \
             ORDER BY d.id DESC LIMIT $4"
        );
        on_pool!(self.pools.reader(), p => {
            sqlx::query_as::<_, DeliveryRow>(&sql)
                .bind(filter.ticket_seq)
                .bind(&filter.state)
                .bind(filter.before)
                .bind(filter.limit)
                .fetch_all(p)
                .await
        })
    }

    /// Sends delivery `id` again from now on, with a fresh retry window, whatever its state.
    /// The event (and its id) stays the same. `None` when there is no such delivery.
    pub async fn redeliver(&self, id: i64, now_ms: i64) -> Result<Option<DeliveryRow>, sqlx::Error> {
        const UPDATE: &str = "UPDATE deliveries SET state = 'pending', next_attempt_ms = $1, window_start_ms = $1, \
                 lease_until_ms = NULL, finished_at_ms = NULL WHERE id = $2";
        let done = on_pool!(self.pools.writer(), p => sqlx::query(UPDATE).bind(now_ms).bind(id).execute(p).await.map(|r| r.rows_affected()))?;
        if done == 0 {
            return Ok(None);
        }
        let sql = format!(
            "SELECT {DELIVERY_COLUMNS} FROM deliveries d JOIN events e ON e.id = d.event_id \
             JOIN tickets t ON t.seq = e.ticket_seq WHERE d.id = $1"
        );
        on_pool!(self.pools.writer(), p => sqlx::query_as::<_, DeliveryRow>(&sql).bind(id).fetch_optional(p).await)
    }

    /// The stored event JSON of every event about ticket `seq`, oldest first.
    pub async fn events_of(&self, seq: i64) -> Result<Vec<String>, sqlx::Error> {
        let order = self.pools.dialect().event_order();
        let sql = format!("SELECT payload FROM events WHERE ticket_seq = $1 ORDER BY occurred_at_ms, {order}");
        on_pool!(self.pools.reader(), p => sqlx::query_scalar(&sql).bind(seq).fetch_all(p).await)
    }
}

/// Records how an attempt of delivery `id` ended, on the caller's transaction.
async fn finish_one(
    conn: &mut Conn<'_>,
    id: i64,
    outcome: &AttemptOutcome,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    let (state, status, error, next) = match outcome {
        AttemptOutcome::Delivered { status } => ("delivered", *status, None, None),
        AttemptOutcome::Retry { status, error, next_attempt_ms } => {
            ("pending", *status, Some(error.as_str()), Some(*next_attempt_ms))
        }
        AttemptOutcome::Failed { status, error } => ("failed", *status, Some(error.as_str()), None),
        AttemptOutcome::Dead { status, error } => ("dead", *status, Some(error.as_str()), None),
    };
    on_conn!(conn, c => sqlx::query(
        "UPDATE deliveries SET state = $1, last_status = $2, last_error = $3, lease_until_ms = NULL, \
             next_attempt_ms = COALESCE($4, next_attempt_ms), \
             finished_at_ms = CASE WHEN $1 = 'pending' THEN NULL ELSE $5 END \
         WHERE id = $6",
    )
    .bind(state)
    .bind(status.map(i64::from))
    .bind(error)
    .bind(next)
    .bind(now_ms)
    .bind(id)
    .execute(&mut **c)
    .await.map(|r| r.rows_affected()))?;
    Ok(())
}
