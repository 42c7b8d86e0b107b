-- +goose Up
-- Open311 GeoReport v2 (issue 5, internal/open311). open311_keys are the
-- API keys of the outside clients allowed to POST requests: only a SHA-256
-- hash of each key is kept (the key is shown once, by `wanhu open311 key
-- add`); requests submitted with a key belong to its org unit (a community),
-- as a request with neither household nor grid must belong somewhere.
-- open311_requests links each request submitted through Open311 to its key
-- and keeps what the spec lets a client send beyond the request itself: the
-- client's account_id and the reporter's name and email, the latter two
-- sealed like phone numbers ('' for none).
-- Keep in step with ../postgres/00016_open311.sql: a test compares the two.
CREATE TABLE open311_keys (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    key_hash     TEXT NOT NULL UNIQUE,
    org_unit_id  INTEGER NOT NULL REFERENCES org_units(id),
    created_at   TIMESTAMP NOT NULL,
    revoked_at   TIMESTAMP
);

CREATE TABLE open311_requests (
    request_id      INTEGER PRIMARY KEY REFERENCES requests(id),
    key_id          INTEGER NOT NULL REFERENCES open311_keys(id),
    account_id      TEXT NOT NULL DEFAULT '',
    reporter_name   TEXT NOT NULL DEFAULT '',
    reporter_email  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX open311_requests_key ON open311_requests(key_id);

-- +goose Down
DROP TABLE open311_requests;
DROP TABLE open311_keys;
