package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestAssignVisitors: the administrator gives a household of the
// worker's grid to the worker's team member, and the worker then sees it;
// a household of another grid cannot be given to them (issue 11: that
// handed another grid's files to a worker); the worker cannot assign.
func TestAssignVisitors(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		team, err := org.TeamMembers(ctx, db)
		if err != nil || len(team) != 1 {
			t.Fatalf("team %v %v", team, err)
		}
		next, err := e.hs.CreateHousehold(ctx, household.Actor{Name: "t"}, household.Household{GridID: team[0].GridID, Address: "八一路 14号"},
			[]household.Person{{Name: "韩梅", BirthDate: date("1960-01-01"), Gender: household.Female, Relation: "householder"}})
		if err != nil {
			t.Fatal(err)
		}
		path := fmt.Sprintf("/households/%d", next.ID)
		worker := e.signedIn("worker")
		if code, _ := worker.get(path); code != http.StatusNotFound {
			t.Fatalf("before: %d", code)
		}
		worker.get(fmt.Sprintf("/households/%d", e.widow.ID))
		if code, _ := worker.post(path+"/visitors", url.Values{"team_member_id": {fmt.Sprint(team[0].ID)}}); code != http.StatusForbidden {
			t.Errorf("the worker assigned: %d", code)
		}
		admin := e.signedIn("admin")
		other := fmt.Sprintf("/households/%d", e.family.ID)
		admin.get(other)
		code, body := admin.post(other+"/visitors", url.Values{"team_member_id": {fmt.Sprint(team[0].ID)}})
		if code != http.StatusUnprocessableEntity {
			t.Fatalf("assign another grid's household: %d", code)
		}
		mustContain(t, "another grid", body, "不负责本网格的走访")
		if code, _ := worker.get(other); code != http.StatusNotFound {
			t.Errorf("the worker reads another grid's household: %d", code)
		}
		admin.get(path)
		code, body = admin.post(path+"/visitors", url.Values{"team_member_id": {fmt.Sprint(team[0].ID)}})
		if code != http.StatusOK {
			t.Fatalf("assign: %d", code)
		}
		mustContain(t, "file after assigning", body, "小张", `id="visitor-names"`)
		if code, _ := worker.get(path); code != http.StatusOK {
			t.Errorf("after: the worker gets %d for the household", code)
		}
	})
}
