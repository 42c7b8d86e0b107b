// Package backup makes and restores backups of a Wanhu database, keeps
// the record of the backups made, and runs the server's daily backup.
//
// A backup is one zip file that says what it holds: manifest.json (the
// engine it came from, its schema version, when it was made, each table
// with its row count, and which encryption keys its sealed values use) and
// the data of one consistent moment of the database, taken while the
// servers keep writing:
//
//   - SQLite: wanhu.db, a copy of the database made by VACUUM INTO, which
//     reads one snapshot (WAL lets writers go on meanwhile). Restore
//     writes it into the target with SQLite's backup API, in one
//     transaction.
//   - PostgreSQL: tables/<name>.copy for each of Wanhu's tables, in COPY's
//     text format, all copied in one REPEATABLE READ READ ONLY transaction
//     (one snapshot); the manifest adds the columns and the sequences.
//     Restore loads them with COPY in one transaction.
//
// The format is Wanhu's own rather than pg_dump's: it needs no client tool
// whose major version must match the server's, holds only Wanhu's tables
// (a schema may hold others), restores into another schema or database,
// and lets restore check the key file against the data before it writes.
//
// The key file is never in a backup: the ID numbers, phones and other
// sealed values stay sealed in it. The manifest names the keys they are
// sealed with and keeps one sealed value of each, so restore refuses a key
// file that lacks a key or holds another key under the same id, naming
// the key, before it writes anything. After a restore the database is
// migrated to the schema of this binary, so a backup made by an older
// Wanhu restores too.
package backup

import (
	"archive/zip"
	"compress/flate"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"time"

	"wanhu/internal/store"
)

// Format and FormatVersion open every manifest.
const (
	Format        = "wanhu-backup"
	FormatVersion = 1
)

// Names of the entries of a backup file.
const (
	manifestEntry = "manifest.json"
	sqliteEntry   = "wanhu.db"
	tablesDir     = "tables/"
)

// Manifest describes a backup. Its JSON is manifest.json in the backup
// file.
type Manifest struct {
	Format    string        `json:"format"`
	Version   int           `json:"version"`
	Engine    store.Dialect `json:"engine"`
	Schema    int64         `json:"schema"`
	MadeAt    time.Time     `json:"made_at"`
	Server    string        `json:"server,omitempty"` // PostgreSQL's version
	Tables    []Table       `json:"tables"`
	Sequences []Sequence    `json:"sequences,omitempty"`
	Keys      KeyUse        `json:"keys"`
}

// Table is one table of a backup: its columns (PostgreSQL) and rows.
type Table struct {
	Name    string   `json:"name"`
	Columns []string `json:"columns,omitempty"`
	Rows    int64    `json:"rows"`
}

// Sequence is a PostgreSQL sequence as setval takes it.
type Sequence struct {
	Name   string `json:"name"`
	Value  int64  `json:"value"`
	Called bool   `json:"called"`
}

// Rows returns the row count of table name in the backup, or -1.
func (m *Manifest) Rows(name string) int64 {
	for _, t := range m.Tables {
		if t.Name == name {
			return t.Rows
		}
	}
	return -1
}

// identifier is what a table or column name of a manifest may look like:
// names go into SQL, so a manifest that was tampered with cannot inject.
var identifier = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// check refuses a manifest that is not a Wanhu backup this version reads.
func (m *Manifest) check() error {
	if m.Format != Format {
		return errors.New("not a Wanhu backup (its manifest has another format)")
	}
	if m.Version != FormatVersion {
		return fmt.Errorf("a Wanhu backup of format %d, which this wanhu does not read (it reads %d): use a newer wanhu", m.Version, FormatVersion)
	}
	if m.Engine != store.SQLite && m.Engine != store.Postgres {
		return fmt.Errorf("a Wanhu backup of an unknown engine %q", m.Engine)
	}
	if m.Schema <= 0 || len(m.Tables) == 0 {
		return errors.New("a Wanhu backup without schema or tables")
	}
	for _, t := range m.Tables {
		if !identifier.MatchString(t.Name) {
			return fmt.Errorf("a Wanhu backup with a bad table name %q", t.Name)
		}
		for _, c := range t.Columns {
			if !identifier.MatchString(c) {
				return fmt.Errorf("a Wanhu backup with a bad column name %q in %s", c, t.Name)
			}
		}
	}
	for _, s := range m.Sequences {
		if !identifier.MatchString(s.Name) {
			return fmt.Errorf("a Wanhu backup with a bad sequence name %q", s.Name)
		}
	}
	return nil
}

// ReadManifest reads the manifest of the backup file at path.
func ReadManifest(path string) (Manifest, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return Manifest{}, fmt.Errorf("%s: not a Wanhu backup: %w", path, err)
	}
	defer zr.Close()
	m, err := readManifest(&zr.Reader)
	if err != nil {
		return m, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

func readManifest(zr *zip.Reader) (Manifest, error) {
	var m Manifest
	f, err := zr.Open(manifestEntry)
	if err != nil {
		return m, errors.New("not a Wanhu backup (no manifest.json)")
	}
	defer f.Close()
	if err := json.NewDecoder(io.LimitReader(f, 16<<20)).Decode(&m); err != nil {
		return m, fmt.Errorf("not a Wanhu backup (manifest.json: %w)", err)
	}
	return m, m.check()
}

// newZip returns a zip writer on w that deflates at the fastest level: a
// backup is mostly text, which that already shrinks several times, and a
// city's backup should not take long.
func newZip(w io.Writer) *zip.Writer {
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestSpeed)
	})
	return zw
}

// entry starts a deflated entry of a backup file.
func entry(zw *zip.Writer, name string, at time.Time) (io.Writer, error) {
	return zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: at})
}

// writeJSON writes v as indented JSON: a manifest is for people too.
func writeJSON(w io.Writer, v any) error {
	e := json.NewEncoder(w)
	e.SetIndent("", "  ")
	return e.Encode(v)
}
