package proactive_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"wanhu/internal/proactive"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestRunIdempotent: a second run on the same day makes nothing and
// reports the same tasks as there already; a rule turned off makes none.
func TestRunIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		newWorld(t, db)
		ctx := context.Background()
		on, now := date(t, "2026-12-06"), noon(t, "2026-12-06")
		first, err := proactive.Run(ctx, db, on, now)
		if err != nil {
			t.Fatal(err)
		}
		// The widow: a visit (never met), heating, insurance, anti-fraud.
		if first.Created != 4 || first.Existing != 0 || len(first.Tasks) != 4 {
			t.Fatalf("first run: created %d, existing %d, %d tasks; want 4, 0, 4: %+v", first.Created, first.Existing, len(first.Tasks), first.Tasks)
		}
		second, err := proactive.Run(ctx, db, on, now)
		if err != nil {
			t.Fatal(err)
		}
		if second.Created != 0 || second.Existing != 4 {
			t.Errorf("second run: created %d, existing %d; want 0, 4", second.Created, second.Existing)
		}
		for i := range first.Tasks {
			if first.Tasks[i] != second.Tasks[i] || first.Tasks[i].ID == 0 {
				t.Errorf("task %d: first run %+v, second %+v", i, first.Tasks[i], second.Tasks[i])
			}
		}
		s := proactive.Defaults()
		st := s["anti_fraud"]
		st.Enabled = false
		s["anti_fraud"] = st
		if err := proactive.SaveSettings(ctx, db, s, now); err != nil {
			t.Fatal(err)
		}
		third, err := proactive.Run(ctx, db, date(t, "2027-01-05"), now)
		if err != nil {
			t.Fatal(err)
		}
		for _, task := range third.Tasks {
			if task.Rule == "anti_fraud" {
				t.Errorf("rule off: %+v made", task)
			}
		}
	})
}

// TestRunConcurrent: runs of the same day at once, as on two servers, make
// each task once.
func TestRunConcurrent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		newWorld(t, db)
		ctx := context.Background()
		on, now := date(t, "2026-12-06"), noon(t, "2026-12-06")
		var wg sync.WaitGroup
		results := make([]*proactive.Result, 4)
		errs := make([]error, 4)
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i], errs[i] = proactive.Run(ctx, db, on, now.Add(time.Duration(i)*time.Second))
			}()
		}
		wg.Wait()
		created := 0
		for i, r := range results {
			if errs[i] != nil {
				t.Fatalf("run %d: %v", i, errs[i])
			}
			created += r.Created
			if r.Created+r.Existing != 4 {
				t.Errorf("run %d: created %d + existing %d, want 4 in all", i, r.Created, r.Existing)
			}
		}
		var rows int
		storetest.Scan(t, db.QueryRowContext(ctx, `SELECT COUNT(*) FROM proactive_tasks`), &rows)
		if created != 4 || rows != 4 {
			t.Errorf("created %d in all, %d rows; want 4 and 4", created, rows)
		}
	})
}
