-- PostgreSQL twin of migrations/0003_status.sql (status links, issue 16): capability tokens that
-- let a customer follow their ticket without signing in. Only the SHA-256 of a token is stored
-- (hex); the token itself travels once, in the receipt. Each can be revoked.
CREATE TABLE status_tokens (
    token_hash    TEXT   PRIMARY KEY,
    ticket_seq    BIGINT NOT NULL REFERENCES tickets (seq) ON DELETE CASCADE,
    created_at_ms BIGINT NOT NULL,
    revoked_at_ms BIGINT
);

CREATE INDEX status_tokens_ticket ON status_tokens (ticket_seq);
