-- +goose Up
-- Weekly visit plans (issue 4): for each grid and ISO week ("2026-W49"), the
-- households each visitor walks to, in route order. Generating a plan again
-- replaces it (unique grid and week).
-- Keep in step with ../postgres/00007_plans.sql: a test compares the two.
CREATE TABLE plans (
    id            INTEGER PRIMARY KEY,
    grid_id       INTEGER NOT NULL REFERENCES org_units(id),
    week          TEXT NOT NULL,
    generated_at  TIMESTAMP NOT NULL,
    generated_by  TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX plans_grid_week ON plans(grid_id, week);

-- position orders a visitor's list; priority is the score that chose the
-- household, reason why it is in the plan ("overdue", "due", "round", and
-- the pairing: "language:bo", "offpeak").
CREATE TABLE plan_items (
    plan_id         INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    household_id    INTEGER NOT NULL REFERENCES households(id),
    team_member_id  INTEGER NOT NULL REFERENCES team_members(id),
    position        INTEGER NOT NULL,
    priority        INTEGER NOT NULL DEFAULT 0,
    reason          TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (plan_id, household_id)
);
CREATE INDEX plan_items_member ON plan_items(team_member_id, plan_id);

-- +goose Down
DROP TABLE plan_items;
DROP TABLE plans;
