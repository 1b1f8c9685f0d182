-- PostgreSQL twin of migrations/0004_queue.sql: the expression is `db::queue::NEXT_DUE_POSTGRES`
-- (LEAST where SQLite has the two-argument MIN), the e-mail search goes through lower().
CREATE INDEX tickets_queue_next_due ON tickets (
    (CASE WHEN first_response_at_ms IS NULL THEN LEAST(first_response_due_ms, resolution_due_ms)
          ELSE resolution_due_ms END),
    seq
) WHERE resolved_at_ms IS NULL AND receipt IS NOT NULL AND spam = FALSE;

CREATE INDEX tickets_contact_email ON tickets (lower(contact_email));
