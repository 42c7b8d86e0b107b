package proactive_test

import (
	"strings"
	"testing"

	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestAloneElderlyRule: the widow, living alone, is due a visit today when
// never met or not met in 7 days (one task per gap), not when met since;
// the family is never.
func TestAloneElderlyRule(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		const rule = "alone_elderly_visit"
		fs := w.find(t, rule, "2026-12-06", nil)
		if len(fs) != 1 || fs[0].HouseholdID != w.widow.ID || fs[0].Period != "met:never" || fs[0].Due.String() != "2026-12-06" {
			t.Fatalf("never met: %+v, want one visit of the widow due today", fs)
		}
		w.exec(t, `UPDATE households SET last_met_on = ? WHERE id = ?`, "2026-12-01", w.widow.ID)
		if fs := w.find(t, rule, "2026-12-06", nil); len(fs) != 0 {
			t.Errorf("met 5 days ago: %+v, want none", fs)
		}
		fs = w.find(t, rule, "2026-12-08", nil)
		if len(fs) != 1 || fs[0].Period != "met:2026-12-01" || !strings.Contains(fs[0].Reason, "已7天未见面") || !strings.Contains(fs[0].Reason, "王秀兰") {
			t.Errorf("met 7 days ago: %+v, want a visit naming her and the 7 days", fs)
		}
		if fs := w.find(t, rule, "2026-12-06", map[string]string{"days": "5"}); len(fs) != 1 {
			t.Errorf("days 5, met 5 days ago: %+v, want a visit", fs)
		}
	})
}
