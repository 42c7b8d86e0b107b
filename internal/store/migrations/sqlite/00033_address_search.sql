-- +goose Up
-- Issue 15: an address search at city scale (internal/household/search.go).
--
-- household_addresses is a full-text index of every household's address
-- without its spaces (the form addressCond compares in), cut into
-- trigrams, so a search for a part of an address ("一化小区", "3号楼2单元",
-- "2012") finds its households through the index instead of reading every
-- address. Its rowid is the household's id. It is contentless (the
-- addresses stay in households alone), so a row is taken out with the
-- 'delete' command and the value it was indexed under; the triggers below
-- keep it in step with every insert, change of address and delete,
-- whoever writes (the store, imports, wanhu gen). Existing households are
-- indexed here, once.
--
-- PostgreSQL has no such table: a pg_trgm index on the same expression
-- serves it (../postgres/00033_address_search.sql).
CREATE VIRTUAL TABLE household_addresses USING fts5(address, content = '', tokenize = 'trigram');

INSERT INTO household_addresses(rowid, address) SELECT id, REPLACE(address, ' ', '') FROM households;

-- +goose StatementBegin
CREATE TRIGGER households_address_insert AFTER INSERT ON households BEGIN
    INSERT INTO household_addresses(rowid, address) VALUES (new.id, REPLACE(new.address, ' ', ''));
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER households_address_update AFTER UPDATE OF id, address ON households BEGIN
    INSERT INTO household_addresses(household_addresses, rowid, address) VALUES ('delete', old.id, REPLACE(old.address, ' ', ''));
    INSERT INTO household_addresses(rowid, address) VALUES (new.id, REPLACE(new.address, ' ', ''));
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER households_address_delete AFTER DELETE ON households BEGIN
    INSERT INTO household_addresses(household_addresses, rowid, address) VALUES ('delete', old.id, REPLACE(old.address, ' ', ''));
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER households_address_delete;
DROP TRIGGER households_address_update;
DROP TRIGGER households_address_insert;
DROP TABLE household_addresses;
