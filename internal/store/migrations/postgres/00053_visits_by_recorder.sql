-- +goose Up
-- Issue 15: visits by visitor counts the visits each account recorded in
-- each of the last weeks or months. visits.recorded_by had no index: the
-- city's report read the row of every visit of the period (1.9 million
-- for eight weeks at a million households) to learn who recorded it.
-- visits_recorder_at makes an account's visits of a period one range of
-- an index, as visit_visitors_member does for a team member's (00050).
-- Keep in step with ../sqlite/00053_visits_by_recorder.sql: a test compares the two.
CREATE INDEX visits_recorder_at ON visits(recorded_by, at);

-- +goose Down
DROP INDEX visits_recorder_at;
