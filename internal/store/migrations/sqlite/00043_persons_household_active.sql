-- +goose Up
-- Issue 15: a community's live statistics (stats.Households, its key
-- persons) go from the scope's households to their active members: with
-- whether a member is active and its id in the index beside the
-- household's, those members are found without reading their rows (large
-- rows: sealed ID and phone numbers, the search forms).
-- Keep in step with ../postgres/00043_persons_household_active.sql: a test compares the two.
CREATE INDEX persons_household_active ON persons(household_id, active); -- the id is the rowid

-- +goose Down
DROP INDEX persons_household_active;
