-- +goose Up
-- Issue 17's benefit cases end and are withdrawn. An approved case that is
-- paid each month ends (停发) on ended_on, the day its payment stops (the
-- person moved away or died, the income rose, the annual review): status
-- ended. An applied case is withdrawn (撤回) before it is decided: status
-- withdrawn, on withdrawn_on. reason says why, for either. Dates are
-- Asia/Shanghai calendar dates ("YYYY-MM-DD"), '' when not so.
-- Keep in step with ../sqlite/00044_benefit_end_withdraw.sql: a test compares
-- the two.
ALTER TABLE benefit_cases ADD COLUMN ended_on TEXT NOT NULL DEFAULT '';
ALTER TABLE benefit_cases ADD COLUMN withdrawn_on TEXT NOT NULL DEFAULT '';
ALTER TABLE benefit_cases ADD COLUMN reason TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE benefit_cases DROP COLUMN reason;
ALTER TABLE benefit_cases DROP COLUMN withdrawn_on;
ALTER TABLE benefit_cases DROP COLUMN ended_on;
