package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"wanhu/internal/store"
)

// Throttle says how failed logins slow guessing down. It counts three
// subjects apart, so that no one can lock out people other than those
// whose password they type:
//
//   - an account name: MaxFailures failures within Window lock it for Lock;
//     each further lockout doubles the time, up to MaxLock;
//   - a source address: after MaxFailures failures within Window, each
//     further failure makes the address wait, AddrDelay at first and twice
//     as long after each one, up to MaxLock. A wait is short where a lock
//     was a quarter of an hour, and it holds no server resource: the
//     answer says when to try again;
//   - a known device of an account (a browser that signed in to it
//     before, see devices.go): its failures count against the device
//     alone, like an account's, and it skips the account's lock and the
//     address's wait. Whoever guesses elsewhere cannot keep the owner out.
//
// A quiet MaxLock after the last lock or wait forgives earlier ones.
type Throttle struct {
	MaxFailures int
	Window      time.Duration
	Lock        time.Duration
	MaxLock     time.Duration
	AddrDelay   time.Duration
}

// DefaultThrottle locks an account after 5 failures within 15 minutes, for
// 15 minutes at first and at most a day; an address waits 30 seconds after
// its sixth failure, a minute after the seventh, and so on. Counted from a
// quiet start, an address gets no more guesses than the old lock of the
// address gave by every quarter hour, and fewer after the first (10 by 15
// minutes, 12 by an hour, 17 by a day, where the lock gave 10, 15 and 35).
var DefaultThrottle = Throttle{MaxFailures: 5, Window: 15 * time.Minute, Lock: 15 * time.Minute, MaxLock: 24 * time.Hour, AddrDelay: 30 * time.Second}

// Subjects of the throttle: an account name, a source address, a known
// device of an account.
const (
	byUser   = "user"
	byAddr   = "addr"
	byDevice = "device"
)

// LockedError answers a login while the account, the device or the source
// address must wait after too many failures. It says nothing about the
// password.
type LockedError struct {
	Until time.Time
	// Address is true when it is the source address that waits, not the
	// account: a known device of the account may sign in meanwhile.
	Address bool
	// Device is true when it is the known device itself that is locked,
	// after failures of its own.
	Device bool
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("too many failed logins; try again after %s", e.Until.UTC().Format(time.RFC3339))
}

// RetryAfter returns how long to wait from now, in whole seconds, at least one.
func (e *LockedError) RetryAfter(now time.Time) int {
	return max(int((e.Until.Sub(now)+time.Second-1)/time.Second), 1)
}

// origin is where an attempt comes from, as the throttle counts it: the
// account name and the address, or a known device of the account.
type origin struct {
	username, addr string
	device         string // the device's subject, "" for an unknown browser
}

// subjects returns the throttle subjects an attempt from o counts against.
func (o origin) subjects() [][2]string {
	if o.device != "" {
		return [][2]string{{byDevice, o.device}}
	}
	var out [][2]string
	for _, k := range [][2]string{{byUser, o.username}, {byAddr, o.addr}} {
		if k[1] != "" {
			out = append(out, k)
		}
	}
	return out
}

// locked returns a LockedError if a subject of o must wait now.
func (s *Store) locked(ctx context.Context, o origin) error {
	var le *LockedError
	for _, k := range o.subjects() {
		var lu sql.NullTime
		err := s.db.QueryRowContext(ctx, `SELECT locked_until FROM login_throttle WHERE kind = ? AND subject = ?`, k[0], k[1]).Scan(&lu)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if lu.Valid && lu.Time.After(s.now()) && (le == nil || lu.Time.After(le.Until)) {
			le = &LockedError{Until: lu.Time, Address: k[0] == byAddr, Device: k[0] == byDevice}
		}
	}
	if le != nil {
		return le
	}
	return nil
}

// fail counts a failed login against the subjects of o, and returns a
// LockedError if this failure locked one or made it wait.
func (s *Store) fail(ctx context.Context, o origin) error {
	var le *LockedError
	for _, k := range o.subjects() {
		u, err := s.failOne(ctx, k[0], k[1])
		if err != nil {
			return err
		}
		if !u.IsZero() && (le == nil || u.After(le.Until)) {
			le = &LockedError{Until: u, Address: k[0] == byAddr, Device: k[0] == byDevice}
		}
	}
	if le != nil {
		return le
	}
	return nil
}

// failOne counts one failure of a subject and returns the end of the lock
// or wait it caused, or the zero time.
func (s *Store) failOne(ctx context.Context, kind, subject string) (time.Time, error) {
	now := s.now().UTC()
	var until time.Time
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO login_throttle(kind, subject, failures, window_start, lockouts)
			VALUES (?, ?, 0, ?, 0) ON CONFLICT (kind, subject) DO NOTHING`, kind, subject, now); err != nil {
			return err
		}
		q := `SELECT failures, window_start, locked_until, lockouts FROM login_throttle WHERE kind = ? AND subject = ?`
		if tx.Dialect() == store.Postgres {
			q += ` FOR UPDATE`
		}
		var c count
		if err := tx.QueryRowContext(ctx, q, kind, subject).Scan(&c.failures, &c.start, &c.lockedUntil, &c.lockouts); err != nil {
			return err
		}
		if kind == byAddr {
			until = s.Throttle.waitAddr(&c, now)
		} else {
			until = s.Throttle.lockAccount(&c, now)
		}
		_, err := tx.ExecContext(ctx, `UPDATE login_throttle SET failures = ?, window_start = ?, locked_until = ?, lockouts = ?
			WHERE kind = ? AND subject = ?`, c.failures, c.start, c.lockedUntil, c.lockouts, kind, subject)
		return err
	})
	return until, err
}

// count is the state of one subject of the throttle.
type count struct {
	failures, lockouts int
	start              time.Time
	lockedUntil        sql.NullTime
}

// begin opens a new window when the last one is over, and forgives the
// earlier locks after a quiet MaxLock.
func (t Throttle) begin(c *count, now time.Time) {
	if now.Sub(c.start) > t.Window {
		c.failures, c.start = 0, now
		if c.lockedUntil.Valid && now.Sub(c.lockedUntil.Time) > t.MaxLock {
			c.lockouts = 0 // a quiet day forgives earlier lockouts
		}
	}
}

// lockAccount counts a failure of an account or a device: the
// MaxFailures-th within the window locks it, for Lock doubled by each
// earlier lockout. It returns the end of the lock, or the zero time.
func (t Throttle) lockAccount(c *count, now time.Time) time.Time {
	t.begin(c, now)
	c.failures++
	if c.failures < t.MaxFailures {
		return time.Time{}
	}
	until := now.Add(grow(t.Lock, c.lockouts, t.MaxLock))
	c.lockedUntil = sql.NullTime{Time: until, Valid: true}
	c.failures, c.start = 0, now
	c.lockouts++
	return until
}

// waitAddr counts a failure of a source address: past MaxFailures within
// the window, and from then on until a quiet MaxLock forgives, each
// failure makes the address wait AddrDelay doubled by each earlier wait.
// It returns the end of the wait, or the zero time.
func (t Throttle) waitAddr(c *count, now time.Time) time.Time {
	t.begin(c, now)
	c.failures++
	if c.failures <= t.MaxFailures && c.lockouts == 0 {
		return time.Time{}
	}
	until := now.Add(grow(t.AddrDelay, c.lockouts, t.MaxLock))
	c.lockedUntil = sql.NullTime{Time: until, Valid: true}
	c.lockouts++
	return until
}

// grow returns d doubled n times, at most limit.
func grow(d time.Duration, n int, limit time.Duration) time.Duration {
	for ; n > 0 && d < limit; n-- {
		d *= 2
	}
	return min(d, limit)
}

// succeed forgets the failures of what a good login came from: the
// account name, or the known device. The address keeps its count, so one
// valid account cannot be used to reset the count of an address that
// guesses at others; and a known device's success leaves the account's
// count alone, so the owner signing in does not give whoever guesses at
// the account a fresh start.
func (s *Store) succeed(ctx context.Context, o origin) error {
	kind, subject := byUser, o.username
	if o.device != "" {
		kind, subject = byDevice, o.device
	}
	_, err := s.db.ExecContext(ctx, `DELETE FROM login_throttle WHERE kind = ? AND subject = ?`, kind, subject)
	return err
}

// Unlock lifts the lock of an account and of its known devices and forgets
// their failures.
func (s *Store) Unlock(ctx context.Context, username string) error {
	u, _, err := s.user(ctx, "username = ?", username)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_throttle WHERE kind = ? AND subject = ?`, byUser, username); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM login_throttle WHERE kind = ? AND subject LIKE ?`, byDevice, deviceSubjectPrefix(u.ID)+"%")
		return err
	})
}

// UnlockAddr ends the wait of a source address and forgets its failures.
func (s *Store) UnlockAddr(ctx context.Context, addr string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM login_throttle WHERE kind = ? AND subject = ?`, byAddr, addr)
	return err
}

// LockedUsers returns the account names locked now, with the end of each lock.
func (s *Store) LockedUsers(ctx context.Context) (map[string]time.Time, error) {
	return s.lockedNow(ctx, byUser)
}

// LockedAddrs returns the source addresses that must wait now, with the
// end of each wait.
func (s *Store) LockedAddrs(ctx context.Context) (map[string]time.Time, error) {
	return s.lockedNow(ctx, byAddr)
}

func (s *Store) lockedNow(ctx context.Context, kind string) (map[string]time.Time, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT subject, locked_until FROM login_throttle WHERE kind = ? AND locked_until > ?`, kind, s.now().UTC())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var name string
		var until time.Time
		if err := rows.Scan(&name, &until); err != nil {
			return nil, err
		}
		out[name] = until
	}
	return out, rows.Err()
}
