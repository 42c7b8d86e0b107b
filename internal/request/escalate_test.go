package request

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// steps returns the escalation messages of request id, "kind recipient"
// in order, after checking each has its timeline entry.
func steps(t *testing.T, q store.Querier, id int64) []string {
	t.Helper()
	rows, err := q.QueryContext(t.Context(), `SELECT kind, recipient FROM outbox
		WHERE kind IN ('request.warned', 'request.escalated') AND payload LIKE ? ORDER BY id`, `%"request_id":`+itoa(id)+`,%`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var kind, to string
		if err := rows.Scan(&kind, &to); err != nil {
			t.Fatal(err)
		}
		out = append(out, strings.TrimPrefix(kind, "request.")+" "+to)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n := count(t, q, `SELECT COUNT(*) FROM request_events WHERE request_id = ? AND kind IN ('warned', 'escalated')`, id); n != len(out) {
		t.Errorf("request %d: %d timeline entries, %d messages", id, n, len(out))
	}
	return out
}

// TestEscalate follows an urgent hotline request past its deadline: the
// handler is warned 4 h before, the grid leader hears when it is overdue,
// the community secretary 8 h later, each once; a general request is
// warned on the morning of its due day; a resolved one never escalates.
func TestEscalate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := t.Context()
		urgent := w.submit(t, Input{Category: "sanitation", Description: "污水外溢", Channel: "hotline", HouseholdID: w.red.ID})
		w.apply(t, urgent.ID, Change{Action: Accept, Urgency: Urgent, Handling: Community})
		general := w.submit(t, Input{Category: "repairs", Description: "楼道灯坏了", Channel: "grid_group", HouseholdID: w.green.ID})
		w.apply(t, general.ID, Change{Action: Accept, Urgency: General, Handling: Referred, DepartmentID: w.dept.ID, WorkingDays: 3})
		done := w.submit(t, Input{Category: "sanitation", Description: "下水道堵塞", Channel: "visit", HouseholdID: w.red.ID})
		w.apply(t, done.ID, Change{Action: Accept, Urgency: Urgent, Handling: Community})
		w.apply(t, done.ID, Change{Action: Resolve, Note: "已疏通"})

		grid := "grid:" + itoa(w.red.GridID)
		community := "unit:" + itoa(w.org.Community.ID)
		// Submitted 2026-09-30 23:00 China time: the urgent one is due
		// 2026-10-01 23:00; the general one (3 working days after the
		// golden week) 2026-10-10 23:59:59.
		run := func(at string, want int) {
			t.Helper()
			now, err := time.Parse(time.RFC3339, at)
			if err != nil {
				t.Fatal(err)
			}
			n, err := Escalate(ctx, db, now, EscalationConfig{})
			if err != nil {
				t.Fatal(err)
			}
			if n != want {
				t.Errorf("at %s: %d steps, want %d", at, n, want)
			}
		}
		run("2026-10-01T18:59:00+08:00", 0)
		run("2026-10-01T19:00:00+08:00", 1) // 4 h before
		run("2026-10-01T20:00:00+08:00", 0) // once
		run("2026-10-01T23:00:00+08:00", 1) // overdue
		run("2026-10-02T06:59:00+08:00", 0)
		run("2026-10-02T07:00:00+08:00", 1) // 8 h overdue
		run("2026-10-05T07:00:00+08:00", 0)
		want := []string{"warned " + grid, "escalated " + grid, "escalated " + community}
		if got := steps(t, db, urgent.ID); !slices.Equal(got, want) {
			t.Errorf("urgent: %v, want %v", got, want)
		}
		// The general one: warned the morning of its due day (the
		// department handles it), then straight to both when found late.
		run("2026-10-10T08:59:00+08:00", 0)
		run("2026-10-10T09:00:00+08:00", 1)
		run("2026-10-12T09:00:00+08:00", 2)
		want = []string{"warned unit:" + itoa(w.dept.ID), "escalated " + "grid:" + itoa(w.green.GridID), "escalated " + community}
		if got := steps(t, db, general.ID); !slices.Equal(got, want) {
			t.Errorf("general: %v, want %v", got, want)
		}
		if got := steps(t, db, done.ID); len(got) != 0 {
			t.Errorf("resolved request escalated: %v", got)
		}
		r, err := w.s.Get(ctx, urgent.ID)
		if err != nil {
			t.Fatal(err)
		}
		if last := r.Timeline[len(r.Timeline)-1]; last.Kind != "escalated" || last.Actor != "系统" {
			t.Errorf("last timeline entry %+v, want escalated by 系统", last)
		}
	})
}

// TestRemindCallbacks: a resolution sets the callback's deadline three
// working days later; the grid is reminded on the morning of that day,
// once; a reopened and resolved again request gets a new deadline and a
// new reminder; a request called back is not reminded of.
func TestRemindCallbacks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := t.Context()
		// Resolved on Friday 2026-11-06 10:00: due Wednesday 11-11, end of day.
		w.now = time.Date(2026, 11, 6, 2, 0, 0, 0, time.UTC)
		r := w.submit(t, Input{Category: "repairs", Description: "楼道灯坏了", Channel: "visit", HouseholdID: w.red.ID})
		w.apply(t, r.ID, Change{Action: Accept, Urgency: Urgent, Handling: Community})
		r = w.apply(t, r.ID, Change{Action: Resolve, Note: "已换灯泡"})
		if got := r.CallbackDueAt.Format(time.RFC3339); got != "2026-11-11T23:59:59+08:00" || r.CallbackOverdue {
			t.Fatalf("callback due %s, overdue %v", got, r.CallbackOverdue)
		}
		called := w.submit(t, Input{Category: "repairs", Description: "水管漏水", Channel: "visit", HouseholdID: w.green.ID})
		w.apply(t, called.ID, Change{Action: Accept, Urgency: Urgent, Handling: Community})
		w.apply(t, called.ID, Change{Action: Resolve, Note: "已修好"})
		w.apply(t, called.ID, Change{Action: Callback, Method: "visit", Result: Satisfied})

		run := func(at string, want int) {
			t.Helper()
			now, err := time.Parse(time.RFC3339, at)
			if err != nil {
				t.Fatal(err)
			}
			if n, err := RemindCallbacks(ctx, db, now, EscalationConfig{}); err != nil || n != want {
				t.Errorf("at %s: %d reminders (%v), want %d", at, n, err, want)
			}
		}
		run("2026-11-11T08:59:00+08:00", 0)
		run("2026-11-11T09:00:00+08:00", 1)
		run("2026-11-12T09:00:00+08:00", 0) // once
		grid := "grid:" + itoa(w.red.GridID)
		if n := count(t, db, `SELECT COUNT(*) FROM outbox WHERE kind = 'request.callback_due' AND recipient = ?`, grid); n != 1 {
			t.Errorf("%d reminders to %s, want 1", n, grid)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM request_events WHERE request_id = ? AND kind = 'callback_due'`, r.ID); n != 1 {
			t.Errorf("%d reminders in the timeline, want 1", n)
		}
		w.now = time.Date(2026, 11, 12, 2, 0, 0, 0, time.UTC)
		if got, _ := w.s.Get(ctx, r.ID); !got.CallbackOverdue {
			t.Error("a day past its callback deadline, not overdue")
		}
		// Dissatisfied, reopened, resolved again on Thursday 11-12: a new
		// deadline (Tuesday 11-17) and a new reminder.
		w.apply(t, r.ID, Change{Action: Callback, Method: "phone", Result: Dissatisfied, Reason: "not_solved"})
		r = w.apply(t, r.ID, Change{Action: Resolve, Note: "换了整套灯具"})
		if got := r.CallbackDueAt.Format(time.RFC3339); got != "2026-11-17T23:59:59+08:00" {
			t.Errorf("second callback due %s", got)
		}
		run("2026-11-17T09:00:00+08:00", 1)
		if n := count(t, db, `SELECT COUNT(*) FROM outbox WHERE kind = 'request.callback_due' AND payload LIKE ?`, `%"request_id":`+itoa(called.ID)+`,%`); n != 0 {
			t.Errorf("the request called back was reminded of %d times", n)
		}
	})
}

// TestEscalateNewDeadline: an approved extension moves the deadline, and
// the steps start again for it.
func TestEscalateNewDeadline(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := t.Context()
		r := w.submit(t, Input{Category: "ev_charging", Description: "想装充电桩", Channel: "visit", HouseholdID: w.red.ID})
		w.apply(t, r.ID, Change{Action: Accept, Urgency: General, Handling: Referred, DepartmentID: w.dept.ID, WorkingDays: 3})
		if n, err := Escalate(ctx, db, time.Date(2026, 10, 10, 1, 0, 0, 0, time.UTC), EscalationConfig{}); err != nil || n != 1 {
			t.Fatalf("warning: %d, %v", n, err)
		}
		w.apply(t, r.ID, Change{Action: AskExtension, Days: 2, Note: "设备到货晚"})
		w.apply(t, r.ID, Change{Action: ApproveExtension})
		// Due 2026-10-13 now: warned again that morning, not before.
		if n, err := Escalate(ctx, db, time.Date(2026, 10, 12, 1, 0, 0, 0, time.UTC), EscalationConfig{}); err != nil || n != 0 {
			t.Fatalf("before the new due day: %d, %v", n, err)
		}
		if n, err := Escalate(ctx, db, time.Date(2026, 10, 13, 1, 0, 0, 0, time.UTC), EscalationConfig{}); err != nil || n != 1 {
			t.Fatalf("the new due day: %d, %v", n, err)
		}
		if got := steps(t, db, r.ID); len(got) != 2 {
			t.Errorf("steps %v, want two warnings", got)
		}
	})
}

// TestEscalateConcurrently runs the job on two connections at once on
// PostgreSQL: every step is taken once.
func TestEscalateConcurrently(t *testing.T) {
	db := storetest.Postgres(t)
	w := newWorld(t, db)
	ctx := t.Context()
	const n = 30
	for i := range n {
		r := w.submit(t, Input{Category: "sanitation", Description: "污水外溢 " + itoa(int64(i)), Channel: "hotline", HouseholdID: w.red.ID})
		w.apply(t, r.ID, Change{Action: Accept, Urgency: Urgent, Handling: Community})
	}
	late := time.Date(2026, 10, 3, 0, 0, 0, 0, time.UTC) // long overdue: grid leader and secretary
	var wg sync.WaitGroup
	taken := make([]int, 4)
	for i := range taken {
		wg.Go(func() {
			var err error
			if taken[i], err = Escalate(ctx, db, late, EscalationConfig{}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if sum := taken[0] + taken[1] + taken[2] + taken[3]; sum != 2*n {
		t.Errorf("runs took %v steps, want %d in all", taken, 2*n)
	}
	if got := count(t, db, `SELECT COUNT(*) FROM outbox WHERE kind = 'request.escalated'`); got != 2*n {
		t.Errorf("%d escalation messages, want %d", got, 2*n)
	}
	if got := count(t, db, `SELECT COUNT(*) FROM request_events WHERE kind = 'escalated'`); got != 2*n {
		t.Errorf("%d escalation entries, want %d", got, 2*n)
	}
}
