-- +goose Up
-- Issue 11: the audit log is chained with HMAC-SHA-256 under a key derived
-- from the key file (internal/audit, internal/secret), no longer with
-- plain SHA-256 that anyone who can write the database could recompute.
-- audit_chain says whether the log has been re-chained under the key
-- (version 2) or still holds entries of older versions (1); the first
-- writer that holds the key re-chains it, once, in one transaction.
-- audit_checkpoints.mac signs a purge checkpoint, so a forged one cannot
-- hide deleted entries. audit_anchors records the anchors made (the head
-- entry's id and hash, and how many entries there were), each signed;
-- day is the China day of a scheduled anchor, which makes the daily anchor
-- one row across all servers, and NULL for one made by wanhu audit anchor.
-- Keep in step with ../postgres/00022_audit_key.sql: a test compares the two.

CREATE TABLE audit_chain (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    version    INTEGER NOT NULL,
    keyed_at   TIMESTAMP,
    rekeyed    INTEGER NOT NULL DEFAULT 0
);
INSERT INTO audit_chain(id, version) VALUES (1, 1);

ALTER TABLE audit_checkpoints ADD COLUMN mac TEXT NOT NULL DEFAULT '';

CREATE TABLE audit_anchors (
    id           INTEGER PRIMARY KEY,
    at           TIMESTAMP NOT NULL,
    day          TEXT UNIQUE,
    entry_id     INTEGER NOT NULL,
    hash         TEXT NOT NULL,
    entry_count  INTEGER NOT NULL,
    mac          TEXT NOT NULL
);

-- +goose Down
DROP TABLE audit_anchors;
ALTER TABLE audit_checkpoints DROP COLUMN mac;
DROP TABLE audit_chain;
