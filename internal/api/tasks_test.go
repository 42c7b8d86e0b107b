package api

import (
	"context"
	"fmt"
	"testing"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/proactive"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestTasks: the proactive tasks of the daily run are listed by scope (a
// grid leader sees only their grid's, another grid's is not found), done,
// dismissed with a reason and turned into a request once.
func TestTasks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		ctx := context.Background()
		if _, err := fx.d.Households.RecordEvent(ctx, household.Actor{Name: "测试"}, fx.father.ID, household.Event{Type: household.EvLostJob}); err != nil {
			t.Fatal(err)
		}
		res, err := proactive.Run(ctx, db, calendar.Today(), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		var widow []int64
		var father int64
		for _, task := range res.Tasks {
			switch task.HouseholdID {
			case fx.red.ID:
				widow = append(widow, task.ID)
			case fx.green.ID:
				father = task.ID
			}
		}
		if len(widow) < 3 || father == 0 {
			t.Fatalf("run: %+v, want three or more of the widow's tasks and the father's", res.Tasks)
		}
		p := func(f string, id int64) string { return fmt.Sprintf(f, id) }
		fx.run(t, []scenario{
			{name: "list: leader1", method: "GET", path: "/tasks?state=open", user: "leader1", status: 200,
				want:   []string{fmt.Sprintf(`"total":%d`, len(widow)), `"rule":"alone_elderly_visit"`, `"household_id":{red}`, `"reason":"独居老人王秀兰`, `"state":"open"`},
				reject: []string{`"household_id":{green}`}},
			{name: "list: clerk, grid 2", method: "GET", path: "/tasks?state=open&grid={grid2}", user: "clerk", status: 200,
				want: []string{`"total":1`, `"rule":"lost_job"`, `"household_id":{green}`}},
			{name: "list: leader1 asks grid 2", method: "GET", path: "/tasks?grid={grid2}", user: "leader1", status: 200, want: []string{`"total":0`}},
			{name: "list: visitor, the widow's", method: "GET", path: "/tasks", user: "visitor", status: 200, want: []string{fmt.Sprintf(`"total":%d`, len(widow))}},
			{name: "list: bad state", method: "GET", path: "/tasks?state=closed", user: "leader1", status: 400, check: wantError("one_of", "state")},
			{name: "list: bad rule", method: "GET", path: "/tasks?rule=magic", user: "leader1", status: 400, check: wantError("one_of", "rule")},
			{name: "list: officer", method: "GET", path: "/tasks", user: "officer", status: 403},
			{name: "done: another grid", method: "POST", path: p("/tasks/%d/done", father), user: "leader1", status: 404},
			{name: "done: none such", method: "POST", path: "/tasks/999999/done", user: "leader1", status: 404},
			{name: "done", method: "POST", path: p("/tasks/%d/done", widow[0]), user: "leader1", status: 200, want: []string{`"state":"done"`, `"closed_by":`}},
			{name: "done twice", method: "POST", path: p("/tasks/%d/done", widow[0]), user: "leader1", status: 409},
			{name: "dismiss: no reason", method: "POST", path: p("/tasks/%d/dismiss", widow[1]), body: `{}`, user: "leader1", status: 400,
				check: wantError("required", "reason")},
			{name: "dismiss", method: "POST", path: p("/tasks/%d/dismiss", widow[1]), body: `{"reason":"女儿已陪同办理"}`, user: "leader1", status: 200,
				want: []string{`"state":"dismissed"`, `"dismiss_reason":"女儿已陪同办理"`}},
			{name: "request: no category", method: "POST", path: p("/tasks/%d/request", widow[2]), body: `{}`, user: "leader1", status: 400,
				check: wantError("required", "category")},
			{name: "request: officer", method: "POST", path: p("/tasks/%d/request", widow[2]), body: `{"category":"elderly_care"}`, user: "officer", status: 403},
			{name: "request", method: "POST", path: p("/tasks/%d/request", widow[2]), body: `{"category":"elderly_care"}`, user: "leader1", status: 201,
				want: []string{`"state":"converted"`, `"request_id":`, `"category":"elderly_care"`, `"state":"submitted"`, `"household_id":{red}`}},
			{name: "request twice", method: "POST", path: p("/tasks/%d/request", widow[2]), body: `{"category":"elderly_care"}`, user: "leader1", status: 409},
			{name: "open left", method: "GET", path: "/tasks?state=open", user: "leader1", status: 200, want: []string{fmt.Sprintf(`"total":%d`, len(widow)-3)}},
			// Done and turned into a request count on leader1's scorecard;
			// the dismissed one does not.
			{name: "scorecard", method: "GET", path: "/scorecards", user: "leader1", status: 200, want: []string{`"proactive":2`}},
		})
	})
}
