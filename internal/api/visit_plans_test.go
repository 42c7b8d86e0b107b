package api

import (
	"context"
	"fmt"
	"testing"

	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestPlans: admins and grid leaders generate, read and edit the weekly
// plans of their grids; another grid is not found, visitors are refused.
func TestPlans(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		m := org.TeamMember{CommunityID: fx.org.Community.ID, GridID: fx.org.Grids[0].ID, Name: "马学军", Role: org.RoleGridWorker,
			Availability: []string{"daytime"}}
		if err := org.CreateTeamMember(context.Background(), db, &m); err != nil {
			t.Fatal(err)
		}
		var planID int64
		var first int64
		fx.run(t, []scenario{
			{name: "visitor may not plan", method: "POST", path: "/plans", user: "visitor", status: 403, body: `{"grid_id":{grid1},"week":"2026-W49"}`},
			{name: "officer may not read", method: "GET", path: "/plans?grid={grid1}&week=2026-W49", user: "officer", status: 403},
			{name: "no plan yet", method: "GET", path: "/plans?grid={grid1}&week=2026-W49", user: "leader1", status: 404},
			{name: "another grid", method: "POST", path: "/plans", user: "leader1", status: 404, body: `{"grid_id":{grid2},"week":"2026-W49"}`,
				check: wantError("not_found", "grid_id")},
			{name: "bad week", method: "POST", path: "/plans", user: "leader1", status: 400, body: `{"grid_id":{grid1},"week":"2026-49"}`,
				check: wantError("format", "week")},
			{name: "no grid", method: "POST", path: "/plans", user: "leader1", status: 400, body: `{"week":"2026-W49"}`},
			{name: "a grid without a team", method: "POST", path: "/plans", user: "admin", status: 400, body: `{"grid_id":{grid2}}`,
				check: wantError("no_visitors", "grid_id")},
			{name: "generate", method: "POST", path: "/plans", user: "leader1", status: 201, body: `{"grid_id":{grid1},"week":"2026-W49"}`,
				want: []string{`"grid":{grid1}`, `"week":"2026-W49"`, `"total":1`, `"user":"马学军"`, `"household_id":{red}`, `"coverage":{"households":1`},
				check: func(t *testing.T, body []byte) {
					p := decodeAs[struct {
						ID       int64 `json:"id"`
						Visitors []struct {
							TeamMemberID int64 `json:"team_member_id"`
						} `json:"visitors"`
					}](t, body)
					planID, first = p.ID, p.Visitors[0].TeamMemberID
				}},
			{name: "read", method: "GET", path: "/plans?grid={grid1}&week=2026-W49", user: "admin", status: 200, want: []string{`"household_id":{red}`}},
			{name: "read: another grid's leader", method: "GET", path: "/plans?grid={grid1}&week=2026-W49", user: "clerk", status: 200},
			{name: "read: no grid", method: "GET", path: "/plans", user: "admin", status: 400, check: wantError("required", "grid")},
		})
		other := m.ID
		if first == m.ID {
			other = m.ID - 1 // the fixture's 卓玛, created before
		}
		fx.run(t, []scenario{
			{name: "move", method: "PATCH", path: fmt.Sprintf("/plans/%d/items/{red}", planID), user: "leader1", status: 200,
				body: fmt.Sprintf(`{"team_member_id":%d}`, other), want: []string{fmt.Sprintf(`"team_member_id":%d`, other)}},
			{name: "move: not in the plan", method: "PATCH", path: fmt.Sprintf("/plans/%d/items/{green}", planID), user: "leader1", status: 404,
				body: fmt.Sprintf(`{"team_member_id":%d}`, other)},
			{name: "move: not a visitor of the grid", method: "PATCH", path: fmt.Sprintf("/plans/%d/items/{red}", planID), user: "leader1", status: 400,
				body: `{"team_member_id":999}`, check: wantError("not_found", "team_member_id")},
			{name: "swap", method: "POST", path: fmt.Sprintf("/plans/%d/swap", planID), user: "leader1", status: 200,
				body: fmt.Sprintf(`{"team_member_id":%d,"with":%d}`, other, first), want: []string{fmt.Sprintf(`"team_member_id":%d`, first)}},
			{name: "swap: with oneself", method: "POST", path: fmt.Sprintf("/plans/%d/swap", planID), user: "leader1", status: 400,
				body: fmt.Sprintf(`{"team_member_id":%d,"with":%d}`, other, other), check: wantError("same", "with")},
			{name: "swap: visitor", method: "POST", path: fmt.Sprintf("/plans/%d/swap", planID), user: "visitor", status: 403,
				body: fmt.Sprintf(`{"team_member_id":%d,"with":%d}`, other, first)},
			{name: "swap: another grid's plan", method: "POST", path: "/plans/999/swap", user: "leader1", status: 404,
				body: fmt.Sprintf(`{"team_member_id":%d,"with":%d}`, other, first)},
			{name: "move: visitor", method: "PATCH", path: fmt.Sprintf("/plans/%d/items/{red}", planID), user: "visitor", status: 403,
				body: fmt.Sprintf(`{"team_member_id":%d}`, other)},
		})
	})
}
