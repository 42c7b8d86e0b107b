package backup

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"wanhu/internal/store"
)

// Made is a backup just written.
type Made struct {
	Manifest Manifest
	Path     string // absolute
	Size     int64
}

// Make writes a backup of db to the file at path, taken at one moment
// while db is in use, and returns its manifest. The file appears whole or
// not at all: it is written beside path, synced and renamed. An existing
// file at path is replaced only if it is a Wanhu backup. The file is
// readable by its owner only. With db's keys (may be nil) the manifest
// keeps a check of the index key.
func Make(ctx context.Context, db *store.DB, path string) (Made, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return Made{}, err
	}
	if _, err := os.Stat(abs); err == nil {
		if _, err := ReadManifest(abs); err != nil {
			return Made{}, fmt.Errorf("%s exists and is not a Wanhu backup: it is not overwritten", abs)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return Made{}, err
	}
	dir := filepath.Dir(abs)
	tmp, err := os.CreateTemp(dir, ".wanhu-backup-*.tmp")
	if err != nil {
		return Made{}, fmt.Errorf("write the backup: %w", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	m, err := write(ctx, db, tmp, dir)
	if err != nil {
		return Made{}, err
	}
	if err := tmp.Sync(); err != nil {
		return Made{}, fmt.Errorf("write the backup: %w", err)
	}
	st, err := tmp.Stat()
	if err != nil {
		return Made{}, err
	}
	if err := tmp.Close(); err != nil {
		return Made{}, fmt.Errorf("write the backup: %w", err)
	}
	if err := os.Rename(tmp.Name(), abs); err != nil {
		return Made{}, fmt.Errorf("write the backup: %w", err)
	}
	return Made{Manifest: m, Path: abs, Size: st.Size()}, nil
}

// write writes the backup file of db to f; dir is where a SQLite copy may
// be made on the way.
func write(ctx context.Context, db *store.DB, f *os.File, dir string) (Manifest, error) {
	buf := bufio.NewWriterSize(f, 1<<20)
	zw := newZip(buf)
	m := Manifest{Format: Format, Version: FormatVersion, Engine: db.Dialect(), MadeAt: time.Now().UTC().Truncate(time.Second)}
	var err error
	if db.Dialect() == store.Postgres {
		err = snapshotPostgres(ctx, db, zw, &m)
	} else {
		err = snapshotSQLite(ctx, db, zw, &m, dir)
	}
	if err != nil {
		return m, err
	}
	if keys := db.Keys(); keys != nil {
		m.Keys.IndexCheck = indexCheck(keys)
	}
	w, err := entry(zw, manifestEntry, m.MadeAt)
	if err != nil {
		return m, err
	}
	if err := writeJSON(w, m); err != nil {
		return m, err
	}
	if err := zw.Close(); err != nil {
		return m, fmt.Errorf("write the backup: %w", err)
	}
	if err := buf.Flush(); err != nil {
		return m, fmt.Errorf("write the backup: %w", err)
	}
	return m, nil
}
