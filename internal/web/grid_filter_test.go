package web

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"wanhu/internal/auth"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// manyGrids lowers the grid filter's limit below the fixture's street
// (three grids in two communities), so that the street's administrator
// chooses the community first, and adds that street's administrator
// ("street"), a household and a team member in the second community, and
// a community of another street. The community's administrator ("admin",
// two grids) stays a small scope.
type manyGrids struct {
	other, otherGrid, outside org.Unit
	house                     *household.Household
	member                    org.TeamMember
}

func (e *env) manyGrids() manyGrids {
	e.t.Helper()
	old := gridFilterLimit
	gridFilterLimit = 2
	e.t.Cleanup(func() { gridFilterLimit = old })
	ctx := e.t.Context()
	var m manyGrids
	m.other, m.otherGrid = e.newCommunity("富强巷社区", "富强一网格")
	street := org.Unit{Kind: org.Street, ParentID: e.org.District.ID, Name: "乐家湾镇"}
	if err := org.CreateUnit(ctx, e.h.db, &street); err != nil {
		e.t.Fatal(err)
	}
	m.outside = org.Unit{Kind: org.Community, ParentID: street.ID, Name: "外街社区"}
	if err := org.CreateUnit(ctx, e.h.db, &m.outside); err != nil {
		e.t.Fatal(err)
	}
	var err error
	m.house, err = e.hs.CreateHousehold(ctx, household.Actor{Name: "测试"}, household.Household{GridID: m.otherGrid.ID, Address: "富强巷9号"},
		[]household.Person{{Name: "孙富强", BirthDate: date("1960-05-01"), Gender: household.Male, Relation: "householder"}})
	if err != nil {
		e.t.Fatal(err)
	}
	m.member = org.TeamMember{CommunityID: m.other.ID, GridID: m.otherGrid.ID, Name: "小富", Role: org.RoleGridWorker}
	if err := org.CreateTeamMember(ctx, e.h.db, &m.member); err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.h.auth.CreateUser(ctx, "street", "街道管理员", testPassword, auth.Grant{Role: auth.Admin, OrgUnitID: e.org.Street.ID}); err != nil {
		e.t.Fatal(err)
	}
	return m
}

// gridSelect is the grid filter's grid select on a page, "" without one.
func gridSelect(body string) string {
	return regexp.MustCompile(`(?s)<select name="grid" id="filter-grid">.*?</select>`).FindString(body)
}

// communitySelect is the community select on a page, "" without one.
func communitySelect(body string) string {
	return regexp.MustCompile(`(?s)<select name="community" id="filter-community">.*?</select>`).FindString(body)
}

// TestGridFilterCommunityFirst: a scope of more grids than a filter lists
// (a street's here, the city's at scale) gets a community select and no
// list of all its grids; ?community= narrows both the grid choices and the
// listed households; a grid of another community is dropped, a grid alone
// opens its community, and a community out of scope is ignored. A
// community's administrator's filter is as before.
func TestGridFilterCommunityFirst(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		m := e.manyGrids()
		c := e.signedIn("street")
		family, house := fmt.Sprintf(`href="/households/%d"`, e.family.ID), fmt.Sprintf(`href="/households/%d"`, m.house.ID)

		code, body := c.get("/households")
		if code != http.StatusOK {
			t.Fatalf("households: %d", code)
		}
		mustContain(t, "the communities", communitySelect(body), `<option value="" selected>全部社区<`,
			fmt.Sprintf(`<option value="%d">东兴社区<`, e.org.Community.ID), fmt.Sprintf(`<option value="%d">富强巷社区<`, m.other.ID))
		mustNotContain(t, "the out-of-scope community", body, "外街社区")
		if g := gridSelect(body); g != "" {
			t.Errorf("a grid select before a community is chosen: %s", g)
		}
		mustNotContain(t, "no grid of the street", body, "第二网格", "富强一网格")
		mustContain(t, "every household of the street", body, family, house, `id="filter-community-first"`)

		_, body = c.get(fmt.Sprintf("/households?community=%d", m.other.ID))
		g := gridSelect(body)
		mustContain(t, "the community's grids", g, fmt.Sprintf(`<option value="%d">富强一网格<`, m.otherGrid.ID))
		mustNotContain(t, "only the community's grids", g, "第一网格", "第二网格")
		mustContain(t, "the chosen community", communitySelect(body), fmt.Sprintf(`<option value="%d" selected>富强巷社区<`, m.other.ID))
		mustContain(t, "the community's household", body, house)
		mustNotContain(t, "only the community's households", body, family)

		// A grid of another community (the select kept from before) is dropped.
		_, body = c.get(fmt.Sprintf("/households?community=%d&grid=%d", m.other.ID, e.org.Grids[0].ID))
		mustContain(t, "the community's household", body, house, `<option value="" selected>全部网格<`)
		mustNotContain(t, "the other grid dropped", body, family)

		// A grid alone (a link) opens its community.
		_, body = c.get(fmt.Sprintf("/households?grid=%d", e.org.Grids[1].ID))
		mustContain(t, "the grid's community", communitySelect(body), fmt.Sprintf(`<option value="%d" selected>东兴社区<`, e.org.Community.ID))
		mustContain(t, "the grid chosen", gridSelect(body), fmt.Sprintf(`<option value="%d" selected>第二网格<`, e.org.Grids[1].ID), ">第一网格<")
		mustNotContain(t, "the grid's households", body, house)

		// "All communities" chosen with a grid still in the form: all.
		_, body = c.get(fmt.Sprintf("/households?community=&grid=%d", e.org.Grids[1].ID))
		mustContain(t, "all communities", body, family, house)

		// A community out of scope is ignored.
		_, body = c.get(fmt.Sprintf("/households?community=%d", m.outside.ID))
		mustContain(t, "out of scope: all", communitySelect(body), `<option value="" selected>全部社区<`)
		mustContain(t, "out of scope: all", body, family, house)

		// The community's administrator (two grids) keeps the grid select.
		_, body = e.signedIn("admin").get(fmt.Sprintf("/households?community=%d", m.other.ID))
		if communitySelect(body) != "" {
			t.Error("a small scope is offered communities")
		}
		mustContain(t, "a small scope's grids", gridSelect(body), `<option value="" selected>全部网格<`, ">第一网格<", ">第二网格<")
		mustContain(t, "a small scope's households", body, family)
	})
}

// TestGridFilterPages: every page with a grid filter uses it: for the
// street, a community select and none of the street's grids before a
// community is chosen (a page that shows one grid chooses the first
// community), the chosen community's grids after.
func TestGridFilterPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		m := e.manyGrids()
		c := e.signedIn("street")
		for _, p := range []struct {
			path string
			one  bool // the page shows one grid: a community is always chosen
		}{
			{"/households", false}, {"/ledger", false}, {"/requests", false}, {"/visits/due", false},
			{"/rosters/households", false}, {"/staff", false}, {"/stats/households", false}, {"/stats/population", false},
			{"/stats/ledger", false}, {"/plans", true}, {"/visits/progress", true},
		} {
			code, body := c.get(p.path)
			if code != http.StatusOK {
				t.Errorf("%s: %d", p.path, code)
				continue
			}
			if cs := communitySelect(body); cs == "" {
				t.Errorf("%s: no community select", p.path)
			} else if p.one == strings.Contains(cs, "全部社区") {
				t.Errorf("%s: the choice of all communities on a page of one grid, or none on a list: %s", p.path, cs)
			}
			if g := gridSelect(body); !p.one && g != "" || p.one && (strings.Contains(g, "富强一网格") || !strings.Contains(g, "第一网格")) {
				t.Errorf("%s: grid select before a community is chosen: %s", p.path, g)
			}
			sep := "?"
			if strings.Contains(p.path, "?") {
				sep = "&"
			}
			if code, body = c.get(fmt.Sprintf("%s%scommunity=%d", p.path, sep, m.other.ID)); code != http.StatusOK {
				t.Errorf("%s with a community: %d", p.path, code)
			}
			g := gridSelect(body)
			mustContain(t, p.path+" with a community", g, fmt.Sprintf(`<option value="%d"`, m.otherGrid.ID))
			mustNotContain(t, p.path+" with a community", g, "第一网格", "第二网格")
		}
		// A figure's list shows what was counted: the community's.
		_, body := c.get(fmt.Sprintf("/stats/households?community=%d", m.other.ID))
		mustContain(t, "a figure's link", body, fmt.Sprintf(`/rosters/key_persons?community=%d"`, m.other.ID))
	})
}

// TestCommunityFirstForms: /feedback, /rounds, /settings/places and the
// request intake form of a
// scope of many grids offer the community first: no member, grid or
// compound of the whole scope before one is chosen, the chosen
// community's after; a community's administrator's pages are unchanged.
func TestCommunityFirstForms(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		m := e.manyGrids()
		c := e.signedIn("street")

		_, body := c.get("/feedback")
		mustContain(t, "feedback: the community first", body, `id="fb-community-first"`, `name="community"`)
		mustNotContain(t, "feedback: no member list", body, `id="fb-member"`)
		_, body = c.get(fmt.Sprintf("/feedback?community=%d", m.other.ID))
		member := regexp.MustCompile(`(?s)<select id="fb-member".*?</select>`).FindString(body)
		mustContain(t, "feedback: the community's members", member, ">小富<")
		mustNotContain(t, "feedback: only the community's members", member, "小张")
		mustContain(t, "feedback: the form keeps the community", body, fmt.Sprintf(`action="/feedback?community=%d"`, m.other.ID))

		_, body = c.get("/rounds")
		mustContain(t, "rounds: the community first", body, `id="rounds-community"`, `id="start-community-first"`)
		mustNotContain(t, "rounds: no grid of the street", body, "第一网格", "富强一网格")
		_, body = c.get(fmt.Sprintf("/rounds?community=%d", m.other.ID))
		start := regexp.MustCompile(`(?s)<select id="start-grid".*?</select>`).FindString(body)
		mustContain(t, "rounds: the community's grids", start, fmt.Sprintf(`<option value="%d">富强一网格<`, m.otherGrid.ID))
		mustNotContain(t, "rounds: only the community's grids", start, "第一网格")

		_, body = c.get("/settings/places")
		mustContain(t, "places: the community first", body, `id="places-community"`, "先选社区")
		mustNotContain(t, "places: no compound of the street", body, e.org.Compound.Name)
		_, body = c.get(fmt.Sprintf("/settings/places?community=%d", e.org.Community.ID))
		mustContain(t, "places: the community's compounds", body, e.org.Compound.Name)
		_, body = c.get(fmt.Sprintf("/settings/places?community=%d", m.other.ID))
		mustNotContain(t, "places: only the community's compounds", body, e.org.Compound.Name)

		// The intake form: the community first, then its grids (the
		// button without JavaScript, or the select's reload with it).
		_, body = c.get("/requests/new")
		mustContain(t, "intake: the community first", body, `id="i-community"`, `data-reload="community"`, `id="i-reload"`)
		mustNotContain(t, "intake: no grid of the street", body, `id="i-grid"`)
		for _, button := range []string{"find", "reload"} {
			code, body := c.post("/requests", url.Values{button: {"community"}, "community": {itoa(m.other.ID)}, "description": {"路灯坏了"}})
			if code != http.StatusOK {
				t.Fatalf("intake, %s: %d", button, code)
			}
			grid := regexp.MustCompile(`(?s)<select id="i-grid".*?</select>`).FindString(body)
			mustContain(t, "intake: the community's grids", grid, fmt.Sprintf(`<option value="%d">富强一网格<`, m.otherGrid.ID))
			mustNotContain(t, "intake: only the community's grids", grid, "第一网格")
			mustContain(t, "intake: the form kept", body, "路灯坏了</textarea>")
		}

		admin := e.signedIn("admin")
		_, body = admin.get("/requests/new")
		mustContain(t, "intake: a small scope's grids", body, `id="i-grid"`, ">第一网格<", ">第二网格<")
		mustNotContain(t, "intake: a small scope", body, `id="i-community"`)
		for _, p := range []string{"/feedback", "/rounds", "/settings/places"} {
			_, body = admin.get(p)
			mustNotContain(t, p+": a small scope", body, `name="community"`, "先选社区")
		}
		_, body = admin.get("/rounds")
		mustContain(t, "rounds: a small scope's grids", body, ">第一网格<", ">第二网格<")
		_, body = admin.get("/settings/places")
		mustContain(t, "places: a small scope's compounds", body, e.org.Compound.Name)
	})
}

// TestRosterIndexCommunityFirst: the roster index of a scope of many
// grids offers the community first and counts nothing before one is
// chosen (not "over 2000" at a city's scale); a chosen community's
// rosters are counted in full and open on that community; a community
// out of scope counts nothing; a community's administrator's index
// counts as before, with no community select.
func TestRosterIndexCommunityFirst(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		m := e.manyGrids()
		c := e.signedIn("street")

		_, body := c.get("/rosters")
		mustContain(t, "the community first", body, `id="rosters-community"`, `id="rosters-community-first"`, `<option value="" selected>全部社区<`,
			`href="/rosters/living_alone_elderly" data-roster="living_alone_elderly"`, `href="/rosters/people"`)
		mustNotContain(t, "nothing counted", body, `data-count=`, "外街社区")

		_, body = c.get(fmt.Sprintf("/rosters?community=%d", e.org.Community.ID))
		in := fmt.Sprintf("?community=%d", e.org.Community.ID)
		mustContain(t, "the community's rosters", body, fmt.Sprintf(`<option value="%d" selected>东兴社区<`, e.org.Community.ID),
			`data-count="fire_safety">共 1 条`, `data-count="living_alone_elderly">共 1 条`,
			`href="/rosters/living_alone_elderly`+in+`"`, `href="/rosters/people`+in+`"`)
		mustNotContain(t, "counted", body, `id="rosters-community-first"`)
		_, body = c.get(fmt.Sprintf("/rosters?community=%d", m.other.ID))
		mustContain(t, "the other community's rosters", body, `data-count="living_alone_elderly">共 0 条`)

		_, body = c.get(fmt.Sprintf("/rosters?community=%d", m.outside.ID))
		mustContain(t, "out of scope: nothing counted", body, `id="rosters-community-first"`)
		mustNotContain(t, "out of scope: nothing counted", body, `data-count=`)

		_, body = e.signedIn("admin").get(fmt.Sprintf("/rosters?community=%d", m.other.ID))
		mustContain(t, "a small scope's index", body, `data-count="fire_safety">共 1 条`, `href="/rosters/people"`)
		mustNotContain(t, "a small scope's index", body, `id="rosters-community"`, `id="rosters-community-first"`)
	})
}
