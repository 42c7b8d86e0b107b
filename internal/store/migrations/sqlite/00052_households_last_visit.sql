-- +goose Up
-- Issue 15: the coverage page counts each grid's occupied households by
-- their last visit, and lists the households not visited this year (no
-- last visit, or one before the year). The first read each household's
-- row through the grid index (a million rows for a city's administrator),
-- the second asked every household of the city for a visit of the year.
-- households_grid_visited answers the counts from the index alone,
-- households_last_visit finds the households not visited since a day.
-- Keep in step with ../postgres/00052_households_last_visit.sql: a test compares the two.
CREATE INDEX households_grid_visited ON households(grid_id, occupancy, last_visit_at);
CREATE INDEX households_last_visit ON households(last_visit_at);
-- A database that was analyzed (a city's, by wanhu gen) would weigh the
-- new indexes, which it has no figures for, as dearer than a scan.
ANALYZE households_grid_visited;
ANALYZE households_last_visit;

-- +goose Down
DROP INDEX households_last_visit;
DROP INDEX households_grid_visited;
