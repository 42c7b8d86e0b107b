-- +goose Up
-- Issue 15: the dibao review roster (低保/低保边缘复核) and the people
-- filter's dibao select the one person in a hundred and fifty on dibao or
-- near-dibao; without an index each read every person of a city (the
-- roster index of a city's administrator: 3 to 8 s at a million
-- households).
-- Keep in step with ../sqlite/00051_persons_dibao.sql: a test compares the two.
CREATE INDEX persons_dibao ON persons(dibao);

-- +goose Down
DROP INDEX persons_dibao;
