package proactive_test

import (
	"context"
	"strings"
	"testing"

	"wanhu/internal/household"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestHeatingRule: in the heating season (15 Oct – 15 Apr, across the new
// year) the living-alone widow and a disabled member's household get a
// check, one per season; none in summer.
func TestHeatingRule(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		const rule = "heating_check"
		if fs := w.find(t, rule, "2026-12-06", nil); len(fs) != 1 || fs[0].HouseholdID != w.widow.ID || fs[0].Period != "season:2026" ||
			!strings.Contains(fs[0].Reason, "独居老人王秀兰") || fs[0].Due.String() != "2026-12-13" {
			t.Errorf("December: %+v, want the widow's check of season 2026", fs)
		}
		if fs := w.find(t, rule, "2026-10-15", nil); len(fs) != 1 || fs[0].Due.String() != "2026-10-22" {
			t.Errorf("first day: %+v, want one due a week after the start", fs)
		}
		if fs := w.find(t, rule, "2027-04-15", nil); len(fs) != 1 || fs[0].Period != "season:2026" {
			t.Errorf("April: %+v, want season 2026 still", fs)
		}
		if fs := w.find(t, rule, "2027-04-16", nil); len(fs) != 0 {
			t.Errorf("after the season: %+v, want none", fs)
		}
		p := w.family.Members[0]
		p.DisabilityGrade, p.DisabilityType = 2, "physical"
		if _, err := w.files.UpdatePerson(context.Background(), household.Actor{Name: "test"}, p); err != nil {
			t.Fatal(err)
		}
		if fs := of(w.find(t, rule, "2026-12-06", nil), w.family.ID); len(fs) != 1 || !strings.Contains(fs[0].Reason, "残疾人") {
			t.Errorf("disabled member: %+v, want the family's check", fs)
		}
	})
}
