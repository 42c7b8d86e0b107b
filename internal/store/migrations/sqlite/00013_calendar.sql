-- +goose Up
-- The working-day calendar (issue 5): administrators' corrections on top of
-- the official holidays built into the program (github.com/6tail/lunar-go).
-- A day listed here overrides the built-in data for that day. A year listed
-- in calendar_years was loaded as a whole, e.g. from the schedule the State
-- Council publishes each November or December: it is "known", and its
-- built-in data is ignored (days not listed follow Monday–Friday).
-- Keep in step with ../postgres/00013_calendar.sql: a test compares the two.
CREATE TABLE calendar_days (
    day         TEXT PRIMARY KEY,          -- YYYY-MM-DD
    workday     BOOLEAN NOT NULL,
    name        TEXT NOT NULL DEFAULT '',
    updated_at  TIMESTAMP NOT NULL
);

CREATE TABLE calendar_years (
    year       INTEGER PRIMARY KEY,
    loaded_at  TIMESTAMP NOT NULL,
    loaded_by  TEXT NOT NULL
);

-- +goose Down
DROP TABLE calendar_years;
DROP TABLE calendar_days;
