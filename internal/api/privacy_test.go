package api

import (
	"fmt"
	"strings"
	"testing"

	"wanhu/internal/audit"
	"wanhu/internal/household"
	"wanhu/internal/household/householdtest"
	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestNoOtherGridsWorker is issue 11's sixth hole: a grid leader attached
// another grid's worker to a household of their own (as visitor, as the
// owner of a plan measure, as a visitor on a visit), and that worker then
// read the household. Each is refused; the household's own worker and the
// community's helpers without a grid are taken.
func TestNoOtherGridsWorker(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		ctx := t.Context()
		var own, other, helper org.TeamMember
		for _, m := range []struct {
			m    *org.TeamMember
			grid int64
			name string
		}{{&own, fx.org.Grids[0].ID, "马学军"}, {&other, fx.org.Grids[1].ID, "拉毛"}, {&helper, 0, "卓玛"}} {
			*m.m = org.TeamMember{CommunityID: fx.org.Community.ID, GridID: m.grid, Name: m.name, Role: org.RoleGridWorker}
			if m.grid == 0 {
				m.m.Role = org.RoleVolunteer
			}
			if err := org.CreateTeamMember(ctx, db, m.m); err != nil {
				t.Fatal(err)
			}
		}
		n := func(id int64) string { return fmt.Sprint(id) }
		fx.run(t, []scenario{
			{name: "visitors: another grid's worker", method: "PUT", path: "/households/{red}/visitors", user: "leader1",
				body: `{"team_member_ids":[` + n(other.ID) + `]}`, status: 400, check: wantError("not_visitor", "team_member_ids")},
			{name: "plan: another grid's worker as owner", method: "POST", path: "/households/{red}/plan", user: "leader1",
				body: `{"kind":"weekly_visit","frequency":"weekly","owner_id":` + n(other.ID) + `}`, status: 400, check: wantError("not_visitor", "owner_id")},
			{name: "visit: another grid's worker as visitor", method: "POST", path: "/visits", user: "leader1",
				body: `{"client_id":"v-other","household_id":{red},"outcome":"met","visitors":[` + n(other.ID) + `]}`, status: 400,
				check: wantError("not_visitor", "visitors[0]")},
			{name: "visitors: the grid's own and a helper", method: "PUT", path: "/households/{red}/visitors", user: "leader1",
				body: `{"team_member_ids":[` + n(own.ID) + `,` + n(helper.ID) + `]}`, status: 200, check: wantTotal(2)},
			{name: "plan: the grid's own worker as owner", method: "POST", path: "/households/{red}/plan", user: "leader1",
				body: `{"kind":"weekly_visit","frequency":"weekly","owner_id":` + n(own.ID) + `}`, status: 201},
			{name: "visit: the helper as visitor", method: "POST", path: "/visits", user: "leader1",
				body: `{"client_id":"v-helper","household_id":{red},"outcome":"met","visitors":[` + n(helper.ID) + `]}`, status: 201},
		})
		if hs, _, err := fx.d.Households.In(org.Scope{MemberID: other.ID}).List(ctx, household.Filter{}); err != nil || len(hs) != 0 {
			t.Errorf("the other grid's worker reads %d households (%v)", len(hs), err)
		}
	})
}

// TestDuplicateIDOutOfScope is issue 11's second hole: the duplicate check
// of an ID number named a household the writer may not see. Inside the
// writer's scope it names the household; outside, it says only that the
// number is registered elsewhere and whom to ask, and the attempt is in
// the audit log.
func TestDuplicateIDOutOfScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		father := householdtest.IDNumber("1980-07-01", 11) // a member of the green household, in grid 2
		body := `{"name":"李建国","id_number":"` + father + `","relation":"other"}`
		fx.run(t, []scenario{
			{name: "leader of grid 1", method: "POST", path: "/households/{red}/members", user: "leader1", body: body, status: 400,
				check: wantError("id_registered", "id_number"), want: []string{"community administrator"},
				reject: []string{"{green}", "2号楼", "101", father}},
			{name: "leader of both grids", method: "POST", path: "/households/{red}/members", user: "clerk", body: body, status: 400,
				check: wantError("id_duplicate", "id_number"), want: []string{"household {green}", "2号楼"}},
		})
		recs, total, err := fx.d.Audit.Search(t.Context(), audit.Filter{Action: "id_number.registered_elsewhere"})
		if err != nil || total != 1 || recs[0].Username != "leader1" || recs[0].Result != audit.Denied || strings.Contains(recs[0].Detail, father) {
			t.Errorf("audited attempts: %d %+v (%v)", total, recs, err)
		}
	})
}

// TestNumberSearchesLimited: a search by a full ID or phone number
// confirms a guess that the masked number only narrows, so each is in the
// audit log and an account makes at most household.NumberSearches an hour;
// searches by name are not counted.
func TestNumberSearchesLimited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		for i := range household.NumberSearches {
			q := fmt.Sprintf("1390000%04d", i) // 60 guesses at a phone number
			if res, body := fx.do(t, "leader1", "GET", "/households?q="+q, "", nil); res.StatusCode != 200 {
				t.Fatalf("search %d: %d %s", i, res.StatusCode, body)
			}
		}
		res, body := fx.do(t, "leader1", "GET", "/households?q=13912345678", "", nil)
		if res.StatusCode != 429 || res.Header.Get("Retry-After") == "" || !strings.Contains(string(body), `"too_many"`) {
			t.Errorf("the search over the limit: %d %q %s", res.StatusCode, res.Header.Get("Retry-After"), body)
		}
		if res, _ := fx.do(t, "leader1", "GET", "/households?q=王秀兰", "", nil); res.StatusCode != 200 {
			t.Errorf("a search by name after the limit: %d", res.StatusCode)
		}
		if res, _ := fx.do(t, "clerk", "GET", "/households?q=13912345678", "", nil); res.StatusCode != 200 {
			t.Errorf("another account's search: %d", res.StatusCode)
		}
		recs, total, err := fx.d.Audit.Search(t.Context(), audit.Filter{Action: "search.number"})
		if err != nil || total != household.NumberSearches+2 {
			t.Fatalf("audited number searches: %d (%v), want %d", total, err, household.NumberSearches+2)
		}
		for _, r := range recs {
			if strings.Contains(r.Detail, "139") || strings.Contains(r.Object, "139") {
				t.Errorf("the audit entry holds the number searched: %+v", r)
			}
		}
	})
}
