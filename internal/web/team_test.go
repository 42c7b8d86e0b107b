package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"wanhu/internal/auth"
	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestTeamPages: planners list the team by grid, add members, change them
// at their version (a stale save comes back as a conflict with the saved
// values) and take them out of the team; a grid leader reaches only their
// own grid's members, a visitor not the pages.
func TestTeamPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		if _, err := e.h.auth.CreateUser(ctx, "leader1", "网格长", testPassword, auth.Grant{Role: auth.GridLeader, OrgUnitID: e.org.Grids[0].ID}); err != nil {
			t.Fatal(err)
		}
		other := org.TeamMember{CommunityID: e.org.Community.ID, GridID: e.org.Grids[1].ID, Name: "李宏伟", Role: org.RoleGridWorker}
		if err := org.CreateTeamMember(ctx, db, &other); err != nil {
			t.Fatal(err)
		}
		grid1, grid2 := fmt.Sprint(e.org.Grids[0].ID), fmt.Sprint(e.org.Grids[1].ID)

		if code, _ := e.signedIn("worker").get("/team"); code != http.StatusForbidden {
			t.Errorf("visitor GET /team: %d, want 403", code)
		}

		admin := e.signedIn("admin")
		code, body := admin.get("/team")
		if code != http.StatusOK {
			t.Fatalf("GET /team: %d", code)
		}
		mustContain(t, "team list", body, `id="nav-team"`, "小张", "李宏伟", "网格员", "worker", `id="team-add"`)

		// Wrong input names its field; a good one adds the member.
		add := url.Values{"grid_id": {grid1}, "name": {""}, "role": {"volunteer"}, "languages": {"bo"}, "availability": {"evening", "weekend"}}
		code, body = admin.post("/team", add)
		if code != http.StatusUnprocessableEntity {
			t.Fatalf("no name: %d", code)
		}
		mustContain(t, "no name", body, `id="err-name"`, `value="bo" checked`)
		add.Set("name", "卓玛")
		add.Set("phone", "not a phone")
		if code, body = admin.post("/team", add); code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-phone"`) {
			t.Errorf("bad phone: %d", code)
		}
		add.Set("phone", "0971-8123456")
		add.Set("skills", "藏语翻译，助老服务")
		code, body = admin.post("/team", add)
		if code != http.StatusOK {
			t.Fatalf("add: %d", code)
		}
		mustContain(t, "after adding", body, "卓玛", "藏语", "晚上、周末", "藏语翻译、助老服务")
		m := regexp.MustCompile(`<a href="/team/(\d+)">卓玛</a>`).FindStringSubmatch(body)
		if m == nil {
			t.Fatal("the new member has no edit link")
		}
		path := "/team/" + m[1]

		// Two people edit the same member: the second save is a conflict.
		code, form := admin.get(path)
		if code != http.StatusOK || !strings.Contains(form, `name="version" value="1"`) {
			t.Fatalf("edit form: %d", code)
		}
		edit := url.Values{"grid_id": {grid1}, "name": {"卓玛"}, "role": {"volunteer"}, "languages": {"bo"}, "availability": {"weekend"}, "active": {"1"}, "version": {"1"}}
		if code, _ := admin.post(path, edit); code != http.StatusOK {
			t.Fatalf("first save: %d", code)
		}
		edit.Set("name", "卓玛吉")
		code, body = admin.post(path, edit)
		if code != http.StatusConflict {
			t.Fatalf("stale save: %d, want 409", code)
		}
		mustContain(t, "conflict", body, `id="conflict"`, `name="version" value="2"`, `value="卓玛吉"`)
		// Saved again deliberately, without "active": out of the team.
		edit.Set("version", "2")
		edit.Del("active")
		code, body = admin.post(path, edit)
		if code != http.StatusOK {
			t.Fatalf("deactivate: %d", code)
		}
		mustContain(t, "deactivated", body, "卓玛吉", "暂停走访")
		if saved, err := org.TeamMemberByID(ctx, db, mustID(t, m[1])); err != nil || saved.Active || saved.Version != 3 {
			t.Errorf("saved %+v %v", saved, err)
		}

		// The leader of grid 1 sees their grid, not grid 2's members.
		leader := e.signedIn("leader1")
		code, body = leader.get("/team")
		if code != http.StatusOK {
			t.Fatalf("leader GET /team: %d", code)
		}
		mustContain(t, "leader's team", body, "卓玛吉", "小张")
		mustNotContain(t, "leader's team", body, "李宏伟")
		if code, _ := leader.get(fmt.Sprintf("/team/%d", other.ID)); code != http.StatusNotFound {
			t.Errorf("leader edits grid 2's member: %d, want 404", code)
		}
		add.Del("csrf")
		add.Set("grid_id", grid2)
		add.Set("name", "小刘")
		if code, body := leader.post("/team", add); code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-grid_id"`) {
			t.Errorf("leader adds to grid 2: %d", code)
		}
	})
}

func mustID(t *testing.T, s string) int64 {
	t.Helper()
	id, err := pathID(s)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestTeamAndStaffPagesArePaged: a city's thousands of members are shown a
// page at a time on the team page, the scorecards and the hours; the pages
// together hold every member once.
func TestTeamAndStaffPagesArePaged(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		for i := range 205 {
			m := org.TeamMember{CommunityID: e.org.Community.ID, GridID: e.org.Grids[i%2].ID, Name: fmt.Sprintf("志愿者%03d", i), Role: org.RoleVolunteer}
			if err := org.CreateTeamMember(t.Context(), db, &m); err != nil {
				t.Fatal(err)
			}
		}
		var total int
		if err := db.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM team_members WHERE active`).Scan(&total); err != nil {
			t.Fatal(err)
		}
		admin := e.signedIn("admin")
		member := regexp.MustCompile(`<tr data-member="(\d+)"`)
		card := regexp.MustCompile(`<th scope="row"><a href="/staff/(\d+)">`)
		for _, c := range []struct {
			path string
			per  int
			row  *regexp.Regexp
		}{{"/team", teamPerPage, member}, {"/staff", staffPerPage, card}, {"/staff/hours", staffPerPage, member}} {
			seen := map[string]bool{}
			pages := (total + c.per - 1) / c.per
			if pages < 2 {
				t.Fatalf("%s: %d members fit on one page of %d", c.path, total, c.per)
			}
			for page := 1; page <= pages; page++ {
				code, body := admin.get(fmt.Sprintf("%s?page=%d", c.path, page))
				if code != http.StatusOK {
					t.Fatalf("%s page %d: %d", c.path, page, code)
				}
				ids := c.row.FindAllStringSubmatch(body, -1)
				want := min(c.per, total-(page-1)*c.per)
				if len(ids) != want {
					t.Errorf("%s page %d: %d members, want %d", c.path, page, len(ids), want)
				}
				for _, m := range ids {
					id := m[1]
					if seen[id] {
						t.Errorf("%s page %d: member %s again", c.path, page, id)
					}
					seen[id] = true
				}
				if next := strings.Contains(body, `rel="next"`); next != (page < pages) {
					t.Errorf("%s page %d of %d: a next link %v", c.path, page, pages, next)
				}
			}
			if len(seen) != total {
				t.Errorf("%s: %d members on its pages, want %d", c.path, len(seen), total)
			}
		}
	})
}

// TestPageNumbersOutOfRange: a page number past the last, below the first
// or too big for arithmetic shows the nearest page, never an error.
func TestPageNumbersOutOfRange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		admin := e.signedIn("admin")
		for _, path := range []string{"/team", "/staff", "/staff/hours", "/rosters/four_thirty"} {
			for _, page := range []string{"9223372036854775807", "-5", "99"} {
				code, body := admin.get(path + "?page=" + page)
				if code != http.StatusOK || !strings.Contains(body, "小张") && path != "/rosters/four_thirty" {
					t.Errorf("%s?page=%s: %d", path, page, code)
				}
			}
		}
	})
}
