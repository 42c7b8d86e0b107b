-- +goose Up
-- Issue 14: a callback (回访) records how it was made, and has its own
-- deadline after the resolution, with a reminder (R15; internal/request).
--
-- callback_method: phone, visit, or resident (the resident rated it on
-- their tracking page); '' for callbacks made before this column.
-- callback_due_at: set at each resolution, N working days later.
-- callback_reminded_at: when the grid was reminded of the callback due;
-- cleared at each resolution, so each deadline is reminded of once.
-- Keep in step with ../sqlite/00031_callback_deadline.sql: a test compares the two.
ALTER TABLE requests ADD COLUMN callback_method TEXT NOT NULL DEFAULT '';
ALTER TABLE requests ADD COLUMN callback_due_at TIMESTAMPTZ;
ALTER TABLE requests ADD COLUMN callback_reminded_at TIMESTAMPTZ;
CREATE INDEX requests_callback_due ON requests(callback_due_at) WHERE state = 'resolved';

-- +goose Down
DROP INDEX requests_callback_due;
ALTER TABLE requests DROP COLUMN callback_reminded_at;
ALTER TABLE requests DROP COLUMN callback_due_at;
ALTER TABLE requests DROP COLUMN callback_method;
