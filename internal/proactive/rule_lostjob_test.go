package proactive_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"wanhu/internal/household"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestLostJobRule: a lost job in the ledger gets a follow-up 14 days
// later, offering the near-dibao assessment, once per event; events older
// than the lookback are left alone.
func TestLostJobRule(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		w.files.SetClock(func() time.Time { return noon(t, "2026-11-20") })
		if _, err := w.files.RecordEvent(context.Background(), household.Actor{Name: "test"}, w.family.Members[0].ID,
			household.Event{Type: household.EvLostJob}); err != nil {
			t.Fatal(err)
		}
		const rule = "lost_job"
		fs := w.find(t, rule, "2026-12-06", nil)
		if len(fs) != 1 || fs[0].HouseholdID != w.family.ID || fs[0].PersonID != w.family.Members[0].ID || fs[0].Due.String() != "2026-12-04" ||
			!strings.Contains(fs[0].Reason, "李建国") || !strings.Contains(fs[0].Reason, "低保边缘") || !strings.HasPrefix(fs[0].Period, "event:") {
			t.Fatalf("lost job on 20 Nov: %+v, want a follow-up due 4 Dec offering the assessment", fs)
		}
		if fs := w.find(t, rule, "2027-01-10", nil); len(fs) != 0 {
			t.Errorf("51 days later: %+v, want none", fs)
		}
		if fs := w.find(t, rule, "2026-11-19", nil); len(fs) != 0 {
			t.Errorf("the day before: %+v, want none", fs)
		}
	})
}
