package api

import (
	"context"
	"strings"
	"testing"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

func TestVisits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		today := calendar.Today()
		ago := func(n int) string { return calendar.DateOf(today.Time().AddDate(0, 0, -n)).String() }
		// Overdue: the green household by 10 days, the red one by 2; the
		// red one comes first all the same.
		for id, due := range map[int64]string{fx.green.ID: ago(10), fx.red.ID: ago(2)} {
			if _, err := db.ExecContext(context.Background(), `UPDATE households SET next_due_on = ? WHERE id = ?`, due, id); err != nil {
				t.Fatal(err)
			}
		}
		var first []byte
		keep := func(t *testing.T, body []byte) { first = body }
		same := func(t *testing.T, body []byte) {
			if string(body) != string(first) {
				t.Errorf("second answer differs:\n%s\n%s", short(first), short(body))
			}
		}
		fx.run(t, []scenario{
			{name: "due: overdue red first", method: "GET", path: "/visits/due?overdue=true", user: "clerk", status: 200,
				check: func(t *testing.T, body []byte) {
					l := decodeAs[list[struct {
						HouseholdID int64 `json:"household_id"`
						DaysOverdue int   `json:"days_overdue"`
					}]](t, body)
					if len(l.Items) != 2 || l.Items[0].HouseholdID != fx.red.ID || l.Items[0].DaysOverdue != 2 || l.Items[1].DaysOverdue != 10 {
						t.Errorf("order %s", short(body))
					}
				}},
			{name: "due: visitor sees only the assigned", method: "GET", path: "/visits/due", user: "visitor", status: 200, check: wantTotal(1)},
			// The total comes with the page's rows; a page past the end counts apart.
			{name: "due: a later page counts all", method: "GET", path: "/visits/due?overdue=true&per_page=1&page=2", user: "clerk", status: 200,
				check: func(t *testing.T, body []byte) {
					wantTotal(2)(t, body)
					if l := decodeAs[list[struct {
						HouseholdID int64 `json:"household_id"`
					}]](t, body); len(l.Items) != 1 || l.Items[0].HouseholdID == fx.red.ID {
						t.Errorf("second page %s", short(body))
					}
				}},
			{name: "due: a page past the end counts all", method: "GET", path: "/visits/due?overdue=true&page=9", user: "clerk", status: 200,
				check: func(t *testing.T, body []byte) {
					wantTotal(2)(t, body)
					if !strings.Contains(string(body), `"items":[]`) {
						t.Errorf("past the end %s", short(body))
					}
				}},
			{name: "due: by grid", method: "GET", path: "/visits/due?grid={grid2}", user: "clerk", status: 200, check: wantTotal(1)},
			{name: "due: officer", method: "GET", path: "/visits/due", user: "officer", status: 403},
			{name: "due: bad overdue", method: "GET", path: "/visits/due?overdue=yes", user: "clerk", status: 400, check: wantError("one_of", "overdue")},

			{name: "met with a need and a change", method: "POST", path: "/visits", user: "visitor", status: 201,
				body: `{"client_id":"phone-1-0001","household_id":{red},"outcome":"met","met":[{widow}],"notes":"血压偏高",
					"needs":[{"kind":"medical","note":"需要上门体检","person_id":{widow}}],
					"events":[{"person_id":{widow},"type":"health_worsened","note":"近来行动不便"}]}`,
				want: []string{`"outcome":"met"`, `"channel":"door"`, `"needs_added":1`, `"events_recorded":1`, `"met":[{widow}]`}, check: keep},
			{name: "the same client_id again", method: "POST", path: "/visits", user: "visitor", status: 200,
				body: `{"client_id":"phone-1-0001","household_id":{red},"outcome":"met","met":[{widow}],"notes":"血压偏高",
					"needs":[{"kind":"medical","note":"需要上门体检","person_id":{widow}}],
					"events":[{"person_id":{widow},"type":"health_worsened","note":"近来行动不便"}]}`, check: same},
			{name: "one visit", method: "GET", path: "/households/{red}/visits", user: "visitor", status: 200, check: wantTotal(1)},
			{name: "the need is in the file", method: "GET", path: "/households/{red}", user: "leader1", status: 200,
				want: []string{`"kind":"medical"`, `"note":"需要上门体检"`}},
			{name: "the change and the need are in the ledger", method: "GET", path: "/households/{red}/ledger", user: "leader1", status: 200,
				want: []string{`"type":"health_worsened"`, `"type":"need_added"`}},
			{name: "met: no longer due", method: "GET", path: "/visits/due?grid={grid1}", user: "clerk", status: 200, check: wantTotal(0)},

			{name: "not at home", method: "POST", path: "/visits", user: "clerk", status: 201,
				body: `{"client_id":"c-2","household_id":{green},"outcome":"not_home","card_left":true}`,
				want: []string{`"card_left":true`, `"follow_up_on":"` + calendar.DateOf(today.Time().AddDate(0, 0, 3)).String() + `"`}},
			{name: "not at home again", method: "POST", path: "/visits", user: "clerk", status: 201,
				body: `{"client_id":"c-3","household_id":{green},"outcome":"not_home","card_left":true,"channel":"door"}`},
			{name: "two misses: off-peak", method: "GET", path: "/visits/due?grid={grid2}", user: "clerk", status: 200,
				want: []string{`"misses":2`, `"offpeak":true`}},
			{name: "vacant", method: "POST", path: "/visits", user: "clerk", status: 201,
				body: `{"client_id":"c-4","household_id":{green},"outcome":"vacant"}`},
			{name: "vacant: occupancy", method: "GET", path: "/households/{green}", user: "clerk", status: 200,
				want: []string{`"occupancy":"vacant"`}},
			{name: "vacant: ledger", method: "GET", path: "/households/{green}/ledger", user: "clerk", status: 200,
				want: []string{`"field":"occupancy"`}},

			{name: "visitor, not assigned", method: "POST", path: "/visits", user: "visitor", status: 404,
				body: `{"client_id":"v-9","household_id":{green},"outcome":"met"}`, check: wantError("not_found", "household_id")},
			{name: "visitor, not assigned, list", method: "GET", path: "/households/{green}/visits", user: "visitor", status: 404},
			{name: "visitor, someone else's client_id", method: "POST", path: "/visits", user: "visitor", status: 404,
				body: `{"client_id":"c-2","household_id":{red},"outcome":"met"}`},
			{name: "officer", method: "POST", path: "/visits", user: "officer", status: 403,
				body: `{"client_id":"o-1","household_id":{red},"outcome":"met"}`},
			{name: "auditor", method: "POST", path: "/visits", user: "auditor", status: 403,
				body: `{"client_id":"o-2","household_id":{red},"outcome":"met"}`},
			{name: "no token", method: "POST", path: "/visits", status: 401, body: `{}`},

			{name: "unknown outcome", method: "POST", path: "/visits", user: "clerk", status: 400,
				body: `{"client_id":"b-1","household_id":{red},"outcome":"maybe"}`, check: wantError("one_of", "outcome")},
			{name: "unknown channel", method: "POST", path: "/visits", user: "clerk", status: 400,
				body: `{"client_id":"b-1","household_id":{red},"outcome":"met","channel":"pigeon"}`, check: wantError("one_of", "channel")},
			{name: "no client_id", method: "POST", path: "/visits", user: "clerk", status: 400,
				body: `{"household_id":{red},"outcome":"met"}`, check: wantError("required", "client_id")},
			{name: "unknown household", method: "POST", path: "/visits", user: "clerk", status: 404,
				body: `{"client_id":"b-1","household_id":999999,"outcome":"met"}`, check: wantError("not_found", "household_id")},
			{name: "unknown field", method: "POST", path: "/visits", user: "clerk", status: 400,
				body: `{"client_id":"b-1","household_id":{red},"outcome":"met","mood":"good"}`, check: wantError("unknown_field", "mood")},
			{name: "bad need kind", method: "POST", path: "/visits", user: "clerk", status: 400,
				body: `{"client_id":"b-1","household_id":{red},"outcome":"met","needs":[{"kind":"cake"}]}`, check: wantError("one_of", "needs[0].kind")},
			{name: "change of a stranger", method: "POST", path: "/visits", user: "clerk", status: 400,
				body:  `{"client_id":"b-1","household_id":{red},"outcome":"met","events":[{"person_id":{father},"type":"lost_job"}]}`,
				check: wantError("not_member", "events[0].person_id")},
			{name: "needs without meeting", method: "POST", path: "/visits", user: "clerk", status: 400,
				body: `{"client_id":"b-1","household_id":{red},"outcome":"not_home","needs":[{"kind":"medical"}]}`, check: wantError("not_met", "outcome")},
			{name: "in the future", method: "POST", path: "/visits", user: "clerk", status: 400,
				body:  `{"client_id":"b-1","household_id":{red},"outcome":"met","at":"` + time.Now().Add(48*time.Hour).UTC().Format(time.RFC3339) + `"}`,
				check: wantError("future", "at")},
			{name: "bad input left nothing", method: "GET", path: "/households/{red}/visits", user: "clerk", status: 200, check: wantTotal(1)},
		})
	})
}
