package visit_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/visit"
)

// TestNeverVisited: occupied households with no visit in a year of China
// time, red first, paged; the New Year's Eve visit counts for the year
// before.
func TestNeverVisited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := newReportGrids(t, ctx, db)
		us, total, err := r.vs.NeverVisited(ctx, 2026, 0, 1, 50)
		if err != nil {
			t.Fatal(err)
		}
		if total != 2 || len(us) != 2 || us[0].HouseholdID != r.neverRed || us[0].LastVisitAt != nil || us[1].HouseholdID != r.lastYear {
			t.Fatalf("2026: %d %+v", total, us)
		}
		if us[0].Community != "东兴社区" || us[0].GridName != "第二网格" {
			t.Errorf("the household's grid: %q %q", us[0].Community, us[0].GridName)
		}
		if us[1].LastVisitAt == nil || !us[1].LastVisitAt.Equal(time.Date(2025, 12, 31, 15, 59, 0, 0, time.UTC)) {
			t.Errorf("last visit: %v", us[1].LastVisitAt)
		}
		if _, total, _ := r.vs.In(r.leader1).NeverVisited(ctx, 2026, 0, 1, 50); total != 0 {
			t.Errorf("grid 1's leader: %d never visited", total)
		}
		us, total, err = r.vs.NeverVisited(ctx, 2025, 0, 2, 2)
		if err != nil || total != 5 || len(us) != 2 || us[0].Colour != "yellow" {
			t.Errorf("2025, page 2: %d %+v %v", total, us, err)
		}
	})
}

// TestNeverVisitedEverywhere: over every household the list of those not
// visited in a year is read colour by colour; page after page, for pages
// of 1 to 3 and 50 households, it is the list the sorted statement gives
// for the same households named grid by grid (red first, never visited
// first, then the longest ago), in a past year and this one; a green
// household never visited comes first among the green ones; a vacant
// household visited in the year changes no count.
func TestNeverVisitedEverywhere(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := newReportGrids(t, ctx, db)
		if _, err := db.ExecContext(ctx, `INSERT INTO households(grid_id, compound_id, building_id, unit, floor, room, address, colour,
			occupancy, householder, created_at, updated_at) SELECT grid_id, compound_id, building_id, unit, floor, '199', address || '9', 'green',
			'owner', '户主9', created_at, updated_at FROM households WHERE id = ?`, r.lastYear); err != nil {
			t.Fatal(err)
		}
		// A vacant household visited in 2025: not one of the year's
		// occupied households visited, which the count subtracts.
		at := time.Date(2025, 6, 1, 2, 0, 0, 0, time.UTC)
		if _, _, err := r.vs.Record(ctx, household.Actor{ID: r.leader, Name: "网格长小马"},
			visit.Input{ClientID: "vacant-2025", HouseholdID: r.vacant, Outcome: "met", At: &at}); err != nil {
			t.Fatal(err)
		}
		ids := func(us []visit.Unvisited) []int64 {
			out := []int64{}
			for _, u := range us {
				out = append(out, u.HouseholdID)
			}
			return out
		}
		grids := r.vs.In(org.Scope{GridIDs: []int64{r.grid1, r.grid2}})
		for _, few := range []int{100_000, 1} { // 2025's two visits counted from the visits, then not
			defer visit.SetFewVisits(few)()
			for _, year := range []int{2024, 2025, 2026} {
				all, total, err := grids.NeverVisited(ctx, year, 0, 1, 50)
				if err != nil {
					t.Fatal(err)
				}
				if year == 2025 && (total != 6 || all[0].HouseholdID != r.neverRed || all[1].HouseholdID != r.red || all[2].HouseholdID != r.yellow ||
					all[3].LastVisitAt != nil || all[4].HouseholdID != r.newYear) {
					t.Errorf("2025 by grid: %d %v", total, ids(all))
				}
				for _, scope := range []org.Scope{org.Everything, {Paths: []string{r.fx.City.Path}}} {
					for _, per := range []int{1, 2, 3, 50} {
						for page := 1; page <= total/per+2; page++ {
							us, n, err := r.vs.In(scope).NeverVisited(ctx, year, 0, page, per)
							if err != nil {
								t.Fatal(err)
							}
							want := all[min((page-1)*per, total):min(page*per, total)]
							if n != total || !slices.Equal(ids(us), ids(want)) {
								t.Errorf("%d, %+v, page %d of %d: %d %v, want %d %v", year, scope, page, per, n, ids(us), total, ids(want))
							}
							if len(us) > 0 && us[0].GridName == "" {
								t.Errorf("%d, page %d of %d: no grid name: %+v", year, page, per, us[0])
							}
						}
					}
				}
			}
		}
	})
}
