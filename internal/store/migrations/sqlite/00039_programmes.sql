-- +goose Up
-- Issue 17: the community's programmes (a recurring service: the
-- four-thirty class 四点半课堂, free elderly check-ups, …) with their
-- sessions, enrolments and attendance, and its activities (a one-off
-- event: a neighbourhood festival 邻里节, a policy talk) with the
-- residents' sign-ups from the contact card's QR page and attendance.
--
-- Scope: org_path is the community's path (an administrator's subtree);
-- a grid account reaches a community holding a grid of it, and sees the
-- enrolments and sign-ups of its own households only.
-- Times are instants (UTC); durations of sessions and activities count
-- as the team members' served hours.
-- Keep in step with ../postgres/00039_programmes.sql: a test compares the
-- two.
CREATE TABLE programmes (
    id            INTEGER PRIMARY KEY,
    community_id  INTEGER NOT NULL REFERENCES org_units(id),
    org_path      TEXT NOT NULL,
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL,
    roster        TEXT NOT NULL DEFAULT '',
    description   TEXT NOT NULL DEFAULT '',
    capacity      INTEGER NOT NULL DEFAULT 0,
    place         TEXT NOT NULL DEFAULT '',
    version       INTEGER NOT NULL DEFAULT 1,
    created_by    INTEGER REFERENCES users(id),
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE INDEX programmes_path ON programmes(org_path);

CREATE TABLE programme_sessions (
    id            INTEGER PRIMARY KEY,
    programme_id  INTEGER NOT NULL REFERENCES programmes(id),
    starts_at     TIMESTAMP NOT NULL,
    ends_at       TIMESTAMP NOT NULL,
    place         TEXT NOT NULL DEFAULT '',
    topic         TEXT NOT NULL DEFAULT '',
    created_by    TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX programme_sessions_programme ON programme_sessions(programme_id, starts_at);
CREATE INDEX programme_sessions_starts ON programme_sessions(starts_at);

CREATE TABLE programme_session_staff (
    session_id      INTEGER NOT NULL REFERENCES programme_sessions(id),
    team_member_id  INTEGER NOT NULL REFERENCES team_members(id),
    PRIMARY KEY (session_id, team_member_id)
);

CREATE TABLE programme_enrolments (
    id            INTEGER PRIMARY KEY,
    programme_id  INTEGER NOT NULL REFERENCES programmes(id),
    person_id     INTEGER NOT NULL REFERENCES persons(id),
    household_id  INTEGER NOT NULL REFERENCES households(id),
    grid_id       INTEGER NOT NULL,
    interests     TEXT NOT NULL DEFAULT '',
    source        TEXT NOT NULL DEFAULT 'hand',
    enrolled_on   TEXT NOT NULL,
    left_on       TEXT NOT NULL DEFAULT '',
    created_by    TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX programme_enrolments_person ON programme_enrolments(programme_id, person_id);
CREATE INDEX programme_enrolments_household ON programme_enrolments(household_id);

CREATE TABLE programme_attendance (
    session_id    INTEGER NOT NULL REFERENCES programme_sessions(id),
    enrolment_id  INTEGER NOT NULL REFERENCES programme_enrolments(id),
    PRIMARY KEY (session_id, enrolment_id)
);
CREATE INDEX programme_attendance_enrolment ON programme_attendance(enrolment_id);

CREATE TABLE activities (
    id             INTEGER PRIMARY KEY,
    community_id   INTEGER NOT NULL REFERENCES org_units(id),
    org_path       TEXT NOT NULL,
    title          TEXT NOT NULL,
    kind           TEXT NOT NULL,
    description    TEXT NOT NULL DEFAULT '',
    starts_at      TIMESTAMP NOT NULL,
    ends_at        TIMESTAMP NOT NULL,
    place          TEXT NOT NULL DEFAULT '',
    capacity       INTEGER NOT NULL DEFAULT 0,
    per_household  INTEGER NOT NULL DEFAULT 2,
    signup_open    BOOLEAN NOT NULL DEFAULT TRUE,
    version        INTEGER NOT NULL DEFAULT 1,
    created_by     INTEGER REFERENCES users(id),
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL
);
CREATE INDEX activities_path ON activities(org_path, starts_at);

CREATE TABLE activity_staff (
    activity_id     INTEGER NOT NULL REFERENCES activities(id),
    team_member_id  INTEGER NOT NULL REFERENCES team_members(id),
    PRIMARY KEY (activity_id, team_member_id)
);

CREATE TABLE activity_signups (
    id            INTEGER PRIMARY KEY,
    activity_id   INTEGER NOT NULL REFERENCES activities(id),
    household_id  INTEGER NOT NULL REFERENCES households(id),
    grid_id       INTEGER NOT NULL,
    people        INTEGER NOT NULL,
    phone         TEXT NOT NULL DEFAULT '',
    via           TEXT NOT NULL,
    client_hash   TEXT NOT NULL DEFAULT '',
    attended      INTEGER NOT NULL DEFAULT 0,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX activity_signups_household ON activity_signups(activity_id, household_id);
CREATE INDEX activity_signups_client ON activity_signups(client_hash, created_at);

-- +goose Down
DROP TABLE activity_signups;
DROP TABLE activity_staff;
DROP TABLE activities;
DROP TABLE programme_attendance;
DROP TABLE programme_enrolments;
DROP TABLE programme_session_staff;
DROP TABLE programme_sessions;
DROP TABLE programmes;
