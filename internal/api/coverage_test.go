package api

import (
	"fmt"
	"testing"
	"time"

	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestVisitReports: after grid 1's leader finds nobody at the widow's,
// the reports count it in grid 1 only: coverage, the week's progress,
// the leader's row per visitor, the follow-up; the green household is not
// visited this year. Grid leaders see their grids only; visitors and
// officers are refused.
func TestVisitReports(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		fx.run(t, []scenario{
			{name: "visit", method: "POST", path: "/visits", user: "leader1", status: 201,
				body: `{"client_id":"rep-1","household_id":{red},"outcome":"not_home","card_left":true}`},

			{name: "coverage", method: "GET", path: "/visits/coverage", user: "admin", status: 200,
				want: []string{`"total":2`, `"grid":{grid1},"grid_name":"第一网格","households":1,"week":1,"month":1,"quarter":1,"year":1`,
					`"visited":{"week":1,"month":1,"quarter":1,"year":1}`, `"grid":{grid2},"grid_name":"第二网格","households":1,"week":0`,
					`"overall":{"households":2,"week":0.5`}},
			{name: "coverage: grid 1's leader", method: "GET", path: "/visits/coverage", user: "leader1", status: 200,
				want: []string{`"total":1`, `"grid":{grid1}`}, reject: []string{`"grid":{grid2}`}},
			{name: "coverage: bad grid", method: "GET", path: "/visits/coverage?grid=x", user: "admin", status: 400, check: wantError("invalid", "grid")},
			{name: "coverage: visitor", method: "GET", path: "/visits/coverage", user: "visitor", status: 403},
			{name: "coverage: officer", method: "GET", path: "/visits/coverage", user: "officer", status: 403},
			{name: "coverage: no token", method: "GET", path: "/visits/coverage", user: "", status: 401},

			{name: "progress", method: "GET", path: "/visits/progress?grid={grid1}", user: "leader1", status: 200,
				want: []string{`"grid":{grid1}`, `"target":100`, `"visits":1`, `"households":1`, `"not_home":1`, `"met":0`, `"planned":0`}},
			{name: "progress: another grid", method: "GET", path: "/visits/progress?grid={grid2}", user: "leader1", status: 404,
				check: wantError("not_found", "grid_id")},
			{name: "progress: last year's week", method: "GET", path: "/visits/progress?grid={grid1}&week=2025-W10", user: "admin", status: 200,
				want: []string{`"week":"2025-W10"`, `"visits":0`}},
			{name: "progress: no grid", method: "GET", path: "/visits/progress", user: "admin", status: 400, check: wantError("required", "grid")},
			{name: "progress: bad week", method: "GET", path: "/visits/progress?grid={grid1}&week=2025-10", user: "admin", status: 400,
				check: wantError("format", "week")},
			{name: "progress: visitor", method: "GET", path: "/visits/progress?grid={grid1}", user: "visitor", status: 403},

			{name: "by visitor", method: "GET", path: "/visits/by-visitor", user: "admin", status: 200,
				want: []string{`"period":"week"`, `"kind":"user"`, `"counts":[0,0,0,0,0,0,0,1]`, `"kind":"team_member"`, `"name":"卓玛"`}},
			{name: "by visitor: month", method: "GET", path: "/visits/by-visitor?period=month", user: "clerk", status: 200,
				want: []string{`"period":"month"`, `"counts":[0,0,0,0,0,1]`}},
			{name: "by visitor: bad period", method: "GET", path: "/visits/by-visitor?period=day", user: "admin", status: 400,
				check: wantError("one_of", "period")},
			{name: "by visitor: visitor", method: "GET", path: "/visits/by-visitor", user: "visitor", status: 403},

			{name: "never", method: "GET", path: "/visits/never", user: "admin", status: 200,
				want: []string{`"total":1`, `"household_id":{green}`}, reject: []string{`"household_id":{red}`}},
			{name: "never: grid 1", method: "GET", path: "/visits/never?grid={grid1}", user: "admin", status: 200, want: []string{`"total":0`, `"items":[]`}},
			{name: "never: a year before", method: "GET", path: "/visits/never?year=2024", user: "admin", status: 200, want: []string{`"total":2`}},
			{name: "never: grid 1's leader", method: "GET", path: "/visits/never", user: "leader1", status: 200, want: []string{`"total":0`}},
			{name: "never: future year", method: "GET", path: "/visits/never?year=2999", user: "admin", status: 400, check: wantError("range", "year")},
			{name: "never: visitor", method: "GET", path: "/visits/never", user: "visitor", status: 403},

			{name: "follow-ups", method: "GET", path: "/visits/follow-ups", user: "clerk", status: 200,
				want: []string{`"total":1`, `"household_id":{red}`, `"misses":1`, `"card_left":true`, `"offpeak":false`}},
			{name: "follow-ups: grid 2", method: "GET", path: "/visits/follow-ups?grid={grid2}", user: "admin", status: 200, want: []string{`"total":0`}},
			{name: "follow-ups: visitor", method: "GET", path: "/visits/follow-ups", user: "visitor", status: 403},
		})
	})
}

// TestVisitReportsByCommunity: the city's administrator narrows the
// coverage, the visits per visitor and the households not visited to one
// of the city's communities (?community=); a unit that is not one of the
// caller's communities (a grid, or any community for a grid leader) is not
// found.
func TestVisitReportsByCommunity(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		ctx := t.Context()
		c2 := org.Unit{Kind: org.Community, ParentID: fx.org.Street.ID, Name: "兴隆社区"}
		if err := org.CreateUnit(ctx, db, &c2); err != nil {
			t.Fatal(err)
		}
		g3 := org.Unit{Kind: org.GridKind, ParentID: c2.ID, Name: "兴隆一网格", Number: 1}
		if err := org.CreateUnit(ctx, db, &g3); err != nil {
			t.Fatal(err)
		}
		var h3 int64
		if err := db.QueryRowContext(ctx, `INSERT INTO households(grid_id, address, colour, occupancy, householder, created_at, updated_at)
			VALUES (?, '兴隆小区 1-101', 'green', 'owner', '兴隆户主', ?, ?) RETURNING id`, g3.ID, time.Now().UTC(), time.Now().UTC()).Scan(&h3); err != nil {
			t.Fatal(err)
		}
		c1 := fmt.Sprint(fx.org.Community.ID)
		other, grid3 := fmt.Sprintf(`"household_id":%d`, h3), fmt.Sprintf(`"grid":%d,`, g3.ID)
		fx.run(t, []scenario{
			{name: "coverage: the city", method: "GET", path: "/visits/coverage", user: "admin", status: 200,
				want: []string{`"total":3`, `"grid":{grid1}`, grid3}},
			{name: "coverage: 兴隆社区", method: "GET", path: fmt.Sprintf("/visits/coverage?community=%d", c2.ID), user: "admin", status: 200,
				want: []string{`"total":1`, grid3, `"overall":{"households":1`}, reject: []string{`"grid":{grid1}`}},
			{name: "coverage: 东兴社区", method: "GET", path: "/visits/coverage?community=" + c1, user: "admin", status: 200,
				want: []string{`"total":2`, `"grid":{grid1}`}, reject: []string{grid3}},
			{name: "never: 兴隆社区", method: "GET", path: fmt.Sprintf("/visits/never?community=%d", c2.ID), user: "admin", status: 200,
				want: []string{`"total":1`, other}, reject: []string{`"household_id":{green}`}},
			{name: "never: 东兴社区", method: "GET", path: "/visits/never?community=" + c1, user: "admin", status: 200,
				want: []string{`"household_id":{green}`}, reject: []string{other}},
			{name: "by visitor: 兴隆社区", method: "GET", path: fmt.Sprintf("/visits/by-visitor?community=%d", c2.ID), user: "admin", status: 200,
				want: []string{`"visitors":[]`}, reject: []string{"卓玛"}},
			{name: "by visitor: 东兴社区", method: "GET", path: "/visits/by-visitor?community=" + c1, user: "admin", status: 200,
				want: []string{`"name":"卓玛"`}},
			{name: "by visitor: a grid", method: "GET", path: "/visits/by-visitor?community={grid1}", user: "admin", status: 404,
				check: wantError("not_found", "community")},
			{name: "never: a grid leader", method: "GET", path: "/visits/never?community=" + c1, user: "leader1", status: 404,
				check: wantError("not_found", "community")},
			{name: "coverage: bad community", method: "GET", path: "/visits/coverage?community=x", user: "admin", status: 400,
				check: wantError("invalid", "community")},
		})
	})
}
