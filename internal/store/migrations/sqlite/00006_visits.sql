-- +goose Up
-- Visits (走访, issue 4): each household's visit schedule and the record of
-- every visit. Dates are "YYYY-MM-DD" text computed in Go (internal/visit).
-- Keep in step with ../postgres/00006_visits.sql: a test compares the two.

-- last_visit_at is the last visit of any outcome; last_met_on the day of the
-- last visit that met someone; next_due_on when the next visit is due (NULL:
-- never computed, due at once); misses counts not-at-home visits in a row;
-- offpeak flags the household for an evening or weekend visit.
ALTER TABLE households ADD COLUMN last_visit_at TIMESTAMP;
ALTER TABLE households ADD COLUMN last_met_on TEXT;
ALTER TABLE households ADD COLUMN next_due_on TEXT;
ALTER TABLE households ADD COLUMN misses INTEGER NOT NULL DEFAULT 0;
ALTER TABLE households ADD COLUMN offpeak BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX households_next_due ON households(next_due_on, id);

-- client_id is chosen by the client, so a visit sent twice (a phone on a
-- staircase retrying) is recorded once.
CREATE TABLE visits (
    id                INTEGER PRIMARY KEY,
    client_id         TEXT NOT NULL UNIQUE,
    household_id      INTEGER NOT NULL REFERENCES households(id),
    grid_id           INTEGER NOT NULL REFERENCES org_units(id),
    outcome           TEXT NOT NULL CHECK (outcome IN ('met','not_home','refused','vacant')),
    channel           TEXT NOT NULL DEFAULT 'door' CHECK (channel IN ('door','phone','wechat','talk_room')),
    at                TIMESTAMP NOT NULL,
    recorded_by       INTEGER REFERENCES users(id),
    recorded_by_name  TEXT NOT NULL DEFAULT '',
    met               TEXT NOT NULL DEFAULT '',
    companions        TEXT NOT NULL DEFAULT '',
    notes             TEXT NOT NULL DEFAULT '',
    card_left         BOOLEAN NOT NULL DEFAULT FALSE,
    follow_up_on      TEXT,
    needs_added       INTEGER NOT NULL DEFAULT 0,
    events_recorded   INTEGER NOT NULL DEFAULT 0,
    created_at        TIMESTAMP NOT NULL
);
CREATE INDEX visits_household_at ON visits(household_id, at);
CREATE INDEX visits_grid_at ON visits(grid_id, at);

CREATE TABLE visit_visitors (
    visit_id        INTEGER NOT NULL REFERENCES visits(id),
    team_member_id  INTEGER NOT NULL REFERENCES team_members(id),
    PRIMARY KEY (visit_id, team_member_id)
);

-- +goose Down
DROP TABLE visit_visitors;
DROP TABLE visits;
DROP INDEX households_next_due;
ALTER TABLE households DROP COLUMN offpeak;
ALTER TABLE households DROP COLUMN misses;
ALTER TABLE households DROP COLUMN next_due_on;
ALTER TABLE households DROP COLUMN last_met_on;
ALTER TABLE households DROP COLUMN last_visit_at;
