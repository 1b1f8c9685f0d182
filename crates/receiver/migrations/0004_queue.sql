-- The agents' queue page (issue 12): open tickets ordered by their next due time, and search by
-- e-mail. The expression below is the one `db::queue::NEXT_DUE` uses; SQLite only uses an
-- expression index when the query spells the expression the same way.
--
-- The next due time of an open ticket: its first-response due time while no first response was
-- recorded (the earlier of both targets, should a policy ever give a shorter resolution), else its
-- resolution due time. Spam is left out of the index (the queue hides it by default), so the
-- first page, its count and the overdue count are read from the index alone.
CREATE INDEX tickets_queue_next_due ON tickets (
    (CASE WHEN first_response_at_ms IS NULL THEN MIN(first_response_due_ms, resolution_due_ms)
          ELSE resolution_due_ms END),
    seq
) WHERE resolved_at_ms IS NULL AND receipt IS NOT NULL AND spam = 0;

CREATE INDEX tickets_contact_email ON tickets (contact_email COLLATE NOCASE);
