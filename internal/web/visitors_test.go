package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestAssignVisitors: the administrator gives the family to the worker's
// team member, and the worker then sees it; the worker cannot assign.
func TestAssignVisitors(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		team, err := org.TeamMembers(context.Background(), db)
		if err != nil || len(team) != 1 {
			t.Fatalf("team %v %v", team, err)
		}
		path := fmt.Sprintf("/households/%d", e.family.ID)
		worker := e.signedIn("worker")
		if code, _ := worker.get(path); code != http.StatusNotFound {
			t.Fatalf("before: %d", code)
		}
		worker.get(fmt.Sprintf("/households/%d", e.widow.ID))
		if code, _ := worker.post(path+"/visitors", url.Values{"team_member_id": {fmt.Sprint(team[0].ID)}}); code != http.StatusForbidden {
			t.Errorf("the worker assigned: %d", code)
		}
		admin := e.signedIn("admin")
		admin.get(path)
		code, body := admin.post(path+"/visitors", url.Values{"team_member_id": {fmt.Sprint(team[0].ID)}})
		if code != http.StatusOK {
			t.Fatalf("assign: %d", code)
		}
		mustContain(t, "file after assigning", body, "小张", `id="visitor-names"`)
		if code, _ := worker.get(path); code != http.StatusOK {
			t.Errorf("after: the worker gets %d for the family", code)
		}
	})
}
