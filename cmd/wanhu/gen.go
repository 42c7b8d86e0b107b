package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"wanhu/internal/gen"
	"wanhu/internal/store"
)

func runGen(ctx context.Context, args []string, out io.Writer) error {
	fs := newFlags("gen")
	dsn := fs.String("db", "", "database to fill: a SQLite file path or a postgres:// URL (must have no households)")
	households := fs.Int("households", 4470, "number of households; the first 4,470 are Dongxing community, more add communities")
	seed := fs.Int64("seed", 1, "seed: the same seed gives the same data")
	keyFile := keyFileFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	// A new database gets a new key file (beside a SQLite file by default).
	if *keyFile == "" && !store.IsPostgresURL(*dsn) {
		*keyFile = *dsn + ".key"
	}
	if *keyFile == "" {
		return errors.New("--key-file is required with PostgreSQL: the key file to encrypt ID and phone numbers with (created if absent)")
	}
	keys, err := ensureKeyFile(*keyFile, out)
	if err != nil {
		return fmt.Errorf("--key-file: %w", err)
	}
	db.SetKeys(keys)
	start := time.Now()
	sum, err := gen.Generate(ctx, db, gen.Options{Households: *households, Seed: *seed, Progress: progress(out), Stage: stage(out)})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nGenerated in %s: %d communities, %d grids, %d households, %d persons, %d key persons, %d special-difficulty households, %d team members.\n",
		time.Since(start).Round(time.Millisecond), sum.Communities, sum.Grids, sum.Households, sum.Persons, sum.KeyPersons, sum.SpecialDifficulty, sum.TeamMembers)
	return nil
}
