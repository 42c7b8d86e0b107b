-- +goose Up
-- Issue 15: the households due for a visit, over a whole city (the
-- city's administrator's /visits/due and /today), were found through
-- households_next_due and each one's row read for its occupancy and
-- colour (56,086 rows of a million households: 1.2 s to count them, 1.9 s
-- for the first page). households_due holds the occupied households only,
-- by due date and colour: the count and the order of the page are read
-- from the index, and only the page's 50 rows from the table.
-- Keep in step with ../postgres/00054_households_due.sql: a test compares the two.
CREATE INDEX households_due ON households(next_due_on, colour) WHERE occupancy <> 'vacant';
-- A database that was analyzed (a city's, by wanhu gen) would weigh the
-- new index, which it has no figures for, as dearer than a scan.
ANALYZE households_due;

-- +goose Down
DROP INDEX households_due;
