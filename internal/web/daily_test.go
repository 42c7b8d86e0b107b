package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"wanhu/internal/auth"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
)

// dailyUsers adds to the fixture an officer of the district's culture
// bureau, an auditor of the community and a grid leader of grid 1.
func dailyUsers(t *testing.T, e *env) {
	t.Helper()
	ctx := context.Background()
	dept, err := testworld.Department(ctx, e.h.db, e.org)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct {
		name string
		g    auth.Grant
	}{
		{"officer", auth.Grant{Role: auth.Officer, OrgUnitID: dept.ID}},
		{"auditor", auth.Grant{Role: auth.Auditor, OrgUnitID: e.org.Community.ID}},
		{"leader", auth.Grant{Role: auth.GridLeader, OrgUnitID: e.org.Grids[0].ID}},
	} {
		if _, err := e.h.auth.CreateUser(ctx, u.name, u.name, testPassword, u.g); err != nil {
			t.Fatal(err)
		}
	}
}

// signIn posts the login form as username with next (none when ""), and
// returns the answer's status and Location.
func signIn(t *testing.T, c *client, username, next string) (int, string) {
	t.Helper()
	_, body := c.get("/login")
	v := url.Values{"csrf": {csrfOf(body)}, "username": {username}, "password": {testPassword}}
	if next != "" {
		v.Set("next", next)
	}
	res, _ := c.postRaw("/login", v)
	return res.StatusCode, res.Header.Get("Location")
}

// TestLoginLandsOnOwnWork is the contract scripts rely on: signing in
// through the form at /login answers 303 to the account's own work, the
// same place as the start page; an explicit local next wins, an outside
// one does not.
func TestLoginLandsOnOwnWork(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		dailyUsers(t, e)
		_, form := e.client().get("/login")
		if strings.Contains(form, `value="/households"`) {
			t.Errorf("the login form's next forces /households")
		}
		for _, c := range []struct{ user, want string }{
			{"worker", "/today"},
			{"officer", "/requests"},
			{"auditor", "/audit"},
			{"leader", "/households"},
			{"admin", "/households"},
		} {
			cl := e.client()
			status, loc := signIn(t, cl, c.user, "")
			if status != http.StatusSeeOther || loc != c.want {
				t.Errorf("%s signs in: %d → %q, want 303 → %s", c.user, status, loc, c.want)
			}
			req, _ := http.NewRequest("GET", e.srv.URL+"/", nil)
			if res, _ := cl.do(req); res.Header.Get("Location") != c.want {
				t.Errorf("%s opens /: → %q, want %s", c.user, res.Header.Get("Location"), c.want)
			}
			if code, _ := cl.get(c.want); code != http.StatusOK {
				t.Errorf("%s on their landing %s: %d", c.user, c.want, code)
			}
		}
		for _, c := range []struct{ next, want string }{
			{"/visits/due", "/visits/due"},
			{"/", "/today"},
			{"//evil.example/x", "/today"},
			{"https://evil.example/", "/today"},
		} {
			if status, loc := signIn(t, e.client(), "worker", c.next); status != http.StatusSeeOther || loc != c.want {
				t.Errorf("worker signs in with next %q: %d → %q, want 303 → %s", c.next, status, loc, c.want)
			}
		}
		// Sent to sign in from a page, the user comes back to it.
		cl := e.client()
		req, _ := http.NewRequest("GET", e.srv.URL+"/visits/due?page=1", nil)
		res, _ := cl.do(req)
		_, body := cl.get(res.Header.Get("Location"))
		if !strings.Contains(body, `name="next" value="/visits/due?page=1"`) {
			t.Errorf("the login form lost where the user was going")
		}
	})
}

// TestRolesSeeOnlyTheirActions: the household list offers 新建户档 only to
// who may create a household, an officer or auditor does not get the list
// at all, and a refusal says plainly that the account may not, while a
// form from an old page says the page has expired.
func TestRolesSeeOnlyTheirActions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		dailyUsers(t, e)
		if _, body := e.signedIn("admin").get("/households"); !strings.Contains(body, `id="new-household"`) {
			t.Errorf("the admin's list has no 新建户档")
		}
		worker := e.signedIn("worker")
		if code, body := worker.get("/households"); code != http.StatusOK || strings.Contains(body, `id="new-household"`) {
			t.Errorf("the visitor's list: %d, offers 新建户档: %v", code, strings.Contains(body, `id="new-household"`))
		}
		code, body := worker.get("/households/new")
		if code != http.StatusForbidden || !strings.Contains(body, "此账号无权进行此操作") || strings.Contains(body, "过期") {
			t.Errorf("the visitor opening 新建户档: %d\n%s", code, body)
		}
		for _, u := range []string{"officer", "auditor"} {
			code, body := e.signedIn(u).get("/households")
			if code != http.StatusForbidden || !strings.Contains(body, "此账号无权进行此操作") || strings.Contains(body, `id="new-household"`) {
				t.Errorf("%s opening the household list: %d\n%.300s", u, code, body)
			}
		}
		code, body = worker.post("/households/"+itoa(e.widow.ID)+"/needs", url.Values{"csrf": {"stale"}, "kind": {"medical"}})
		if code != http.StatusForbidden || !strings.Contains(body, "页面已过期") {
			t.Errorf("a form with a stale token: %d\n%.300s", code, body)
		}
	})
}

// TestUnknownAddresses: a page that does not exist answers a Chinese 404
// page in the app's layout (with the menu when signed in), a page asked
// with a method it does not take 405. (Under /api/ the API answers in
// JSON: internal/app's TestUnknownAddresses.)
func TestUnknownAddresses(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		for _, c := range []*client{e.client(), e.signedIn("admin")} {
			code, body := c.get("/no/such/page")
			if code != http.StatusNotFound {
				t.Errorf("GET /no/such/page: %d", code)
			}
			mustContain(t, "the 404 page", body, "找不到该页面", `lang="zh-CN"`, "/static/app.", `href="/"`)
			if strings.Contains(body, "404 page not found") {
				t.Errorf("the 404 page is Go's plain text")
			}
			if signedIn := c.csrf != ""; signedIn != strings.Contains(body, `id="logout"`) {
				t.Errorf("signed in %v, the 404 page shows the menu %v", signedIn, !signedIn)
			}
		}
		en := e.client()
		en.get("/lang?to=en&back=/login")
		if code, body := en.get("/nope"); code != http.StatusNotFound || !strings.Contains(body, "Page not found") {
			t.Errorf("the English 404: %d\n%.300s", code, body)
		}
		req, _ := http.NewRequest("DELETE", e.srv.URL+"/households", nil)
		res, body := e.client().do(req)
		if res.StatusCode != http.StatusMethodNotAllowed || res.Header.Get("Allow") != "GET, POST" || !strings.Contains(body, "不接受") {
			t.Errorf("DELETE /households: %d, Allow %q\n%.300s", res.StatusCode, res.Header.Get("Allow"), body)
		}
	})
}
