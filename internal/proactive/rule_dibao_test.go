package proactive_test

import (
	"context"
	"testing"

	"wanhu/internal/household"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestDibaoVisitRule: a dibao household not visited this month is due a
// visit by the month's end, from the 20th; a visit this month ends it.
func TestDibaoVisitRule(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		if _, err := w.files.RecordEvent(context.Background(), household.Actor{Name: "test"}, w.family.Members[0].ID,
			household.Event{Type: household.EvDibaoApproved}); err != nil {
			t.Fatal(err)
		}
		const rule = "dibao_visit"
		fs := w.find(t, rule, "2026-02-21", nil)
		if len(fs) != 1 || fs[0].HouseholdID != w.family.ID || fs[0].Period != "2026-02" || fs[0].Due.String() != "2026-02-28" {
			t.Fatalf("21 Feb: %+v, want the family due by 28 Feb", fs)
		}
		if fs := w.find(t, rule, "2026-02-10", nil); len(fs) != 0 {
			t.Errorf("10 Feb: %+v, want none before the 20th", fs)
		}
		w.exec(t, `INSERT INTO visits(client_id, household_id, grid_id, outcome, at, created_at) VALUES ('t1', ?, ?, 'met', ?, ?)`,
			w.family.ID, w.family.GridID, noon(t, "2026-02-03"), noon(t, "2026-02-03"))
		if fs := w.find(t, rule, "2026-02-21", nil); len(fs) != 0 {
			t.Errorf("visited on 3 Feb: %+v, want none", fs)
		}
		if fs := w.find(t, rule, "2026-03-21", nil); len(fs) != 1 || fs[0].Period != "2026-03" {
			t.Errorf("March: %+v, want a new month's visit", fs)
		}
	})
}
