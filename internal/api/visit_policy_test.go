package api

import (
	"context"
	"testing"

	"wanhu/internal/calendar"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

func TestVisitPolicy(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		ctx := context.Background()
		today := calendar.Today()
		lastMet := calendar.DateOf(today.Time().AddDate(0, 0, -3))
		// The green household was met three days ago: due in six months.
		if _, err := db.ExecContext(ctx, `UPDATE households SET last_met_on = ?, next_due_on = ? WHERE id = ?`,
			lastMet, calendar.DateOf(lastMet.Time().AddDate(0, 6, 0)), fx.green.ID); err != nil {
			t.Fatal(err)
		}
		nextDue := func(t *testing.T) calendar.Date {
			var d calendar.Date
			if err := db.QueryRowContext(ctx, `SELECT next_due_on FROM households WHERE id = ?`, fx.green.ID).Scan(&d); err != nil {
				t.Fatal(err)
			}
			return d
		}
		weekly := `{"tags":{"living_alone_elderly":"weekly"},"colours":{"red":"monthly","yellow":"quarterly","green":"weekly"},"floor":"yearly"}`
		fx.run(t, []scenario{
			{name: "read: the default", method: "GET", path: "/visit-policy", user: "leader1", status: 200,
				want: []string{`"living_alone_elderly":"weekly"`, `"green":"half_yearly"`, `"floor":"yearly"`}},
			{name: "read: a visitor", method: "GET", path: "/visit-policy", user: "visitor", status: 200},
			{name: "read: an officer", method: "GET", path: "/visit-policy", user: "officer", status: 403},
			{name: "set: a grid leader", method: "PUT", path: "/visit-policy", user: "leader1", body: weekly, status: 403},
			{name: "set: unknown frequency", method: "PUT", path: "/visit-policy", user: "admin", status: 400,
				body: `{"colours":{"green":"daily"},"floor":"yearly"}`, check: wantError("one_of", "colours.green")},
			{name: "set: no floor", method: "PUT", path: "/visit-policy", user: "admin", status: 400,
				body: `{"colours":{"green":"weekly"}}`, check: wantError("one_of", "floor")},
			{name: "set: unknown tag", method: "PUT", path: "/visit-policy", user: "admin", status: 400,
				body: `{"tags":{"nope":"weekly"},"floor":"yearly"}`, check: wantError("tag_unknown", "tags.nope")},
			{name: "set: unknown field", method: "PUT", path: "/visit-policy", user: "admin", status: 400,
				body: `{"floor":"yearly","often":"weekly"}`, check: wantError("unknown_field", "often")},
			{name: "still the default", method: "GET", path: "/visit-policy", user: "admin", status: 200,
				want: []string{`"green":"half_yearly"`}},
		})
		if d := nextDue(t); d != calendar.DateOf(lastMet.Time().AddDate(0, 6, 0)) {
			t.Fatalf("a refused policy moved the due date to %s", d)
		}
		fx.run(t, []scenario{
			{name: "set: green weekly", method: "PUT", path: "/visit-policy", user: "admin", body: weekly, status: 200,
				check: func(t *testing.T, body []byte) {
					out := decodeAs[struct {
						Policy struct {
							Colours map[string]string `json:"colours"`
						} `json:"policy"`
						Recomputed int `json:"recomputed"`
					}](t, body)
					if out.Policy.Colours["green"] != "weekly" || out.Recomputed < 1 {
						t.Errorf("answer %s", short(body))
					}
				}},
			{name: "read back", method: "GET", path: "/visit-policy", user: "clerk", status: 200, want: []string{`"green":"weekly"`}},
		})
		if d, want := nextDue(t), calendar.DateOf(lastMet.Time().AddDate(0, 0, 7)); d != want {
			t.Errorf("green household next due %s, want %s (a week after it was met)", d, want)
		}
	})
}
