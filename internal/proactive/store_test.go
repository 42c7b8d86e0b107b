package proactive_test

import (
	"context"
	"errors"
	"testing"

	"wanhu/internal/apperr"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/proactive"
	"wanhu/internal/request"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestTasksScopeAndStates: a grid leader lists and closes only their
// grids' tasks (another grid's is not found); a task is done, dismissed
// with a reason or turned into a request once, and a closed task cannot
// be closed again.
func TestTasksScopeAndStates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		if _, err := w.files.RecordEvent(ctx, household.Actor{Name: "test"}, w.family.Members[0].ID, household.Event{Type: household.EvLostJob}); err != nil {
			t.Fatal(err)
		}
		on := date(t, "2026-12-06")
		if _, err := proactive.Run(ctx, db, on, noon(t, "2026-12-06")); err != nil {
			t.Fatal(err)
		}
		// Only the lost job is dated by the clock: run on today for it.
		if _, err := proactive.Run(ctx, db, calendarToday(), noon(t, "2026-12-06")); err != nil {
			t.Fatal(err)
		}
		all := proactive.NewStore(db)
		first := all.In(org.Scope{GridIDs: []int64{w.org.Grids[0].ID}})
		second := all.In(org.Scope{GridIDs: []int64{w.org.Grids[1].ID}})
		mine, n, err := first.List(ctx, proactive.Filter{State: proactive.Open})
		if err != nil {
			t.Fatal(err)
		}
		if n < 4 || len(mine) != n {
			t.Fatalf("first grid: %d tasks (%d listed), want the widow's 4 or more", n, len(mine))
		}
		// The household file lists them without counting them.
		if uncounted, none, err := first.List(ctx, proactive.Filter{State: proactive.Open, NoTotal: true}); err != nil || none != 0 || len(uncounted) != n {
			t.Errorf("uncounted: %d tasks, total %d, %v; want the %d, total 0", len(uncounted), none, err, n)
		}
		for _, task := range mine {
			if task.HouseholdID != w.widow.ID || task.GridID != w.org.Grids[0].ID {
				t.Errorf("first grid lists %+v", task)
			}
		}
		theirs, _, err := second.List(ctx, proactive.Filter{State: proactive.Open, Rule: "lost_job"})
		if err != nil || len(theirs) != 1 || theirs[0].HouseholdID != w.family.ID {
			t.Fatalf("second grid's lost job: %+v, %v", theirs, err)
		}
		if _, err := first.Get(ctx, theirs[0].ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("first grid gets the second's task: %v, want not found", err)
		}
		if _, err := first.MarkDone(ctx, household.Actor{Name: "a"}, theirs[0].ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("first grid marks the second's task done: %v, want not found", err)
		}
		if _, _, err := first.List(ctx, proactive.Filter{State: "closed"}); err == nil {
			t.Error("state closed: no error")
		}

		leader := household.Actor{Name: "网格长"}
		done, err := first.MarkDone(ctx, leader, mine[0].ID)
		if err != nil || done.State != proactive.Done || done.ClosedBy != "网格长" || done.ClosedAt == nil {
			t.Fatalf("done: %+v, %v", done, err)
		}
		if _, err := first.MarkDone(ctx, leader, mine[0].ID); !errors.Is(err, apperr.ErrConflict) {
			t.Errorf("done twice: %v, want a conflict", err)
		}
		if _, err := first.Dismiss(ctx, leader, mine[1].ID, "  "); err == nil {
			t.Error("dismissed without a reason")
		}
		d, err := first.Dismiss(ctx, leader, mine[1].ID, "家属已代为处理")
		if err != nil || d.State != proactive.Dismissed || d.DismissReason != "家属已代为处理" {
			t.Fatalf("dismiss: %+v, %v", d, err)
		}

		reqs := request.NewStore(db, w.files)
		if _, _, err := first.Convert(ctx, leader, mine[2].ID, reqs, request.Input{Category: "no_such"}); err == nil {
			t.Fatal("converted into a request of an unknown category")
		}
		if again, _ := first.Get(ctx, mine[2].ID); again.State != proactive.Open || again.RequestID != 0 {
			t.Errorf("after a failed conversion: %+v, want open", again)
		}
		c, r, err := first.Convert(ctx, leader, mine[2].ID, reqs, request.Input{Category: "elderly_care"})
		if err != nil {
			t.Fatal(err)
		}
		if c.State != proactive.Converted || c.RequestID != r.ID || r.HouseholdID != w.widow.ID || r.Description != mine[2].Reason ||
			r.State != request.Submitted {
			t.Errorf("converted: task %+v, request %+v", c, r)
		}
		if _, _, err := first.Convert(ctx, leader, mine[2].ID, reqs, request.Input{Category: "elderly_care"}); !errors.Is(err, apperr.ErrConflict) {
			t.Errorf("converted twice: %v, want a conflict", err)
		}
		open, _, _ := first.List(ctx, proactive.Filter{State: proactive.Open})
		if len(open) != n-3 {
			t.Errorf("open after three closed: %d, want %d", len(open), n-3)
		}
	})
}
