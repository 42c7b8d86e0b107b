-- +goose Up
-- The household file asks whether a household signed up for any activity
-- (programme.HouseholdFile) and lists its sign-ups: by household_id, which
-- the unique index (activity_id, household_id) cannot serve (it reads
-- every sign-up of the city).
-- Keep in step with ../postgres/00046_activity_signups_household.sql: a test compares the two.
CREATE INDEX activity_signups_by_household ON activity_signups(household_id);

-- +goose Down
DROP INDEX activity_signups_by_household;
