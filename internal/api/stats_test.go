package api

import (
	"context"
	"testing"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/stats"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
)

// TestPopulationStats: the contract's {"on","total","bands"} on a chosen
// day, the widow (born 5 March 1948) turning 78 on her birthday, presets,
// today and the article's bands by default; a grid leader counts their
// grid, another grid is not found, visitors and roles without household
// files are refused, and bad bands, presets and days name their parameter.
func TestPopulationStats(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		fx.run(t, []scenario{
			{name: "contract", method: "GET", path: "/stats/population?bands=0-3,4-12,60-&on=2026-12-01", user: "admin", status: 200,
				want: []string{`{"on":"2026-12-01","as_of":null,"total":3,"bands":[{"band":"0-3","count":0},{"band":"4-12","count":0},{"band":"60-","count":1}],`,
					`"by_sex":[{"key":"male","name":"男","count":1},{"key":"female","name":"女","count":2}]`,
					`"by_grid":[{"key":"{grid1}","name":"第一网格","count":1},{"key":"{grid2}","name":"第二网格","count":2}]`}},
			{name: "the day before her birthday", method: "GET", path: "/stats/population?bands=77-77,78-&on=2026-03-04", user: "admin", status: 200,
				want: []string{`"bands":[{"band":"77-77","count":1},{"band":"78-","count":0}]`}},
			{name: "her birthday", method: "GET", path: "/stats/population?bands=77-77,78-&on=2026-03-05", user: "admin", status: 200,
				want: []string{`"bands":[{"band":"77-77","count":0},{"band":"78-","count":1}]`}},
			{name: "census preset", method: "GET", path: "/stats/population?preset=census&on=2026-12-01", user: "admin", status: 200,
				want: []string{`{"band":"15-59","count":2},{"band":"60-","count":1},{"band":"65-","count":1},{"band":"80-","count":0}]`}},
			{name: "defaults", method: "GET", path: "/stats/population", user: "admin", status: 200,
				want: []string{`"on":"` + calendar.Today().String() + `"`, `{"band":"6-12","count":0}`}},
			{name: "leader1's grid", method: "GET", path: "/stats/population?bands=60-", user: "leader1", status: 200,
				want: []string{`"total":1,"bands":[{"band":"60-","count":1}]`}, reject: []string{"第二网格"}},
			{name: "one grid", method: "GET", path: "/stats/population?bands=60-&grid={grid2}", user: "clerk", status: 200,
				want: []string{`"total":2,"bands":[{"band":"60-","count":0}]`}},
			{name: "a grid out of scope", method: "GET", path: "/stats/population?grid={grid2}", user: "leader1", status: 404, check: wantError("not_found", "grid")},
			{name: "visitor", method: "GET", path: "/stats/population", user: "visitor", status: 403},
			{name: "officer", method: "GET", path: "/stats/population", user: "officer", status: 403},
			{name: "auditor", method: "GET", path: "/stats/population", user: "auditor", status: 403},
			{name: "no token", method: "GET", path: "/stats/population", user: "", status: 401},
			{name: "bands upside down", method: "GET", path: "/stats/population?bands=0-3,12-4", user: "admin", status: 400,
				check: wantError("band_order", "bands"), want: []string{`12-4`}},
			{name: "bands not numbers", method: "GET", path: "/stats/population?bands=old", user: "admin", status: 400,
				check: wantError("band_format", "bands"), want: []string{`old`}},
			{name: "bands and a preset", method: "GET", path: "/stats/population?bands=0-3&preset=census", user: "admin", status: 400, check: wantError("conflict", "preset")},
			{name: "unknown preset", method: "GET", path: "/stats/population?preset=school", user: "admin", status: 400, check: wantError("one_of", "preset")},
			{name: "no such day", method: "GET", path: "/stats/population?on=2026-02-30", user: "admin", status: 400, check: wantError("date_invalid", "on")},
			{name: "bad grid", method: "GET", path: "/stats/population?grid=x", user: "admin", status: 400, check: wantError("invalid", "grid")},
		})
	})
}

// TestHouseholdStats: households by kind, occupancy and colour with every
// value present, and by grid; scoped like the population.
func TestHouseholdStats(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		fx.run(t, []scenario{
			{name: "all", method: "GET", path: "/stats/households", user: "admin", status: 200,
				want: []string{`"total":2`, `"kind":{"commercial":0,"mixed":0,"residential":2}`, `"occupancy":{"owner":2,"rented":0,"vacant":0}`,
					`"colour":{"green":`, `"by_grid":[{"key":"{grid1}","name":"第一网格","count":1,"colour":{`}},
			{name: "leader1's grid", method: "GET", path: "/stats/households", user: "leader1", status: 200,
				want: []string{`"total":1`}, reject: []string{"第二网格"}},
			{name: "one grid", method: "GET", path: "/stats/households?grid={grid2}", user: "admin", status: 200,
				want: []string{`"total":1`, `"name":"第二网格"`}},
			{name: "a grid out of scope", method: "GET", path: "/stats/households?grid={grid2}", user: "leader1", status: 404, check: wantError("not_found", "grid")},
			{name: "visitor", method: "GET", path: "/stats/households", user: "visitor", status: 403},
		})
	})
}

// TestStatsSnapshot: once the statistics snapshot is taken, the city's
// administrator gets the population and household counts summed from it,
// on its day and with its time as as_of, the same numbers as live;
// ?live=1, another ?on=, one grid and a grid leader are counted live
// (as_of null), and a change shows live at once and in the snapshot after
// the next refresh.
func TestStatsSnapshot(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		ctx := context.Background()
		if _, err := testworld.Neighbour(ctx, db, fx.org.Street.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := stats.RefreshSnapshot(ctx, db, time.Date(2026, 11, 30, 17, 0, 0, 0, time.UTC)); err != nil { // 1 December in China
			t.Fatal(err)
		}
		counts := `"total":3,"bands":[{"band":"0-3","count":0},{"band":"4-12","count":0},{"band":"60-","count":1}],`
		fx.run(t, []scenario{
			{name: "the city from the snapshot", method: "GET", path: "/stats/population?bands=0-3,4-12,60-", user: "admin", status: 200,
				want: []string{`{"on":"2026-12-01","as_of":"2026-11-30T17:00:00Z",` + counts,
					`"by_grid":[{"key":"{grid1}","name":"第一网格","count":1},{"key":"{grid2}","name":"第二网格","count":2}]`}},
			{name: "the snapshot's day", method: "GET", path: "/stats/population?bands=0-3,4-12,60-&on=2026-12-01", user: "admin", status: 200,
				want: []string{`{"on":"2026-12-01","as_of":"2026-11-30T17:00:00Z",` + counts}},
			{name: "another day is live", method: "GET", path: "/stats/population?bands=0-3,4-12,60-&on=2026-12-02", user: "admin", status: 200,
				want: []string{`{"on":"2026-12-02","as_of":null,` + counts}},
			{name: "live", method: "GET", path: "/stats/population?bands=0-3,4-12,60-&on=2026-12-01&live=1", user: "admin", status: 200,
				want: []string{`{"on":"2026-12-01","as_of":null,` + counts}},
			{name: "one grid is live", method: "GET", path: "/stats/population?grid={grid2}", user: "admin", status: 200, want: []string{`"as_of":null,"total":2`}},
			{name: "a grid leader is live", method: "GET", path: "/stats/population", user: "leader1", status: 200, want: []string{`"as_of":null,"total":1`}},
			{name: "households from the snapshot", method: "GET", path: "/stats/households", user: "admin", status: 200,
				want: []string{`{"as_of":"2026-11-30T17:00:00Z","total":2,"kind":{"commercial":0,"mixed":0,"residential":2}`, `"special_difficulty":1`}},
			{name: "households live", method: "GET", path: "/stats/households?live=true", user: "admin", status: 200,
				want: []string{`{"as_of":null,"total":2,"kind":{"commercial":0,"mixed":0,"residential":2}`, `"special_difficulty":1`}},
			{name: "bad live", method: "GET", path: "/stats/households?live=yes", user: "admin", status: 400, check: wantError("one_of", "live")},
		})
		if _, err := fx.d.Households.CreateHousehold(ctx, household.Actor{Name: "测试"}, household.Household{GridID: fx.org.Grids[0].ID, Address: "东关大街1号"},
			[]household.Person{{Name: "新人", Gender: household.Female, BirthDate: calendar.Date{Y: 1950, M: 1, D: 1}, Relation: "householder"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := stats.RefreshSnapshot(ctx, db, time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)); err != nil {
			t.Fatal(err)
		}
		fx.run(t, []scenario{
			{name: "refreshed", method: "GET", path: "/stats/population?bands=60-", user: "admin", status: 200,
				want: []string{`{"on":"2026-12-01","as_of":"2026-12-01T02:00:00Z","total":4,"bands":[{"band":"60-","count":2}]`}},
			{name: "households refreshed", method: "GET", path: "/stats/households", user: "admin", status: 200,
				want: []string{`{"as_of":"2026-12-01T02:00:00Z","total":3,`}},
		})
	})
}
