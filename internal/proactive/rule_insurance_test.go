package proactive_test

import (
	"context"
	"strings"
	"testing"

	"wanhu/internal/household"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestInsuranceRule: in the payment window the widow's household (a member
// of 60 or more) is offered help until a payment is recorded; not out of
// the window; a window across the new year counts from its start.
func TestInsuranceRule(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		const rule = "insurance_payment"
		fs := w.find(t, rule, "2026-10-01", nil)
		if len(fs) != 1 || fs[0].HouseholdID != w.widow.ID || fs[0].Period != "window:2026-09-01" || fs[0].Due.String() != "2026-12-31" ||
			!strings.Contains(fs[0].Reason, "医保") {
			t.Fatalf("in the window: %+v, want the widow's household, due at its end", fs)
		}
		if fs := w.find(t, rule, "2026-06-01", nil); len(fs) != 0 {
			t.Errorf("out of the window: %+v, want none", fs)
		}
		if fs := w.find(t, rule, "2027-01-10", map[string]string{"from": "11-01", "to": "02-28"}); len(fs) != 1 || fs[0].Period != "window:2026-11-01" {
			t.Errorf("window across the new year: %+v, want window:2026-11-01", fs)
		}
		if _, err := w.files.RecordEvent(context.Background(), household.Actor{Name: "test"}, w.widow.Members[0].ID,
			household.Event{Type: household.EvInsurancePaid}); err != nil {
			t.Fatal(err)
		}
		if fs := w.find(t, rule, "2026-10-01", map[string]string{"from": "01-01"}); len(fs) != 0 {
			t.Errorf("paid: %+v, want none", fs)
		}
	})
}
