-- +goose Up
-- Issue 15: the households not visited in a past year, over a whole city
-- (the city's administrator's /visits/never?year=2025), are read a colour
-- at a time, each colour by last visit, never visited first
-- (visit.unvisitedByColour). On PostgreSQL households_last_visit puts the
-- households never visited last and ties in row order, so the red ones
-- (21,856 of a million households, scattered over the table) were each
-- read from the table and sorted for a page of 50 (1 s), and the green
-- ones could not be read in order either. households_unvisited holds the
-- occupied households by colour, then last visit with none first, then id:
-- a colour's page is read in order from the index and stops at the page.
-- The year's count is the occupied households less those the year's
-- visits name (visit.unvisitedFromVisits): visits_at now holds each
-- visit's household, and households_occupied the occupied households'
-- ids, so that both are read from the indexes alone instead of 16,000
-- pages of visits and 18,000 of households (20,778 visits in 2025: 2.4 s).
-- SQLite's households_last_visit already sorts no visit first and ties by
-- id (the rowid): its 00055 does nothing.
-- Keep in step with ../sqlite/00055_households_unvisited.sql.
CREATE INDEX households_unvisited ON households(colour, last_visit_at NULLS FIRST, id) WHERE occupancy <> 'vacant';
CREATE INDEX households_occupied ON households(id) WHERE occupancy <> 'vacant';
DROP INDEX visits_at;
CREATE INDEX visits_at ON visits(at, household_id);
-- A database that was analyzed (a city's, by wanhu gen) would weigh the
-- new index, which it has no figures for, as dearer than a scan.
ANALYZE households;
ANALYZE visits;

-- +goose Down
DROP INDEX visits_at;
CREATE INDEX visits_at ON visits(at);
DROP INDEX households_occupied;
DROP INDEX households_unvisited;
