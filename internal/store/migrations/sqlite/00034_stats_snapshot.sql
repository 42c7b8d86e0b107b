-- +goose Up
-- Issue 15: the statistics snapshot. A street, a district or the city is
-- counted from these per-grid counts instead of from every person (a
-- million households take seconds to count live); a grid or a community is
-- still counted live. stats.RefreshSnapshot rewrites them all in one
-- transaction, daily and after imports; stats_snapshot's one row says
-- when, and for which day the ages were counted.
-- Keep in step with ../postgres/00034_stats_snapshot.sql: a test compares the two.
CREATE TABLE stats_snapshot (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    taken_at  TIMESTAMP,                      -- NULL: never taken
    on_day    TEXT NOT NULL DEFAULT ''  -- the China day the ages are counted on
);
INSERT INTO stats_snapshot (id, taken_at, on_day) VALUES (1, NULL, '');

-- Current members born by on_day, by grid, sex and age in whole years.
CREATE TABLE stats_snapshot_ages (
    grid_id  INTEGER NOT NULL,
    gender   TEXT NOT NULL,
    age      INTEGER NOT NULL,
    n        INTEGER NOT NULL
);
CREATE INDEX stats_snapshot_ages_grid ON stats_snapshot_ages(grid_id);
-- The city's sum by sex and age reads this index alone, in order.
CREATE INDEX stats_snapshot_ages_sum ON stats_snapshot_ages(gender, age, grid_id, n);

-- The same people by grid, compound and building (NULL: none).
CREATE TABLE stats_snapshot_places (
    grid_id      INTEGER NOT NULL,
    compound_id  INTEGER,
    building_id  INTEGER,
    n            INTEGER NOT NULL
);
CREATE INDEX stats_snapshot_places_grid ON stats_snapshot_places(grid_id);

-- The same people by grid and ethnic group (as stored: the Chinese name).
CREATE TABLE stats_snapshot_ethnicities (
    grid_id    INTEGER NOT NULL,
    ethnicity  TEXT NOT NULL,
    n          INTEGER NOT NULL
);
CREATE INDEX stats_snapshot_ethnicities_grid ON stats_snapshot_ethnicities(grid_id);

-- Households by grid, kind, occupancy and colour.
CREATE TABLE stats_snapshot_households (
    grid_id    INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    occupancy  TEXT NOT NULL,
    colour     TEXT NOT NULL,
    n          INTEGER NOT NULL
);
CREATE INDEX stats_snapshot_households_grid ON stats_snapshot_households(grid_id);

-- Key persons by grid and tag.
CREATE TABLE stats_snapshot_key_tags (
    grid_id  INTEGER NOT NULL,
    tag      TEXT NOT NULL,
    n        INTEGER NOT NULL
);
CREATE INDEX stats_snapshot_key_tags_grid ON stats_snapshot_key_tags(grid_id);

-- Each grid's key persons (each person once) and special-difficulty
-- households.
CREATE TABLE stats_snapshot_grids (
    grid_id             INTEGER PRIMARY KEY,
    key_persons         INTEGER NOT NULL,
    special_difficulty  INTEGER NOT NULL
);

-- +goose Down
DROP TABLE stats_snapshot_grids;
DROP TABLE stats_snapshot_key_tags;
DROP TABLE stats_snapshot_households;
DROP TABLE stats_snapshot_ethnicities;
DROP TABLE stats_snapshot_places;
DROP TABLE stats_snapshot_ages;
DROP TABLE stats_snapshot;
