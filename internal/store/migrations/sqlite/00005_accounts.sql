-- +goose Up
-- Accounts: login throttling, TOTP second factors, pending second-factor
-- logins and personal access tokens.

-- login_throttle counts failed logins per account name (kind 'user') and
-- per source address (kind 'addr'). Five failures within the window lock
-- the subject until locked_until; each further lockout lasts longer.
CREATE TABLE login_throttle (
    kind          TEXT NOT NULL CHECK (kind IN ('user','addr')),
    subject       TEXT NOT NULL,
    failures      INTEGER NOT NULL DEFAULT 0,
    window_start  TIMESTAMP NOT NULL,
    locked_until  TIMESTAMP,
    lockouts      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (kind, subject)
);

-- user_totp is an account's TOTP secret (RFC 6238); enabled once confirmed
-- with a code. last_step refuses a code used twice.
CREATE TABLE user_totp (
    user_id     INTEGER PRIMARY KEY REFERENCES users(id),
    secret      TEXT NOT NULL,
    enabled     BOOLEAN NOT NULL DEFAULT FALSE,
    last_step   BIGINT NOT NULL DEFAULT 0,
    created_at  TIMESTAMP NOT NULL
);

-- login_challenges are logins whose password was right and that wait for
-- the second factor. Only the hash of the challenge token is stored.
CREATE TABLE login_challenges (
    id          TEXT PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    kind        TEXT NOT NULL CHECK (kind IN ('web','api')),
    addr        TEXT NOT NULL DEFAULT '',
    attempts    INTEGER NOT NULL DEFAULT 0,
    expires_at  TIMESTAMP NOT NULL
);

-- access_tokens are personal access tokens for scripts, shown once and
-- stored as a SHA-256 hash. scopes is "read" or "read,write".
CREATE TABLE access_tokens (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users(id),
    name          TEXT NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    scopes        TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    expires_at    TIMESTAMP NOT NULL,
    last_used_at  TIMESTAMP
);
CREATE INDEX access_tokens_user ON access_tokens(user_id);

-- +goose Down
DROP TABLE access_tokens;
DROP TABLE login_challenges;
DROP TABLE user_totp;
DROP TABLE login_throttle;
