package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// The migrations, one file per change and one folder per engine, applied in
// order on start.
//
//go:embed migrations
var migrations embed.FS

// Migrate brings the schema up to date.
func (db *DB) Migrate(ctx context.Context) error {
	p, err := db.migrator()
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate %s: %w", db.dialect, err)
	}
	return nil
}

// MigrationStatus lists each migration and whether it is applied.
func (db *DB) MigrationStatus(ctx context.Context) ([]*goose.MigrationStatus, error) {
	p, err := db.migrator()
	if err != nil {
		return nil, err
	}
	return p.Status(ctx)
}

func (db *DB) migrator() (*goose.Provider, error) {
	dir, gd := "migrations/sqlite", goose.DialectSQLite3
	var opts []goose.ProviderOption
	if db.dialect == Postgres {
		dir, gd = "migrations/postgres", goose.DialectPostgres
		// Several servers may start at once: one migrates, the others wait.
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	sub, err := fs.Sub(migrations, dir)
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(gd, db.sql, sub, opts...)
}
