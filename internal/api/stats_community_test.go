package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"wanhu/internal/stats"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestStatsByCommunity: the city's administrator, over two communities,
// gets the households of each community (by_community) beside each grid,
// live and from the snapshot, and they sum to the totals; ?community=
// counts one community (its grids only, live, without by_community); a
// community out of scope is a 404 on community, for the households and
// the requests; a community's administrator and a grid leader get grids
// as before, without by_community.
func TestStatsByCommunity(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		ctx := t.Context()
		n := fx.neighbour(t)
		east, eastGrid := n.community, n.grid
		get := func(user, path string) *stats.HouseholdStats {
			t.Helper()
			res, body := fx.do(t, user, "GET", path, "", nil)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("%s %s: %d %s", user, path, res.StatusCode, body)
			}
			var s stats.HouseholdStats
			if err := json.Unmarshal(body, &s); err != nil {
				t.Fatal(err)
			}
			return &s
		}
		sums := func(name string, s *stats.HouseholdStats) {
			t.Helper()
			if len(s.ByCommunity) != 2 || s.ByCommunity[0].Key != fmt.Sprint(fx.org.Community.ID) || s.ByCommunity[1].Key != fmt.Sprint(east.ID) {
				t.Fatalf("%s: by community %+v", name, s.ByCommunity)
			}
			if s.ByCommunity[0].Count.Count != 2 || s.ByCommunity[1].Count.Count != 1 || s.ByCommunity[1].Name != "东湖社区" {
				t.Errorf("%s: by community %+v", name, s.ByCommunity)
			}
			total, colours := 0, map[string]int{}
			for _, c := range s.ByCommunity {
				total += c.Count.Count
				for k, n := range c.Colour {
					colours[k] += n
				}
			}
			if total != s.Total || total != 3 || fmt.Sprint(colours) != fmt.Sprint(s.Colour) {
				t.Errorf("%s: communities sum to %d %v, totals %d %v", name, total, colours, s.Total, s.Colour)
			}
			if len(s.ByGrid) != 3 {
				t.Errorf("%s: %d grids, want 3", name, len(s.ByGrid))
			}
		}
		sums("live", get("admin", "/stats/households"))
		if _, err := stats.RefreshSnapshot(ctx, db, time.Now()); err != nil {
			t.Fatal(err)
		}
		snap := get("admin", "/stats/households")
		if snap.AsOf == nil {
			t.Error("the city's households are not from the snapshot")
		}
		sums("snapshot", snap)

		one := get("admin", fmt.Sprintf("/stats/households?community=%d", east.ID))
		if one.Total != 1 || one.AsOf != nil || one.ByCommunity != nil || len(one.ByGrid) != 1 || one.ByGrid[0].Key != fmt.Sprint(eastGrid) {
			t.Errorf("?community=east: %+v", one)
		}
		for _, u := range []string{"cadmin", "leader1"} {
			s := get(u, "/stats/households")
			if s.ByCommunity != nil || len(s.ByGrid) == 0 || s.ByGrid[0].Key != fmt.Sprint(fx.org.Grids[0].ID) {
				t.Errorf("%s: %+v", u, s)
			}
		}
		var noUnit int64
		if err := db.QueryRowContext(ctx, `SELECT MAX(id) + 1 FROM org_units`).Scan(&noUnit); err != nil {
			t.Fatal(err)
		}
		fx.run(t, []scenario{
			{name: "the neighbour is out of the community's scope", method: "GET", path: fmt.Sprintf("/stats/households?community=%d", east.ID), user: "cadmin",
				status: 404, check: wantError("not_found", "community")},
			{name: "no such community", method: "GET", path: fmt.Sprintf("/stats/households?community=%d", noUnit), user: "admin",
				status: 404, check: wantError("not_found", "community")},
			{name: "a grid is no community", method: "GET", path: "/stats/households?community={grid1}", user: "admin",
				status: 404, check: wantError("not_found", "community")},
			{name: "a grid leader has no community", method: "GET", path: fmt.Sprintf("/stats/households?community=%d", fx.org.Community.ID), user: "leader1",
				status: 404, check: wantError("not_found", "community")},
			{name: "a bad community", method: "GET", path: "/stats/households?community=x", user: "admin", status: 400},
			{name: "requests by community", method: "GET", path: "/stats/requests", user: "admin", status: 200, want: []string{`"by_community":[`}},
			{name: "a community's requests", method: "GET", path: fmt.Sprintf("/stats/requests?community=%d", fx.org.Community.ID), user: "admin", status: 200,
				reject: []string{`"by_community"`}},
			{name: "requests of a community out of scope", method: "GET", path: fmt.Sprintf("/stats/requests?community=%d", east.ID), user: "cadmin",
				status: 404, check: wantError("not_found", "community")},
			{name: "a community's administrator's requests", method: "GET", path: "/stats/requests", user: "cadmin", status: 200,
				reject: []string{`"by_community"`}},
		})
	})
}
