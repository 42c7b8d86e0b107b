package backup

// SQLite: the backup is a copy of the database file made by VACUUM INTO.
// It reads the database in one read transaction, so the copy is of one
// moment; in WAL mode the writers go on meanwhile. The copy is also
// compacted, and holds no WAL to lose. Restore writes it into the target
// with SQLite's online backup API (modernc.org/sqlite's NewRestore), which
// replaces the target's pages in one write transaction: the target is
// either the backup or as before.

import (
	"archive/zip"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"

	sqlite "modernc.org/sqlite"

	"wanhu/internal/store"
)

// snapshotSQLite copies db into zw as wanhu.db and fills m; the copy is
// made in dir first.
func snapshotSQLite(ctx context.Context, db *store.DB, zw *zip.Writer, m *Manifest, dir string) error {
	tables, err := db.WanhuTables(ctx)
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".wanhu-backup-*.db")
	if err != nil {
		return fmt.Errorf("copy the database: %w", err)
	}
	f.Close()
	path := f.Name()
	defer removeSQLite(path)
	// VACUUM INTO writes into an empty file; CreateTemp made it 0600.
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		return fmt.Errorf("copy the database (VACUUM INTO): %w", err)
	}
	if err := describeSQLite(ctx, path, tables, m); err != nil {
		return err
	}
	in, err := os.Open(path)
	if err != nil {
		return err
	}
	defer in.Close()
	w, err := entry(zw, sqliteEntry, m.MadeAt)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, in); err != nil {
		return fmt.Errorf("write the backup: %w", err)
	}
	return nil
}

// describeSQLite reads the copy at path: its schema version, the rows of
// tables and the keys its sealed values use.
func describeSQLite(ctx context.Context, path string, tables []string, m *Manifest) error {
	cp, err := openCopy(path)
	if err != nil {
		return err
	}
	defer cp.Close()
	if m.Schema, err = sqliteSchema(ctx, cp); err != nil {
		return err
	}
	for _, t := range tables {
		var n int64
		if err := cp.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+t).Scan(&n); err != nil {
			return fmt.Errorf("count %s: %w", t, err)
		}
		m.Tables = append(m.Tables, Table{Name: t, Rows: n})
	}
	m.Keys, err = scanKeyUse(ctx, func(ctx context.Context, q string) (string, bool, error) {
		var v string
		err := cp.QueryRowContext(ctx, q).Scan(&v)
		if errors.Is(err, sql.ErrNoRows) {
			return "", false, nil
		}
		return v, err == nil, err
	})
	return err
}

// openCopy opens the SQLite file at path read-only: a copy made for or
// taken from a backup, which nothing may change.
func openCopy(path string) (*sql.DB, error) {
	q := url.Values{}
	q.Set("mode", "ro")
	q.Add("_pragma", "busy_timeout(10000)")
	cp, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open the copy: %w", err)
	}
	cp.SetMaxOpenConns(1)
	return cp, nil
}

// sqliteSchema returns the newest migration applied to a SQLite copy.
func sqliteSchema(ctx context.Context, cp *sql.DB) (int64, error) {
	var v sql.NullInt64
	if err := cp.QueryRowContext(ctx, `SELECT MAX(version_id) FROM `+store.VersionTable).Scan(&v); err != nil {
		return 0, fmt.Errorf("not a Wanhu database (%s): %w", store.VersionTable, err)
	}
	return v.Int64, nil
}

// removeSQLite removes a SQLite file and what SQLite may have left
// beside it.
func removeSQLite(path string) {
	for _, p := range []string{path, path + "-journal", path + "-wal", path + "-shm"} {
		os.Remove(p)
	}
}

// restoreSQLite writes the database of the backup zr describes (m) into
// db, replacing what db held, after checking the copy against m. The copy
// is unpacked in dir first.
func restoreSQLite(ctx context.Context, db *store.DB, zr *zip.Reader, m Manifest, dir string) error {
	src, err := zr.Open(sqliteEntry)
	if err != nil {
		return fmt.Errorf("the backup holds no %s: %w", sqliteEntry, err)
	}
	defer src.Close()
	f, err := os.CreateTemp(dir, ".wanhu-restore-*.db")
	if err != nil {
		return fmt.Errorf("unpack the backup: %w", err)
	}
	path := f.Name()
	defer removeSQLite(path)
	_, err = io.Copy(f, src) // the zip reader checks the CRC at the end
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("unpack the backup: %w", err)
	}
	if err := checkCopy(ctx, path, m); err != nil {
		return err
	}
	conn, err := db.SQL().Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		r, ok := dc.(interface {
			NewRestore(string) (*sqlite.Backup, error)
		})
		if !ok {
			return errors.New("restore: the SQLite driver has no backup API")
		}
		b, err := r.NewRestore(path)
		if err != nil {
			return fmt.Errorf("restore: %w", err)
		}
		if _, err := b.Step(-1); err != nil {
			b.Finish()
			return fmt.Errorf("restore: %w", err)
		}
		if err := b.Finish(); err != nil {
			return fmt.Errorf("restore: %w", err)
		}
		return nil
	})
}

// checkCopy checks that the SQLite copy at path is what m says: its
// schema version and the rows of each table.
func checkCopy(ctx context.Context, path string, m Manifest) error {
	var got Manifest
	cp, err := openCopy(path)
	if err != nil {
		return err
	}
	defer cp.Close()
	if got.Schema, err = sqliteSchema(ctx, cp); err != nil {
		return err
	}
	if got.Schema != m.Schema {
		return fmt.Errorf("the backup's database is of schema %d, its manifest says %d", got.Schema, m.Schema)
	}
	for _, t := range m.Tables {
		var n int64
		if err := cp.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+t.Name).Scan(&n); err != nil {
			return fmt.Errorf("the backup's database: %s: %w", t.Name, err)
		}
		if n != t.Rows {
			return fmt.Errorf("the backup's database holds %d rows of %s, its manifest says %d", n, t.Name, t.Rows)
		}
	}
	return nil
}
