package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"wanhu/internal/store"
)

// Throttle says when failed logins lock an account name or a source
// address. MaxFailures failures within Window lock the subject for Lock;
// each further lockout doubles the time, up to MaxLock.
type Throttle struct {
	MaxFailures int
	Window      time.Duration
	Lock        time.Duration
	MaxLock     time.Duration
}

// DefaultThrottle locks after 5 failures within 15 minutes, for 15 minutes
// at first and at most a day.
var DefaultThrottle = Throttle{MaxFailures: 5, Window: 15 * time.Minute, Lock: 15 * time.Minute, MaxLock: 24 * time.Hour}

// Subjects of the throttle: an account name or a source address.
const (
	byUser = "user"
	byAddr = "addr"
)

// LockedError answers a login while the account or the source address is
// locked after too many failures. It says nothing about the password.
type LockedError struct{ Until time.Time }

func (e *LockedError) Error() string {
	return fmt.Sprintf("too many failed logins; try again after %s", e.Until.UTC().Format(time.RFC3339))
}

// locked returns a LockedError if the account name or the address is
// locked now.
func (s *Store) locked(ctx context.Context, username, addr string) error {
	var until time.Time
	for _, k := range [][2]string{{byUser, username}, {byAddr, addr}} {
		if k[1] == "" {
			continue
		}
		var lu sql.NullTime
		err := s.db.QueryRowContext(ctx, `SELECT locked_until FROM login_throttle WHERE kind = ? AND subject = ?`, k[0], k[1]).Scan(&lu)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if lu.Valid && lu.Time.After(s.now()) && lu.Time.After(until) {
			until = lu.Time
		}
	}
	if !until.IsZero() {
		return &LockedError{Until: until}
	}
	return nil
}

// fail counts a failed login against the account name and the address, and
// returns a LockedError if this failure locked either.
func (s *Store) fail(ctx context.Context, username, addr string) error {
	var until time.Time
	for _, k := range [][2]string{{byUser, username}, {byAddr, addr}} {
		if k[1] == "" {
			continue
		}
		u, err := s.failOne(ctx, k[0], k[1])
		if err != nil {
			return err
		}
		if u.After(until) {
			until = u
		}
	}
	if !until.IsZero() {
		return &LockedError{Until: until}
	}
	return nil
}

// failOne counts one failure of a subject and returns the end of the lock
// it caused, or the zero time.
func (s *Store) failOne(ctx context.Context, kind, subject string) (time.Time, error) {
	t := s.Throttle
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
		var failures, lockouts int
		var start time.Time
		var lu sql.NullTime
		if err := tx.QueryRowContext(ctx, q, kind, subject).Scan(&failures, &start, &lu, &lockouts); err != nil {
			return err
		}
		if now.Sub(start) > t.Window {
			failures, start = 0, now
			if lu.Valid && now.Sub(lu.Time) > t.MaxLock {
				lockouts = 0 // a quiet day forgives earlier lockouts
			}
		}
		failures++
		if failures >= t.MaxFailures {
			d := t.Lock << min(lockouts, 16)
			if d > t.MaxLock || d <= 0 {
				d = t.MaxLock
			}
			until = now.Add(d)
			lu = sql.NullTime{Time: until, Valid: true}
			failures, start = 0, now
			lockouts++
		}
		_, err := tx.ExecContext(ctx, `UPDATE login_throttle SET failures = ?, window_start = ?, locked_until = ?, lockouts = ?
			WHERE kind = ? AND subject = ?`, failures, start, lu, lockouts, kind, subject)
		return err
	})
	return until, err
}

// succeed forgets the failures of an account name after a good login. The
// address keeps its count, so one valid account cannot be used to reset
// the count of an address that guesses at others.
func (s *Store) succeed(ctx context.Context, username string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM login_throttle WHERE kind = ? AND subject = ?`, byUser, username)
	return err
}

// Unlock lifts the lock of an account and forgets its failures.
func (s *Store) Unlock(ctx context.Context, username string) error {
	if _, _, err := s.user(ctx, "username = ?", username); err != nil {
		return err
	}
	return s.succeed(ctx, username)
}

// UnlockAddr lifts the lock of a source address and forgets its failures.
func (s *Store) UnlockAddr(ctx context.Context, addr string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM login_throttle WHERE kind = ? AND subject = ?`, byAddr, addr)
	return err
}

// LockedUsers returns the account names locked now, with the end of each lock.
func (s *Store) LockedUsers(ctx context.Context) (map[string]time.Time, error) {
	return s.lockedNow(ctx, byUser)
}

// LockedAddrs returns the source addresses locked now, with the end of each lock.
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
