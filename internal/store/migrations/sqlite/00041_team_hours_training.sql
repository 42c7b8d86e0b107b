-- +goose Up
-- Issue 17: volunteers' and party members' service hours, training
-- courses with sessions and attendance (R20), and scorecard targets per
-- role (stored in settings, key "scorecard_targets": no table).
--
-- team_members.unit is a working party member's employer (工作单位), which
-- asks for the record of the community service they report for (报到服务).
-- service_hours are the hours of service entered by hand (what was done,
-- who recorded it); visits, rounds and programme sessions count on their
-- own and are not copied here. day is a "YYYY-MM-DD" day computed in Go.
-- training_courses are the courses a community runs: pre-job (岗前) or
-- on-the-job (在岗), on a topic (policy 政策, mediation 调解, service
-- manners 服务礼仪, the app 系统使用, other), with a pass mark for the
-- short test. training_sessions are a course's sittings; attendance is a
-- training_records row with session_id set (and the test score). A record
-- without a session is a course entered by hand, as before.
-- Keep in step with ../postgres/00041_team_hours_training.sql: a test
-- compares the two.
ALTER TABLE team_members ADD COLUMN unit TEXT NOT NULL DEFAULT '';

CREATE TABLE service_hours (
    id              INTEGER PRIMARY KEY,
    team_member_id  INTEGER NOT NULL REFERENCES team_members(id),
    day             TEXT NOT NULL,
    hours           REAL NOT NULL,
    what            TEXT NOT NULL,
    recorded_by     INTEGER REFERENCES users(id),
    recorded_by_name TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL
);
CREATE INDEX service_hours_member ON service_hours(team_member_id, day);

CREATE TABLE training_courses (
    id            INTEGER PRIMARY KEY,
    community_id  INTEGER NOT NULL REFERENCES org_units(id),
    title         TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('pre_job','on_job')),
    topic         TEXT NOT NULL,
    pass_mark     INTEGER NOT NULL DEFAULT 60,
    version       INTEGER NOT NULL DEFAULT 1,
    created_by    INTEGER REFERENCES users(id),
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX training_courses_community ON training_courses(community_id);

CREATE TABLE training_sessions (
    id          INTEGER PRIMARY KEY,
    course_id   INTEGER NOT NULL REFERENCES training_courses(id),
    day         TEXT NOT NULL,
    hours       REAL NOT NULL,
    place       TEXT NOT NULL DEFAULT '',
    teacher     TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX training_sessions_course ON training_sessions(course_id, day);

ALTER TABLE training_records ADD COLUMN session_id INTEGER REFERENCES training_sessions(id);
ALTER TABLE training_records ADD COLUMN score INTEGER;
CREATE UNIQUE INDEX training_records_session ON training_records(session_id, team_member_id);

-- +goose Down
DROP INDEX training_records_session;
ALTER TABLE training_records DROP COLUMN score;
ALTER TABLE training_records DROP COLUMN session_id;
DROP TABLE training_sessions;
DROP TABLE training_courses;
DROP TABLE service_hours;
ALTER TABLE team_members DROP COLUMN unit;
