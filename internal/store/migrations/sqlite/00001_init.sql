-- +goose Up
-- The foundation: org tree, places, households and their members, tags,
-- needs, household plans, the ledger, settings and accounts.
-- Keep in step with ../postgres/00001_init.sql: a test compares the two.

CREATE TABLE org_units (
    id          INTEGER PRIMARY KEY,
    parent_id   INTEGER REFERENCES org_units(id),
    kind        TEXT NOT NULL CHECK (kind IN ('city','district','street','community','grid','department')),
    name        TEXT NOT NULL,
    code        TEXT NOT NULL DEFAULT '',
    number      INTEGER NOT NULL DEFAULT 0,
    path        TEXT NOT NULL DEFAULT '',
    phone       TEXT NOT NULL DEFAULT '',
    leader_id   INTEGER,
    created_at  TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX org_units_parent_name ON org_units(parent_id, name);
CREATE INDEX org_units_path ON org_units(path);
CREATE INDEX org_units_kind ON org_units(kind, parent_id);

CREATE TABLE team_members (
    id            INTEGER PRIMARY KEY,
    community_id  INTEGER NOT NULL REFERENCES org_units(id),
    grid_id       INTEGER REFERENCES org_units(id),
    name          TEXT NOT NULL,
    role          TEXT NOT NULL,
    phone         TEXT NOT NULL DEFAULT '',
    wechat        TEXT NOT NULL DEFAULT '',
    skills        TEXT NOT NULL DEFAULT '',
    languages     TEXT NOT NULL DEFAULT '',
    availability  TEXT NOT NULL DEFAULT '',
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX team_members_community ON team_members(community_id);

CREATE TABLE compounds (
    id            INTEGER PRIMARY KEY,
    community_id  INTEGER NOT NULL REFERENCES org_units(id),
    name          TEXT NOT NULL,
    address       TEXT NOT NULL DEFAULT '',
    built_year    INTEGER NOT NULL DEFAULT 0,
    notes         TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX compounds_community_name ON compounds(community_id, name);

CREATE TABLE buildings (
    id           INTEGER PRIMARY KEY,
    compound_id  INTEGER NOT NULL REFERENCES compounds(id),
    grid_id      INTEGER NOT NULL REFERENCES org_units(id),
    name         TEXT NOT NULL,
    floors       INTEGER NOT NULL DEFAULT 0,
    units        INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX buildings_compound_name ON buildings(compound_id, name);
CREATE INDEX buildings_grid ON buildings(grid_id);

CREATE TABLE households (
    id                      INTEGER PRIMARY KEY,
    grid_id                 INTEGER NOT NULL REFERENCES org_units(id),
    compound_id             INTEGER REFERENCES compounds(id),
    building_id             INTEGER REFERENCES buildings(id),
    unit                    TEXT NOT NULL DEFAULT '',
    floor                   INTEGER NOT NULL DEFAULT 0,
    room                    TEXT NOT NULL DEFAULT '',
    address                 TEXT NOT NULL DEFAULT '',
    kind                    TEXT NOT NULL DEFAULT 'residential' CHECK (kind IN ('residential','commercial','mixed')),
    shop_name               TEXT NOT NULL DEFAULT '',
    business_type           TEXT NOT NULL DEFAULT '',
    occupancy               TEXT NOT NULL DEFAULT 'owner' CHECK (occupancy IN ('owner','rented','vacant')),
    phone                   TEXT NOT NULL DEFAULT '',  -- sealed (internal/secret)
    phone_hash              TEXT,                -- keyed hash for search; NULL when no phone
    contact_times           TEXT NOT NULL DEFAULT '',
    contact_note            TEXT NOT NULL DEFAULT '',
    language                TEXT NOT NULL DEFAULT '',
    notes                   TEXT NOT NULL DEFAULT '',
    householder             TEXT NOT NULL DEFAULT '',
    member_count            INTEGER NOT NULL DEFAULT 0,
    colour                  TEXT NOT NULL DEFAULT 'green' CHECK (colour IN ('red','yellow','green')),
    colour_reasons          TEXT NOT NULL DEFAULT '',
    colour_override         TEXT NOT NULL DEFAULT '' CHECK (colour_override IN ('','red','yellow','green')),
    colour_override_reason  TEXT NOT NULL DEFAULT '',
    version                 INTEGER NOT NULL DEFAULT 1,
    created_at              TIMESTAMP NOT NULL,
    updated_at              TIMESTAMP NOT NULL
);
CREATE INDEX households_grid_colour ON households(grid_id, colour, id);
CREATE INDEX households_colour ON households(colour, id);
CREATE INDEX households_kind ON households(kind, id);
CREATE INDEX households_place ON households(building_id, unit, floor, room);
CREATE INDEX households_shop_name ON households(shop_name);
CREATE INDEX households_phone_hash ON households(phone_hash);

CREATE TABLE persons (
    id                INTEGER PRIMARY KEY,
    household_id      INTEGER NOT NULL REFERENCES households(id),
    name              TEXT NOT NULL,
    id_number         TEXT,                     -- sealed (internal/secret)
    id_number_hash    TEXT,                -- keyed hash for search and uniqueness
    gender            TEXT NOT NULL CHECK (gender IN ('male','female')),
    birth_date        TEXT NOT NULL,
    ethnicity         TEXT NOT NULL DEFAULT '',
    residence         TEXT NOT NULL DEFAULT 'registered' CHECK (residence IN ('registered','resident','floating','foreign')),
    relation          TEXT NOT NULL DEFAULT 'other',
    phone             TEXT NOT NULL DEFAULT '',  -- sealed
    phone_hash        TEXT,
    employment        TEXT NOT NULL DEFAULT '',
    school            TEXT NOT NULL DEFAULT '',
    disability_type   TEXT NOT NULL DEFAULT '',
    disability_grade  INTEGER NOT NULL DEFAULT 0 CHECK (disability_grade BETWEEN 0 AND 4),
    health_notes      TEXT NOT NULL DEFAULT '',
    dibao             TEXT NOT NULL DEFAULT 'none' CHECK (dibao IN ('none','dibao','near_dibao')),
    moved_in_on       TEXT,
    moved_out_on      TEXT,
    deceased_on       TEXT,
    active            BOOLEAN NOT NULL DEFAULT TRUE,
    version           INTEGER NOT NULL DEFAULT 1,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL
);
CREATE INDEX persons_household ON persons(household_id);
CREATE INDEX persons_name ON persons(name, household_id);
CREATE INDEX persons_phone_hash ON persons(phone_hash);
CREATE INDEX persons_birth_date ON persons(birth_date);
CREATE UNIQUE INDEX persons_id_number_active ON persons(id_number_hash) WHERE active AND id_number_hash IS NOT NULL;
CREATE INDEX persons_id_number_hash ON persons(id_number_hash);

CREATE TABLE tags (
    code        TEXT PRIMARY KEY,
    applies_to  TEXT NOT NULL CHECK (applies_to IN ('person','household')),
    name_zh     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    key_person  BOOLEAN NOT NULL DEFAULT FALSE,
    sort        INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE person_tags (
    person_id  INTEGER NOT NULL REFERENCES persons(id),
    tag        TEXT NOT NULL REFERENCES tags(code),
    PRIMARY KEY (person_id, tag)
);
CREATE INDEX person_tags_tag ON person_tags(tag, person_id);

CREATE TABLE household_tags (
    household_id  INTEGER NOT NULL REFERENCES households(id),
    tag           TEXT NOT NULL REFERENCES tags(code),
    PRIMARY KEY (household_id, tag)
);
CREATE INDEX household_tags_tag ON household_tags(tag, household_id);

CREATE TABLE needs (
    id            INTEGER PRIMARY KEY,
    household_id  INTEGER NOT NULL REFERENCES households(id),
    person_id     INTEGER REFERENCES persons(id),
    kind          TEXT NOT NULL,
    note          TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','in_progress','met','declined')),
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE INDEX needs_household ON needs(household_id);
CREATE INDEX needs_kind_status ON needs(kind, status);

CREATE TABLE plan_measures (
    id            INTEGER PRIMARY KEY,
    household_id  INTEGER NOT NULL REFERENCES households(id),
    kind          TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    owner_id      INTEGER REFERENCES team_members(id),
    frequency     TEXT NOT NULL CHECK (frequency IN ('weekly','biweekly','monthly','quarterly','half_yearly','yearly','once')),
    status        TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','paused','done')),
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE INDEX plan_measures_household ON plan_measures(household_id);

CREATE TABLE ledger_events (
    id            INTEGER PRIMARY KEY,
    household_id  INTEGER NOT NULL REFERENCES households(id),
    person_id     INTEGER REFERENCES persons(id),
    grid_id       INTEGER NOT NULL,
    type          TEXT NOT NULL,
    field         TEXT NOT NULL DEFAULT '',
    before        TEXT NOT NULL DEFAULT '',
    after         TEXT NOT NULL DEFAULT '',
    note          TEXT NOT NULL DEFAULT '',
    actor_id      INTEGER,
    actor         TEXT NOT NULL DEFAULT '',
    at            TIMESTAMP NOT NULL
);
CREATE INDEX ledger_events_household ON ledger_events(household_id, at);
CREATE INDEX ledger_events_at ON ledger_events(at);
CREATE INDEX ledger_events_grid_at ON ledger_events(grid_id, at);
CREATE INDEX ledger_events_type_at ON ledger_events(type, at);

CREATE TABLE settings (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);

CREATE TABLE users (
    id                   INTEGER PRIMARY KEY,
    username             TEXT NOT NULL UNIQUE,
    display_name         TEXT NOT NULL DEFAULT '',
    password_hash        TEXT NOT NULL,
    disabled             BOOLEAN NOT NULL DEFAULT FALSE,
    team_member_id       INTEGER REFERENCES team_members(id),
    created_at           TIMESTAMP NOT NULL,
    password_changed_at  TIMESTAMP NOT NULL
);

CREATE TABLE user_roles (
    user_id      INTEGER NOT NULL REFERENCES users(id),
    role         TEXT NOT NULL,
    org_unit_id  INTEGER NOT NULL REFERENCES org_units(id),
    PRIMARY KEY (user_id, role, org_unit_id)
);

CREATE TABLE sessions (
    id            TEXT PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users(id),
    kind          TEXT NOT NULL CHECK (kind IN ('web','api')),
    csrf          TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMP NOT NULL,
    last_seen_at  TIMESTAMP NOT NULL,
    expires_at    TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

-- +goose Down
DROP TABLE sessions;
DROP TABLE user_roles;
DROP TABLE users;
DROP TABLE settings;
DROP TABLE ledger_events;
DROP TABLE plan_measures;
DROP TABLE needs;
DROP TABLE household_tags;
DROP TABLE person_tags;
DROP TABLE tags;
DROP TABLE persons;
DROP TABLE households;
DROP TABLE buildings;
DROP TABLE compounds;
DROP TABLE team_members;
DROP TABLE org_units;
