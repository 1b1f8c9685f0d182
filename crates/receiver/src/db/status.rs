//! Status links in SQL: store a token's hash for a ticket, find the ticket a live token opens,
//! revoke tokens. Plain functions over [`Db`], kept apart from the rest of the storage so they
//! can move behind a storage layer as they are.

use chrono::{DateTime, Utc};

use super::{Db, TicketRow, TICKET_COLUMNS};

impl Db {
    /// Stores `token_hash` as a status link of the ticket with id `ticket_id`. Returns false when
    /// no stored ticket has that id.
    pub async fn add_status_token(
        &self,
        ticket_id: &str,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "INSERT INTO status_tokens (token_hash, ticket_seq, created_at_ms) \
             SELECT ?1, seq, ?2 FROM tickets WHERE id = ?3 AND receipt IS NOT NULL",
        )
        .bind(token_hash)
        .bind(now.timestamp_millis())
        .bind(ticket_id)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The ticket a live (not revoked) status link opens.
    pub async fn ticket_by_status_token(&self, token_hash: &str) -> Result<Option<TicketRow>, sqlx::Error> {
        sqlx::query_as::<_, TicketRow>(&format!(
            "SELECT {TICKET_COLUMNS} FROM tickets WHERE receipt IS NOT NULL AND seq = \
             (SELECT ticket_seq FROM status_tokens WHERE token_hash = ? AND revoked_at_ms IS NULL)"
        ))
        .bind(token_hash)
        .fetch_optional(&self.reader)
        .await
    }

    /// Revokes one status link. Returns false when it was unknown or already revoked.
    pub async fn revoke_status_token(&self, token_hash: &str, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE status_tokens SET revoked_at_ms = ? WHERE token_hash = ? AND revoked_at_ms IS NULL",
        )
        .bind(now.timestamp_millis())
        .bind(token_hash)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Revokes every live status link of ticket `seq`; returns how many.
    pub async fn revoke_status_tokens_of(&self, seq: i64, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
        let done =
            sqlx::query("UPDATE status_tokens SET revoked_at_ms = ? WHERE ticket_seq = ? AND revoked_at_ms IS NULL")
                .bind(now.timestamp_millis())
                .bind(seq)
                .execute(&self.writer)
                .await?;
        Ok(done.rows_affected())
    }
}
