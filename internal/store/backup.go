package store

// What backup and restore (internal/backup) need from the store: the
// schema version of a database and the newest this binary knows, a
// migration up to a given version, and Wanhu's own tables, which are the
// ones the migrations create (a PostgreSQL schema may hold others').

import (
	"context"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strings"
)

// SchemaVersion returns the newest migration applied to db, or 0 when none
// is (a new database).
func (db *DB) SchemaVersion(ctx context.Context) (int64, error) {
	p, err := db.migrator()
	if err != nil {
		return 0, err
	}
	v, err := p.GetDBVersion(ctx)
	if err != nil {
		return 0, fmt.Errorf("schema version: %w", err)
	}
	return v, nil
}

// LatestSchema returns the newest migration this binary holds for db's
// engine.
func (db *DB) LatestSchema() (int64, error) {
	p, err := db.migrator()
	if err != nil {
		return 0, err
	}
	src := p.ListSources()
	if len(src) == 0 {
		return 0, nil
	}
	return src[len(src)-1].Version, nil
}

// MigrateTo applies the migrations up to and including version, no
// further.
func (db *DB) MigrateTo(ctx context.Context, version int64) error {
	p, err := db.migrator()
	if err != nil {
		return err
	}
	if _, err := p.UpTo(ctx, version); err != nil {
		return fmt.Errorf("migrate %s to %d: %w", db.dialect, version, err)
	}
	return nil
}

// VersionTable is the table in which goose records the migrations applied.
const VersionTable = "goose_db_version"

var createTable = regexp.MustCompile(`(?i)CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?([a-z_][a-z0-9_]*)`)

// migrationTables returns the names of the tables the migrations of db's
// engine create, renamed ones included.
func (db *DB) migrationTables() (map[string]bool, error) {
	dir := "migrations/sqlite"
	if db.dialect == Postgres {
		dir = "migrations/postgres"
	}
	names := map[string]bool{}
	err := fs.WalkDir(migrations, dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".sql") {
			return err
		}
		b, err := migrations.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range createTable.FindAllStringSubmatch(string(b), -1) {
			names[strings.ToLower(m[1])] = true
		}
		for _, m := range renameTable.FindAllStringSubmatch(string(b), -1) {
			names[strings.ToLower(m[1])] = true
		}
		return nil
	})
	return names, err
}

var renameTable = regexp.MustCompile(`(?i)RENAME\s+TO\s+([a-z_][a-z0-9_]*)`)

// WanhuTables returns, sorted, the tables of db that Wanhu's migrations
// created (in PostgreSQL, in the current schema), without goose's version
// table.
func (db *DB) WanhuTables(ctx context.Context) ([]string, error) {
	known, err := db.migrationTables()
	if err != nil {
		return nil, err
	}
	q := `SELECT name FROM sqlite_master WHERE type = 'table'`
	if db.dialect == Postgres {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
	}
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		if known[name] {
			out = append(out, name)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.Sort(out)
	return out, nil
}

// DropWanhuTables drops Wanhu's tables and goose's version table from a
// PostgreSQL database in one statement, leaving its schema as before the
// first migration; what else the schema holds stays. Restore uses it to
// replace a database (a SQLite file is replaced whole instead).
func (db *DB) DropWanhuTables(ctx context.Context) error {
	if db.dialect != Postgres {
		return fmt.Errorf("drop tables: only on PostgreSQL")
	}
	tables, err := db.WanhuTables(ctx)
	if err != nil {
		return err
	}
	all := append(tables, VersionTable)
	if _, err := db.ExecContext(ctx, `DROP TABLE IF EXISTS `+strings.Join(all, ", ")+` CASCADE`); err != nil {
		return fmt.Errorf("drop tables: %w", err)
	}
	return nil
}
