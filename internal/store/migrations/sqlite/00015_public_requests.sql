-- +goose Up
-- Requests residents submit on their own page (/r/new, issue 5) without an
-- account are rate-limited in the database, so the limit holds across
-- servers: one public_submissions row per accepted submission, with keyed
-- hashes (internal/secret) of the address it came from and of the phone
-- given ('' for none), never the values themselves. request_id is the
-- request it became.
-- Keep in step with ../postgres/00015_public_requests.sql: a test compares the two.
CREATE TABLE public_submissions (
    id           INTEGER PRIMARY KEY,
    client_hash  TEXT NOT NULL,
    phone_hash   TEXT NOT NULL DEFAULT '',
    request_id   INTEGER REFERENCES requests(id),
    at           TIMESTAMP NOT NULL
);
CREATE INDEX public_submissions_client ON public_submissions(client_hash, at);
CREATE INDEX public_submissions_phone ON public_submissions(phone_hash, at);

-- +goose Down
DROP TABLE public_submissions;
