package programme

import (
	"strings"
	"testing"

	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestHouseholdFilePlans: the household file's statements find the
// household's sign-ups through their index on household_id (migration
// 00046), not by reading every sign-up of the city, on both engines and
// in the scopes of a community's administrator and a grid's leader. On
// PostgreSQL, whose planner reads a table this small whole, sequential
// scans are turned off for the question: the plan then names the index
// if, and only if, it can serve the statement.
func TestHouseholdFilePlans(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := t.Context()
		// SQLite names the column it searches by. PostgreSQL, without the
		// index and with sequential scans off, reads the unique index on
		// (activity_id, household_id) whole: the name tells the two apart.
		index := "activity_signups_by_household (household_id=?)"
		if db.Dialect() == store.Postgres {
			index = "activity_signups_by_household"
		}
		plan := func(query string, args ...any) string {
			t.Helper()
			var lines []string
			err := db.InTx(ctx, func(tx *store.Tx) error {
				explain := "EXPLAIN QUERY PLAN "
				if db.Dialect() == store.Postgres {
					explain = "EXPLAIN "
					if _, err := tx.ExecContext(ctx, `SET LOCAL enable_seqscan = off`); err != nil {
						return err
					}
				}
				rows, err := tx.QueryContext(ctx, explain+query, args...)
				if err != nil {
					return err
				}
				defer rows.Close()
				for rows.Next() {
					// SQLite: id, parent, notused, detail; PostgreSQL: a line.
					var id, parent, unused int
					var line string
					dst := []any{&line}
					if db.Dialect() == store.SQLite {
						dst = []any{&id, &parent, &unused, &line}
					}
					if err := rows.Scan(dst...); err != nil {
						return err
					}
					lines = append(lines, line)
				}
				return rows.Err()
			})
			if err != nil {
				t.Fatal(err)
			}
			return strings.Join(lines, "\n")
		}
		hid := w.family.ID
		if p := plan(householdFileSQL, hid, hid); !strings.Contains(p, index) {
			t.Errorf("whether the household signed up:\n%s", p)
		}
		for name, s := range map[string]*Store{"admin": w.admin, "lead": w.lead} {
			hcond, hargs := s.householdsWhere(true)
			if p := plan(signupsSQL("su.household_id = ?", hcond), append([]any{hid}, hargs...)...); !strings.Contains(p, index) {
				t.Errorf("%s: the household's sign-ups:\n%s", name, p)
			}
		}
	})
}
