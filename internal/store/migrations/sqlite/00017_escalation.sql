-- +goose Up
-- Escalation of requests (issue 5, "Clocks"): the background job
-- (internal/request/escalate.go) warns the handler before a request's
-- deadline, then tells the grid leader once it is overdue, then the
-- community secretary after a delay. escalation_level is the last step
-- taken (0 none, 1 warned, 2 grid leader, 3 secretary) for the deadline
-- escalation_due_at: when the deadline moves (an extension, a reopened
-- request), the steps start again.
-- Keep in step with ../postgres/00017_escalation.sql: a test compares the two.
ALTER TABLE requests ADD COLUMN escalation_level INTEGER NOT NULL DEFAULT 0;
ALTER TABLE requests ADD COLUMN escalation_due_at TIMESTAMP;

-- +goose Down
ALTER TABLE requests DROP COLUMN escalation_due_at;
ALTER TABLE requests DROP COLUMN escalation_level;
