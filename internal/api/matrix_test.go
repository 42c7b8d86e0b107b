package api

import (
	"fmt"
	"strings"
	"testing"

	"wanhu/internal/audit"
	"wanhu/internal/household"
	"wanhu/internal/household/householdtest"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestRoleMatrix is issue 3's table, endpoint by role, in scope and out of
// it: the red household (grid 1, assigned to the visitor) and the green one
// (grid 2). Out of scope answers 404 like what does not exist; a role that
// may not do something at all answers 403. It includes the IDOR attempts:
// guessed ids, filter parameters naming another grid, exports.
func TestRoleMatrix(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		ctx := t.Context()
		need, err := fx.d.Households.AddNeed(ctx, household.Actor{Name: "t"}, household.Need{HouseholdID: fx.green.ID, Kind: "medical"})
		if err != nil {
			t.Fatal(err)
		}
		measure, err := fx.d.Households.SaveMeasure(ctx, household.Actor{Name: "t"}, household.Measure{HouseholdID: fx.green.ID, Kind: "weekly_visit", Frequency: "weekly"})
		if err != nil {
			t.Fatal(err)
		}
		greenNeed, greenMeasure := fmt.Sprintf("/needs/%d", need.ID), fmt.Sprintf("/plan/%d", measure.ID)
		var sc []scenario
		add := func(user, method, path, body string, status int, check ...func(*testing.T, []byte)) {
			s := scenario{name: user + " " + method + " " + path, method: method, path: path, body: body, user: user, status: status}
			if len(check) > 0 {
				s.check = check[0]
			}
			sc = append(sc, s)
		}
		// Reading one household file, by guessing its id.
		for user, want := range map[string][2]int{
			"admin": {200, 200}, "clerk": {200, 200}, "leader1": {200, 404}, "visitor": {200, 404}, "officer": {404, 404}, "auditor": {404, 404},
		} {
			add(user, "GET", "/households/{red}", "", want[0])
			add(user, "GET", "/households/{green}", "", want[1])
			add(user, "GET", "/persons/{widow}", "", want[0])
			add(user, "GET", "/persons/{father}", "", want[1])
			add(user, "GET", "/households/{red}/ledger", "", want[0])
			add(user, "GET", "/households/{green}/ledger", "", want[1])
		}
		// Lists, counts and rosters are scoped, whatever the filter names.
		for user, n := range map[string]int{"admin": 2, "clerk": 2, "leader1": 1, "visitor": 1, "officer": 0, "auditor": 0} {
			add(user, "GET", "/households", "", 200, wantTotal(n))
			add(user, "GET", "/grids", "", 200, wantTotal(map[string]int{"admin": 2, "clerk": 2, "leader1": 1, "visitor": 1}[user]))
		}
		for user, n := range map[string]int{"admin": 1, "leader1": 0, "visitor": 0, "officer": 0} {
			add(user, "GET", "/households?grid={grid2}", "", 200, wantTotal(n))
			add(user, "GET", "/households?q=李建", "", 200, wantTotal(n))
			add(user, "GET", "/rosters/key-persons?grid={grid1}", "", 200, wantTotal(map[string]int{"admin": 1, "leader1": 1, "visitor": 1}[user]))
		}
		add("leader1", "GET", "/grids/{grid2}", "", 404)
		add("admin", "GET", "/team", "", 200, wantTotal(1))
		add("leader1", "GET", "/team", "", 200, wantTotal(1))
		add("officer", "GET", "/team", "", 200, wantTotal(0))
		add("leader1", "GET", "/grids/{grid1}", "", 200)
		add("leader1", "GET", "/ledger?grid={grid2}", "", 200, wantTotal(0))
		add("officer", "GET", "/ledger", "", 200, wantTotal(0))
		add("leader1", "GET", "/rosters/special-difficulty-households", "", 200, wantTotal(1))
		// Exports need the export right; the visitor has none.
		add("visitor", "GET", "/rosters/key-persons?format=csv", "", 403)
		add("leader1", "GET", "/rosters/key-persons?format=csv", "", 200)
		// Writes: out of scope is 404, a role without the right is 403.
		add("leader1", "PATCH", "/households/{green}", `{"version":1,"notes":"x"}`, 404)
		add("visitor", "PATCH", "/households/{red}", `{"version":1,"notes":"x"}`, 403)
		add("visitor", "POST", "/households/{green}/needs", `{"kind":"medical"}`, 404)
		add("visitor", "POST", "/households/{red}/needs", `{"kind":"medical","note":"需要陪诊"}`, 201)
		add("officer", "POST", "/households/{red}/needs", `{"kind":"medical"}`, 403)
		add("leader1", "POST", "/persons/{father}/events", `{"type":"lost_job"}`, 404)
		add("leader1", "POST", "/households", `{"building_id":{building2},"room":"909"}`, 400, wantError("not_found", "building_id")) // as a building that does not exist
		add("leader1", "POST", "/households", `{"building_id":{building1},"room":"909"}`, 201)
		add("leader1", "PUT", "/colour-rules", `[]`, 403)
		add("leader1", "PUT", "/households/{red}/colour-override", `{"colour":"yellow","reason":"test"}`, 200)
		// Full values only through the audited reveal, and never for visitors.
		add("leader1", "POST", "/persons/{widow}/reveal", `{"field":"id_number","reason":"低保复核"}`, 200, func(t *testing.T, body []byte) {
			if !strings.Contains(string(body), `"value":"`+householdtest.IDNumber("1948-03-05", 22)+`"`) {
				t.Errorf("reveal answered %s", body)
			}
		})
		add("leader1", "POST", "/persons/{father}/reveal", `{"field":"id_number","reason":"低保复核"}`, 404)
		add("visitor", "POST", "/persons/{widow}/reveal", `{"field":"id_number","reason":"好奇"}`, 403)
		add("admin", "POST", "/persons/{widow}/reveal", `{"field":"id_number"}`, 400, wantError("required", "reason"))
		add("admin", "POST", "/households/{green}/reveal", `{"field":"phone","reason":"联系户主"}`, 200)
		// The other writers, out of scope and without the right.
		for user, want := range map[string][2]int{"leader1": {404, 404}, "visitor": {403, 404}, "officer": {403, 403}, "clerk": {200, 200}} {
			add(user, "PATCH", greenMeasure, `{"status":"paused"}`, want[0])
			add(user, "PATCH", greenNeed, `{"status":"met"}`, want[1])
		}
		add("leader1", "POST", "/households/{green}/members", `{"name":"新生儿","gender":"male","birth_date":"2026-01-01"}`, 404)
		add("visitor", "POST", "/households/{red}/members", `{"name":"新生儿","gender":"male","birth_date":"2026-01-01"}`, 403)
		add("visitor", "POST", "/households/{red}/plan", `{"kind":"weekly_visit","frequency":"weekly"}`, 403)
		add("leader1", "POST", "/households/{green}/plan", `{"kind":"weekly_visit","frequency":"weekly"}`, 404)
		add("visitor", "DELETE", "/households/{red}/colour-override", ``, 403)
		add("leader1", "DELETE", "/households/{green}/colour-override", ``, 404)
		add("visitor", "PATCH", "/persons/{widow}", `{"version":1,"name":"x"}`, 403)
		add("leader1", "PATCH", "/persons/{father}", `{"version":1,"name":"x"}`, 404)
		add("leader1", "POST", "/tags", `{"code":"x_tag","applies_to":"person","name_zh":"某"}`, 403)
		add("visitor", "PUT", "/households/{red}/visitors", `{"team_member_ids":[]}`, 403)
		add("leader1", "PUT", "/households/{green}/visitors", `{"team_member_ids":[]}`, 404)
		add("leader1", "PUT", "/households/{red}/visitors", `{"team_member_ids":[99999]}`, 400, wantError("not_visitor", "team_member_ids"))
		add("visitor", "GET", "/audit", "", 404)
		add("auditor", "GET", "/audit", "", 200)
		add("auditor", "GET", "/audit.csv", "", 200)
		// Last, the grid leader takes the widow from the visitor, who then
		// no longer sees her.
		add("leader1", "PUT", "/households/{red}/visitors", `{"team_member_ids":[]}`, 200, wantTotal(0))
		add("visitor", "GET", "/households/{red}", "", 404)
		fx.run(t, sc)
		// Every reveal asked for, granted or not, is in the audit log.
		recs, total, err := fx.d.Audit.Search(t.Context(), audit.Filter{Action: "reveal.id_number"})
		if err != nil || total != 3 {
			t.Errorf("audited reveals of ID numbers: %d %v %+v", total, err, recs)
		}
	})
}
