package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"wanhu/internal/auth"
	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestProgressAndCoverage: after a not-at-home visit to the widow, grid
// 1's progress page counts it against the 100, lists her as overdue and
// to visit again; the coverage page shows both grids, the visits of the
// recording account per week and per month, and the family as not
// visited this year; grid 2's leader sees only grid 2; a visitor may see
// neither page.
func TestProgressAndCoverage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		worker := e.signedIn("worker")
		for _, p := range []string{"/visits/progress", "/visits/coverage"} {
			if code, _ := worker.get(p); code != http.StatusForbidden {
				t.Errorf("a visitor opened %s: %d", p, code)
			}
		}
		admin := e.signedIn("admin")
		if code, _ := admin.post(fmt.Sprintf("/households/%d/visits", e.widow.ID), url.Values{"outcome": {"not_home"}, "card_left": {"1"}}); code != http.StatusOK {
			t.Fatalf("visit: %d", code)
		}
		if _, err := db.ExecContext(t.Context(), `UPDATE households SET next_due_on = ? WHERE id = ?`, date("2026-01-05"), e.widow.ID); err != nil {
			t.Fatal(err)
		}
		grid1 := fmt.Sprint(e.org.Grids[0].ID)
		code, body := admin.get("/visits/progress?grid=" + grid1)
		if code != http.StatusOK {
			t.Fatalf("progress: %d", code)
		}
		widow := fmt.Sprintf(`data-household="%d"`, e.widow.ID)
		mustContain(t, "progress", body, `id="nav-progress"`, `id="progress-bar"`, `max="100" value="1"`, "本周走访 1 户次，目标 100 户次",
			"不在家 <strong>1</strong>", "这一周还没有走访计划", `href="/plans?grid=`+grid1, `id="overdue"`, `id="follow-ups"`, "连续 1 次不在家")
		if n := strings.Count(body, widow); n != 2 {
			t.Errorf("the widow is on %d lists of the progress page, want 2 (overdue, follow-up)", n)
		}
		mustNotContain(t, "progress", body, "⟦", fmt.Sprintf(`data-household="%d"`, e.family.ID))

		code, body = admin.get("/visits/coverage")
		if code != http.StatusOK {
			t.Fatalf("coverage: %d", code)
		}
		mustContain(t, "coverage", body, `id="nav-coverage"`, "第一网格", "第二网格", `id="coverage-total"`, "1 <span class=\"status\">（100.0%）",
			`id="visitors-weekly"`, `id="visitors-monthly"`, "管理员", "录入账号", `小张 <span class="status">网格员</span>`, `id="never-list"`,
			fmt.Sprintf(`data-household="%d"`, e.family.ID), "从未走访", `class="table-scroll"`)
		mustNotContain(t, "coverage", body, "⟦", widow)

		if _, err := e.h.auth.CreateUser(t.Context(), "leader2", "网格长", testPassword, auth.Grant{Role: auth.GridLeader, OrgUnitID: e.org.Grids[1].ID}); err != nil {
			t.Fatal(err)
		}
		leader := e.signedIn("leader2")
		code, body = leader.get("/visits/coverage")
		if code != http.StatusOK {
			t.Fatalf("leader's coverage: %d", code)
		}
		mustContain(t, "leader's coverage", body, "第二网格", fmt.Sprintf(`data-household="%d"`, e.shop.ID))
		mustNotContain(t, "leader's coverage", body, "第一网格", "管理员", `id="coverage-total"`)
		if code, _ := leader.get("/visits/progress?grid=" + grid1); code != http.StatusNotFound {
			t.Errorf("grid 2's leader opened grid 1's progress: %d", code)
		}

		code, body = admin.get("/lang?to=en&back=" + url.QueryEscape("/visits/coverage"))
		if code != http.StatusOK {
			t.Fatalf("in English: %d", code)
		}
		mustContain(t, "coverage in English", body, "Visit coverage", "this quarter", "recorded by account")
		mustNotContain(t, "coverage in English", body, "⟦")
	})
}

// TestCoverageColumnsAndRoles: each coverage column names the days it
// covers, so a week begun in November (30 November–6 December) is not
// mistaken for part of December, and each team member shows their role
// (网格员, 志愿者), not "队员"; a recording account stays 录入账号.
func TestCoverageColumnsAndRoles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.h.now = func() time.Time { return time.Date(2026, 12, 2, 2, 0, 0, 0, time.UTC) } // Wednesday 2 December, 10:00 in Xining
		m := org.TeamMember{CommunityID: e.org.Community.ID, GridID: e.org.Grids[0].ID, Name: "卓玛", Role: org.RoleVolunteer}
		if err := org.CreateTeamMember(t.Context(), db, &m); err != nil {
			t.Fatal(err)
		}
		admin := e.signedIn("admin")
		if code, _ := admin.post(fmt.Sprintf("/households/%d/visits", e.widow.ID), url.Values{"outcome": {"met"}}); code != http.StatusOK {
			t.Fatalf("visit: %d", code)
		}
		code, body := admin.get("/visits/coverage")
		if code != http.StatusOK {
			t.Fatalf("coverage: %d", code)
		}
		mustContain(t, "coverage", body, "本周（11月30日–12月6日）", "本月（12月1日–12月31日）", "本季度（10月1日–12月31日）", "本年（1月1日–12月31日）",
			`小张 <span class="status">网格员</span>`, `卓玛 <span class="status">志愿者</span>`, `管理员 <span class="status">录入账号</span>`,
			"1 <span class=\"status\">（100.0%）")
		mustNotContain(t, "coverage", body, "⟦", "队员")

		code, body = admin.get("/lang?to=en&back=" + url.QueryEscape("/visits/coverage"))
		if code != http.StatusOK {
			t.Fatalf("in English: %d", code)
		}
		mustContain(t, "coverage in English", body, "this week (30/11–6/12)", "this month (1/12–31/12)", `卓玛 <span class="status">Volunteer</span>`)
		mustNotContain(t, "coverage in English", body, "⟦", "team member<")
	})
}

// TestCoverageByCommunity: the city's administrator, whose scope spans two
// communities, sees their coverage with a link to each and the households
// not visited, but no visitor tables; a community chosen (?community=)
// shows its grids, its visitors and its households alone, as its own
// administrator sees it; a community outside the list is not chosen. The
// community's administrator keeps the page of grids and visitors, and
// cannot choose another community.
func TestCoverageByCommunity(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := t.Context()
		if _, err := e.h.auth.CreateUser(ctx, "cityadmin", "", testPassword, auth.Grant{Role: auth.Admin, OrgUnitID: e.org.City.ID}); err != nil {
			t.Fatal(err)
		}
		c2, g3 := e.newCommunity("兴隆社区", "兴隆一网格")
		var h3 int64
		if err := db.QueryRowContext(ctx, `INSERT INTO households(grid_id, address, colour, occupancy, householder, created_at, updated_at)
			VALUES (?, '兴隆小区 1-101', 'green', 'owner', '兴隆户主', ?, ?) RETURNING id`, g3.ID, time.Now().UTC(), time.Now().UTC()).Scan(&h3); err != nil {
			t.Fatal(err)
		}
		c1, grid1 := e.org.Community.ID, e.org.Grids[0].ID
		family, other := fmt.Sprintf(`data-household="%d"`, e.family.ID), fmt.Sprintf(`data-household="%d"`, h3)
		city := e.signedIn("cityadmin")
		code, body := city.get("/visits/coverage")
		if code != http.StatusOK {
			t.Fatalf("coverage: %d", code)
		}
		mustContain(t, "the city's coverage", body, `id="coverage-community"`, "各社区覆盖率", fmt.Sprintf(`data-community="%d"`, c1),
			fmt.Sprintf(`data-community="%d"`, c2.ID), fmt.Sprintf(`href="/visits/coverage?community=%d"`, c2.ID), "兴隆社区",
			`id="coverage-total"`, `id="visitors-pick"`, family, other, `<option value="" selected>全部社区</option>`, "兴隆社区 · 兴隆一网格 · ")
		mustNotContain(t, "the city's coverage", body, "⟦", `data-grid=`, `id="visitors-weekly"`, `id="visitors-monthly"`)

		code, body = city.get(fmt.Sprintf("/visits/coverage?community=%d", c2.ID))
		if code != http.StatusOK {
			t.Fatalf("兴隆社区's coverage: %d", code)
		}
		mustContain(t, "兴隆社区's coverage", body, fmt.Sprintf(`data-grid="%d"`, g3.ID), "兴隆一网格", `id="visitors-weekly"`, `id="visitors-monthly"`,
			other, fmt.Sprintf(`<option value="%d" selected>兴隆社区</option>`, c2.ID), fmt.Sprintf(`name="community" value="%d"`, c2.ID))
		mustNotContain(t, "兴隆社区's coverage", body, "⟦", fmt.Sprintf(`data-grid="%d"`, grid1), family, `data-community=`, "小张")

		_, body = city.get(fmt.Sprintf("/visits/coverage?community=%d", c1))
		mustContain(t, "东兴社区's coverage", body, fmt.Sprintf(`data-grid="%d"`, grid1), family, `小张 <span class="status">网格员</span>`)
		mustNotContain(t, "东兴社区's coverage", body, fmt.Sprintf(`data-grid="%d"`, g3.ID), other)

		_, body = city.get(fmt.Sprintf("/visits/coverage?community=%d", grid1))
		mustContain(t, "a grid as the community", body, `id="visitors-pick"`, fmt.Sprintf(`data-community="%d"`, c2.ID))
		// The page has no grid select: a ?grid= (a link of another page) does
		// not choose its community (gridFilterFrom would).
		_, body = city.get(fmt.Sprintf("/visits/coverage?grid=%d", g3.ID))
		mustContain(t, "a grid is not read", body, `id="visitors-pick"`, `<option value="" selected>全部社区</option>`)

		admin := e.signedIn("admin")
		_, body = admin.get(fmt.Sprintf("/visits/coverage?community=%d", c2.ID))
		mustContain(t, "the community administrator's coverage", body, fmt.Sprintf(`data-grid="%d"`, grid1), `id="visitors-weekly"`, family)
		mustNotContain(t, "the community administrator's coverage", body, `id="coverage-community"`, "兴隆", other, `data-community=`)

		_, body = city.get("/lang?to=en&back=" + url.QueryEscape("/visits/coverage"))
		mustContain(t, "the city's coverage in English", body, "Coverage by community", "All communities", "Choose a community")
		mustNotContain(t, "the city's coverage in English", body, "⟦")
	})
}
