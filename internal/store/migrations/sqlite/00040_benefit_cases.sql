-- +goose Up
-- Issue 17: relief and benefits as services delivered. A benefit case is
-- an application of a household for temporary relief (临时救助), dibao
-- (低保), near-dibao (低保边缘), a disability aid or the subsidy of the
-- over-80s (高龄补贴): its persons covered, the application date, the
-- helper (a team member), its status (applied, approved, rejected) and
-- decision date, the amount in whole yuan (monthly or one-off) or the
-- form (cash, in kind), and what it came from: a need, a plan measure, a
-- visit or a request. Scope is the household's. Dates are Asia/Shanghai
-- calendar dates ("YYYY-MM-DD").
-- Keep in step with ../postgres/00040_benefit_cases.sql: a test compares
-- the two.
CREATE TABLE benefit_cases (
    id            INTEGER PRIMARY KEY,
    household_id  INTEGER NOT NULL REFERENCES households(id),
    kind          TEXT NOT NULL,
    applied_on    TEXT NOT NULL,
    helper_id     INTEGER REFERENCES team_members(id),
    status        TEXT NOT NULL DEFAULT 'applied',
    decided_on    TEXT NOT NULL DEFAULT '',
    amount        INTEGER NOT NULL DEFAULT 0,
    period        TEXT NOT NULL DEFAULT '',
    form          TEXT NOT NULL DEFAULT 'cash',
    note          TEXT NOT NULL DEFAULT '',
    need_id       INTEGER REFERENCES needs(id),
    measure_id    INTEGER REFERENCES plan_measures(id),
    visit_id      INTEGER REFERENCES visits(id),
    request_id    INTEGER REFERENCES requests(id),
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE INDEX benefit_cases_household ON benefit_cases(household_id, id);
CREATE INDEX benefit_cases_decided ON benefit_cases(status, decided_on);

CREATE TABLE benefit_persons (
    case_id       INTEGER NOT NULL REFERENCES benefit_cases(id),
    person_id     INTEGER NOT NULL REFERENCES persons(id),
    PRIMARY KEY (case_id, person_id)
);
CREATE INDEX benefit_persons_person ON benefit_persons(person_id);

-- +goose Down
DROP TABLE benefit_persons;
DROP TABLE benefit_cases;
