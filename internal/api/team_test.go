package api

import (
	"fmt"
	"testing"

	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestTeam: planners add and change the members of the grids they manage,
// a stale edit is a conflict with the current version, and the members of
// another grid are not found.
func TestTeam(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		var added, grid2, helper int64
		id := func(dst *int64) func(t *testing.T, body []byte) {
			return func(t *testing.T, body []byte) { *dst = decodeAs[struct{ ID int64 }](t, body).ID }
		}
		fx.run(t, []scenario{
			{name: "visitor may not add", method: "POST", path: "/team", user: "visitor", status: 403,
				body: `{"grid_id":{grid1},"name":"小刘","role":"volunteer"}`},
			{name: "name required", method: "POST", path: "/team", user: "leader1", status: 400,
				body: `{"grid_id":{grid1},"name":" ","role":"volunteer"}`, check: wantError("required", "name")},
			{name: "unknown role", method: "POST", path: "/team", user: "leader1", status: 400,
				body: `{"grid_id":{grid1},"name":"小刘","role":"boss"}`, check: wantError("one_of", "role")},
			{name: "unknown availability", method: "POST", path: "/team", user: "leader1", status: 400,
				body: `{"grid_id":{grid1},"name":"小刘","role":"volunteer","availability":["night"]}`, check: wantError("one_of", "availability")},
			{name: "unknown language", method: "POST", path: "/team", user: "leader1", status: 400,
				body: `{"grid_id":{grid1},"name":"小刘","role":"volunteer","languages":["klingon"]}`, check: wantError("one_of", "languages")},
			{name: "bad phone", method: "POST", path: "/team", user: "leader1", status: 400,
				body: `{"grid_id":{grid1},"name":"小刘","role":"volunteer","phone":"call me"}`, check: wantError("phone", "phone")},
			{name: "another grid", method: "POST", path: "/team", user: "leader1", status: 400,
				body: `{"grid_id":{grid2},"name":"小刘","role":"volunteer"}`, check: wantError("not_found", "grid_id")},
			{name: "a community helper is the admin's", method: "POST", path: "/team", user: "leader1", status: 400,
				body: fmt.Sprintf(`{"community_id":%d,"name":"老周","role":"sunk_cadre"}`, fx.org.Community.ID), check: wantError("not_found", "grid_id")},
			{name: "add", method: "POST", path: "/team", user: "leader1", status: 201,
				body:  `{"grid_id":{grid1},"name":" 小刘 ","role":"volunteer","phone":"0971-8123456","skills":["助老服务"," 藏语翻译"],"languages":["bo"],"availability":["evening","weekend"]}`,
				want:  []string{`"name":"小刘"`, `"skills":["助老服务","藏语翻译"]`, `"languages":["bo"]`, `"active":true`, `"version":1`},
				check: id(&added)},
			{name: "admin adds a community helper", method: "POST", path: "/team", user: "admin", status: 201,
				body:   fmt.Sprintf(`{"community_id":%d,"name":"老周","role":"sunk_cadre","availability":["weekend"]}`, fx.org.Community.ID),
				reject: []string{`"grid_id"`}, check: id(&helper)},
			{name: "admin adds to grid 2", method: "POST", path: "/team", user: "admin", status: 201,
				body: `{"grid_id":{grid2},"name":"拉加","role":"building_head"}`, check: id(&grid2)},
		})
		member := fmt.Sprintf("/team/%d", added)
		fx.run(t, []scenario{
			{name: "read", method: "GET", path: member, user: "leader1", status: 200, want: []string{`"name":"小刘"`, `"phone":"0971-8123456"`}},
			{name: "an officer sees no member", method: "GET", path: member, user: "officer", status: 404},
			{name: "grid 2's member is not found", method: "GET", path: fmt.Sprintf("/team/%d", grid2), user: "leader1", status: 404},
			{name: "nor changed", method: "PATCH", path: fmt.Sprintf("/team/%d", grid2), user: "leader1", status: 404, body: `{"version":1,"name":"x"}`},
			{name: "a community helper is seen", method: "GET", path: fmt.Sprintf("/team/%d", helper), user: "leader1", status: 200},
			{name: "but not changed by a grid leader", method: "PATCH", path: fmt.Sprintf("/team/%d", helper), user: "leader1", status: 403,
				body: `{"version":1,"name":"x"}`},
			{name: "version required", method: "PATCH", path: member, user: "leader1", status: 400, body: `{"name":"小刘"}`,
				check: wantError("required", "version")},
			{name: "update", method: "PATCH", path: member, user: "leader1", status: 200, body: `{"version":1,"availability":["daytime"],"active":false}`,
				want: []string{`"availability":["daytime"]`, `"active":false`, `"version":2`, `"languages":["bo"]`}},
			{name: "stale update", method: "PATCH", path: member, user: "admin", status: 409, body: `{"version":1,"name":"刘小红"}`,
				check: func(t *testing.T, body []byte) {
					if e := decodeAs[errBody](t, body); e.CurrentVersion == nil || *e.CurrentVersion != 2 {
						t.Errorf("current version %v, want 2", e.CurrentVersion)
					}
				}},
			{name: "moving to a grid not managed", method: "PATCH", path: member, user: "leader1", status: 400, body: `{"version":2,"grid_id":{grid2}}`,
				check: wantError("not_found", "grid_id")},
			{name: "reactivate", method: "PATCH", path: member, user: "admin", status: 200, body: `{"version":2,"active":true,"name":"刘小红"}`,
				want: []string{`"active":true`, `"name":"刘小红"`, `"version":3`}},
			{name: "list", method: "GET", path: "/team", user: "leader1", status: 200, want: []string{`"刘小红"`, `"老周"`}},
		})
	})
}
