-- +goose Up
-- Issue 11: the public faces show a request's place and a public reply,
-- never what staff wrote for themselves, and their reads are rate-limited.
--
-- requests.public_note is the reply staff write for the resident and the
-- public when they resolve a request ('' for none): /r/{code} and Open311
-- show it, never the resolution, which stays internal.
-- requests.building_id is the building the request is about, the most of
-- its place a public page shows (compound and building, never the flat):
-- the household's building, or the one a resident chose on /r/new. Older
-- requests take it from their household, or, submitted on /r/new, from
-- the "compound building" their address began with.
--
-- rate_hits counts hits per client and kind in windows of time, so a
-- limit holds across servers (store.DB.Hit): the public pages' reads
-- (/r/{code}, /a/{token}, Open311) per address, and staff's searches by a
-- full ID or phone number per account. client_hash is a keyed hash of the
-- client (internal/secret), never an address; bucket is the window's
-- number (Unix seconds divided by its length).
-- Keep in step with ../postgres/00024_public_replies_and_limits.sql: a test compares the two.
ALTER TABLE requests ADD COLUMN public_note TEXT NOT NULL DEFAULT '';
ALTER TABLE requests ADD COLUMN building_id INTEGER REFERENCES buildings(id);
UPDATE requests SET building_id = (SELECT h.building_id FROM households h WHERE h.id = requests.household_id)
WHERE household_id IS NOT NULL;
UPDATE requests SET building_id = (
    SELECT b.id FROM buildings b JOIN compounds c ON c.id = b.compound_id
    WHERE b.grid_id = requests.grid_id
      AND (requests.address = c.name || ' ' || b.name OR requests.address LIKE c.name || ' ' || b.name || ' %')
    ORDER BY b.id LIMIT 1)
WHERE household_id IS NULL AND channel = 'web';

CREATE TABLE rate_hits (
    client_hash  TEXT NOT NULL,
    kind         TEXT NOT NULL,
    bucket       INTEGER NOT NULL,
    hits         INTEGER NOT NULL,
    PRIMARY KEY (client_hash, kind, bucket)
);
CREATE INDEX rate_hits_kind_bucket ON rate_hits(kind, bucket);

-- +goose Down
DROP TABLE rate_hits;
ALTER TABLE requests DROP COLUMN building_id;
ALTER TABLE requests DROP COLUMN public_note;
