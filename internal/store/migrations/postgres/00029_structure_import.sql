-- +goose Up
-- Issue 12: the structure workbook (internal/importer, structure*.go).
--
-- users.must_change_password marks an account made with a one-time
-- password (an imported team member's): on the web it may only change the
-- password, and the API refuses it until then (internal/auth).
--
-- structure_uploads keeps a workbook uploaded on 机构与网格 between its
-- check and its confirmation, an hour at most, for the administrator who
-- uploaded it (id is the SHA-256 of the token the page holds): servers
-- share the database, not their disks.
-- Keep in step with ../sqlite/00029_structure_import.sql: a test compares the two.
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE structure_uploads (
    id          TEXT PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users(id),
    name        TEXT NOT NULL,
    data        BYTEA NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX structure_uploads_created ON structure_uploads(created_at);

-- +goose Down
DROP TABLE structure_uploads;
ALTER TABLE users DROP COLUMN must_change_password;
