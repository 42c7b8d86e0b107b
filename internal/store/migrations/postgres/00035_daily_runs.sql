-- +goose Up
-- Issue 15: the server's daily jobs (recolouring, the due-date recompute,
-- later the statistics snapshot). One row per job and China day: the
-- first server to insert it runs the job, so it runs once across all the
-- servers of a database. state is running (until lease_until: a server
-- that dies leaves a lease that runs out, and another server takes the
-- row), done, failed (tried again later the same day) or released (a
-- server shutting down gave it back). attempt counts the claims of the
-- row and fences a server whose lease ran out: it records nothing.
-- Keep in step with ../sqlite/00035_daily_runs.sql: a test compares the two.
CREATE TABLE daily_runs (
    job          TEXT NOT NULL,
    day          TEXT NOT NULL,
    state        TEXT NOT NULL,
    attempt      INTEGER NOT NULL DEFAULT 1,
    host         TEXT NOT NULL DEFAULT '',
    started_at   TIMESTAMPTZ NOT NULL,
    lease_until  TIMESTAMPTZ,
    finished_at  TIMESTAMPTZ,
    error        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (job, day)
);

-- +goose Down
DROP TABLE daily_runs;
