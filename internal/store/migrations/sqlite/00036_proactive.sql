-- +goose Up
-- Issue 16: proactive tasks (未诉先办), made daily by the rules of
-- internal/proactive. A task is one rule's finding about one household in
-- one period (a day, a month, a quarter, a season, an event): the unique
-- (rule, household_id, period) makes a rerun, or the same run on a second
-- server, insert nothing (ON CONFLICT DO NOTHING). reason is what the
-- user reads (Chinese, written when the task is made); due_on a China day
-- (YYYY-MM-DD, computed in Go). state is open, done, dismissed (with
-- dismiss_reason) or converted (into request_id). closed_by is the account
-- that did, dismissed or converted it, for the scorecards. The rules'
-- parameters are the settings row proactive_rules.
-- Keep in step with ../postgres/00036_proactive.sql: a test compares the two.
CREATE TABLE proactive_tasks (
    id              INTEGER PRIMARY KEY,
    rule            TEXT NOT NULL,
    household_id    INTEGER NOT NULL REFERENCES households(id),
    person_id       INTEGER REFERENCES persons(id),
    period          TEXT NOT NULL,
    reason          TEXT NOT NULL,
    due_on          TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open','done','dismissed','converted')),
    dismiss_reason  TEXT NOT NULL DEFAULT '',
    request_id      INTEGER REFERENCES requests(id),
    closed_by       INTEGER REFERENCES users(id),
    closed_by_name  TEXT NOT NULL DEFAULT '',
    closed_at       TIMESTAMP,
    created_on      TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1,
    UNIQUE (rule, household_id, period)
);
CREATE INDEX proactive_tasks_state_due ON proactive_tasks(state, due_on, id);
CREATE INDEX proactive_tasks_household ON proactive_tasks(household_id, state);
CREATE INDEX proactive_tasks_closed ON proactive_tasks(closed_by, closed_at);

-- +goose Down
DROP TABLE proactive_tasks;
