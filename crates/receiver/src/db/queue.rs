//! The agents' queue: open tickets ordered by their next due time, filtered, one page at a time.
//!
//! Every query here is served by the indexes of `migrations/0004_queue.sql`: the partial
//! expression index on [`NEXT_DUE`] (open tickets only) and the case-insensitive e-mail index.

use chrono::{DateTime, Utc};
use sqlx::{QueryBuilder, Sqlite};

use super::{Db, TicketRow, TICKET_COLUMNS};

/// The next due time of an open ticket, spelled exactly as in the index of `0004_queue.sql`.
pub const NEXT_DUE: &str = "(CASE WHEN first_response_at_ms IS NULL THEN MIN(first_response_due_ms, resolution_due_ms) \
ELSE resolution_due_ms END)";

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

fn push_filter<'a>(query: &mut QueryBuilder<'a, Sqlite>, filter: &'a QueueFilter, now_ms: i64, due_soon: u8) {
    query.push(" WHERE ").push(OPEN);
    if !filter.include_spam {
        // Spelled as in the partial index's condition, so the index applies.
        query.push(" AND spam = 0");
    }
    if let Some(severity) = &filter.severity {
        query.push(" AND severity = ").push_bind(severity);
    }
    if let Some(policy) = &filter.policy {
        query.push(" AND policy_id = ").push_bind(policy);
    }
    match &filter.search {
        Some(Search::Reference(reference)) => {
            query.push(" AND reference = ").push_bind(reference);
        }
        Some(Search::Email(email)) => {
            query.push(" AND contact_email = ").push_bind(email).push(" COLLATE NOCASE");
        }
        None => {}
    }
    match filter.state {
        Some(QueueState::Overdue) => {
            query.push(format!(" AND {NEXT_DUE} <= ")).push_bind(now_ms);
        }
        Some(QueueState::DueSoon) => {
            // Not yet due, and less than `due_soon` percent of the target's time left (sla::state).
            query
                .push(format!(" AND {NEXT_DUE} > "))
                .push_bind(now_ms)
                .push(format!(" AND ({NEXT_DUE} - "))
                .push_bind(now_ms)
                .push(format!(") * 100 < MAX({NEXT_DUE} - received_at_ms, 1) * "))
                .push_bind(i64::from(due_soon));
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
        let mut page = QueryBuilder::<Sqlite>::new(format!("SELECT {TICKET_COLUMNS}, {NEXT_DUE} AS next_due_ms FROM tickets"));
        push_filter(&mut page, filter, now_ms, due_soon_percent);
        if let Some((due, seq)) = filter.after {
            page.push(format!(" AND ({NEXT_DUE}, seq) > ("))
                .push_bind(due)
                .push(", ")
                .push_bind(seq)
                .push(")");
        }
        page.push(format!(" ORDER BY {NEXT_DUE}, seq LIMIT ")).push_bind(filter.limit);
        let rows: Vec<QueueRow> = page.build_query_as().fetch_all(&self.reader).await?;

        let mut count = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM tickets");
        push_filter(&mut count, filter, now_ms, due_soon_percent);
        let total: i64 = count.build_query_scalar().fetch_one(&self.reader).await?;
        let overdue = self.overdue_count(now).await?;
        Ok(QueuePage { rows: rows.into_iter().map(|r| (r.ticket, r.next_due_ms)).collect(), total, overdue })
    }

    /// Open, non-spam tickets past their next due time.
    pub async fn overdue_count(&self, now: DateTime<Utc>) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar(&format!("SELECT COUNT(*) FROM tickets WHERE {OPEN} AND spam = 0 AND {NEXT_DUE} <= ?"))
            .bind(now.timestamp_millis())
            .fetch_one(&self.reader)
            .await
    }

    /// The query plan SQLite picks for the queue's first page (benchmarks and tests check that the
    /// index is used).
    pub async fn queue_plan(&self) -> Result<Vec<String>, sqlx::Error> {
        let rows: Vec<(i64, i64, i64, String)> = sqlx::query_as(&format!(
            "EXPLAIN QUERY PLAN SELECT seq FROM tickets WHERE {OPEN} AND spam = 0 ORDER BY {NEXT_DUE}, seq LIMIT 50"
        ))
        .fetch_all(&self.reader)
        .await?;
        Ok(rows.into_iter().map(|(_, _, _, detail)| detail).collect())
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
