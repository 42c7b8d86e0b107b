package web

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestHouseholdPageListsItsCommunityTeam: the household page offers as
// visitors and measure owners the team of the household's community only,
// not every team member of the city (issue 15: 329 KB per page on a city
// of a million households), and a visitor, who assigns and edits nothing,
// gets no list at all.
func TestHouseholdPageListsItsCommunityTeam(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := t.Context()
		other, grid := e.newCommunity("富强巷社区", "富强巷第一网格")
		for _, m := range []org.TeamMember{
			{CommunityID: other.ID, GridID: grid.ID, Name: "外社区网格员", Role: org.RoleGridWorker},
			{CommunityID: other.ID, Name: "外社区志愿者", Role: org.RoleVolunteer},
			{CommunityID: e.org.Community.ID, Name: "本社区志愿者", Role: org.RoleVolunteer},
		} {
			if err := org.CreateTeamMember(ctx, db, &m); err != nil {
				t.Fatal(err)
			}
		}
		path := fmt.Sprintf("/households/%d", e.widow.ID)
		code, body := e.signedIn("admin").get(path)
		if code != http.StatusOK {
			t.Fatalf("admin: %d", code)
		}
		mustContain(t, "the community's team as choices", body, "小张", "本社区志愿者", `name="team_member_id"`, `id="measure-owner"`)
		for _, name := range []string{"外社区网格员", "外社区志愿者"} {
			if strings.Contains(body, name) {
				t.Errorf("the page of a 东兴社区 household offers %s of another community", name)
			}
		}
		code, body = e.signedIn("worker").get(path)
		if code != http.StatusOK {
			t.Fatalf("worker: %d", code)
		}
		if strings.Contains(body, "本社区志愿者") || strings.Contains(body, `id="measure-owner"`) {
			t.Error("the visitor's page lists the team to choose from")
		}
	})
}
