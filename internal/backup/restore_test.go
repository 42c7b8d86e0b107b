package backup

import (
	"archive/zip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"wanhu/internal/secret"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// copyFile copies the file at from to to.
func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// untouched fails the test unless the database dsn is as a failed restore
// must leave a new one: no SQLite file at all, no table in the
// PostgreSQL schema.
func untouched(t *testing.T, dsn, why string) {
	t.Helper()
	if !store.IsPostgresURL(dsn) {
		if _, err := os.Stat(dsn); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s: the restore left %s behind (%v)", why, dsn, err)
		}
		return
	}
	db, err := store.OpenNoMigrate(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema()`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%s: the restore made %d tables", why, n)
	}
}

// TestRestoreChecksTheKeyFile: a community whose values are sealed with
// keys 1 and 2 (a rotation was begun) restores only with its key file.
// Without one, with the key file as it was before the rotation (no key
// 2), or with another community's key file (another key 1), the restore
// fails naming the key, and writes nothing.
func TestRestoreChecksTheKeyFile(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		dir := t.TempDir()
		keyFile := filepath.Join(dir, "wanhu.key")
		keys, err := secret.NewKeyFile(keyFile)
		if err != nil {
			t.Fatal(err)
		}
		db.SetKeys(keys)
		c := newCommunity(t, db)
		c.addN(t, 3)
		copyFile(t, keyFile, filepath.Join(dir, "before-rotation.key"))
		if _, err := keys.BeginRotation(); err != nil {
			t.Fatal(err)
		}
		c.addN(t, 2) // sealed with key 2
		path := filepath.Join(dir, "b.zip")
		made, err := Make(ctx, db, path)
		if err != nil {
			t.Fatal(err)
		}
		if got := made.Manifest.Keys.IDs; len(got) != 2 || got[0] != 1 || got[1] != 2 {
			t.Fatalf("the manifest names keys %v, want [1 2]", got)
		}
		b, _ := os.ReadFile(path)
		if strings.Contains(string(b), "index_key") {
			t.Error("the backup holds the key file")
		}
		other, err := secret.NewKeyFile(filepath.Join(dir, "other.key"))
		if err != nil {
			t.Fatal(err)
		}
		old, err := secret.Load(filepath.Join(dir, "before-rotation.key"))
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name    string
			keys    *secret.Keyring
			file    string
			missing []uint32
			wrong   []uint32
			says    string
		}{
			{"no key file", nil, "", []uint32{1, 2}, nil, "sealed with keys 1 and 2, and no key file was given"},
			{"the key file before the rotation", old, "before-rotation.key", []uint32{2}, nil, "before-rotation.key lacks key 2"},
			{"another community's key file", other, "other.key", []uint32{2}, []uint32{1}, "lacks key 2, which the backup's personal data is sealed with; key 1 of the key file other.key does not open"},
		} {
			dsn := newTarget(t, db)
			_, err := Restore(ctx, dsn, path, RestoreOptions{Keys: c.keys, KeyFile: c.file})
			var ke *KeyError
			if !errors.As(err, &ke) || !errors.Is(err, ErrKey) {
				t.Errorf("%s: %v, want a key error", c.name, err)
				continue
			}
			if !slices.Equal(ke.Missing, c.missing) || !slices.Equal(ke.Wrong, c.wrong) || !strings.Contains(err.Error(), c.says) {
				t.Errorf("%s: %q (missing %v, wrong %v), want %q", c.name, err, ke.Missing, ke.Wrong, c.says)
			}
			untouched(t, dsn, c.name)
		}
		dsn := newTarget(t, db)
		if _, err := Restore(ctx, dsn, path, RestoreOptions{Keys: keys, KeyFile: keyFile}); err != nil {
			t.Fatalf("with its key file: %v", err)
		}
		r := openRestored(t, db, dsn)
		var n int
		if err := r.QueryRowContext(ctx, `SELECT COUNT(*) FROM households`).Scan(&n); err != nil || n != 5 {
			t.Errorf("restored %d households (%v), want 5", n, err)
		}
		var action string
		if err := r.QueryRowContext(ctx, `SELECT action FROM audit_log ORDER BY id DESC LIMIT 1`).Scan(&action); err != nil || action != "backup.restore" {
			t.Errorf("the last audit entry is %q (%v), want backup.restore", action, err)
		}
	})
}

// TestRestoreIndexKey: a key file with the backup's encryption keys but
// another index key (search hashes and the audit log are keyed with it)
// is refused too.
func TestRestoreIndexKey(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	c := newCommunity(t, db)
	c.addN(t, 1)
	path := filepath.Join(t.TempDir(), "b.zip")
	if _, err := Make(ctx, db, path); err != nil {
		t.Fatal(err)
	}
	m, err := ReadManifest(path)
	if err != nil {
		t.Fatal(err)
	}
	m.Keys.IndexCheck = "another"
	err = CheckKeys(m, db.Keys(), "k")
	var ke *KeyError
	if !errors.As(err, &ke) || !ke.IndexKey || !strings.Contains(err.Error(), "index key differs") {
		t.Errorf("%v, want the index key refused", err)
	}
	m.Keys = KeyUse{}
	if err := CheckKeys(m, nil, ""); err != nil {
		t.Errorf("a backup without sealed values made without keys: %v", err)
	}
}

// TestRestoreRefusesData: a restore into a database that holds data is
// refused, changing nothing, unless forced; forced, the database is the
// backup's.
func TestRestoreRefusesData(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := newCommunity(t, db)
		c.addN(t, 4)
		keyAuditLog(t, db)
		path := filepath.Join(t.TempDir(), "b.zip")
		if _, err := Make(ctx, db, path); err != nil {
			t.Fatal(err)
		}
		want := rows(t, db)

		dsn := newTarget(t, db)
		other, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		other.SetKeys(db.Keys())
		oc := newCommunity(t, other)
		oc.n.Store(50)
		oc.addN(t, 1)
		keep := rows(t, other)
		other.Close()

		_, err = Restore(ctx, dsn, path, RestoreOptions{Keys: db.Keys()})
		if !errors.Is(err, ErrNotEmpty) || !strings.Contains(err.Error(), "1 households") || !strings.Contains(err.Error(), "--force") {
			t.Fatalf("%v, want a refusal naming what the database holds and --force", err)
		}
		r := openRestored(t, db, dsn)
		if got := rows(t, r); !sameRows(got, keep) {
			t.Error("a refused restore changed the database")
		}
		r.Close()

		if _, err := Restore(ctx, dsn, path, RestoreOptions{Keys: db.Keys(), Force: true}); err != nil {
			t.Fatal(err)
		}
		r = openRestored(t, db, dsn)
		if got := rows(t, r); !sameRows(got, want) {
			t.Error("the forced restore is not the backup")
		}
	})
}

// sameRows reports whether two databases hold the same rows.
func sameRows(a, b map[string]rowSet) bool {
	if len(a) != len(b) {
		return false
	}
	for tb, s := range a {
		if s.checksum() != b[tb].checksum() {
			return false
		}
	}
	return true
}

// TestRestoreOlderSchema: a backup made at schema 23 restores, and is
// migrated to the newest schema, its migrations run on its data (00024
// gives a request its household's building).
func TestRestoreOlderSchema(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		src := newTarget(t, db)
		old, err := store.OpenNoMigrate(ctx, src)
		if err != nil {
			t.Fatal(err)
		}
		defer old.Close()
		if err := old.MigrateTo(ctx, 23); err != nil {
			t.Fatal(err)
		}
		f := storetest.WriteOldPlaces(t, old)
		now := time.Date(2026, 6, 1, 2, 0, 0, 0, time.UTC)
		var hh int64
		if err := old.QueryRowContext(ctx, `INSERT INTO households(grid_id, compound_id, building_id, unit, room, address, created_at, updated_at)
			VALUES (?, ?, ?, '1', '101', '一化小区 1号楼 1单元101室', ?, ?) RETURNING id`,
			f.Grids[0].ID, f.Compound.ID, f.Buildings[0].ID, now, now).Scan(&hh); err != nil {
			t.Fatal(err)
		}
		if _, err := old.ExecContext(ctx, `INSERT INTO requests(tracking_code, category, description, channel, household_id, address,
			grid_id, org_path, state, submitted_at, created_at, updated_at) VALUES ('OLDSCHEMA1', 'repairs', 'x', 'hotline', ?, '', ?, ?, 'submitted', ?, ?, ?)`,
			hh, f.Grids[0].ID, f.Community.Path, now, now, now); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "b.zip")
		made, err := Make(ctx, old, path)
		if err != nil {
			t.Fatal(err)
		}
		if made.Manifest.Schema != 23 {
			t.Fatalf("backup of schema %d, want 23", made.Manifest.Schema)
		}
		dsn := newTarget(t, db)
		res, err := Restore(ctx, dsn, path, RestoreOptions{})
		if err != nil {
			t.Fatal(err)
		}
		latest, _ := db.LatestSchema()
		if res.Schema != latest {
			t.Errorf("restored at schema %d, want %d", res.Schema, latest)
		}
		r := openRestored(t, db, dsn)
		var building int64
		if err := r.QueryRowContext(ctx, `SELECT COALESCE(building_id, 0) FROM requests WHERE tracking_code = 'OLDSCHEMA1'`).Scan(&building); err != nil {
			t.Fatal(err)
		}
		if building != f.Buildings[0].ID {
			t.Errorf("the request's building is %d after the migrations, want %d", building, f.Buildings[0].ID)
		}
		if _, err := backupsTable(r); err != nil {
			t.Errorf("the restored database lacks the newest tables: %v", err)
		}
	})
}

func backupsTable(db *store.DB) (int, error) {
	var n int
	err := db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM backups`).Scan(&n)
	return n, err
}

// TestRestoreRefusesWhatItCannot: another engine's backup, a newer
// schema's and a file that is not a backup are refused, writing nothing.
func TestRestoreRefusesWhatItCannot(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "b.zip")
	if _, err := Make(ctx, db, path); err != nil {
		t.Fatal(err)
	}
	dsn := filepath.Join(dir, "new.db")
	if _, err := Restore(ctx, "postgres://nobody@127.0.0.1:1/none", path, RestoreOptions{Keys: db.Keys()}); err == nil ||
		!strings.Contains(err.Error(), "backup is of a sqlite database") {
		t.Errorf("into PostgreSQL: %v", err)
	}
	notBackup := filepath.Join(dir, "x.zip")
	os.WriteFile(notBackup, []byte("hello"), 0o600)
	if _, err := Restore(ctx, dsn, notBackup, RestoreOptions{}); err == nil || !strings.Contains(err.Error(), "not a Wanhu backup") {
		t.Errorf("a file that is not a backup: %v", err)
	}
	untouched(t, dsn, "not a backup")
	newer := filepath.Join(dir, "newer.zip")
	rewrite(t, path, newer, func(m *Manifest) { m.Schema = 9999 })
	if _, err := Restore(ctx, dsn, newer, RestoreOptions{Keys: db.Keys()}); err == nil || !strings.Contains(err.Error(), "schema version 9999, newer than this wanhu knows") {
		t.Errorf("a newer schema: %v", err)
	}
	untouched(t, dsn, "a newer schema")
	// Make refuses to overwrite a file that is not a backup (the database
	// itself, given by mistake), and replaces a backup.
	if _, err := Make(ctx, db, notBackup); err == nil || !strings.Contains(err.Error(), "not overwritten") {
		t.Errorf("backup over another file: %v", err)
	}
	if _, err := Make(ctx, db, path); err != nil {
		t.Errorf("backup over a backup: %v", err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the backup's mode is %v (%v), want 0600", fi.Mode(), err)
	}
}

// rewrite copies the backup at from to to, changing its manifest.
func rewrite(t *testing.T, from, to string, change func(m *Manifest)) {
	t.Helper()
	zr, err := zip.OpenReader(from)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	zw := zip.NewWriter(out)
	for _, f := range zr.File {
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		if f.Name == manifestEntry {
			var m Manifest
			if err := json.NewDecoder(r).Decode(&m); err != nil {
				t.Fatal(err)
			}
			change(&m)
			if err := json.NewEncoder(w).Encode(m); err != nil {
				t.Fatal(err)
			}
		} else if _, err := io.Copy(w, r); err != nil {
			t.Fatal(err)
		}
		r.Close()
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
}
