package main

import (
	"bytes"
	"context"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"wanhu/internal/daily"
	"wanhu/internal/gen"
	"wanhu/internal/stats"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestDailyJobsOfTheServer: the server's daily jobs run in order on a
// generated community, and each is done once for the day; the statistics
// snapshot is then that day's, and /metrics reports every job as
// succeeded.
func TestDailyJobsOfTheServer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := gen.Generate(ctx, db, gen.Options{Households: 120, Seed: 3}); err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 12, 7, 19, 30, 0, 0, time.UTC) // 03:30 on 8 December in China
		log := slog.New(slog.DiscardHandler)
		r := &daily.Runner{DB: db, Host: "test", Now: func() time.Time { return now }, Log: log}
		dailyJobs(r, log)
		if got, want := r.Jobs(), []string{"recolour", "due_dates", "proactive", "stats_snapshot"}; !slices.Equal(got, want) {
			t.Fatalf("jobs %v, want %v", got, want)
		}
		ran, err := r.RunDue(ctx, false)
		if err != nil || ran != 4 {
			t.Fatalf("ran %d jobs: %v", ran, err)
		}
		if ran, err := r.RunDue(ctx, false); err != nil || ran != 0 {
			t.Fatalf("again on the same day: ran %d, %v", ran, err)
		}
		s, err := stats.SnapshotOf(ctx, db)
		if err != nil || s.On.String() != "2026-12-08" {
			t.Fatalf("snapshot %+v, %v; want of 2026-12-08", s, err)
		}
		runs := dailyRuns(db, log)()
		if len(runs) != 4 {
			t.Fatalf("metrics see %d daily jobs: %+v", len(runs), runs)
		}
		for _, j := range runs {
			if j.LastSuccess.IsZero() || !j.LastSuccess.Equal(j.LastRun) {
				t.Errorf("%s: last run %s, last success %s", j.Name, j.LastRun, j.LastSuccess)
			}
		}
		// The next day, the recolouring reads only the households with a
		// birthday since: the first day's was a full one.
		var out bytes.Buffer
		log = slog.New(slog.NewTextHandler(&out, nil))
		now = now.Add(24 * time.Hour)
		r = &daily.Runner{DB: db, Host: "test", Now: func() time.Time { return now }, Log: log}
		dailyJobs(r, log)
		if ran, err := r.RunDue(ctx, false); err != nil || ran != 4 {
			t.Fatalf("the next day: ran %d jobs: %v", ran, err)
		}
		if !strings.Contains(out.String(), "households recoloured") || !strings.Contains(out.String(), "full=false why=birthdays since=2026-12-08") {
			t.Errorf("the next day's recolouring was not one of the birthdays since the day before:\n%s", out.String())
		}
	})
}
