-- +goose Up
-- Issue 14, item 2: without an SMS provider, a text to a resident is only
-- written to the server's log. It used to be marked 'sent'; it is now
-- 'logged' (logged only, not sent), so the notifications page and the API
-- say that nobody received it.
-- SQLite cannot change a CHECK constraint, so outbox is rebuilt with its
-- rows.
-- Keep in step with ../postgres/00032_outbox_logged.sql: a test compares the two.
CREATE TABLE outbox_new (
    id               INTEGER PRIMARY KEY,
    kind             TEXT NOT NULL,
    channel          TEXT NOT NULL DEFAULT 'sms',
    recipient        TEXT NOT NULL,
    payload          TEXT NOT NULL DEFAULT '{}',
    state            TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','sent','failed','cancelled','logged')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMP NOT NULL,
    created_at       TIMESTAMP NOT NULL,
    sent_at          TIMESTAMP,
    last_error       TEXT NOT NULL DEFAULT ''
);
INSERT INTO outbox_new SELECT id, kind, channel, recipient, payload, state, attempts, next_attempt_at, created_at, sent_at, last_error FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
CREATE INDEX outbox_recipient ON outbox(recipient, state);

-- +goose Down
UPDATE outbox SET state = 'sent' WHERE state = 'logged';
CREATE TABLE outbox_old (
    id               INTEGER PRIMARY KEY,
    kind             TEXT NOT NULL,
    channel          TEXT NOT NULL DEFAULT 'sms',
    recipient        TEXT NOT NULL,
    payload          TEXT NOT NULL DEFAULT '{}',
    state            TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','sent','failed','cancelled')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMP NOT NULL,
    created_at       TIMESTAMP NOT NULL,
    sent_at          TIMESTAMP,
    last_error       TEXT NOT NULL DEFAULT ''
);
INSERT INTO outbox_old SELECT id, kind, channel, recipient, payload, state, attempts, next_attempt_at, created_at, sent_at, last_error FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_old RENAME TO outbox;
CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
CREATE INDEX outbox_recipient ON outbox(recipient, state);
