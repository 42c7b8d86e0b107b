package proactive_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"wanhu/internal/household"
	"wanhu/internal/proactive"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/visit"
)

// TestOffpeakRule: the visit code flags a household for an off-peak visit
// after as many not-at-home visits in a row as this rule's parameter says
// (2 by default, 3 when set so, never when the rule is off), and the rule
// offers the flagged household an evening or weekend appointment, once
// per streak.
func TestOffpeakRule(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		vs := visit.NewStore(db, w.files)
		n := 0
		miss := func(id int64, outcome string) {
			t.Helper()
			n++
			at := noon(t, "2026-12-01").Add(time.Duration(n) * time.Hour)
			vs.SetClock(func() time.Time { return at })
			if _, _, err := vs.Record(ctx, household.Actor{Name: "test"}, visit.Input{ClientID: fmt.Sprint("v", n), HouseholdID: id,
				Outcome: outcome, At: &at}); err != nil {
				t.Fatal(err)
			}
		}
		flagged := func(id int64) bool {
			var b bool
			storetest.Scan(t, db.QueryRowContext(ctx, `SELECT offpeak FROM households WHERE id = ?`, id), &b)
			return b
		}
		const rule = proactive.OffpeakRule
		miss(w.widow.ID, "not_home")
		if flagged(w.widow.ID) || len(w.find(t, rule, "2026-12-06", nil)) != 0 {
			t.Fatal("one miss: flagged, want not yet")
		}
		miss(w.widow.ID, "not_home")
		fs := w.find(t, rule, "2026-12-06", nil)
		if !flagged(w.widow.ID) || len(fs) != 1 || fs[0].Period != "met:never" || !strings.Contains(fs[0].Reason, "连续2次") {
			t.Fatalf("two misses: flagged %v, %+v; want flagged and one offer", flagged(w.widow.ID), fs)
		}
		s := proactive.Defaults()
		s[rule].Params["misses"] = "3"
		if err := proactive.SaveSettings(ctx, db, s, time.Now()); err != nil {
			t.Fatal(err)
		}
		miss(w.family.ID, "not_home")
		miss(w.family.ID, "not_home")
		if flagged(w.family.ID) {
			t.Error("misses 3, two misses: flagged, want not yet")
		}
		miss(w.family.ID, "not_home")
		if !flagged(w.family.ID) {
			t.Error("misses 3, three misses: not flagged")
		}
		st := s[rule]
		st.Enabled = false
		s[rule] = st
		if err := proactive.SaveSettings(ctx, db, s, time.Now()); err != nil {
			t.Fatal(err)
		}
		miss(w.family.ID, "met")
		for range 4 {
			miss(w.family.ID, "not_home")
		}
		if flagged(w.family.ID) {
			t.Error("rule off: flagged, want never")
		}
	})
}
