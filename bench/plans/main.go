// Command plans is the plan benchmark of bench/plans.sh, on a city made by
// bench/households gen:
//
//	plans prepare -db FILE                  give the households a visit history and compute when each is due, timed
//	plans generate -db FILE -runs 5         time next week's plans of every grid against the same reads in the sqlite3 shell
//	plans record -db FILE -small FILE2      time recording visits in a big and a small city
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"slices"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/secret"
	"wanhu/internal/store"
	"wanhu/internal/visit"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: plans prepare|generate|record [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "prepare":
		err = prepare(os.Args[2:])
	case "generate":
		err = generate(os.Args[2:])
	case "record":
		err = record(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "plans:", err)
		os.Exit(1)
	}
}

// open opens a database made by bench/households gen (migrating it to the
// current schema) with its key file.
func open(ctx context.Context, path string) (*store.DB, error) {
	db, err := store.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	keys, err := secret.Load(path + ".key")
	if err != nil {
		db.Close()
		return nil, err
	}
	db.SetKeys(keys)
	return db, nil
}

// prepare gives the generated households, which have never been visited,
// a deterministic visit history: nine in ten were last met between 0 and
// 399 days ago, the tenth never. Then visit.RecomputeDue computes when each
// is next due, as the daily cron job does; both are timed. A database
// prepared before is left as it is.
func prepare(args []string) error {
	fs := flag.NewFlagSet("prepare", flag.ExitOnError)
	path := fs.String("db", "", "SQLite file made by bench/households gen")
	fs.Parse(args)
	ctx := context.Background()
	db, err := open(ctx, *path)
	if err != nil {
		return err
	}
	defer db.Close()
	var todo int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM households WHERE next_due_on IS NULL`).Scan(&todo); err != nil {
		return err
	}
	if todo == 0 {
		fmt.Println("prepare: every household has a due date already")
		return nil
	}
	today := calendar.Today()
	start := time.Now()
	if _, err := db.ExecContext(ctx, `UPDATE households SET
		last_met_on = CASE WHEN id % 10 = 0 THEN NULL ELSE date(?, '-' || (id * 7919 % 400) || ' days') END,
		last_visit_at = CASE WHEN id % 10 = 0 THEN NULL ELSE date(?, '-' || (id * 7919 % 400) || ' days') || ' 02:00:00+00:00' END`,
		today.String(), today.String()); err != nil {
		return err
	}
	history := time.Since(start)
	start = time.Now()
	n, err := visit.RecomputeDue(ctx, db, today)
	if err != nil {
		return err
	}
	el := time.Since(start)
	var hs, due int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN next_due_on <= ? THEN 1 ELSE 0 END), 0) FROM households`, today).Scan(&hs, &due); err != nil {
		return err
	}
	fmt.Printf("visit history: %.1f s; visit.RecomputeDue: %.1f s for %d households (%d changed, %.0f households/s); due today or overdue: %d\n",
		history.Seconds(), el.Seconds(), hs, n, float64(hs)/el.Seconds(), due)
	return nil
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
