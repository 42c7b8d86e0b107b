package proactive_test

import (
	"testing"

	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestAntiFraudRule: households with a member of 60 or more get one task a
// quarter, due at its end; younger households none.
func TestAntiFraudRule(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		const rule = "anti_fraud"
		for day, want := range map[string][2]string{
			"2026-12-06": {"2026-Q4", "2026-12-31"},
			"2026-02-10": {"2026-Q1", "2026-03-31"},
			"2026-06-30": {"2026-Q2", "2026-06-30"},
			"2026-07-01": {"2026-Q3", "2026-09-30"},
		} {
			fs := w.find(t, rule, day, nil)
			if len(fs) != 1 || fs[0].HouseholdID != w.widow.ID || fs[0].Period != want[0] || fs[0].Due.String() != want[1] {
				t.Errorf("%s: %+v, want the widow's household in %s due %s", day, fs, want[0], want[1])
			}
		}
		if fs := w.find(t, rule, "2026-12-06", map[string]string{"age": "80"}); len(fs) != 0 {
			t.Errorf("age 80 (she is 78): %+v, want none", fs)
		}
	})
}
