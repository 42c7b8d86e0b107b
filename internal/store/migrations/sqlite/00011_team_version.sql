-- +goose Up
-- The visiting team is edited on the web and through the API (issue 4):
-- like a household, a team member carries a version, so two people
-- editing the same member never silently overwrite each other.
-- Keep in step with ../postgres/00011_team_version.sql: a test compares the two.
ALTER TABLE team_members ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

-- +goose Down
ALTER TABLE team_members DROP COLUMN version;
