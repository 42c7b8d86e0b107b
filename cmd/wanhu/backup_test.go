package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"wanhu/internal/household"
	"wanhu/internal/secret"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
)

// seedEngine makes a database of engine with one household whose phone
// is sealed, and its key file; it returns the database and the key file.
func seedEngine(t *testing.T, engine string) (dsn, keyFile string) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	dsn, keyFile = filepath.Join(dir, "w.db"), filepath.Join(dir, "w.key")
	if engine == "postgres" {
		dsn = storetest.PostgresDSN(t)
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	keys, err := secret.NewKeyFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	db.SetKeys(keys)
	f, err := testworld.NewOrg(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := household.NewStore(db).CreateHousehold(ctx, household.Actor{Name: "test"}, household.Household{BuildingID: f.Buildings[0].ID,
		Unit: "1", Room: "101", Phone: "13912345678"}, []household.Person{{Name: "王秀兰", Gender: household.Female,
		BirthDate: mustDate(t, "1945-02-03"), Relation: "householder"}}); err != nil {
		t.Fatal(err)
	}
	return dsn, keyFile
}

func count(t *testing.T, dsn, q string) int {
	t.Helper()
	db, err := store.OpenNoMigrate(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRowContext(context.Background(), q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestBackupRestoreCommands: the contract of wanhu backup --db --to and
// wanhu restore --db --from [--force] [--key-file], on both engines. The
// backup is recorded in the database and its audit log; the restore
// needs the key file, naming its key, and --force to replace data.
func TestBackupRestoreCommands(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			dsn, keyFile := seedEngine(t, engine)
			file := filepath.Join(t.TempDir(), "wanhu.zip")
			var out bytes.Buffer
			if err := run(ctx, []string{"backup", "--db", dsn, "--to", file, "--key-file", keyFile}, &out); err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"Backed up", "1 households", "restoring needs " + keyFile, "sealed with key 1"} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("backup said %q, want %q", out.String(), want)
				}
			}
			if n := count(t, dsn, `SELECT COUNT(*) FROM backups WHERE made_by LIKE 'cli%' AND size > 0 AND error = ''`); n != 1 {
				t.Errorf("%d backups recorded, want 1", n)
			}
			if n := count(t, dsn, `SELECT COUNT(*) FROM audit_log WHERE action = 'backup'`); n != 1 {
				t.Errorf("%d backups in the audit log, want 1", n)
			}

			into := filepath.Join(t.TempDir(), "restored.db")
			if engine == "postgres" {
				into = storetest.PostgresDSN(t)
			}
			err := run(ctx, []string{"restore", "--db", into, "--from", file}, io.Discard)
			if err == nil || !strings.Contains(err.Error(), "sealed with key 1") || !strings.Contains(err.Error(), "--key-file") {
				t.Errorf("restore without the key file: %v", err)
			}
			out.Reset()
			if err := run(ctx, []string{"restore", "--db", into, "--from", file, "--key-file", keyFile}, &out); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out.String(), "Restored") || !strings.Contains(out.String(), "1 households") {
				t.Errorf("restore said %q", out.String())
			}
			if n := count(t, into, `SELECT COUNT(*) FROM households WHERE phone LIKE 'v1.1.%'`); n != 1 {
				t.Errorf("%d sealed households restored, want 1", n)
			}
			err = run(ctx, []string{"restore", "--db", into, "--from", file, "--key-file", keyFile}, io.Discard)
			if err == nil || !strings.Contains(err.Error(), "--force") {
				t.Errorf("restore over data without --force: %v", err)
			}
			if err := run(ctx, []string{"restore", "--db", into, "--from", file, "--key-file", keyFile, "--force"}, io.Discard); err != nil {
				t.Errorf("restore --force: %v", err)
			}
			if n := count(t, into, `SELECT COUNT(*) FROM households`); n != 1 {
				t.Errorf("%d households after restore --force, want 1", n)
			}
		})
	}
}

// TestBackupCommandErrors: backup and restore name the flag they miss.
func TestBackupCommandErrors(t *testing.T) {
	ctx := context.Background()
	t.Setenv("WANHU_DB", "")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"backup", "--to", "x.zip"}, "--db"},
		{[]string{"backup", "--db", "x.db"}, "--to"},
		{[]string{"backup", "--db", filepath.Join(t.TempDir(), "typo.db"), "--to", filepath.Join(t.TempDir(), "b.zip")}, "no database there"},
		{[]string{"restore", "--db", "x.db"}, "--from"},
		{[]string{"restore", "--from", "x.zip"}, "--db"},
	} {
		if err := run(ctx, c.args, io.Discard); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want it to name %s", c.args, err, c.want)
		}
	}
}

// TestBackupFlags: a retention out of range, or a backup directory that
// cannot be written, stops serve and demo before they open the database,
// naming the flag.
func TestBackupFlags(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a-file")
	os.WriteFile(file, []byte("x"), 0o600)
	for _, c := range []struct {
		cmd  string
		args []string
		want string
	}{
		{"serve", []string{"--backup-keep", "0"}, "--backup-keep"},
		{"demo", []string{"--backup-dir", t.TempDir(), "--backup-keep", "-3"}, "--backup-keep"},
		{"serve", []string{"--backup-dir", filepath.Join(file, "sub")}, "--backup-dir"},
	} {
		db := filepath.Join(t.TempDir(), "never.db")
		err := run(context.Background(), append([]string{c.cmd, "--db", db}, c.args...), io.Discard)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %v: %v, want it to name %s", c.cmd, c.args, err, c.want)
		}
		if _, err := os.Stat(db); err == nil {
			t.Errorf("%s %v opened the database", c.cmd, c.args)
		}
	}
}
