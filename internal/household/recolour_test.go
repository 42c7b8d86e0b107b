package household_test

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/gen"
	"wanhu/internal/household"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestRecolourSameAsOneByOne: two identical generated communities, six
// years on (ages moved) and with some stored colours, householders and
// member counts wrong, are recoloured household by household and in
// batches: every household ends the same (colour, reasons, householder,
// member count) and the ledger has the same colour changes.
func TestRecolourSameAsOneByOne(t *testing.T) {
	each := func(t *testing.T, open func(testing.TB) *store.DB) {
		ctx := context.Background()
		day, _ := calendar.ParseDate("day", "2026-03-16")
		later := day.Time().AddDate(6, 0, 0)
		type result struct {
			changed int
			rows    map[int64]string
			ledger  []string
		}
		run := func(batched bool) result {
			db := open(t)
			if _, err := gen.Generate(ctx, db, gen.Options{Households: 600, Seed: 5, Today: day}); err != nil {
				t.Fatal(err)
			}
			for _, q := range []string{
				`UPDATE households SET colour = 'yellow' WHERE id % 7 = 0`,
				`UPDATE households SET member_count = 9 WHERE id % 11 = 0`,
				`UPDATE households SET householder = '某某' WHERE id % 13 = 0`,
			} {
				if _, err := db.ExecContext(ctx, q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			var before int64
			storetest.Scan(t, db.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM ledger_events`), &before)
			s := household.NewStore(db)
			s.SetClock(func() time.Time { return later })
			var r result
			var err error
			if batched {
				r.changed, err = s.Recolour(ctx, household.Actor{Name: "recolour"})
			} else {
				r.changed, err = s.RecolourOneByOne(ctx, household.Actor{Name: "recolour"})
			}
			if err != nil {
				t.Fatal(err)
			}
			r.rows = map[int64]string{}
			rows, err := db.QueryContext(ctx, `SELECT id, colour, colour_reasons, householder, member_count FROM households`)
			storetest.ScanAll(t, rows, err, func(rows *sql.Rows) error {
				var id int64
				var c, reasons, who string
				var n int
				err := rows.Scan(&id, &c, &reasons, &who, &n)
				r.rows[id] = fmt.Sprint(c, reasons, who, n)
				return err
			})
			evs, _, err := s.Ledger(ctx, household.LedgerFilter{Type: household.EvColourChanged, Since: later.Add(-time.Minute), PerPage: 100000})
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range evs {
				if e.ID > before {
					r.ledger = append(r.ledger, fmt.Sprint(e.HouseholdID, e.Field, e.Before, e.After, e.Note, e.Actor, e.At.Equal(later)))
				}
			}
			slices.Sort(r.ledger)
			return r
		}
		want, got := run(false), run(true)
		if want.changed < 50 || got.changed != want.changed {
			t.Errorf("changed colour: batched %d, one by one %d (want the same, and many)", got.changed, want.changed)
		}
		if len(want.ledger) != want.changed || !slices.Equal(got.ledger, want.ledger) {
			t.Errorf("ledger: batched %d colour changes, one by one %d (changed %d)", len(got.ledger), len(want.ledger), want.changed)
		}
		if len(got.rows) != 600 || !maps.Equal(got.rows, want.rows) {
			n := 0
			for id, w := range want.rows {
				if got.rows[id] != w && n < 5 {
					t.Errorf("household %d: batched %s, one by one %s", id, got.rows[id], w)
					n++
				}
			}
			t.Fatalf("households differ (%d)", len(got.rows))
		}
	}
	t.Run("sqlite", func(t *testing.T) { each(t, storetest.SQLite) })
	t.Run("postgres", func(t *testing.T) { each(t, storetest.Postgres) })
}
