-- +goose Up
-- Saved rosters (issue 6, R18): a filter over people or households that a
-- user keeps under a name, to open again from the roster index. filter is
-- the filter's query parameters as a JSON object ({"age":"60-","tag":…}),
-- read back through internal/roster, which checks them again on every use.
-- Keep in step with ../postgres/00019_saved_rosters.sql: a test compares the two.
CREATE TABLE saved_rosters (
    id          INTEGER PRIMARY KEY,
    owner_id    INTEGER NOT NULL REFERENCES users(id),
    name        TEXT NOT NULL,
    entity      TEXT NOT NULL CHECK (entity IN ('person','household')),
    filter      TEXT NOT NULL DEFAULT '{}',
    created_at  TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX saved_rosters_owner_name ON saved_rosters(owner_id, name);

-- +goose Down
DROP TABLE saved_rosters;
