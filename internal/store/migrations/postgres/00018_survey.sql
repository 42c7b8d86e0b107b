-- +goose Up
-- The resident survey (issue 6): a few questions a visitor asks on a visit
-- that met someone, whose answers give the article's headline indicators
-- (知晓率、参与率、满意率). Questions are configurable: an administrator
-- adds them and deactivates them (a question with answers is never
-- deleted). kind says which answers a question takes: yes_no (yes, no) or
-- satisfaction (satisfied, basically_satisfied, dissatisfied, the first two
-- counting as satisfied, as request callbacks do); indicator is the rate
-- the question counts towards, or none (counted per grid only).
-- Keep in step with ../sqlite/00018_survey.sql: a test compares the two.
CREATE TABLE survey_questions (
    code       TEXT PRIMARY KEY,
    text_zh    TEXT NOT NULL,
    text_en    TEXT NOT NULL DEFAULT '',
    kind       TEXT NOT NULL CHECK (kind IN ('yes_no','satisfaction')),
    indicator  TEXT NOT NULL DEFAULT 'none' CHECK (indicator IN ('awareness','participation','satisfaction','none')),
    position   INTEGER NOT NULL DEFAULT 0,
    active     BOOLEAN NOT NULL DEFAULT TRUE
);
INSERT INTO survey_questions(code, text_zh, text_en, kind, indicator, position) VALUES
    ('knows_grid_worker', '知道您的网格员吗？', 'Do you know your grid worker?', 'yes_no', 'awareness', 1),
    ('joined_activity', '参加过社区活动吗？', 'Have you taken part in a community activity?', 'yes_no', 'participation', 2),
    ('satisfied', '对社区服务满意吗？', 'Are you satisfied with the community''s services?', 'satisfaction', 'satisfaction', 3);

-- One answer per question and visit; household_id and grid_id are the
-- visit's, answered_at its time, so the rates are counted without joining
-- the visits.
CREATE TABLE survey_answers (
    visit_id       BIGINT NOT NULL REFERENCES visits(id),
    question_code  TEXT NOT NULL REFERENCES survey_questions(code),
    answer         TEXT NOT NULL,
    household_id   BIGINT NOT NULL REFERENCES households(id),
    grid_id        BIGINT NOT NULL REFERENCES org_units(id),
    answered_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (visit_id, question_code)
);
CREATE INDEX survey_answers_at ON survey_answers(answered_at);

-- +goose Down
DROP TABLE survey_answers;
DROP TABLE survey_questions;
