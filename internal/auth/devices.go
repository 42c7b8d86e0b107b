package auth

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"
)

// Known devices. A browser that signs in to an account gets a long-lived
// cookie (DeviceCookie) holding a random token; the database keeps only the
// token's SHA-256, bound to the account, in known_devices. When that
// browser signs in to that account again, the throttle counts its failures
// against the device alone: it skips the account's lock (which someone
// guessing the password elsewhere may have caused) and the wait of the
// source address (which someone else behind the same NAT may have
// caused), and locks after its own MaxFailures failures. A token that is
// not a known device of the account named changes nothing, so a made-up
// or copied-over cookie gives no more guesses than none. The cookie is no
// credential: the password (and the one-time code) are still needed.
// Changing or resetting the password forgets the account's devices.

// DeviceCookie is the name of the cookie that makes a browser a known device.
const DeviceCookie = "wanhu_device"

// KnownDeviceLifetime is how long a device stays known after its last
// good sign-in.
const KnownDeviceLifetime = 180 * 24 * time.Hour

// maxDeviceToken is the longest cookie value looked up; ours are 43 characters.
const maxDeviceToken = 100

// deviceSubjectPrefix starts the throttle subjects of the devices of a user.
func deviceSubjectPrefix(userID int64) string { return strconv.FormatInt(userID, 10) + ":" }

// knownDevice returns the throttle subject of token as a known device of
// the account username, or "" when it is none.
func (s *Store) knownDevice(ctx context.Context, username, token string) (string, error) {
	if token == "" || len(token) > maxDeviceToken {
		return "", nil
	}
	var uid int64
	err := s.db.QueryRowContext(ctx, `SELECT d.user_id FROM known_devices d JOIN users u ON u.id = d.user_id
		WHERE d.id = ? AND u.username = ? AND d.expires_at > ?`, tokenID(token), username, s.now().UTC()).Scan(&uid)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return deviceSubjectPrefix(uid) + tokenID(token), nil
}

// rememberDevice makes the browser a known device of u after a good
// sign-in and returns the token for its cookie: the one it sent when that
// is a known device of some account (one cookie serves every account
// signed in on a shared office PC), else a new one.
func (s *Store) rememberDevice(ctx context.Context, u *User, token string) (string, error) {
	now := s.now().UTC()
	known := 0
	if token != "" && len(token) <= maxDeviceToken {
		if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM known_devices WHERE id = ? AND expires_at > ?`, tokenID(token), now).Scan(&known); err != nil {
			return "", err
		}
	}
	if known == 0 {
		token = randomToken()
	}
	if _, err := s.db.ExecContext(ctx, `DELETE FROM known_devices WHERE user_id = ? AND expires_at <= ?`, u.ID, now); err != nil {
		return "", err
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO known_devices(id, user_id, created_at, last_used_at, expires_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (id, user_id) DO UPDATE SET last_used_at = excluded.last_used_at, expires_at = excluded.expires_at`,
		tokenID(token), u.ID, now, now, now.Add(KnownDeviceLifetime))
	return token, err
}
