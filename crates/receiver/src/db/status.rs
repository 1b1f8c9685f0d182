//! Status links in SQL: store a token's hash for a ticket, find the ticket a live token opens,
//! revoke tokens. Written once with `$n` placeholders and run on either backend through the
//! storage layer ([`super::backend`]).

use chrono::{DateTime, Utc};

use super::backend::on_pool;
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
        const SQL: &str = "INSERT INTO status_tokens (token_hash, ticket_seq, created_at_ms) \
                           SELECT $1, seq, $2 FROM tickets WHERE id = $3 AND receipt IS NOT NULL";
        let now_ms = now.timestamp_millis();
        let affected = on_pool!(self.pools.writer(), p => {
            sqlx::query(SQL).bind(token_hash).bind(now_ms).bind(ticket_id).execute(p).await?.rows_affected()
        });
        Ok(affected == 1)
    }

    /// The ticket a live (not revoked) status link opens.
    pub async fn ticket_by_status_token(&self, token_hash: &str) -> Result<Option<TicketRow>, sqlx::Error> {
        let sql = format!(
            "SELECT {TICKET_COLUMNS} FROM tickets WHERE receipt IS NOT NULL AND seq = \
             (SELECT ticket_seq FROM status_tokens WHERE token_hash = $1 AND revoked_at_ms IS NULL)"
        );
        on_pool!(self.pools.reader(), p => {
            sqlx::query_as::<_, TicketRow>(&sql).bind(token_hash).fetch_optional(p).await
        })
    }

    /// Revokes one status link. Returns false when it was unknown or already revoked.
    pub async fn revoke_status_token(&self, token_hash: &str, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
        const SQL: &str =
            "UPDATE status_tokens SET revoked_at_ms = $1 WHERE token_hash = $2 AND revoked_at_ms IS NULL";
        let now_ms = now.timestamp_millis();
        let affected = on_pool!(self.pools.writer(), p => {
            sqlx::query(SQL).bind(now_ms).bind(token_hash).execute(p).await?.rows_affected()
        });
        Ok(affected == 1)
    }

    /// Revokes every live status link of ticket `seq`; returns how many.
    pub async fn revoke_status_tokens_of(&self, seq: i64, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
        const SQL: &str =
            "UPDATE status_tokens SET revoked_at_ms = $1 WHERE ticket_seq = $2 AND revoked_at_ms IS NULL";
        let now_ms = now.timestamp_millis();
        on_pool!(self.pools.writer(), p => {
            Ok(sqlx::query(SQL).bind(now_ms).bind(seq).execute(p).await?.rows_affected())
        })
    }
}
