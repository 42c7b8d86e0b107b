package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"wanhu/internal/household"
	"wanhu/internal/visit"
)

// record times recording visits through visit.Store.Record in two cities,
// a big one and a small one: the same number of visits to households
// spread evenly over each, met and not at home in turn, each by the grid
// worker of the household's grid. It prints the median per visit and their
// ratio, which stays near 1 if recording a visit does not grow with the
// city.
func record(args []string) error {
	fs := flag.NewFlagSet("record", flag.ExitOnError)
	big := fs.String("db", "", "the big city (SQLite file made by bench/households gen)")
	small := fs.String("small", "", "the small city")
	n := fs.Int("n", 300, "visits recorded in each city")
	fs.Parse(args)
	ctx := context.Background()
	var medians []time.Duration
	for _, path := range []string{*small, *big} {
		hs, per, err := recordVisits(ctx, path, *n)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		m := median(per)
		medians = append(medians, m)
		fmt.Printf("  record     %d visits in a city of %9d households: median %.3f ms per visit\n", len(per), hs, ms(m))
	}
	fmt.Printf("  ratio big / small city %.2fx\n", float64(medians[1])/float64(medians[0]))
	return nil
}

// recordVisits records n visits in the city at path and returns its size
// and the time of each.
func recordVisits(ctx context.Context, path string, n int) (int, []time.Duration, error) {
	db, err := open(ctx, path)
	if err != nil {
		return 0, nil, err
	}
	defer db.Close()
	var hs int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM households`).Scan(&hs); err != nil {
		return 0, nil, err
	}
	// Every (hs/n)-th household with its grid worker, chosen untimed.
	rows, err := db.QueryContext(ctx, `SELECT h.id, t.id FROM households h JOIN team_members t ON t.grid_id = h.grid_id AND t.role = 'grid_worker'
		WHERE h.id % ? = 0 ORDER BY h.id LIMIT ?`, max(hs/n, 1), n)
	if err != nil {
		return 0, nil, err
	}
	type target struct{ household, worker int64 }
	var ts []target
	for rows.Next() {
		var t target
		if err := rows.Scan(&t.household, &t.worker); err != nil {
			rows.Close()
			return 0, nil, err
		}
		ts = append(ts, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, nil, err
	}
	vs := visit.NewStore(db, household.NewStore(db))
	run := time.Now().UnixNano() // fresh client ids on every run
	per := make([]time.Duration, 0, len(ts))
	for i, t := range ts {
		in := visit.Input{ClientID: fmt.Sprintf("bench-%d-%d", run, i), HouseholdID: t.household, Outcome: "met", Visitors: []int64{t.worker}}
		if i%2 == 1 {
			in.Outcome, in.CardLeft = "not_home", true
		}
		start := time.Now()
		_, created, err := vs.Record(ctx, household.Actor{Name: "bench"}, in)
		if err != nil {
			return 0, nil, fmt.Errorf("household %d: %w", t.household, err)
		}
		if !created {
			return 0, nil, fmt.Errorf("household %d: the visit was not created", t.household)
		}
		per = append(per, time.Since(start))
	}
	return hs, per, nil
}
