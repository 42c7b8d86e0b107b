package main

import (
	"context"
	"fmt"
	"io"

	"wanhu/internal/household"
	"wanhu/internal/visit"
)

// runVisit is `wanhu visit recompute`: every household's next due visit,
// recomputed from the visit policy (colours, tags and plans change; run it
// daily from cron).
func runVisit(ctx context.Context, args []string, out io.Writer) error {
	sub, args := subcommand(args)
	fs := newFlags("visit " + sub)
	dsn := fs.String("db", "", "database: a SQLite file path or a postgres:// URL")
	if err := parse(fs, args); err != nil {
		return err
	}
	if sub != "recompute" {
		return fmt.Errorf("usage: wanhu visit recompute --db … (recomputes when each household is next due; run it daily from cron)")
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := visit.RecomputeDue(ctx, db, household.Today())
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%d households have a new due date\n", n)
	return nil
}
