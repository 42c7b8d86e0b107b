-- +goose Up
-- A programme's session is corrected (its day and hours, place, topic,
-- who taught) at the version the correction started from, so two people
-- correcting one session do not silently overwrite each other; version
-- counts saved corrections, as a programme's does.
-- Keep in step with ../sqlite/00048_programme_session_version.sql: a test compares the two.
ALTER TABLE programme_sessions ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

-- +goose Down
ALTER TABLE programme_sessions DROP COLUMN version;
