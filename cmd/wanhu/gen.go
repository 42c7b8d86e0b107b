package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"wanhu/internal/gen"
)

func runGen(ctx context.Context, args []string, out io.Writer) error {
	fs := newFlags("gen")
	dsn := fs.String("db", "", "database to fill: a SQLite file path or a postgres:// URL (must have no households)")
	households := fs.Int("households", 4470, "number of households; the first 4,470 are Dongxing community, more add communities")
	seed := fs.Int64("seed", 1, "seed: the same seed gives the same data")
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	sum, err := gen.Generate(ctx, db, gen.Options{Households: *households, Seed: *seed, Progress: progress(out)})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nGenerated in %s: %d communities, %d grids, %d households, %d persons, %d key persons, %d special-difficulty households, %d team members.\n",
		time.Since(start).Round(time.Millisecond), sum.Communities, sum.Grids, sum.Households, sum.Persons, sum.KeyPersons, sum.SpecialDifficulty, sum.TeamMembers)
	return nil
}
