package api

import (
	"context"
	"fmt"
	"testing"

	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestAppointments: staff list a grid's slots, book one for a household,
// list the bookings and mark one missed; another grid is not found, an
// officer is refused.
func TestAppointments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		m := org.TeamMember{CommunityID: fx.org.Community.ID, GridID: fx.org.Grids[0].ID, Name: "拉加", Role: org.RoleBuildingHead,
			Availability: []string{"evening", "weekend"}}
		if err := org.CreateTeamMember(context.Background(), db, &m); err != nil {
			t.Fatal(err)
		}
		var start string
		var id int64
		fx.run(t, []scenario{
			{name: "slots", method: "GET", path: "/grids/{grid1}/slots", user: "leader1", status: 200, want: []string{`"kind":"evening"`, `"free":1`},
				check: func(t *testing.T, body []byte) {
					start = decodeAs[struct {
						Items []struct {
							Start string `json:"start"`
						} `json:"items"`
					}](t, body).Items[0].Start
				}},
			{name: "slots: another grid", method: "GET", path: "/grids/{grid2}/slots", user: "leader1", status: 404},
			{name: "slots: officer", method: "GET", path: "/grids/{grid1}/slots", user: "officer", status: 403},
		})
		body := fmt.Sprintf(`{"household_id":{red},"slot_start":%q,"phone":"13900001111"}`, start)
		fx.run(t, []scenario{
			{name: "book: officer", method: "POST", path: "/appointments", user: "officer", status: 403, body: body},
			{name: "book: no household", method: "POST", path: "/appointments", user: "leader1", status: 400, body: fmt.Sprintf(`{"slot_start":%q}`, start),
				check: wantError("required", "household_id")},
			{name: "book: not a slot", method: "POST", path: "/appointments", user: "leader1", status: 400,
				body: `{"household_id":{red},"slot_start":"2026-01-01T01:00:00Z"}`, check: wantError("not_offered", "slot_start")},
			{name: "book", method: "POST", path: "/appointments", user: "visitor", status: 201, body: body,
				want:   []string{`"state":"booked"`, `"booked_via":"staff"`, `"phone":"139****1111"`, `"visitor":"拉加"`},
				reject: []string{"13900001111"},
				check: func(t *testing.T, body []byte) {
					id = decodeAs[struct {
						ID int64 `json:"id"`
					}](t, body).ID
				}},
			{name: "slot now full", method: "GET", path: "/grids/{grid1}/slots", user: "leader1", status: 200, want: []string{`"free":0`}},
			{name: "list", method: "GET", path: "/appointments?grid={grid1}", user: "leader1", status: 200, want: []string{`"total":1`, `"household_id":{red}`}},
			{name: "list: bad day", method: "GET", path: "/appointments?from=tomorrow", user: "leader1", status: 400},
			{name: "list: before", method: "GET", path: "/appointments?to=2026-01-01", user: "leader1", status: 200, want: []string{`"total":0`}},
		})
		fx.run(t, []scenario{
			{name: "missed", method: "POST", path: fmt.Sprintf("/appointments/%d/missed", id), user: "leader1", status: 200, want: []string{`"state":"missed"`}},
			{name: "missed twice", method: "POST", path: fmt.Sprintf("/appointments/%d/missed", id), user: "leader1", status: 409},
			{name: "cancel: not there", method: "POST", path: "/appointments/999/cancel", user: "leader1", status: 404},
		})
	})
}
