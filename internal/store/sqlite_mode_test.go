//go:build unix

package store

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestSQLiteFilesPrivate: a new SQLite database, and the -wal and -shm
// files SQLite makes beside it, are readable by their owner only, under
// the usual umask 022 (with which SQLite made them 0644).
func TestSQLiteFilesPrivate(t *testing.T) {
	defer syscall.Umask(syscall.Umask(0o022))
	path := filepath.Join(t.TempDir(), "wanhu.db")
	ctx := context.Background()
	db, err := Open(ctx, path) // migrates: writes the file and its WAL
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `INSERT INTO tags(code, applies_to, name_zh, name_en) VALUES ('x_mode', 'person', '测试', 'test')`); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if m := fi.Mode().Perm(); m != 0o600 {
			t.Errorf("%s: mode %04o, want 0600", filepath.Base(p), m)
		}
	}
}

// TestSQLiteKeepsMode: an existing database file keeps its mode (the
// administrator's choice) and its content.
func TestSQLiteKeepsMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "wanhu.db")
	ctx := context.Background()
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO tags(code, applies_to, name_zh, name_en) VALUES ('x_mode', 'person', '测试', 'test')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	if db, err = Open(ctx, path); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM tags WHERE code = 'x_mode'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("reopened: %d rows, %v", n, err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o640 {
		t.Errorf("reopened: mode %v, %v; want 0640 kept", fi.Mode(), err)
	}
}
