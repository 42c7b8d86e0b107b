-- +goose Up
-- The audit log: who saw or changed what. Append-only; each entry carries
-- the SHA-256 of its fields and of the previous entry's hash (see
-- internal/audit), so an edited, deleted or inserted row breaks the chain.
-- Ids are assigned by the appender (last id + 1) under the write lock.
-- Keep in step with ../postgres/00004_audit.sql: a test compares the two.

CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at         TIMESTAMP NOT NULL,
    user_id    INTEGER NOT NULL DEFAULT 0,
    username   TEXT NOT NULL DEFAULT '',
    role       TEXT NOT NULL DEFAULT '',
    ip         TEXT NOT NULL DEFAULT '',
    action     TEXT NOT NULL,
    object     TEXT NOT NULL DEFAULT '',
    result     TEXT NOT NULL CHECK (result IN ('ok','denied','error')),
    detail     TEXT NOT NULL DEFAULT '',
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_username ON audit_log(username, id);
CREATE INDEX audit_log_object ON audit_log(object, id);
CREATE INDEX audit_log_action ON audit_log(action, id);

-- A purge removes the oldest entries and leaves a checkpoint: the id and
-- hash of the last entry removed, so the chain still verifies from there.
CREATE TABLE audit_checkpoints (
    id                   INTEGER PRIMARY KEY,
    at                   TIMESTAMP NOT NULL,
    purged_before        TIMESTAMP NOT NULL,
    purged_count         INTEGER NOT NULL,
    last_purged_id       INTEGER NOT NULL,
    last_purged_hash     TEXT NOT NULL
);

-- +goose Down
DROP TABLE audit_checkpoints;
DROP TABLE audit_log;
