package backup

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"time"

	"wanhu/internal/audit"
	"wanhu/internal/calendar"
	"wanhu/internal/store"
)

// Daily is the server's daily backup into Dir, keeping the Keep newest
// files there. Several servers on one database make one backup a day: the
// first to claim the day's row in the backups table makes it. A claim
// whose server died is taken over after staleClaim; a day whose backup
// failed is tried again after retryFailed.
type Daily struct {
	DB   *store.DB
	Dir  string
	Keep int
	Host string // this machine, for the record (os.Hostname by default)
	Log  *slog.Logger
	Now  func() time.Time // time.Now by default
	// Ran, if set, is called after each run of Start (for tests).
	Ran func(made bool, err error)
}

const (
	staleClaim  = 3 * time.Hour
	retryFailed = time.Hour
)

// fileName is how daily backups are named, by the UTC moment they begin:
// their names sort by age, and retention removes only such files.
var fileName = regexp.MustCompile(`^wanhu-backup-\d{8}T\d{6}Z\.zip$`)

// FileName returns the name of a daily backup begun at t.
func FileName(t time.Time) string {
	return "wanhu-backup-" + t.UTC().Format("20060102T150405Z") + ".zip"
}

func (d *Daily) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

func (d *Daily) log() *slog.Logger {
	if d.Log != nil {
		return d.Log
	}
	return slog.New(slog.DiscardHandler)
}

// Run makes today's backup (the China day of now) unless this or another
// server made it or is making it, and reports whether it made it.
func (d *Daily) Run(ctx context.Context) (made bool, err error) {
	now := d.now().UTC()
	day := now.In(calendar.China).Format(time.DateOnly)
	host := d.Host
	if host == "" {
		host, _ = os.Hostname()
	}
	id, ok, err := claim(ctx, d.DB, day, now, host)
	if err != nil || !ok {
		return false, err
	}
	path := filepath.Join(d.Dir, FileName(now))
	res, err := Make(ctx, d.DB, path)
	done := context.WithoutCancel(ctx)
	r := Record{ID: id, FinishedAt: d.now().UTC(), Path: path, Size: res.Size}
	if res.Path != "" {
		r.Path = res.Path
	}
	if err != nil {
		r.Error = err.Error()
		if ferr := finishClaim(done, d.DB, r); ferr != nil {
			err = errors.Join(err, ferr)
		}
		return false, fmt.Errorf("backup of %s: %w", day, err)
	}
	if err := finishClaim(done, d.DB, r); err != nil {
		return true, err
	}
	d.log().Info("backup: made the daily backup", "day", day, "path", r.Path, "size", res.Size)
	if d.DB.Keys() != nil {
		if err := audit.New(d.DB).Record(done, audit.Entry{Username: "system", Action: "backup", Object: "backup:" + filepath.Base(r.Path),
			Result: audit.OK, Detail: fmt.Sprintf("daily backup of %s to %s on %s, %d bytes", day, r.Path, host, res.Size)}); err != nil {
			return true, err
		}
	}
	return true, d.prune()
}

// claim takes day's row in the backups table for this server: a new row,
// or one whose server died on it (begun before staleClaim) or that
// failed (before retryFailed). It reports whether it took it.
func claim(ctx context.Context, db *store.DB, day string, now time.Time, host string) (int64, bool, error) {
	var id int64
	err := db.QueryRowContext(ctx, `INSERT INTO backups(day, started_at, made_by, host) VALUES (?, ?, 'server', ?)
		ON CONFLICT (day) DO NOTHING RETURNING id`, day, now, host).Scan(&id)
	if err == nil {
		return id, true, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, false, fmt.Errorf("claim the backup of %s: %w", day, err)
	}
	err = db.QueryRowContext(ctx, `UPDATE backups SET started_at = ?, finished_at = NULL, made_by = 'server', host = ?, path = '', size = 0, error = ''
		WHERE day = ? AND ((finished_at IS NULL AND started_at < ?) OR (error <> '' AND finished_at < ?)) RETURNING id`,
		now, host, day, now.Add(-staleClaim), now.Add(-retryFailed)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("claim the backup of %s: %w", day, err)
	}
	return id, true, nil
}

// finishClaim records how the claimed backup r.ID ended.
func finishClaim(ctx context.Context, db *store.DB, r Record) error {
	if _, err := db.ExecContext(ctx, `UPDATE backups SET finished_at = ?, path = ?, size = ?, error = ? WHERE id = ?`,
		r.FinishedAt, r.Path, r.Size, cleanError(r.Error), r.ID); err != nil {
		return fmt.Errorf("record the backup: %w", err)
	}
	return nil
}

// prune removes the daily backups in Dir beyond the Keep newest.
func (d *Daily) prune() error {
	entries, err := os.ReadDir(d.Dir)
	if err != nil {
		return fmt.Errorf("backup: retention: %w", err)
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() && fileName.MatchString(e.Name()) {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	keep := max(d.Keep, 1)
	for len(names) > keep {
		if err := os.Remove(filepath.Join(d.Dir, names[0])); err != nil {
			return fmt.Errorf("backup: retention: %w", err)
		}
		d.log().Info("backup: removed an old backup", "path", filepath.Join(d.Dir, names[0]), "keep", strconv.Itoa(keep))
		names = names[1:]
	}
	return nil
}

// Start runs the daily backup now and then at every tick of interval (10
// minutes when 0) in the background, until ctx ends or stop is called;
// call stop before closing the database. A failed backup is logged (and
// recorded, for the settings page) and tried again later.
func (d *Daily) Start(ctx context.Context, interval time.Duration) (stop func()) {
	if interval <= 0 {
		interval = 10 * time.Minute
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			made, err := d.Run(ctx)
			if err != nil && ctx.Err() == nil {
				d.log().Error("backup: the daily backup failed", "err", err)
			}
			if d.Ran != nil {
				d.Ran(made, err)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return func() {
		cancel()
		<-done
	}
}

// CheckDir makes sure dir exists (creating it, readable by its owner
// only) and that files can be written in it.
func CheckDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("--backup-dir: %w", err)
	}
	f, err := os.CreateTemp(dir, ".wanhu-check-*")
	if err != nil {
		return fmt.Errorf("--backup-dir %s: cannot write there: %w", dir, err)
	}
	f.Close()
	return os.Remove(f.Name())
}
