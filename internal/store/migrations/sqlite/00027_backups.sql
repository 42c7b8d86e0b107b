-- +goose Up
-- Issue 12: backups. Each row is a backup made of this database: by the
-- server's daily job (day is the China day it covers, which makes the
-- daily backup one row across all servers: the first to claim the day
-- makes it) or by wanhu backup (day NULL). finished_at is NULL while it
-- runs; error is '' when it succeeded, else why it failed (no personal
-- data). host and path say where the file is. The settings page shows the
-- last one and warns when it is older than a day.
-- Keep in step with ../postgres/00027_backups.sql: a test compares the two.
CREATE TABLE backups (
    id           INTEGER PRIMARY KEY,
    day          TEXT UNIQUE,
    started_at   TIMESTAMP NOT NULL,
    finished_at  TIMESTAMP,
    made_by      TEXT NOT NULL DEFAULT '',
    host         TEXT NOT NULL DEFAULT '',
    path         TEXT NOT NULL DEFAULT '',
    size         INTEGER NOT NULL DEFAULT 0,
    error        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX backups_finished ON backups(finished_at);

-- +goose Down
DROP TABLE backups;
