-- +goose Up
-- Staff evaluation (issue 6, R19 and R20; internal/staff).
-- training_records are the courses a visiting team member took: the
-- pre-job course (岗前培训) every member takes before visiting, and the
-- on-the-job courses (在岗培训) whose hours count towards the yearly target.
-- completed_on is a "YYYY-MM-DD" day computed in Go; recorded_by the account
-- that entered it.
-- requests.callback_reason is why a dissatisfied callback was dissatisfied
-- (the bad-review analysis): slow 慢, not_solved 未解决, attitude 态度,
-- wrong_department 部门不对, other 其他; '' for a callback that was not
-- dissatisfied.
-- Keep in step with ../postgres/00020_staff.sql: a test compares the two.
CREATE TABLE training_records (
    id              INTEGER PRIMARY KEY,
    team_member_id  INTEGER NOT NULL REFERENCES team_members(id),
    course          TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('pre_job','on_job')),
    completed_on    TEXT NOT NULL,
    hours           REAL NOT NULL DEFAULT 0,
    note            TEXT NOT NULL DEFAULT '',
    recorded_by     INTEGER REFERENCES users(id),
    created_at      TIMESTAMP NOT NULL
);
CREATE INDEX training_records_member ON training_records(team_member_id, completed_on);

ALTER TABLE requests ADD COLUMN callback_reason TEXT NOT NULL DEFAULT ''
    CHECK (callback_reason IN ('','slow','not_solved','attitude','wrong_department','other'));

-- +goose Down
ALTER TABLE requests DROP COLUMN callback_reason;
DROP TABLE training_records;
