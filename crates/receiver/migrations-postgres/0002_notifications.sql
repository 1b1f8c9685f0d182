-- PostgreSQL twin of migrations/0002_notifications.sql. `events.pos` orders events of the same
-- millisecond by insertion (SQLite uses its rowid).
ALTER TABLE tickets ADD COLUMN first_response_due_soon_at_ms BIGINT;
ALTER TABLE tickets ADD COLUMN resolution_due_soon_at_ms BIGINT;
ALTER TABLE tickets ADD COLUMN first_response_escalated_at_ms BIGINT;
ALTER TABLE tickets ADD COLUMN resolution_escalated_at_ms BIGINT;

CREATE TABLE events (
    id             TEXT   PRIMARY KEY,
    pos            BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    ticket_seq     BIGINT NOT NULL REFERENCES tickets (seq) ON DELETE CASCADE,
    type           TEXT   NOT NULL,
    occurred_at_ms BIGINT NOT NULL,
    payload        TEXT   NOT NULL
);

CREATE INDEX events_ticket ON events (ticket_seq);

CREATE TABLE deliveries (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id         TEXT   NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    target           TEXT   NOT NULL,
    state            TEXT   NOT NULL DEFAULT 'pending',
    attempts         BIGINT NOT NULL DEFAULT 0,
    created_at_ms    BIGINT NOT NULL,
    window_start_ms  BIGINT NOT NULL,
    next_attempt_ms  BIGINT NOT NULL,
    lease_until_ms   BIGINT,
    last_attempt_ms  BIGINT,
    last_error       TEXT,
    last_status      BIGINT,
    finished_at_ms   BIGINT,
    UNIQUE (event_id, target)
);

CREATE INDEX deliveries_due ON deliveries (next_attempt_ms) WHERE state = 'pending';
