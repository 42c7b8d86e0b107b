package visit_test

import (
	"context"
	"database/sql"
	"maps"
	"testing"

	"wanhu/internal/gen"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/visit"
)

// TestRecomputeDueSameAsOneByOne: on a generated community whose due dates
// are then disturbed (a policy with tag rules, colours changed, dates
// cleared or wrong, plan measures), the set-based RecomputeDue gives every
// household the date the household-by-household recompute gives, and
// counts the same changes.
func TestRecomputeDueSameAsOneByOne(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		day := mustDate("2026-03-16")
		if _, err := gen.Generate(ctx, db, gen.Options{Households: 1200, Seed: 7, Today: day}); err != nil {
			t.Fatal(err)
		}
		p := visit.Policy{Tags: map[string]string{"living_alone_elderly": "weekly", "serious_illness": "biweekly", "disabled": "monthly"},
			Colours: map[string]string{"red": "monthly", "yellow": "quarterly"}, Floor: "yearly"}
		if _, err := visit.ApplyPolicy(ctx, db, p, day.Time()); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{
			`UPDATE households SET colour = 'red' WHERE id % 7 = 0`,
			`UPDATE households SET colour = 'green' WHERE id % 11 = 0`,
			`UPDATE households SET next_due_on = NULL WHERE id % 5 = 0`,
			`UPDATE households SET next_due_on = '2020-01-31' WHERE id % 13 = 0`,
			`UPDATE households SET last_met_on = '2026-01-31' WHERE id % 17 = 0`,
			`UPDATE households SET last_met_on = NULL WHERE id % 19 = 0`,
			`UPDATE plan_measures SET frequency = 'weekly', status = 'active' WHERE id % 3 = 0`,
		} {
			if _, err := db.ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		before := dueDates(t, db)
		want, err := visit.RecomputeOneByOne(ctx, db, day)
		if err != nil {
			t.Fatal(err)
		}
		wantDates := dueDates(t, db)
		restore(t, db, before)
		got, err := visit.RecomputeDue(ctx, db, day)
		if err != nil {
			t.Fatal(err)
		}
		gotDates := dueDates(t, db)
		if want < 200 || got != want {
			t.Errorf("changed: set-based %d, one by one %d (want the same, and many)", got, want)
		}
		if len(gotDates) < 1200 || !maps.Equal(gotDates, wantDates) {
			n := 0
			for id, d := range wantDates {
				if gotDates[id] != d && n < 10 {
					t.Errorf("household %d: set-based %q, one by one %q", id, gotDates[id], d)
					n++
				}
			}
			t.Fatalf("the due dates differ (%d households)", len(wantDates))
		}
		if again, err := visit.RecomputeDue(ctx, db, day); err != nil || again != 0 {
			t.Errorf("a second run changed %d (%v), want 0", again, err)
		}
	})
}

func dueDates(t *testing.T, db *store.DB) map[int64]string {
	t.Helper()
	out := map[int64]string{}
	rows, err := db.QueryContext(context.Background(), `SELECT id, COALESCE(next_due_on, '-') FROM households`)
	storetest.ScanAll(t, rows, err, func(rows *sql.Rows) error {
		var id int64
		var d string
		err := rows.Scan(&id, &d)
		out[id] = d
		return err
	})
	return out
}

func restore(t *testing.T, db *store.DB, dates map[int64]string) {
	t.Helper()
	err := db.InTx(context.Background(), func(tx *store.Tx) error {
		for id, d := range dates {
			var v any = d
			if d == "-" {
				v = nil
			}
			if _, err := tx.ExecContext(context.Background(), `UPDATE households SET next_due_on = ? WHERE id = ?`, v, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
