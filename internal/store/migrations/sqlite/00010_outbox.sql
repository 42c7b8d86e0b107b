-- +goose Up
-- The notification outbox (DESIGN.md "outbox and senders"): domain code
-- writes a message in its own transaction (internal/notify.Enqueue), and a
-- sender (issue 5) delivers it later, retrying with next_attempt_at. A
-- message names its recipient by reference ("appointment:12"): the sender
-- looks the sealed phone up there, so no phone number is kept here in the
-- clear. payload is JSON; state is 'pending' until sent, 'failed' when the
-- sender gives up, 'cancelled' when it is no longer wanted (an appointment
-- changed).
-- Keep in step with ../postgres/00010_outbox.sql: a test compares the two.
CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY,
    kind             TEXT NOT NULL,
    channel          TEXT NOT NULL DEFAULT 'sms',
    recipient        TEXT NOT NULL,
    payload          TEXT NOT NULL DEFAULT '{}',
    state            TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','sent','failed','cancelled')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMP NOT NULL,
    created_at       TIMESTAMP NOT NULL,
    sent_at          TIMESTAMP,
    last_error       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
CREATE INDEX outbox_recipient ON outbox(recipient, state);

-- +goose Down
DROP TABLE outbox;
