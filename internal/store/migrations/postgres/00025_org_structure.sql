-- +goose Up
-- Issue 12: the structure of a community is managed from the app (internal/org).
--
-- retired_at marks an org unit, compound or building that was retired: it
-- stays in the database, so the ledger events, visits, plans and requests
-- that name it keep their ids, but it leaves lists, pickers and counts.
-- Names are unique among the active siblings only, so a new grid may take
-- the name of a retired one (a renumbering, a merge).
--
-- users.totp_grace_until lets the first administrator (wanhu init or the
-- first-run page) sign in to the API with the password alone until then,
-- unless two-step sign-in is on by then; the web still asks them to set it
-- up at their first sign-in there (internal/auth, totp_policy.go).
-- Keep in step with ../sqlite/00025_org_structure.sql: a test compares the two.
ALTER TABLE org_units ADD COLUMN retired_at TIMESTAMPTZ;
ALTER TABLE compounds ADD COLUMN retired_at TIMESTAMPTZ;
ALTER TABLE buildings ADD COLUMN retired_at TIMESTAMPTZ;
ALTER TABLE users ADD COLUMN totp_grace_until TIMESTAMPTZ;

DROP INDEX org_units_parent_name;
CREATE UNIQUE INDEX org_units_parent_name ON org_units(parent_id, name) WHERE retired_at IS NULL;
DROP INDEX compounds_community_name;
CREATE UNIQUE INDEX compounds_community_name ON compounds(community_id, name) WHERE retired_at IS NULL;
DROP INDEX buildings_compound_name;
CREATE UNIQUE INDEX buildings_compound_name ON buildings(compound_id, name) WHERE retired_at IS NULL;

-- +goose Down
DROP INDEX buildings_compound_name;
CREATE UNIQUE INDEX buildings_compound_name ON buildings(compound_id, name);
DROP INDEX compounds_community_name;
CREATE UNIQUE INDEX compounds_community_name ON compounds(community_id, name);
DROP INDEX org_units_parent_name;
CREATE UNIQUE INDEX org_units_parent_name ON org_units(parent_id, name);
ALTER TABLE users DROP COLUMN totp_grace_until;
ALTER TABLE buildings DROP COLUMN retired_at;
ALTER TABLE compounds DROP COLUMN retired_at;
ALTER TABLE org_units DROP COLUMN retired_at;
