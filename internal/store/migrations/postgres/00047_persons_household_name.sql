-- +goose Up
-- Issue 15: a search for a name within a scope the scope leads (a
-- community's administrator's 王伟) asks, household by household, whether
-- a member bears the name (household.personsWhere). With the name beside
-- the household in the index, that is answered from the index without
-- reading the members' rows (large rows: sealed ID and phone numbers, the
-- search forms); on PostgreSQL at a million households a community's count
-- took 52 ms of CPU, 16 ms with it. It serves every lookup of a
-- household's members that persons_household served, which goes.
-- Keep in step with ../sqlite/00047_persons_household_name.sql: a test compares the two.
CREATE INDEX persons_household_name ON persons(household_id, name);
DROP INDEX persons_household;

-- +goose Down
CREATE INDEX persons_household ON persons(household_id);
DROP INDEX persons_household_name;
