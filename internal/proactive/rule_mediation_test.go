package proactive_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestMediationFollowUpRule: a case agreed on 2026-11-20 between the widow
// and the family, to be followed up on 2026-12-10, gives each party a task
// due that day from 3 days before and for a week after; a case with no
// follow-up day gives none.
func TestMediationFollowUpRule(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx, now := context.Background(), time.Now().UTC()
		newCase := func(title, outcome, agreement, followUp string) int64 {
			t.Helper()
			var id int64
			if err := db.QueryRowContext(ctx, `INSERT INTO mediation_cases (community_id, org_path, title, opened_on, outcome, agreement, follow_up_on, created_at, updated_at)
				VALUES (?, ?, ?, '2026-11-20', ?, ?, ?, ?, ?) RETURNING id`,
				w.org.Community.ID, w.org.Community.Path, title, outcome, agreement, followUp, now, now).Scan(&id); err != nil {
				t.Fatal(err)
			}
			for _, h := range []int64{w.widow.ID, w.family.ID} {
				w.exec(t, `INSERT INTO mediation_parties (case_id, household_id) VALUES (?, ?)`, id, h)
			}
			return id
		}
		newCase("楼上漏水", "agreed", "楼上三日内修好防水层", "2026-12-10")
		newCase("停车纠纷", "", "", "")
		const rule = "mediation_followup"
		fs := w.find(t, rule, "2026-12-07", nil)
		for _, h := range []int64{w.widow.ID, w.family.ID} {
			got := of(fs, h)
			if len(got) != 1 || got[0].Due.String() != "2026-12-10" || !strings.Contains(got[0].Reason, "楼上漏水") ||
				!strings.Contains(got[0].Reason, "协议履行") || !strings.HasPrefix(got[0].Period, "case:") {
				t.Errorf("household %d: %+v, want one follow-up of 楼上漏水 due 2026-12-10", h, got)
			}
		}
		if len(fs) != 2 {
			t.Errorf("%d findings, want the two parties of the one case with a follow-up day: %+v", len(fs), fs)
		}
		if fs := w.find(t, rule, "2026-12-06", nil); len(fs) != 0 {
			t.Errorf("4 days before: %+v, want none", fs)
		}
		if fs := w.find(t, rule, "2026-12-17", nil); len(fs) != 2 {
			t.Errorf("a week after (the server was off): %+v, want both", fs)
		}
		if fs := w.find(t, rule, "2026-12-18", nil); len(fs) != 0 {
			t.Errorf("8 days after: %+v, want none", fs)
		}
		if fs := w.find(t, rule, "2026-12-01", map[string]string{"days": "9"}); len(fs) != 2 {
			t.Errorf("days 9 on 2026-12-01: %+v, want both", fs)
		}
	})
}
