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
// in the scopes of a community's administrator and a grid's leader
// (storetest.Explain).
func TestHouseholdFilePlans(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		// SQLite names the column it searches by. PostgreSQL, without the
		// index and with sequential scans off, reads the unique index on
		// (activity_id, household_id) whole: the name tells the two apart.
		index := "activity_signups_by_household (household_id=?)"
		if db.Dialect() == store.Postgres {
			index = "activity_signups_by_household"
		}
		hid := w.family.ID
		if p := storetest.Explain(t, db, householdFileSQL, hid, hid); !strings.Contains(p, index) {
			t.Errorf("whether the household signed up:\n%s", p)
		}
		for name, s := range map[string]*Store{"admin": w.admin, "lead": w.lead} {
			hcond, hargs := s.householdsWhere(true)
			if p := storetest.Explain(t, db, signupsSQL("su.household_id = ?", hcond), append([]any{hid}, hargs...)...); !strings.Contains(p, index) {
				t.Errorf("%s: the household's sign-ups:\n%s", name, p)
			}
		}
	})
}
