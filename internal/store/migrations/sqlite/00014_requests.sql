-- +goose Up
-- Resident requests (诉求, issue 5): the four-order workflow (四单制) of
-- submit, accept, resolve and rate. request_categories are what a request is
-- about, with the urgency and the working days a general one is due in
-- (the article's 3–5); a category's code is also its Open311 service_code.
-- A request's state moves only through internal/request's state machine;
-- every move writes a request_events row (the timeline) in the same
-- transaction. reporter_phone is sealed like household phones ('' for
-- none). org_path is the path of the org unit the request belongs to (its
-- grid, or the community that registered it), for the administrators'
-- scope. due_at is the deadline (UTC); due_estimated says the working-day
-- calendar had no official data for a day on the way. extension_days and
-- extension_reason hold a department's pending request for more time.
-- Keep in step with ../postgres/00014_requests.sql: a test compares the two.
CREATE TABLE request_categories (
    code             TEXT PRIMARY KEY,
    name_zh          TEXT NOT NULL,
    name_en          TEXT NOT NULL,
    default_urgency  TEXT NOT NULL CHECK (default_urgency IN ('urgent','general')),
    working_days     INTEGER NOT NULL DEFAULT 5 CHECK (working_days BETWEEN 3 AND 5),
    active           BOOLEAN NOT NULL DEFAULT TRUE,
    sort             INTEGER NOT NULL DEFAULT 0
);
INSERT INTO request_categories(code, name_zh, name_en, default_urgency, working_days, sort) VALUES
    ('sanitation', '化粪池、下水道堵塞外溢', 'Septic tank and sewer blockage', 'urgent', 3, 1),
    ('water_supply', '停水、漏水', 'Water outage or leak', 'urgent', 3, 2),
    ('safety', '安全隐患', 'Safety hazard', 'urgent', 3, 3),
    ('repairs', '公共设施维修', 'Repairs of shared facilities', 'general', 5, 4),
    ('ev_charging', '电动车充电桩', 'Electric bike charging points', 'general', 5, 5),
    ('fitness_equipment', '健身器材', 'Fitness equipment', 'general', 5, 6),
    ('environment', '环境卫生', 'Environment and cleanliness', 'general', 3, 7),
    ('parking', '停车管理', 'Parking', 'general', 5, 8),
    ('elderly_care', '养老服务', 'Care for the elderly', 'general', 5, 9),
    ('neighbour_dispute', '邻里纠纷', 'Dispute between neighbours', 'general', 5, 10),
    ('other', '其他', 'Other', 'general', 5, 99);

CREATE TABLE requests (
    id                INTEGER PRIMARY KEY,
    tracking_code     TEXT NOT NULL UNIQUE,
    category          TEXT NOT NULL REFERENCES request_categories(code),
    description       TEXT NOT NULL,
    channel           TEXT NOT NULL CHECK (channel IN ('visit','grid_group','hotline','talk_room','walk_in','web','open311')),
    household_id      INTEGER REFERENCES households(id),
    person_id         INTEGER REFERENCES persons(id),
    need_id           INTEGER REFERENCES needs(id),
    reporter_phone    TEXT NOT NULL DEFAULT '',
    address           TEXT NOT NULL DEFAULT '',
    lat               REAL,
    lng               REAL,
    grid_id           INTEGER REFERENCES org_units(id),
    org_path          TEXT NOT NULL,
    state             TEXT NOT NULL CHECK (state IN ('submitted','accepted','declined','merged','resolved','closed')),
    urgency           TEXT NOT NULL DEFAULT '' CHECK (urgency IN ('','urgent','general')),
    working_days      INTEGER NOT NULL DEFAULT 0,
    handling          TEXT NOT NULL DEFAULT '' CHECK (handling IN ('','community','referred')),
    department_id     INTEGER REFERENCES org_units(id),
    assignee_user_id  INTEGER REFERENCES users(id),
    submitted_at      TIMESTAMP NOT NULL,
    accepted_at       TIMESTAMP,
    due_at            TIMESTAMP,
    due_estimated     BOOLEAN NOT NULL DEFAULT FALSE,
    resolved_at       TIMESTAMP,
    closed_at         TIMESTAMP,
    merged_into       INTEGER REFERENCES requests(id),
    decline_reason    TEXT NOT NULL DEFAULT '',
    resolution        TEXT NOT NULL DEFAULT '',
    extension_days    INTEGER NOT NULL DEFAULT 0,
    extension_reason  TEXT NOT NULL DEFAULT '',
    callback_result   TEXT NOT NULL DEFAULT '' CHECK (callback_result IN ('','satisfied','basically_satisfied','dissatisfied')),
    callback_comment  TEXT NOT NULL DEFAULT '',
    version           INTEGER NOT NULL DEFAULT 1,
    created_by        INTEGER REFERENCES users(id),
    created_by_name   TEXT NOT NULL DEFAULT '',
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL
);
CREATE INDEX requests_state_due ON requests(state, due_at);
CREATE INDEX requests_grid ON requests(grid_id, state);
CREATE INDEX requests_department ON requests(department_id, state);
CREATE INDEX requests_household ON requests(household_id);
CREATE INDEX requests_need ON requests(need_id);
CREATE INDEX requests_org_path ON requests(org_path);

CREATE TABLE request_events (
    id          INTEGER PRIMARY KEY,
    request_id  INTEGER NOT NULL REFERENCES requests(id),
    at          TIMESTAMP NOT NULL,
    actor_id    INTEGER REFERENCES users(id),
    actor       TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL,
    from_state  TEXT NOT NULL DEFAULT '',
    to_state    TEXT NOT NULL DEFAULT '',
    note        TEXT NOT NULL DEFAULT '',
    data        TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX request_events_request ON request_events(request_id, id);

-- +goose Down
DROP TABLE request_events;
DROP TABLE requests;
DROP TABLE request_categories;
