package gen_test

import (
	"context"
	"strings"
	"testing"

	"wanhu/internal/gen"
	"wanhu/internal/request"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestDongxingTalks: the talk room's log has the secretary's sessions with
// the stray-dog request linked (not made again) and referred to 城管; the
// mediation case of 东府嘉和 between two households is agreed; the heating
// pipe's arrival on site is 9 minutes after the call, within the 24-hour
// deadline.
func TestDongxingTalks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := gen.Generate(ctx, db, gen.Options{Households: 600, Today: articleDay}); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			what      string
			got, want int
		}{
			{"requests, none made again", count(t, db, `SELECT COUNT(*) FROM requests`), gen.DongxingRequests},
			{"stray dogs in a session of the secretary, referred to 城管", count(t, db, `SELECT COUNT(*) FROM talk_visitors v
				JOIN talk_sessions t ON t.id = v.session_id JOIN requests r ON r.id = v.request_id JOIN org_units d ON d.id = r.department_id
				WHERE t.host = '冯晓霞' AND r.description LIKE '%流浪狗%' AND d.name = '区城市管理局'`), 1},
			{"sessions without a request", count(t, db, `SELECT COUNT(DISTINCT session_id) FROM talk_visitors WHERE request_id IS NULL`), 4},
			{"their days, one session each (weekends skipped)", count(t, db, `SELECT COUNT(DISTINCT t.day) FROM talk_sessions t
				JOIN talk_visitors v ON v.session_id = t.id WHERE v.request_id IS NULL`), 4},
			{"agreed cases of 东府嘉和 between two households", count(t, db, `SELECT COUNT(*) FROM mediation_cases m WHERE m.outcome = 'agreed'
				AND m.agreement <> '' AND m.follow_up_on <> '' AND 2 = (SELECT COUNT(*) FROM mediation_parties p JOIN households h ON h.id = p.household_id
				JOIN compounds c ON c.id = h.compound_id WHERE p.case_id = m.id AND c.name = '东府嘉和小区')`), 1},
			{"mediators", count(t, db, `SELECT COUNT(*) FROM mediation_mediators`), 2},
			{"arrivals", count(t, db, `SELECT COUNT(*) FROM requests WHERE arrived_at IS NOT NULL AND urgency = 'urgent'`), 3},
			{"arrival timeline entries", count(t, db, `SELECT COUNT(*) FROM request_events WHERE kind = 'arrive'`), 3},
		} {
			if c.got != c.want {
				t.Errorf("%s: %d, want %d", c.what, c.got, c.want)
			}
		}
		rs, _, err := request.NewStore(db, nil).List(ctx, request.Filter{Category: "water_supply", PerPage: 100})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, r := range rs {
			if strings.Contains(r.Description, "暖气漏水") {
				found = true
				if r.ArrivalSeconds == nil || *r.ArrivalSeconds != 9*60 || r.ArrivedAt.After(*r.DueAt) {
					t.Errorf("the heating pipe: arrived %v seconds after the call, due %v", r.ArrivalSeconds, r.DueAt)
				}
			}
		}
		if !found {
			t.Error("no heating pipe request")
		}
	})
}
