package web

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"wanhu/internal/auth"
	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/household/householdtest"
	"wanhu/internal/org"
	"wanhu/internal/server"
	"wanhu/internal/store"
	"wanhu/internal/testworld"
)

// testNow is a fixed instant: 2026-06-01 10:00 in Xining.
var testNow = time.Date(2026, 6, 1, 2, 0, 0, 0, time.UTC)

const testPassword = "dongxing-2025"

func date(s string) calendar.Date {
	d, err := calendar.ParseDate("", s)
	if err != nil {
		panic(err)
	}
	return d
}

// env is a running web app on a small fixture: the org tree, three
// households and two users: "admin" administers the community, "worker" is
// a visitor assigned to the widow.
type env struct {
	t      *testing.T
	srv    *httptest.Server
	h      *handler
	hs     *household.Store
	org    *testworld.Org
	widow  *household.Household // red: an elderly woman living alone
	family *household.Household // green until the father loses his job
	shop   *household.Household // a street shop outside any compound
}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	ctx := context.Background()
	f, err := testworld.NewOrg(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	d := server.NewDeps(db, nil)
	d.Households.SetClock(func() time.Time { return testNow })
	e := &env{t: t, hs: d.Households, org: f}
	a := household.Actor{Name: "测试"}
	widow, people := householdtest.Widow(f)
	if e.widow, err = e.hs.CreateHousehold(ctx, a, widow, people); err != nil {
		t.Fatal(err)
	}
	// The web's family speaks Tibetan at home and has a boy of school age.
	family, people := householdtest.Family(f)
	family.Language = "bo"
	people = append(people, household.Person{Name: "李小明", BirthDate: date("2018-09-09"), Gender: household.Male, Relation: "child"})
	if e.family, err = e.hs.CreateHousehold(ctx, a, family, people); err != nil {
		t.Fatal(err)
	}
	e.shop, err = e.hs.CreateHousehold(ctx, a, household.Household{GridID: f.Grids[1].ID, Address: "八一路 12号", Kind: household.Commercial,
		ShopName: "兴旺超市", BusinessType: "零售"},
		[]household.Person{{Name: "马福海", IDNumber: householdtest.IDNumber("1975-05-05", 31), Relation: "householder", Ethnicity: "回族", Employment: "employed"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Auth.CreateUser(ctx, "admin", "管理员", testPassword, auth.Grant{Role: auth.Admin, OrgUnitID: f.Community.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Auth.CreateUser(ctx, "worker", "网格员小张", testPassword, auth.Grant{Role: auth.Visitor, OrgUnitID: f.Grids[0].ID}); err != nil {
		t.Fatal(err)
	}
	// The fixture's administrators and grid leaders sign in with the
	// password alone; two-step sign-in has tests of its own.
	if err := d.Auth.SetTOTPRoles(ctx, nil); err != nil {
		t.Fatal(err)
	}
	// The worker visits the widow, and only her.
	m := org.TeamMember{CommunityID: f.Community.ID, GridID: f.Grids[0].ID, Name: "小张", Role: org.RoleGridWorker}
	if err := org.CreateTeamMember(ctx, db, &m); err != nil {
		t.Fatal(err)
	}
	if err := d.Auth.LinkTeamMember(ctx, "worker", m.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.hs.Assign(ctx, m.ID, e.widow.ID); err != nil {
		t.Fatal(err)
	}
	e.h = newHandler(d)
	mux := http.NewServeMux()
	e.h.register(mux)
	e.srv = httptest.NewServer(server.Secure(mux))
	t.Cleanup(e.srv.Close)
	return e
}

// client is a browser: a cookie jar, the last page's CSRF token.
type client struct {
	e    *env
	http *http.Client
	csrf string
}

func (e *env) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{e: e, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// newCommunity adds a community of the fixture's street, with one grid.
func (e *env) newCommunity(name, grid string) (org.Unit, org.Unit) {
	e.t.Helper()
	c := org.Unit{Kind: org.Community, ParentID: e.org.Street.ID, Name: name}
	if err := org.CreateUnit(e.t.Context(), e.h.db, &c); err != nil {
		e.t.Fatal(err)
	}
	g := org.Unit{Kind: org.GridKind, ParentID: c.ID, Name: grid, Number: 1}
	if err := org.CreateUnit(e.t.Context(), e.h.db, &g); err != nil {
		e.t.Fatal(err)
	}
	return c, g
}

// signedIn returns a client signed in as username.
func (e *env) signedIn(username string) *client {
	c := e.client()
	_, body := c.get("/login")
	res, _ := c.postRaw("/login", url.Values{"csrf": {csrfOf(body)}, "username": {username}, "password": {testPassword}, "next": {"/households"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/households" {
		e.t.Fatalf("login as %s: %d %s", username, res.StatusCode, res.Header.Get("Location"))
	}
	_, body = c.get("/households")
	c.csrf = csrfOf(body)
	return c
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func csrfOf(body string) string {
	if m := csrfField.FindStringSubmatch(body); m != nil {
		return m[1]
	}
	return ""
}

func (c *client) do(req *http.Request) (*http.Response, string) {
	c.e.t.Helper()
	res, err := c.http.Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// get fetches path, following redirects.
func (c *client) get(path string) (int, string) {
	c.e.t.Helper()
	for range 5 {
		req, _ := http.NewRequest("GET", c.e.srv.URL+path, nil)
		res, body := c.do(req)
		if loc := res.Header.Get("Location"); loc != "" && res.StatusCode/100 == 3 {
			path = loc
			continue
		}
		return res.StatusCode, body
	}
	c.e.t.Fatalf("too many redirects at %s", path)
	return 0, ""
}

func (c *client) postRaw(path string, v url.Values) (*http.Response, string) {
	c.e.t.Helper()
	req, _ := http.NewRequest("POST", c.e.srv.URL+path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// post submits a form with the session's CSRF token and follows a 303.
func (c *client) post(path string, v url.Values) (int, string) {
	c.e.t.Helper()
	if v.Get("csrf") == "" {
		v.Set("csrf", c.csrf)
	}
	res, body := c.postRaw(path, v)
	if res.StatusCode == http.StatusSeeOther {
		return c.get(res.Header.Get("Location"))
	}
	return res.StatusCode, body
}

// mustContain fails unless body has every fragment.
func mustContain(t *testing.T, what, body string, frags ...string) {
	t.Helper()
	for _, f := range frags {
		if !strings.Contains(body, f) {
			t.Errorf("%s: missing %q", what, f)
		}
	}
}

func mustNotContain(t *testing.T, what, body string, frags ...string) {
	t.Helper()
	for _, f := range frags {
		if strings.Contains(body, f) {
			t.Errorf("%s: should not contain %q", what, f)
		}
	}
}
