-- Notifications: events recorded in the same transaction as the change that causes them, and one
-- delivery (outbox row) per event and notification target, claimed by workers with a lease.

-- Per SLA target, when its due-soon warning and its automatic escalation were recorded (once each).
ALTER TABLE tickets ADD COLUMN first_response_due_soon_at_ms INTEGER;
ALTER TABLE tickets ADD COLUMN resolution_due_soon_at_ms INTEGER;
ALTER TABLE tickets ADD COLUMN first_response_escalated_at_ms INTEGER;
ALTER TABLE tickets ADD COLUMN resolution_escalated_at_ms INTEGER;

CREATE TABLE events (
    id             TEXT    PRIMARY KEY,
    ticket_seq     INTEGER NOT NULL REFERENCES tickets (seq) ON DELETE CASCADE,
    type           TEXT    NOT NULL,
    occurred_at_ms INTEGER NOT NULL,
    -- The event JSON exactly as every attempt sends it.
    payload        TEXT    NOT NULL
);

CREATE INDEX events_ticket ON events (ticket_seq);

CREATE TABLE deliveries (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id         TEXT    NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    target           TEXT    NOT NULL,
    -- pending (waiting or in flight), delivered, failed (refused for good), dead (gave up).
    state            TEXT    NOT NULL DEFAULT 'pending',
    attempts         INTEGER NOT NULL DEFAULT 0,
    created_at_ms    INTEGER NOT NULL,
    -- Start of the current retry window (creation, or the last manual redelivery).
    window_start_ms  INTEGER NOT NULL,
    next_attempt_ms  INTEGER NOT NULL,
    -- A worker holds the row until then; another worker may take it over after.
    lease_until_ms   INTEGER,
    last_attempt_ms  INTEGER,
    last_error       TEXT,
    last_status      INTEGER,
    finished_at_ms   INTEGER,
    UNIQUE (event_id, target)
);

CREATE INDEX deliveries_due ON deliveries (next_attempt_ms) WHERE state = 'pending';
