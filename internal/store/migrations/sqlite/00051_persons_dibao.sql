-- +goose Up
-- Issue 15: the dibao review roster (低保/低保边缘复核) and the people
-- filter's dibao select the one person in a hundred and fifty on dibao or
-- near-dibao; without an index each read every person of a city (the
-- roster index of a city's administrator: 3 to 8 s at a million
-- households).
-- Keep in step with ../postgres/00051_persons_dibao.sql: a test compares the two.
CREATE INDEX persons_dibao ON persons(dibao);
-- A database that was analyzed (a city's, by wanhu gen) would weigh the
-- new index, which it has no figures for, as dearer than a scan. Its
-- figures (three values, a third of the persons each) still make it look
-- worse than it is for the two rare ones: the roster says how rare
-- (likelihood, internal/roster).
ANALYZE persons_dibao;

-- +goose Down
DROP INDEX persons_dibao;
