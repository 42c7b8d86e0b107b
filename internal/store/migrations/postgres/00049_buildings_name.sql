-- +goose Up
-- Issue 15: a search that names a building ("3号楼", "1-1-101") finds the
-- buildings of that name first: both its drive and its exact condition
-- select them by name (household.addressSearch), and every building of the
-- city was read to do so. On PostgreSQL at a million households (15,169
-- buildings) that was 5 ms of CPU each time, 1 ms by this index.
-- Keep in step with ../sqlite/00049_buildings_name.sql: a test compares the two.
CREATE INDEX buildings_name ON buildings(name);

-- +goose Down
DROP INDEX buildings_name;
