package request

import (
	"slices"
	"testing"
	"time"

	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestBoard counts the board on a few requests: open by state, overdue,
// due today and the month's figures, within scope.
func TestBoard(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := t.Context()
		w.now = time.Date(2026, 9, 1, 1, 0, 0, 0, time.UTC) // 09:00 on 1 September in China
		late := w.submit(t, Input{Category: "sanitation", Description: "外溢", Channel: "hotline", HouseholdID: w.red.ID})
		w.apply(t, late.ID, Change{Action: Accept, Urgency: Urgent, Handling: Community})
		done := w.submit(t, Input{Category: "repairs", Description: "门坏了", Channel: "walk_in", HouseholdID: w.green.ID})
		w.apply(t, done.ID, Change{Action: Accept, Urgency: General, Handling: Community})
		w.apply(t, done.ID, Change{Action: Resolve, Note: "修好了"})
		w.apply(t, done.ID, Change{Action: Callback, Method: "phone", Result: Satisfied})
		w.now = w.now.Add(20 * time.Hour) // 05:00 on 2 September: the first is due today at 09:00, the second tomorrow
		soon := w.submit(t, Input{Category: "repairs", Description: "灯坏了", Channel: "walk_in", HouseholdID: w.red.ID})
		w.apply(t, soon.ID, Change{Action: Accept, Urgency: Urgent, Handling: Community})
		b, err := w.s.Board(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := Board{Accepted: 2, DueToday: 1, MonthSubmitted: 3, MonthResolved: 1, MonthOnTime: 1, MonthCallbacks: 1, MonthSatisfied: 1}
		if *b != want {
			t.Errorf("board %+v, want %+v", *b, want)
		}
		w.now = w.now.Add(5 * time.Hour) // 10:00: the first is overdue
		if b, _ = w.s.Board(ctx); b.Overdue != 1 || b.DueToday != 0 {
			t.Errorf("at 10:00 overdue %d due today %d", b.Overdue, b.DueToday)
		}
		// A grid leader of the second grid sees only the closed one.
		b, _ = w.s.In(org.Scope{GridIDs: []int64{w.org.Grids[1].ID}}, w.files).Board(ctx)
		if want := (Board{MonthSubmitted: 1, MonthResolved: 1, MonthOnTime: 1, MonthCallbacks: 1, MonthSatisfied: 1}); *b != want {
			t.Errorf("grid 2 board %+v", *b)
		}
		got := Allowed(&Request{State: Accepted, Handling: Referred})
		if !slices.Equal(got, []string{Progress, Resolve, HandBack, AskExtension}) {
			t.Errorf("allowed on a referred accepted request: %v", got)
		}
	})
}
