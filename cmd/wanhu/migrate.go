package main

import (
	"context"
	"fmt"
	"io"

	"wanhu/internal/store"
)

func runMigrate(ctx context.Context, args []string, out io.Writer) error {
	sub, args := subcommand(args)
	fs := newFlags("migrate")
	dsn := fs.String("db", "", "database: a SQLite file path or a postgres:// URL")
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := store.OpenNoMigrate(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if sub != "status" {
		if err := db.Migrate(ctx); err != nil {
			return err
		}
	}
	st, err := db.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	for _, s := range st {
		when := "pending"
		if !s.AppliedAt.IsZero() {
			when = "applied " + s.AppliedAt.Format("2006-01-02 15:04:05")
		}
		fmt.Fprintf(out, "%05d %-40s %s\n", s.Source.Version, s.Source.Path, when)
	}
	return nil
}
