package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"wanhu/internal/audit"
	"wanhu/internal/backup"
	"wanhu/internal/secret"
	"wanhu/internal/store"
)

// runBackup writes a backup of a database, in use or not, to a file
// (internal/backup), and records it in the database.
func runBackup(ctx context.Context, args []string, out io.Writer) error {
	fs := newFlags("backup")
	dsn := fs.String("db", "", "database to back up: a SQLite file path or a postgres:// URL")
	to := fs.String("to", "", "backup file to write (a zip; an older backup of that name is replaced)")
	keyFile := keyFileFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if *dsn == "" {
		return errors.New("--db is required: a SQLite file path or a postgres:// URL")
	}
	if *to == "" {
		return errors.New("--to is required: the backup file to write")
	}
	if !store.IsPostgresURL(*dsn) {
		if _, err := os.Stat(*dsn); err != nil {
			return fmt.Errorf("--db %s: no database there: %w", *dsn, err)
		}
	}
	keys, keyPath, err := loadKeys(*dsn, *keyFile)
	if err != nil {
		return err
	}
	// A backup leaves the schema as it is: the servers may be of another
	// version than this wanhu.
	db, err := store.OpenNoMigrate(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetKeys(keys)
	start := time.Now()
	made, err := backup.Make(ctx, db, *to)
	if err != nil {
		return err
	}
	m := made.Manifest
	fmt.Fprintf(out, "Backed up %s (%s, schema %d) to %s: %d households, %d persons, %d tables, %s, in %s.\n",
		store.Redact(*dsn), m.Engine, m.Schema, made.Path, max(m.Rows("households"), 0), max(m.Rows("persons"), 0),
		len(m.Tables), backup.SizeText(made.Size), time.Since(start).Round(time.Millisecond))
	switch {
	case len(m.Keys.IDs) > 0 && keyPath != "":
		fmt.Fprintf(out, "The key file is not in the backup: restoring needs %s (its personal data is sealed with %s).\n", keyPath, backup.KeyNames(m.Keys.IDs))
	case len(m.Keys.IDs) > 0:
		fmt.Fprintf(out, "The key file is not in the backup: restoring needs the key file that holds %s.\n", backup.KeyNames(m.Keys.IDs))
	}
	return noteBackup(ctx, db, made, start, out)
}

// noteBackup records a backup made by hand in the database it is of (the
// settings page shows the last one) and, with the keys, in its audit log;
// a database of an older schema than this wanhu's is left as it is.
func noteBackup(ctx context.Context, db *store.DB, made backup.Made, start time.Time, out io.Writer) error {
	latest, err := db.LatestSchema()
	if err != nil {
		return err
	}
	if made.Manifest.Schema != latest {
		fmt.Fprintf(out, "Not recorded in the database: its schema (%d) is not this wanhu's (%d).\n", made.Manifest.Schema, latest)
		return nil
	}
	host, _ := os.Hostname()
	if err := backup.Note(ctx, db, backup.Record{StartedAt: start.UTC(), FinishedAt: time.Now().UTC(), MadeBy: cliUser(),
		Host: host, Path: made.Path, Size: made.Size}); err != nil {
		return err
	}
	if db.Keys() == nil {
		return nil
	}
	return audit.New(db).Record(ctx, audit.Entry{Username: cliUser(), Role: "cli", Action: "backup", Object: "backup:" + made.Manifest.MadeAt.Format("20060102T150405Z"),
		Result: audit.OK, Detail: fmt.Sprintf("wanhu backup to %s on %s, %d bytes", made.Path, host, made.Size)})
}

// runRestore restores a backup into a database: refusing one with data
// unless --force, and checking the key file against the backup before it
// writes.
func runRestore(ctx context.Context, args []string, out io.Writer) error {
	fs := newFlags("restore")
	dsn := fs.String("db", "", "database to restore into: a SQLite file path (created if absent) or a postgres:// URL")
	from := fs.String("from", "", "backup file made by wanhu backup (or by a server's --backup-dir)")
	force := fs.Bool("force", false, "replace a database that holds data (its data is lost)")
	keyFile := keyFileFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if *dsn == "" {
		return errors.New("--db is required: a SQLite file path or a postgres:// URL")
	}
	if *from == "" {
		return errors.New("--from is required: the backup file to restore")
	}
	keys, keyPath, err := loadKeys(*dsn, *keyFile)
	if err != nil {
		return err
	}
	res, err := backup.Restore(ctx, *dsn, *from, backup.RestoreOptions{Keys: keys, KeyFile: keyPath, Force: *force, By: cliUser()})
	if err != nil {
		return err
	}
	m := res.Manifest
	fmt.Fprintf(out, "Restored %s (a %s database of %s, schema %d) into %s: %d households, %d persons; migrated to schema %d.\n",
		*from, m.Engine, m.MadeAt.Format("2006-01-02 15:04 UTC"), m.Schema, store.Redact(*dsn),
		max(m.Rows("households"), 0), max(m.Rows("persons"), 0), res.Schema)
	if keyPath != "" {
		fmt.Fprintf(out, "Serve it with --key-file %s.\n", keyPath)
	}
	return nil
}

// loadKeys loads the key file for dsn (see keyFileFor), if there is one.
func loadKeys(dsn, keyFile string) (*secret.Keyring, string, error) {
	path := keyFileFor(dsn, keyFile)
	if path == "" {
		return nil, "", nil
	}
	keys, err := secret.Load(path)
	if err != nil {
		return nil, "", fmt.Errorf("--key-file: %w", err)
	}
	return keys, path, nil
}

// backupConfig is the daily backup the server flags ask for.
type backupConfig struct {
	dir  string
	keep int
}

// backupFlags adds --backup-dir and --backup-keep and returns the daily
// backup they ask for (nil without --backup-dir), refusing a keep out of
// range or a directory that cannot be written.
func backupFlags(fs *flag.FlagSet) func() (*backupConfig, error) {
	dir := fs.String("backup-dir", "", "back the database up every day into this directory (made if absent); one server of several on one database makes each day's backup")
	keep := fs.Int("backup-keep", 7, "daily backups kept in --backup-dir; older ones are removed")
	return func() (*backupConfig, error) {
		if *keep < 1 || *keep > 3660 {
			return nil, fmt.Errorf("--backup-keep %d: give a number from 1 to 3660", *keep)
		}
		if *dir == "" {
			return nil, nil
		}
		if err := backup.CheckDir(*dir); err != nil {
			return nil, err
		}
		return &backupConfig{dir: *dir, keep: *keep}, nil
	}
}

// startBackups starts the daily backup c asks for (none when nil) and
// returns its stop.
func startBackups(ctx context.Context, db *store.DB, c *backupConfig, log *slog.Logger) (stop func()) {
	if c == nil {
		return func() {}
	}
	d := &backup.Daily{DB: db, Dir: c.dir, Keep: c.keep, Log: log}
	return d.Start(ctx, 0)
}
