-- +goose Up
-- Issue 16: the talk room (谈心室), the mediation of neighbour disputes
-- (调解) and the arrival on site of an urgent request.
--
-- A talk session is an hour of the secretary's (or another host's) in the
-- talk room of a community; its visitors are households and persons on
-- file or a free-text name, with what they said and the request that came
-- of it. A mediation case has two or more households as parties, team
-- members as mediators, sessions, an outcome (agreed, not agreed) with the
-- agreement's text, a follow-up date and the request it escalated into.
-- Scope: org_path is the community's path (an administrator's subtree);
-- a grid leader or visitor reaches a record through its households.
-- Keep in step with ../postgres/00038_talk_room_mediation.sql: a test
-- compares the two.
ALTER TABLE requests ADD COLUMN arrived_at TIMESTAMP;
ALTER TABLE requests ADD COLUMN arrived_by TEXT NOT NULL DEFAULT '';

CREATE TABLE talk_sessions (
    id            INTEGER PRIMARY KEY,
    community_id  INTEGER NOT NULL REFERENCES org_units(id),
    org_path      TEXT NOT NULL,
    day           TEXT NOT NULL,
    starts        TEXT NOT NULL,
    ends          TEXT NOT NULL,
    host          TEXT NOT NULL,
    note          TEXT NOT NULL DEFAULT '',
    version       INTEGER NOT NULL DEFAULT 1,
    created_by    INTEGER REFERENCES users(id),
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE INDEX talk_sessions_path ON talk_sessions(org_path, day);

CREATE TABLE talk_visitors (
    id            INTEGER PRIMARY KEY,
    session_id    INTEGER NOT NULL REFERENCES talk_sessions(id),
    household_id  INTEGER REFERENCES households(id),
    person_id     INTEGER REFERENCES persons(id),
    name          TEXT NOT NULL DEFAULT '',
    said          TEXT NOT NULL,
    request_id    INTEGER REFERENCES requests(id),
    created_by    TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX talk_visitors_session ON talk_visitors(session_id, id);
CREATE INDEX talk_visitors_household ON talk_visitors(household_id);

CREATE TABLE mediation_cases (
    id            INTEGER PRIMARY KEY,
    community_id  INTEGER NOT NULL REFERENCES org_units(id),
    org_path      TEXT NOT NULL,
    title         TEXT NOT NULL,
    summary       TEXT NOT NULL DEFAULT '',
    opened_on     TEXT NOT NULL,
    outcome       TEXT NOT NULL DEFAULT '' CHECK (outcome IN ('','agreed','not_agreed')),
    agreement     TEXT NOT NULL DEFAULT '',
    follow_up_on  TEXT NOT NULL DEFAULT '',
    request_id    INTEGER REFERENCES requests(id),
    version       INTEGER NOT NULL DEFAULT 1,
    created_by    INTEGER REFERENCES users(id),
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE INDEX mediation_cases_path ON mediation_cases(org_path, opened_on);

CREATE TABLE mediation_parties (
    case_id       INTEGER NOT NULL REFERENCES mediation_cases(id),
    household_id  INTEGER NOT NULL REFERENCES households(id),
    PRIMARY KEY (case_id, household_id)
);
CREATE INDEX mediation_parties_household ON mediation_parties(household_id);

CREATE TABLE mediation_mediators (
    case_id         INTEGER NOT NULL REFERENCES mediation_cases(id),
    team_member_id  INTEGER NOT NULL REFERENCES team_members(id),
    PRIMARY KEY (case_id, team_member_id)
);

CREATE TABLE mediation_sessions (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES mediation_cases(id),
    held_at     TIMESTAMP NOT NULL,
    note        TEXT NOT NULL,
    created_by  TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX mediation_sessions_case ON mediation_sessions(case_id, held_at);

-- +goose Down
DROP TABLE mediation_sessions;
DROP TABLE mediation_mediators;
DROP TABLE mediation_parties;
DROP TABLE mediation_cases;
DROP TABLE talk_visitors;
DROP TABLE talk_sessions;
ALTER TABLE requests DROP COLUMN arrived_by;
ALTER TABLE requests DROP COLUMN arrived_at;
