//! The agents' queue: open tickets ordered by their next due time, filtered, one page at a time.
//!
//! Every query here is served by the indexes of `0004_queue.sql` (one per backend): the partial
//! expression index on [`next_due`] (open tickets only) and the case-insensitive e-mail index.

use chrono::{DateTime, Utc};

use super::backend::{bind_values, on_pool, Dialect, Sql, Value};
use super::{Db, TicketRow, TICKET_COLUMNS};

/// The next due time of an open ticket, spelled exactly as in the index of `0004_queue.sql`.
pub const NEXT_DUE: &str = "(CASE WHEN first_response_at_ms IS NULL THEN MIN(first_response_due_ms, resolution_due_ms) \
ELSE resolution_due_ms END)";

/// [`NEXT_DUE`] as PostgreSQL spells it (and its index, `migrations-postgres/0004_queue.sql`).
pub const NEXT_DUE_POSTGRES: &str = "(CASE WHEN first_response_at_ms IS NULL THEN LEAST(first_response_due_ms, resolution_due_ms) \
ELSE resolution_due_ms END)";

/// The next-due expression of a backend.
pub(crate) fn next_due(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sqlite => NEXT_DUE,
        Dialect::Postgres => NEXT_DUE_POSTGRES,
    }
}

/// The condition of the partial index: the ticket is stored and not resolved.
const OPEN: &str = "resolved_at_ms IS NULL AND receipt IS NOT NULL";

/// Which open tickets an agent wants to see, by the state of their next target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueState {
    /// Past their next due time.
    Overdue,
    /// Not yet due, with less than the due-soon share of their time left.
    DueSoon,
    /// No first response recorded yet.
    AwaitingFirstResponse,
    /// Answered, waiting to be resolved.
    AwaitingResolution,
    /// Marked escalated (a target passed its due time unmet).
    Escalated,
}

impl QueueState {
    pub const ALL: [Self; 5] =
        [Self::Overdue, Self::DueSoon, Self::AwaitingFirstResponse, Self::AwaitingResolution, Self::Escalated];

    pub fn id(self) -> &'static str {
        match self {
            Self::Overdue => "overdue",
            Self::DueSoon => "due_soon",
            Self::AwaitingFirstResponse => "awaiting_first_response",
            Self::AwaitingResolution => "awaiting_resolution",
            Self::Escalated => "escalated",
        }
    }

    pub fn parse(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|state| state.id() == id)
    }
}

/// What to search: a reference (`TW-000042`) or an e-mail address, both matched whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Search {
    Reference(String),
    Email(String),
}

impl Search {
    /// `TW-42`, `tw-000042` and `42` are references; anything with an `@` is an e-mail.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        if text.contains('@') {
            return Some(Self::Email(text.to_string()));
        }
        let digits = text.strip_prefix("TW-").or_else(|| text.strip_prefix("tw-")).unwrap_or(text);
        match digits.parse::<i64>() {
            Ok(seq) if seq > 0 => Some(Self::Reference(super::reference_for(seq))),
            // Not a number: look it up as written (finds nothing rather than everything).
            _ => Some(Self::Reference(text.to_string())),
        }
    }
}

/// A page of the queue is the `limit` tickets after `after` (exclusive) in (next due, seq) order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueFilter {
    pub severity: Option<String>,
    pub policy: Option<String>,
    pub state: Option<QueueState>,
    pub search: Option<Search>,
    /// Spam is hidden unless this is set.
    pub include_spam: bool,
    /// Cursor: the (next due ms, seq) of the last row of the previous page.
    pub after: Option<(i64, i64)>,
    pub limit: i64,
}

/// One page of the queue.
#[derive(Debug, Clone)]
pub struct QueuePage {
    /// The tickets with their next due time (ms), soonest first.
    pub rows: Vec<(TicketRow, i64)>,
    /// Open tickets matching the filter (all pages).
    pub total: i64,
    /// Open, non-spam tickets past their next due time (whatever the filter: the tab's title).
    pub overdue: i64,
}

fn push_filter(query: &mut Sql, dialect: Dialect, filter: &QueueFilter, now_ms: i64, due_soon: u8) {
    let next_due = next_due(dialect);
    query.push(" WHERE ").push(OPEN);
    if !filter.include_spam {
        // Spelled as in the partial index's condition, so the index applies.
        query.push(" AND ").push(dialect.not_spam());
    }
    if let Some(severity) = &filter.severity {
        query.push(" AND severity = ").bind(Value::Text(severity.clone()));
    }
    if let Some(policy) = &filter.policy {
        query.push(" AND policy_id = ").bind(Value::Text(policy.clone()));
    }
    match &filter.search {
        Some(Search::Reference(reference)) => {
            query.push(" AND reference = ").bind(Value::Text(reference.clone()));
        }
        Some(Search::Email(email)) => {
            let placeholder = query.placeholder(Value::Text(email.clone()));
            query.push(" AND ").push(&dialect.equals_ignoring_case("contact_email", &placeholder));
        }
        None => {}
    }
    match filter.state {
        Some(QueueState::Overdue) => {
            query.push(&format!(" AND {next_due} <= ")).bind(Value::Int(now_ms));
        }
        Some(QueueState::DueSoon) => {
            // Not yet due, and less than `due_soon` percent of the target's time left (sla::state).
            let now = query.placeholder(Value::Int(now_ms));
            let percent = query.placeholder(Value::Int(i64::from(due_soon)));
            let greatest = dialect.greatest();
            query.push(&format!(
                " AND {next_due} > {now} AND ({next_due} - {now}) * 100 < {greatest}({next_due} - received_at_ms, 1) * {percent}"
            ));
        }
        Some(QueueState::AwaitingFirstResponse) => {
            query.push(" AND first_response_at_ms IS NULL");
        }
        Some(QueueState::AwaitingResolution) => {
            query.push(" AND first_response_at_ms IS NOT NULL");
        }
        Some(QueueState::Escalated) => {
            query.push(" AND escalated_at IS NOT NULL");
        }
        None => {}
    }
}

impl Db {
    /// One page of open tickets, soonest next due time first, with the counts the page shows.
    pub async fn queue(
        &self,
        filter: &QueueFilter,
        now: DateTime<Utc>,
        due_soon_percent: u8,
    ) -> Result<QueuePage, sqlx::Error> {
        let now_ms = now.timestamp_millis();
        let dialect = self.pools.dialect();
        let next_due = next_due(dialect);
        let mut page = Sql::new(format!("SELECT {TICKET_COLUMNS}, {next_due} AS next_due_ms FROM tickets"));
        push_filter(&mut page, dialect, filter, now_ms, due_soon_percent);
        if let Some((due, seq)) = filter.after {
            let due = page.placeholder(Value::Int(due));
            let seq = page.placeholder(Value::Int(seq));
            page.push(&format!(" AND ({next_due}, seq) > ({due}, {seq})"));
        }
        page.push(&format!(" ORDER BY {next_due}, seq LIMIT ")).bind(Value::Int(filter.limit));
        let rows: Vec<QueueRow> = on_pool!(self.pools.reader(), p => {
            bind_values!(sqlx::query_as::<_, QueueRow>(&page.text), &page.values).fetch_all(p).await
        })?;

        let mut count = Sql::new("SELECT COUNT(*) FROM tickets");
        push_filter(&mut count, dialect, filter, now_ms, due_soon_percent);
        let total: i64 = on_pool!(self.pools.reader(), p => {
            bind_values!(sqlx::query_scalar::<_, i64>(&count.text), &count.values).fetch_one(p).await
        })?;
        let overdue = self.overdue_count(now).await?;
        Ok(QueuePage { rows: rows.into_iter().map(|r| (r.ticket, r.next_due_ms)).collect(), total, overdue })
    }

    /// Open, non-spam tickets past their next due time.
    pub async fn overdue_count(&self, now: DateTime<Utc>) -> Result<i64, sqlx::Error> {
        let dialect = self.pools.dialect();
        let sql = format!(
            "SELECT COUNT(*) FROM tickets WHERE {OPEN} AND {} AND {} <= $1",
            dialect.not_spam(),
            next_due(dialect)
        );
        on_pool!(self.pools.reader(), p => sqlx::query_scalar(&sql).bind(now.timestamp_millis()).fetch_one(p).await)
    }

    /// The query plan the database picks for the queue's first page (benchmarks and tests check
    /// that the index is used).
    pub async fn queue_plan(&self) -> Result<Vec<String>, sqlx::Error> {
        let dialect = self.pools.dialect();
        let query = format!(
            "SELECT seq FROM tickets WHERE {OPEN} AND {} ORDER BY {}, seq LIMIT 50",
            dialect.not_spam(),
            next_due(dialect)
        );
        on_pool!(self.pools.reader(), p => match dialect {
            Dialect::Sqlite => {
                let rows: Vec<(i64, i64, i64, String)> =
                    sqlx::query_as(&format!("EXPLAIN QUERY PLAN {query}")).fetch_all(p).await?;
                Ok(rows.into_iter().map(|(_, _, _, detail)| detail).collect())
            }
            Dialect::Postgres => sqlx::query_scalar(&format!("EXPLAIN {query}")).fetch_all(p).await,
        })
    }
}

#[derive(sqlx::FromRow)]
struct QueueRow {
    #[sqlx(flatten)]
    ticket: TicketRow,
    next_due_ms: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn searches_are_references_or_emails() {
        assert_eq!(Search::parse(" TW-42 "), Some(Search::Reference("TW-000042".into())));
        assert_eq!(Search::parse("tw-000042"), Some(Search::Reference("TW-000042".into())));
        assert_eq!(Search::parse("42"), Some(Search::Reference("TW-000042".into())));
        assert_eq!(Search::parse("Ana@Example.com"), Some(Search::Email("Ana@Example.com".into())));
        assert_eq!(Search::parse("abc"), Some(Search::Reference("abc".into())));
        assert_eq!(Search::parse("  "), None);
    }

    #[test]
    fn states_round_trip() {
        for state in QueueState::ALL {
            assert_eq!(QueueState::parse(state.id()), Some(state));
        }
        assert_eq!(QueueState::parse("late"), None);
    }
}
