package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"wanhu/internal/apperr"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestFaultReadOnly: a write to a SQLite file opened read-only, and a
// write in a read-only PostgreSQL transaction (what a standby answers),
// are read_only faults, however wrapped; other errors are none.
func TestFaultReadOnly(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ro.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	ro, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	_, err = ro.ExecContext(ctx, `INSERT INTO calendar_years(year, loaded_at, loaded_by) VALUES (2030, '2026-01-01', 't')`)
	if f := store.Fault(fmt.Errorf("save: %w", err)); f == nil || f.Kind != "read_only" || !errors.Is(f, apperr.ErrStorage) {
		t.Errorf("a write to a read-only SQLite file (%v): fault %v", err, f)
	}
	if f := store.Fault(sql.ErrNoRows); f != nil {
		t.Errorf("no rows is a storage fault: %v", f)
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if db.Dialect() != store.Postgres {
			return
		}
		err := db.InTx(ctx, func(tx *store.Tx) error {
			if _, err := tx.ExecContext(ctx, `SET TRANSACTION READ ONLY`); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO calendar_years(year, loaded_at, loaded_by) VALUES (2030, '2026-01-01', 't')`)
			return err
		})
		if f := store.Fault(err); f == nil || f.Kind != "read_only" {
			t.Errorf("a write in a read-only PostgreSQL transaction (%v): fault %v", err, f)
		}
	})
}

// TestFaultPostgresCodes: PostgreSQL's disk_full and io_error SQLSTATEs.
func TestFaultPostgresCodes(t *testing.T) {
	for code, kind := range map[string]string{"53100": "storage_full", "25006": "read_only", "58030": "storage_io", "23505": ""} {
		err := fmt.Errorf("insert: %w", &pgconn.PgError{Code: code, Message: "x"})
		got := ""
		if f := store.Fault(err); f != nil {
			got = f.Kind
		}
		if got != kind {
			t.Errorf("SQLSTATE %s: fault %q, want %q", code, got, kind)
		}
	}
}

// TestOpenReadOnlyDisk: a database on a read-only disk does not start
// with SQLite's bare "unable to open database file": the error says what
// to check.
func TestOpenReadOnlyDisk(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("a read-only bind mount needs root")
	}
	ctx := context.Background()
	dir := t.TempDir()
	db, err := store.Open(ctx, filepath.Join(dir, "wanhu.db"))
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	ro := t.TempDir()
	if err := syscall.Mount(dir, ro, "", syscall.MS_BIND, ""); err != nil {
		t.Skipf("cannot bind-mount (%v): a container without CAP_SYS_ADMIN", err)
	}
	t.Cleanup(func() { syscall.Unmount(ro, syscall.MNT_DETACH) })
	if err := syscall.Mount("", ro, "", syscall.MS_REMOUNT|syscall.MS_BIND|syscall.MS_RDONLY, ""); err != nil {
		t.Skipf("cannot make the bind mount read-only: %v", err)
	}
	_, err = store.Open(ctx, filepath.Join(ro, "wanhu.db"))
	if err == nil || !strings.Contains(err.Error(), "its folder exist and that this user may write both") {
		t.Errorf("opening a database on a read-only disk: %v", err)
	}
}
