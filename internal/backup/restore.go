package backup

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"wanhu/internal/audit"
	"wanhu/internal/secret"
	"wanhu/internal/store"
)

// ErrNotEmpty is returned when restore would replace a database that holds
// data and was not told to (Force).
var ErrNotEmpty = errors.New("the database holds data")

// RestoreOptions tune Restore.
type RestoreOptions struct {
	// Keys are the keys of the key file given (nil when none was), which
	// must open the backup's sealed values; KeyFile is its path, for
	// messages.
	Keys    *secret.Keyring
	KeyFile string
	// Force replaces a database that holds data.
	Force bool
	// By names who restores, for the audit log ("cli:root").
	By string
}

// Restored is the outcome of a restore.
type Restored struct {
	Manifest Manifest
	Schema   int64 // the schema version after the migrations
}

// Restore restores the backup file at path into the database dsn (a
// SQLite file, created if absent, or a postgres:// URL of the same engine
// as the backup), then migrates it to this binary's schema and notes the
// restore in its audit log (with keys). Before it writes anything it
// checks the backup, that opts.Keys open its sealed values (a *KeyError
// names the keys that do not), and that the database holds no data
// unless opts.Force (ErrNotEmpty). Stop the servers of dsn first.
func Restore(ctx context.Context, dsn, path string, opts RestoreOptions) (Restored, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return Restored{}, fmt.Errorf("%s: not a Wanhu backup: %w", path, err)
	}
	defer zr.Close()
	m, err := readManifest(&zr.Reader)
	if err != nil {
		return Restored{}, fmt.Errorf("%s: %w", path, err)
	}
	out := Restored{Manifest: m}
	if engine := engineOf(dsn); engine != m.Engine {
		return out, fmt.Errorf("the backup is of a %s database and cannot be restored into %s: give --db %s", m.Engine, engine, engineHint(m.Engine))
	}
	if err := CheckKeys(m, opts.Keys, opts.KeyFile); err != nil {
		return out, err
	}
	db, err := openTarget(ctx, dsn)
	if err != nil {
		return out, err
	}
	written := false
	defer func() {
		if db != nil {
			db.Close()
		}
		if !written && db != nil && db.created {
			removeSQLite(strings.TrimPrefix(dsn, "sqlite://"))
		}
	}()
	if err := precheck(ctx, db.DB, m, opts.Force); err != nil {
		return out, fmt.Errorf("%s: %w", store.Redact(dsn), err)
	}
	written = true
	if m.Engine == store.Postgres {
		err = restorePostgres(ctx, db.DB, &zr.Reader, m)
	} else {
		err = restoreSQLite(ctx, db.DB, &zr.Reader, m, filepath.Dir(db.path))
	}
	if err != nil {
		return out, err
	}
	db.Close()
	db = nil
	if out.Schema, err = finish(ctx, dsn, m, opts); err != nil {
		return out, err
	}
	return out, nil
}

// target is the database a restore writes into.
type target struct {
	*store.DB
	path    string // the SQLite file
	created bool   // the SQLite file did not exist before
}

func openTarget(ctx context.Context, dsn string) (*target, error) {
	t := &target{}
	if engineOf(dsn) == store.SQLite {
		t.path = strings.TrimPrefix(dsn, "sqlite://")
		if _, err := os.Stat(t.path); errors.Is(err, fs.ErrNotExist) {
			t.created = true
		}
	}
	db, err := store.OpenNoMigrate(ctx, dsn)
	if err != nil {
		if t.created {
			removeSQLite(t.path)
		}
		return nil, err
	}
	t.DB = db
	return t, nil
}

// precheck refuses a backup newer than this binary, and a database that
// holds data unless force.
func precheck(ctx context.Context, db *store.DB, m Manifest, force bool) error {
	latest, err := db.LatestSchema()
	if err != nil {
		return err
	}
	if m.Schema > latest {
		return fmt.Errorf("the backup is of schema version %d, newer than this wanhu knows (%d): restore it with the wanhu that made it, or a newer one", m.Schema, latest)
	}
	held, err := holds(ctx, db)
	if err != nil {
		return err
	}
	if held != "" && !force {
		return fmt.Errorf("%w (%s): give --force to replace it with the backup", ErrNotEmpty, held)
	}
	return nil
}

// holds says what data db holds ("3 org units, 1 account"), or "" when
// it holds none: a new database, or one that was only migrated.
func holds(ctx context.Context, db *store.DB) (string, error) {
	tables, err := db.WanhuTables(ctx)
	if err != nil {
		return "", err
	}
	var held []string
	for _, t := range []struct{ table, what string }{{"org_units", "org units"}, {"users", "accounts"}, {"households", "households"}} {
		if !slices.Contains(tables, t.table) {
			continue
		}
		var n int64
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+t.table).Scan(&n); err != nil {
			return "", err
		}
		if n > 0 {
			held = append(held, fmt.Sprintf("%d %s", n, t.what))
		}
	}
	return strings.Join(held, ", "), nil
}

// finish opens the restored database, migrates it, forgets the backups
// that were under way when the backup was taken (they never finished in
// its history) and notes the restore in its audit log. It returns the
// schema version reached.
func finish(ctx context.Context, dsn string, m Manifest, opts RestoreOptions) (int64, error) {
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return 0, fmt.Errorf("restored, but the migrations failed: %w", err)
	}
	defer db.Close()
	db.SetKeys(opts.Keys)
	if err := forgetUnfinished(ctx, db); err != nil {
		return 0, err
	}
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		return 0, err
	}
	if opts.Keys == nil {
		return v, nil
	}
	by := opts.By
	if by == "" {
		by = "system"
	}
	return v, audit.New(db).Record(ctx, audit.Entry{Username: by, Role: "cli", Action: "backup.restore",
		Object: "backup:" + m.MadeAt.Format("20060102T150405Z"), Result: audit.OK,
		Detail: fmt.Sprintf("restored a backup of a %s database made %s (schema %d), migrated to schema %d; the audit log was rewound to that moment, so anchors taken after it no longer hold",
			m.Engine, m.MadeAt.Format("2006-01-02 15:04:05 UTC"), m.Schema, v)})
}

func engineOf(dsn string) store.Dialect {
	if store.IsPostgresURL(dsn) {
		return store.Postgres
	}
	return store.SQLite
}

func engineHint(d store.Dialect) string {
	if d == store.Postgres {
		return "postgres://…"
	}
	return "PATH of a SQLite file"
}
