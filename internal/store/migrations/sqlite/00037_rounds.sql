-- +goose Up
-- Issue 16: safety rounds (安全排查, 白+黑, 5+2). A round walks one
-- template's checklist (internal/round's templates, shipped in code) in a
-- grid; a shop fire-safety check is at one commercial household. A round
-- is scheduled (for an evening or a weekend, to a team member), started,
-- and done when its results are recorded, once: client_id is the phone's
-- id of that recording, so a retry from the offline queue records
-- nothing twice. failed counts the failed items. Each result is one item
-- checked, ok or not, with a note and the building where it was found; a
-- failed one names the request it made.
-- Keep in step with ../postgres/00037_rounds.sql: a test compares the two.
CREATE TABLE rounds (
    id                  INTEGER PRIMARY KEY,
    template            TEXT NOT NULL,
    grid_id             INTEGER NOT NULL REFERENCES org_units(id),
    org_path            TEXT NOT NULL,
    household_id        INTEGER REFERENCES households(id),
    state               TEXT NOT NULL CHECK (state IN ('scheduled','started','done')),
    scheduled_for       TIMESTAMP,
    assignee_member_id  INTEGER REFERENCES team_members(id),
    started_at          TIMESTAMP,
    done_at             TIMESTAMP,
    done_by_name        TEXT NOT NULL DEFAULT '',
    failed              INTEGER NOT NULL DEFAULT 0,
    client_id           TEXT UNIQUE,
    lat                 REAL,
    lng                 REAL,
    created_by_name     TEXT NOT NULL DEFAULT '',
    created_at          TIMESTAMP NOT NULL,
    version             INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX rounds_grid_state ON rounds(grid_id, state);
CREATE INDEX rounds_household ON rounds(household_id, done_at);

CREATE TABLE round_results (
    id           INTEGER PRIMARY KEY,
    round_id     INTEGER NOT NULL REFERENCES rounds(id),
    item         TEXT NOT NULL,
    ok           BOOLEAN NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    building_id  INTEGER REFERENCES buildings(id),
    request_id   INTEGER REFERENCES requests(id)
);
CREATE INDEX round_results_round ON round_results(round_id, id);
CREATE INDEX round_results_request ON round_results(request_id);

-- A round's photos, kept and re-encoded as a visit's are.
CREATE TABLE round_photos (
    id            INTEGER PRIMARY KEY,
    round_id      INTEGER NOT NULL REFERENCES rounds(id),
    content_type  TEXT NOT NULL,
    size          INTEGER NOT NULL,
    data          BLOB NOT NULL,
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX round_photos_round ON round_photos(round_id, id);

-- +goose Down
DROP TABLE round_photos;
DROP TABLE round_results;
DROP TABLE rounds;
