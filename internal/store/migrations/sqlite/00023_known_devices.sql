-- +goose Up
-- Issue 11, item 5: five wrong passwords locked the whole source address,
-- so one person behind the community office's NAT locked out all staff.
-- The throttle (internal/auth/throttle.go) now counts three subjects apart:
-- an account name ('user'), a source address ('addr', which waits growing
-- delays instead of a lock) and a known device of an account ('device',
-- subject "<user id>:<device hash>"), which counts instead of the account
-- and the address for the browser that has signed in to it before.
-- SQLite cannot change a CHECK constraint, so login_throttle is rebuilt
-- with its rows.
-- known_devices are the browsers that signed in to an account: only the
-- SHA-256 of the cookie's random token is stored; one browser may be a
-- known device of several accounts (a shared office PC).
-- Keep in step with ../postgres/00023_known_devices.sql: a test compares the two.
CREATE TABLE login_throttle_new (
    kind          TEXT NOT NULL CHECK (kind IN ('user','addr','device')),
    subject       TEXT NOT NULL,
    failures      INTEGER NOT NULL DEFAULT 0,
    window_start  TIMESTAMP NOT NULL,
    locked_until  TIMESTAMP,
    lockouts      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (kind, subject)
);
INSERT INTO login_throttle_new SELECT kind, subject, failures, window_start, locked_until, lockouts FROM login_throttle;
DROP TABLE login_throttle;
ALTER TABLE login_throttle_new RENAME TO login_throttle;

CREATE TABLE known_devices (
    id            TEXT NOT NULL,
    user_id       INTEGER NOT NULL REFERENCES users(id),
    created_at    TIMESTAMP NOT NULL,
    last_used_at  TIMESTAMP NOT NULL,
    expires_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (id, user_id)
);
CREATE INDEX known_devices_user ON known_devices(user_id);

-- +goose Down
DROP TABLE known_devices;
DELETE FROM login_throttle WHERE kind = 'device';
CREATE TABLE login_throttle_old (
    kind          TEXT NOT NULL CHECK (kind IN ('user','addr')),
    subject       TEXT NOT NULL,
    failures      INTEGER NOT NULL DEFAULT 0,
    window_start  TIMESTAMP NOT NULL,
    locked_until  TIMESTAMP,
    lockouts      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (kind, subject)
);
INSERT INTO login_throttle_old SELECT kind, subject, failures, window_start, locked_until, lockouts FROM login_throttle;
DROP TABLE login_throttle;
ALTER TABLE login_throttle_old RENAME TO login_throttle;
