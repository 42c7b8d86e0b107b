package proactive_test

import (
	"context"
	"strings"
	"testing"

	"wanhu/internal/household"
	"wanhu/internal/household/householdtest"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestBirthdayRule: the widow (born 1948-03-05) turns 80 on 2028-03-05:
// a task due that day from 30 days before, naming the allowance; a child
// turning 3 in the family; nothing outside the window or for other ages.
func TestBirthdayRule(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		if _, err := w.files.AddMember(context.Background(), household.Actor{Name: "test"}, w.family.ID,
			household.Person{Name: "李小宝", IDNumber: householdtest.IDNumber("2025-02-20", 31), Relation: "child"}, household.EvBorn); err != nil {
			t.Fatal(err)
		}
		const rule = "birthday"
		fs := w.find(t, rule, "2028-02-10", nil)
		widow := of(fs, w.widow.ID)
		if len(widow) != 1 || widow[0].Due.String() != "2028-03-05" || !strings.Contains(widow[0].Reason, "满80周岁") ||
			!strings.Contains(widow[0].Reason, "高龄补贴") {
			t.Errorf("widow: %+v, want her 80th birthday with the allowance", widow)
		}
		child := of(fs, w.family.ID)
		if len(child) != 1 || child[0].Due.String() != "2028-02-20" || !strings.Contains(child[0].Reason, "满3周岁") {
			t.Errorf("family: %+v, want the child turning 3", child)
		}
		if fs := of(w.find(t, rule, "2028-01-30", nil), w.widow.ID); len(fs) != 0 {
			t.Errorf("35 days before: %+v, want none", fs)
		}
		if fs := of(w.find(t, rule, "2028-03-06", nil), w.widow.ID); len(fs) != 0 {
			t.Errorf("the day after: %+v, want none", fs)
		}
		if fs := w.find(t, rule, "2028-02-10", map[string]string{"ages": "60"}); len(fs) != 0 {
			t.Errorf("ages 60 only: %+v, want none", fs)
		}
	})
}
