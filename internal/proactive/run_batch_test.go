package proactive

import (
	"context"
	"fmt"
	"testing"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/household/householdtest"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
)

// TestMakeTasksSomeThere: a batch of findings, some of which are tasks
// already (made with another reason), makes the others, reports the
// existing ones as they are stored, and lists all in the findings' order;
// with one period or many (more than a lookup names).
func TestMakeTasksSomeThere(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		o, err := testworld.NewOrg(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		files := household.NewStore(db)
		var ids []int64
		for _, mk := range []func(*testworld.Org) (household.Household, []household.Person){householdtest.Widow, householdtest.Family} {
			h, ps := mk(o)
			made, err := files.CreateHousehold(ctx, household.Actor{Name: "test"}, h, ps)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, made.ID)
		}
		on, now := calendar.Date{Y: 2026, M: 12, D: 6}, time.Date(2026, 12, 6, 4, 0, 0, 0, time.UTC)
		for _, periods := range [][]string{{"2026-Q4"}, {"p1", "p2", "p3", "p4", "p5", "p6", "p7"}} {
			rule := fmt.Sprintf("test_%d", len(periods))
			var fs []Finding
			for _, h := range ids {
				for _, p := range periods {
					fs = append(fs, Finding{HouseholdID: h, Period: p, Reason: "new " + p, Due: on})
				}
			}
			var before Result
			some := fs[len(fs)/2:]
			for i := range some {
				some[i].Reason = "old"
			}
			if err := makeTasks(ctx, db, rule, some, on, now, &before); err != nil {
				t.Fatal(err)
			}
			for i := range some {
				some[i].Reason = "new " + some[i].Period
			}
			var res Result
			if err := makeTasks(ctx, db, rule, fs, on, now, &res); err != nil {
				t.Fatal(err)
			}
			if before.Created != len(some) || res.Created != len(fs)-len(some) || res.Existing != len(some) || len(res.Tasks) != len(fs) {
				t.Fatalf("%s: first %d made; then %d made, %d there, %d listed; want %d, %d, %d, %d", rule, before.Created,
					res.Created, res.Existing, len(res.Tasks), len(some), len(fs)-len(some), len(some), len(fs))
			}
			var n int
			storetest.Scan(t, db.QueryRowContext(ctx, `SELECT COUNT(*) FROM proactive_tasks WHERE rule = ?`, rule), &n)
			for i, task := range res.Tasks {
				want := "new " + fs[i].Period
				if i >= len(fs)-len(some) {
					want = "old"
					if task.ID != before.Tasks[i-(len(fs)-len(some))].ID {
						t.Errorf("%s task %d: id %d, want the first run's %d", rule, i, task.ID, before.Tasks[i-(len(fs)-len(some))].ID)
					}
				}
				if task.HouseholdID != fs[i].HouseholdID || task.Reason != want || task.ID == 0 {
					t.Errorf("%s task %d: %+v, want household %d, reason %q", rule, i, task, fs[i].HouseholdID, want)
				}
			}
			if n != len(fs) {
				t.Errorf("%s: %d rows, want %d", rule, n, len(fs))
			}
		}
	})
}
