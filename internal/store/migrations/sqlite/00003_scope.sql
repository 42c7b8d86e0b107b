-- +goose Up
-- The households each visiting team member is assigned to: a visitor sees
-- these and no others.
CREATE TABLE household_assignments (
    team_member_id  INTEGER NOT NULL REFERENCES team_members(id),
    household_id    INTEGER NOT NULL REFERENCES households(id),
    PRIMARY KEY (team_member_id, household_id)
);
CREATE INDEX household_assignments_household ON household_assignments(household_id);

-- +goose Down
DROP TABLE household_assignments;
