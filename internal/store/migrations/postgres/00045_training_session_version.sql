-- +goose Up
-- A training session is corrected (its day, hours, place, teacher) at the
-- version the correction started from, so two people correcting one
-- session do not silently overwrite each other; version counts saved
-- corrections, as a course's does.
-- Keep in step with ../sqlite/00045_training_session_version.sql: a test compares the two.
ALTER TABLE training_sessions ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

-- +goose Down
ALTER TABLE training_sessions DROP COLUMN version;
