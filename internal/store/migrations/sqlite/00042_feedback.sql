-- +goose Up
-- Issue 17: thanks and complaints about a named team member or staff
-- account (表扬/感谢, 投诉), from a request's rating, a visit, a callback
-- or the office by hand. A complaint is followed up: status open →
-- looked_into → closed with an outcome. Exactly one of team_member_id and
-- user_id names whom it is about; subject_key ("m:12", "u:3") is that
-- name as one value, so a resident thanks a member once per request
-- (feedback_public_once). Scope: org_path is the member's unit (their grid,
-- or their community) or the request's, grid_id the grid.
-- Keep in step with ../postgres/00042_feedback.sql: a test compares the two.
CREATE TABLE feedback (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('praise','complaint')),
    team_member_id  INTEGER REFERENCES team_members(id),
    user_id         INTEGER REFERENCES users(id),
    subject_key     TEXT NOT NULL,
    org_path        TEXT NOT NULL,
    grid_id         INTEGER REFERENCES org_units(id),
    body            TEXT NOT NULL DEFAULT '',
    from_name       TEXT NOT NULL DEFAULT '',
    source          TEXT NOT NULL CHECK (source IN ('rating','visit','callback','office')),
    request_id      INTEGER REFERENCES requests(id),
    visit_id        INTEGER REFERENCES visits(id),
    status          TEXT NOT NULL DEFAULT '' CHECK (status IN ('','open','looked_into','closed')),
    outcome         TEXT NOT NULL DEFAULT '',
    handled_by      TEXT NOT NULL DEFAULT '',
    handled_at      TIMESTAMP,
    recorded_by     TEXT NOT NULL DEFAULT '',
    recorded_by_id  INTEGER REFERENCES users(id),
    at              TIMESTAMP NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX feedback_path ON feedback(org_path, at);
CREATE INDEX feedback_member ON feedback(team_member_id, at);
CREATE INDEX feedback_user ON feedback(user_id, at);
CREATE UNIQUE INDEX feedback_public_once ON feedback(request_id, kind, subject_key) WHERE source = 'rating';

-- +goose Down
DROP TABLE feedback;
