-- +goose Up
-- Issue 11, item 5: five wrong passwords locked the whole source address,
-- so one person behind the community office's NAT locked out all staff.
-- The throttle (internal/auth/throttle.go) now counts three subjects apart:
-- an account name ('user'), a source address ('addr', which waits growing
-- delays instead of a lock) and a known device of an account ('device',
-- subject "<user id>:<device hash>"), which counts instead of the account
-- and the address for the browser that has signed in to it before.
-- known_devices are the browsers that signed in to an account: only the
-- SHA-256 of the cookie's random token is stored; one browser may be a
-- known device of several accounts (a shared office PC).
-- Keep in step with ../sqlite/00023_known_devices.sql: a test compares the two.
ALTER TABLE login_throttle DROP CONSTRAINT login_throttle_kind_check;
ALTER TABLE login_throttle ADD CONSTRAINT login_throttle_kind_check CHECK (kind IN ('user','addr','device'));

CREATE TABLE known_devices (
    id            TEXT NOT NULL,
    user_id       BIGINT NOT NULL REFERENCES users(id),
    created_at    TIMESTAMPTZ NOT NULL,
    last_used_at  TIMESTAMPTZ NOT NULL,
    expires_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (id, user_id)
);
CREATE INDEX known_devices_user ON known_devices(user_id);

-- +goose Down
DROP TABLE known_devices;
DELETE FROM login_throttle WHERE kind = 'device';
ALTER TABLE login_throttle DROP CONSTRAINT login_throttle_kind_check;
ALTER TABLE login_throttle ADD CONSTRAINT login_throttle_kind_check CHECK (kind IN ('user','addr'));
