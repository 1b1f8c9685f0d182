-- PostgreSQL twin of migrations/0001_tickets.sql: the same tables and columns with the same
-- names, so every query is written once. Integers are BIGINT (SQLite's INTEGER is 64-bit), bytes
-- are BYTEA, the spam flag is BOOLEAN. Migrations are applied at start under sqlx's advisory lock:
-- two instances starting at once migrate once.
CREATE TABLE tickets (
    seq                        BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id                         TEXT    NOT NULL UNIQUE,
    reference                  TEXT    UNIQUE,
    idempotency_key            TEXT    NOT NULL UNIQUE,
    request_hash               TEXT    NOT NULL,
    receipt                    TEXT,
    received_at                TEXT    NOT NULL,
    received_at_ms             BIGINT  NOT NULL,
    client_ip                  TEXT,
    policy_id                  TEXT    NOT NULL,
    policy_version             TEXT    NOT NULL,
    browser_policy_version     TEXT    NOT NULL,
    plan                       TEXT    NOT NULL,
    browser_plan               TEXT    NOT NULL,
    identity                   TEXT    NOT NULL,
    identity_problem           TEXT,
    user_id                    TEXT,
    severity                   TEXT    NOT NULL,
    classified_severity        TEXT    NOT NULL,
    browser_severity           TEXT    NOT NULL,
    escalation_severity        TEXT,
    escalation_reason          TEXT,
    channel                    TEXT,
    product                    TEXT,
    contact_name               TEXT    NOT NULL,
    contact_email              TEXT    NOT NULL,
    contact_phone              TEXT,
    contact_company            TEXT,
    subject                    TEXT    NOT NULL,
    description                TEXT    NOT NULL,
    trail                      TEXT    NOT NULL,
    first_response_due         TEXT    NOT NULL,
    first_response_due_ms      BIGINT  NOT NULL,
    first_response_average_due TEXT,
    resolution_due             TEXT    NOT NULL,
    resolution_due_ms          BIGINT  NOT NULL,
    resolution_average_due     TEXT,
    browser_due                TEXT    NOT NULL,
    flags                      TEXT    NOT NULL,
    spam                       BOOLEAN NOT NULL,
    payload                    TEXT    NOT NULL,
    first_response_at          TEXT,
    first_response_at_ms       BIGINT,
    resolved_at                TEXT,
    resolved_at_ms             BIGINT,
    escalated_at               TEXT,
    escalated_reason           TEXT
);

CREATE INDEX tickets_open_first_response ON tickets (first_response_due_ms)
    WHERE escalated_at IS NULL AND first_response_at_ms IS NULL;
CREATE INDEX tickets_open_resolution ON tickets (resolution_due_ms)
    WHERE escalated_at IS NULL AND resolved_at_ms IS NULL;

CREATE TABLE attachments (
    ticket_seq BIGINT NOT NULL REFERENCES tickets (seq) ON DELETE CASCADE,
    position   BIGINT NOT NULL,
    name       TEXT   NOT NULL,
    mime       TEXT   NOT NULL,
    size       BIGINT NOT NULL,
    sha256     TEXT   NOT NULL,
    data       BYTEA  NOT NULL,
    PRIMARY KEY (ticket_seq, position)
);
