-- +goose Up
-- Issue 12: household imports from the web page and the API run as jobs
-- (internal/importjob), which survive a page reload and a server restart.
-- A job is one uploaded file of one community: its options (JSON:
-- mapping, create_places, partial, dry_run), its state (uploaded →
-- checking → checked → applying → done | failed | refused | cancelled),
-- the preview of its first rows (JSON, ID and phone numbers masked), the
-- report of its last check or import (JSON), and who uploaded it when.
-- A runner claims a job in checking or applying by writing its name and
-- a heartbeat; a job whose heartbeat is stale (its server died) is taken
-- over and run again from the start (the import is one transaction).
-- The partial unique index lets one import per community run at a time.
-- The file itself is kept in import_job_chunks, 1 MiB a row, each sealed
-- with the key file like every ID number at rest, so any server of a city
-- can run the job; its rows are deleted when the job ends (a day later
-- when the report has problems to mark on the file).
-- Keep in step with ../postgres/00028_import_jobs.sql: a test compares the two.
CREATE TABLE import_jobs (
    id               INTEGER PRIMARY KEY,
    community_id     INTEGER NOT NULL REFERENCES org_units(id),
    user_id          INTEGER NOT NULL REFERENCES users(id),
    file_name        TEXT NOT NULL,
    file_size        INTEGER NOT NULL DEFAULT 0,
    options          TEXT NOT NULL DEFAULT '{}',
    state            TEXT NOT NULL,
    preview          TEXT NOT NULL DEFAULT '',
    report           TEXT NOT NULL DEFAULT '',
    error            TEXT NOT NULL DEFAULT '',
    rows_read        INTEGER NOT NULL DEFAULT 0,
    fraction         REAL NOT NULL DEFAULT 0,
    runner           TEXT NOT NULL DEFAULT '',
    heartbeat_at     TIMESTAMP,
    attempts         INTEGER NOT NULL DEFAULT 0,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL,
    started_at       TIMESTAMP,
    finished_at      TIMESTAMP,
    file_removed_at  TIMESTAMP
);
CREATE UNIQUE INDEX import_jobs_running ON import_jobs(community_id) WHERE state IN ('checking', 'applying');
CREATE INDEX import_jobs_state ON import_jobs(state);
CREATE INDEX import_jobs_user ON import_jobs(user_id);

CREATE TABLE import_job_chunks (
    job_id  INTEGER NOT NULL REFERENCES import_jobs(id) ON DELETE CASCADE,
    seq     INTEGER NOT NULL,
    data    TEXT NOT NULL,
    PRIMARY KEY (job_id, seq)
);

-- +goose Down
DROP TABLE import_job_chunks;
DROP TABLE import_jobs;
