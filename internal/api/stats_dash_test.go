package api

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestPyramidStats: ?pyramid=true adds the five-year groups by sex to the
// population (the widow, 78, is a woman of 75-79), and nothing else
// changes; without it there is no pyramid.
func TestPyramidStats(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		fx.run(t, []scenario{
			{name: "pyramid", method: "GET", path: "/stats/population?bands=0-3,4-12,60-&on=2026-12-01&pyramid=true", user: "admin", status: 200,
				want: []string{`{"on":"2026-12-01","as_of":null,"total":3,"bands":[{"band":"0-3","count":0},{"band":"4-12","count":0},{"band":"60-","count":1}],`,
					`"pyramid":[{"group":"0-4","male":0,"female":0},{"group":"5-9",`,
					`{"group":"40-44","male":0,"female":1},{"group":"45-49","male":1,"female":0}`,
					`{"group":"75-79","male":0,"female":1}`, `{"group":"100-","male":0,"female":0}]`}},
			{name: "leader1's pyramid", method: "GET", path: "/stats/population?on=2026-12-01&pyramid=true", user: "leader1", status: 200,
				want: []string{`{"group":"45-49","male":0,"female":0}`, `{"group":"75-79","male":0,"female":1}`}},
			{name: "no pyramid", method: "GET", path: "/stats/population?on=2026-12-01&pyramid=false", user: "admin", status: 200,
				want: []string{`"total":3`}, reject: []string{`"pyramid"`}},
			{name: "pyramid not a bool", method: "GET", path: "/stats/population?pyramid=yes", user: "admin", status: 400, check: wantError("one_of", "pyramid")},
		})
	})
}

// TestLedgerTrendStats: events count per month of China time (the
// widow's health worsened at 23:30 on 30 April, which is April in China
// though 15:30 UTC), by type, in scope; defaults are the twelve months up
// to today; bad types, days and ranges name their parameter.
func TestLedgerTrendStats(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		cst := calendar.China
		for _, e := range []struct {
			person int64
			typ    string
			at     time.Time
		}{
			{fx.father.ID, household.EvLostJob, time.Date(2026, 3, 10, 9, 0, 0, 0, cst)},
			{fx.widow.ID, household.EvHealthWorsened, time.Date(2026, 4, 30, 23, 30, 0, 0, cst)},
			{fx.father.ID, household.EvFoundJob, time.Date(2026, 5, 1, 0, 0, 0, 0, cst)},
		} {
			fx.d.Households.SetClock(func() time.Time { return e.at })
			if _, err := fx.d.Households.RecordEvent(t.Context(), household.Actor{Name: "测试"}, e.person, household.Event{Type: e.typ}); err != nil {
				t.Fatal(err)
			}
		}
		fx.d.Households.SetClock(time.Now)
		today := calendar.Today()
		fx.run(t, []scenario{
			{name: "two months", method: "GET", path: "/stats/ledger?from=2026-03-01&to=2026-04-30", user: "admin", status: 200,
				want: []string{`{"from":"2026-03-01","to":"2026-04-30","months":["2026-03","2026-04"],"total":2,"types":[`,
					`{"type":"health_worsened","total":1,"counts":[0,1]}`, `{"type":"lost_job","total":1,"counts":[1,0]}`,
					`{"type":"found_job","total":0,"counts":[0,0]}`, `{"type":"dibao_withdrawn","total":0,"counts":[0,0]}]}`}},
			{name: "types", method: "GET", path: "/stats/ledger?from=2026-03-01&to=2026-05-31&types=found_job,lost_job", user: "admin", status: 200,
				want: []string{`"total":2,"types":[{"type":"found_job","total":1,"counts":[0,0,1]},{"type":"lost_job","total":1,"counts":[1,0,0]}]}`}},
			{name: "one grid", method: "GET", path: "/stats/ledger?from=2026-03-01&to=2026-05-31&grid={grid2}", user: "clerk", status: 200,
				want: []string{`"total":2`, `{"type":"health_worsened","total":0,`}},
			{name: "leader1's grid", method: "GET", path: "/stats/ledger?from=2026-03-01&to=2026-05-31", user: "leader1", status: 200,
				want: []string{`"total":1`, `{"type":"health_worsened","total":1,"counts":[0,1,0]}`, `{"type":"lost_job","total":0,`}},
			{name: "defaults", method: "GET", path: "/stats/ledger", user: "admin", status: 200,
				want: []string{`"from":"` + trendFrom(today) + `","to":"` + today.String() + `"`}, check: func(t *testing.T, body []byte) {
					v := decodeAs[struct{ Months []string }](t, body)
					if len(v.Months) != 12 || v.Months[11] != today.String()[:7] {
						t.Errorf("default months %v", v.Months)
					}
				}},
			{name: "a grid out of scope", method: "GET", path: "/stats/ledger?grid={grid2}", user: "leader1", status: 404, check: wantError("not_found", "grid")},
			{name: "bad type", method: "GET", path: "/stats/ledger?types=lost_job,fired", user: "admin", status: 400,
				check: wantError("one_of", "types"), want: []string{"fired"}},
			{name: "to before from", method: "GET", path: "/stats/ledger?from=2026-05-01&to=2026-04-30", user: "admin", status: 400, check: wantError("before_from", "to")},
			{name: "too long", method: "GET", path: "/stats/ledger?from=2010-01-01&to=2026-04-30", user: "admin", status: 400, check: wantError("too_long", "to")},
			{name: "bad day", method: "GET", path: "/stats/ledger?from=2026-02-30", user: "admin", status: 400, check: wantError("date_invalid", "from")},
			{name: "visitor", method: "GET", path: "/stats/ledger", user: "visitor", status: 403},
			{name: "auditor", method: "GET", path: "/stats/ledger", user: "auditor", status: 403},
			{name: "no token", method: "GET", path: "/stats/ledger", user: "", status: 401},
		})
	})
}

// trendFrom is the first day of the month eleven months before d.
func trendFrom(d calendar.Date) string {
	return calendar.DateOf(time.Date(d.Y, d.M-11, 1, 0, 0, 0, 0, time.UTC)).String()
}

// TestVisitStats: /stats/visits is the visit coverage of the statistics
// scope, the same numbers as /visits/coverage, with today's date; a grid
// leader sees their grid, a grid out of scope is not found, and visitors
// are refused.
func TestVisitStats(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		same := func(user, grid string) func(t *testing.T, body []byte) {
			return func(t *testing.T, body []byte) {
				_, cov := fx.do(t, user, "GET", "/visits/coverage"+grid, "", nil)
				type items struct {
					Items   json.RawMessage `json:"items"`
					Total   int             `json:"total"`
					Overall json.RawMessage `json:"overall"`
				}
				a, b := decodeAs[items](t, body), decodeAs[items](t, cov)
				if !bytes.Equal(a.Items, b.Items) || !bytes.Equal(a.Overall, b.Overall) || a.Total != b.Total {
					t.Errorf("stats/visits %s\n/visits/coverage %s", short(body), short(cov))
				}
			}
		}
		fx.run(t, []scenario{
			{name: "visit", method: "POST", path: "/visits", user: "leader1", status: 201,
				body: `{"client_id":"dash-1","household_id":{red},"outcome":"met"}`},
			{name: "admin", method: "GET", path: "/stats/visits", user: "admin", status: 200, check: same("admin", ""),
				want: []string{`"on":"` + calendar.Today().String() + `"`, `"total":2`,
					`"grid":{grid1},"grid_name":"第一网格","households":1,"week":1,"month":1,"quarter":1,"year":1`,
					`"grid":{grid2},"grid_name":"第二网格","households":1,"week":0`, `"overall":{"households":2,"week":0.5`}},
			{name: "one grid", method: "GET", path: "/stats/visits?grid={grid2}", user: "admin", status: 200, check: same("admin", "?grid={grid2}"),
				want: []string{`"total":1`, `"grid":{grid2}`}, reject: []string{`"grid":{grid1}`}},
			{name: "leader1", method: "GET", path: "/stats/visits", user: "leader1", status: 200, check: same("leader1", ""),
				want: []string{`"total":1`, `"grid":{grid1}`}, reject: []string{`"grid":{grid2}`}},
			{name: "a grid out of scope", method: "GET", path: "/stats/visits?grid={grid2}", user: "leader1", status: 404, check: wantError("not_found", "grid")},
			{name: "bad grid", method: "GET", path: "/stats/visits?grid=0", user: "admin", status: 400, check: wantError("invalid", "grid")},
			{name: "visitor", method: "GET", path: "/stats/visits", user: "visitor", status: 403},
			{name: "officer", method: "GET", path: "/stats/visits", user: "officer", status: 403},
		})
	})
}
