package backup

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"wanhu/internal/pii"
	"wanhu/internal/store"
)

// Record is a backup as the backups table keeps it.
type Record struct {
	ID         int64
	Day        string    // the China day a daily backup covers; "" for one made by wanhu backup
	StartedAt  time.Time //
	FinishedAt time.Time // zero while it runs
	MadeBy     string    // "server" or "cli:<user>"
	Host       string    // the machine the file is on
	Path       string
	Size       int64
	Error      string // why it failed, "" when it succeeded
}

// StaleAfter is the age from which the last backup is too old: a day, and
// the hour a daily backup may take to come round.
const StaleAfter = 25 * time.Hour

// Note records a backup made by wanhu backup.
func Note(ctx context.Context, q store.Querier, r Record) error {
	_, err := q.ExecContext(ctx, `INSERT INTO backups(started_at, finished_at, made_by, host, path, size, error) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		r.StartedAt.UTC(), r.FinishedAt.UTC(), r.MadeBy, r.Host, r.Path, r.Size, cleanError(r.Error))
	if err != nil {
		return fmt.Errorf("record the backup: %w", err)
	}
	return nil
}

// cleanError is an error as the backups table keeps it: short, and never
// with anything that looks like an ID or phone number.
func cleanError(s string) string {
	s = pii.Redact(s)
	if r := []rune(s); len(r) > 500 {
		s = string(r[:500])
	}
	return s
}

// Status is what the settings page shows of the backups.
type Status struct {
	Last   *Record // the newest backup that succeeded, or nil
	Failed *Record // the newest that failed, if newer than Last
	Stale  bool    // Last is missing or older than StaleAfter at now
}

// Latest returns the status of db's backups at now.
func Latest(ctx context.Context, q store.Querier, now time.Time) (Status, error) {
	var s Status
	var err error
	if s.Last, err = newest(ctx, q, `error = ''`); err != nil {
		return s, err
	}
	failed := `error <> ''`
	var args []any
	if s.Last != nil {
		failed += ` AND finished_at > ?`
		args = append(args, s.Last.FinishedAt)
	}
	if s.Failed, err = newest(ctx, q, failed, args...); err != nil {
		return s, err
	}
	s.Stale = s.Last == nil || now.Sub(s.Last.FinishedAt) > StaleAfter
	return s, nil
}

// newest returns the newest finished backup that cond picks, or nil.
func newest(ctx context.Context, q store.Querier, cond string, args ...any) (*Record, error) {
	var r Record
	var day sql.NullString
	var finished sql.NullTime
	err := q.QueryRowContext(ctx, `SELECT id, day, started_at, finished_at, made_by, host, path, size, error FROM backups
		WHERE finished_at IS NOT NULL AND `+cond+` ORDER BY finished_at DESC, id DESC LIMIT 1`, args...).
		Scan(&r.ID, &day, &r.StartedAt, &finished, &r.MadeBy, &r.Host, &r.Path, &r.Size, &r.Error)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("backups: %w", err)
	}
	r.Day, r.FinishedAt = day.String, finished.Time
	return &r, nil
}

// forgetUnfinished deletes the backups that were under way when the
// database was backed up: restored, they would hold their day's claim.
func forgetUnfinished(ctx context.Context, db *store.DB) error {
	if _, err := db.ExecContext(ctx, `DELETE FROM backups WHERE finished_at IS NULL`); err != nil {
		return fmt.Errorf("forget unfinished backups: %w", err)
	}
	return nil
}

// SizeText shows a size in bytes as people read it: "12.3 MB".
func SizeText(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f kB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
