-- +goose Up
-- Issue 14, item 2: without an SMS provider, a text to a resident is only
-- written to the server's log. It used to be marked 'sent'; it is now
-- 'logged' (logged only, not sent), so the notifications page and the API
-- say that nobody received it.
-- Keep in step with ../sqlite/00032_outbox_logged.sql: a test compares the two.
ALTER TABLE outbox DROP CONSTRAINT outbox_state_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_state_check CHECK (state IN ('pending','sent','failed','cancelled','logged'));

-- +goose Down
UPDATE outbox SET state = 'sent' WHERE state = 'logged';
ALTER TABLE outbox DROP CONSTRAINT outbox_state_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_state_check CHECK (state IN ('pending','sent','failed','cancelled'));
