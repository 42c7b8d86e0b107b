package api

import (
	"fmt"
	"strings"
	"testing"

	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestRequestStats: an urgent request accepted, resolved and rated
// satisfied, and one still submitted, give the contract's fields; the
// auditor may not read them, leader1 sees only grid 1's, and bad dates
// name their parameter.
func TestRequestStats(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		for _, hh := range []string{"{red}", "{green}"} {
			fx.do(t, "admin", "POST", "/requests", `{"category":"sanitation","description":"下水道堵塞","channel":"visit","household_id":`+hh+`}`, nil)
		}
		_, body := fx.do(t, "admin", "GET", "/requests?state=submitted", "", nil)
		list := decodeAs[struct {
			Items []struct {
				ID          int64 `json:"id"`
				HouseholdID int64 `json:"household_id"`
			} `json:"items"`
		}](t, body)
		if len(list.Items) != 2 {
			t.Fatalf("requests %s", short(body))
		}
		id := fmt.Sprint(list.Items[0].ID)
		if list.Items[0].HouseholdID != fx.red.ID {
			id = fmt.Sprint(list.Items[1].ID)
		}
		for _, step := range []struct{ path, body string }{
			{"accept", `{"urgency":"urgent","handling":"community"}`},
			{"resolve", `{"note":"已疏通"}`},
			{"callback", `{"result":"basically_satisfied","method":"phone"}`},
		} {
			if res, body := fx.do(t, "admin", "POST", "/requests/"+id+"/"+step.path, step.body, nil); res.StatusCode != 200 {
				t.Fatalf("%s: %d %s", step.path, res.StatusCode, short(body))
			}
		}
		fx.ids = strings.NewReplacer(replacements(fx)...)
		fx.run(t, []scenario{
			{name: "all", method: "GET", path: "/stats/requests", user: "admin", status: 200,
				want: []string{`"total":2`, `"resolved":1`, `"response_rate":1`, `"resolution_rate":1`, `"on_time_rate":1`,
					`"satisfaction_rate":1`, `"by_category":[{"key":"sanitation"`, `"response_within_seconds":86400`}},
			{name: "leader1's grid", method: "GET", path: "/stats/requests", user: "leader1", status: 200,
				want: []string{`"total":1`, `"resolved":1`}},
			{name: "a period before", method: "GET", path: "/stats/requests?from=2020-01-01&to=2020-12-31", user: "admin", status: 200,
				want: []string{`"total":0`, `"satisfaction_rate":null`}},
			{name: "bad date", method: "GET", path: "/stats/requests?from=2025-13-01", user: "admin", status: 400, check: wantError("date_invalid", "from")},
			{name: "bad response time", method: "GET", path: "/stats/requests?response_hours=0", user: "admin", status: 400, check: wantError("range", "response_hours")},
			{name: "auditor", method: "GET", path: "/stats/requests", user: "auditor", status: 403},
		})
	})
}
