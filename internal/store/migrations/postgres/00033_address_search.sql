-- +goose Up
-- Issue 15: an address search at city scale (internal/household/search.go).
--
-- A trigram index (pg_trgm, a trusted extension: the database's owner may
-- create it) on every household's address without its spaces, the form
-- addressCond compares in, so "REPLACE(h.address, ' ', '') LIKE '%一化小区%'"
-- finds its households through the index instead of reading every address.
-- PostgreSQL keeps it up to date itself. SQLite has a full-text table with
-- triggers instead (../sqlite/00033_address_search.sql).
--
-- The extension is one per database, whichever schema Wanhu's tables are
-- in: it goes to public unless it is already installed elsewhere, and the
-- index names its operator class in the schema where it is.
-- +goose StatementBegin
DO $$
DECLARE s text;
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
    SELECT n.nspname INTO s FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm';
    EXECUTE format('CREATE INDEX households_address_trgm ON households USING gin (REPLACE(address, '' '', '''') %I.gin_trgm_ops)', s);
END $$;
-- +goose StatementEnd

-- +goose Down
DROP INDEX households_address_trgm;
