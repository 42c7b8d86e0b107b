package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"wanhu/internal/audit"
	"wanhu/internal/auth"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

func TestUserPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		grid2 := strconv.FormatInt(e.org.Grids[1].ID, 10)
		// An account beyond the community admin's reach.
		if _, err := e.h.auth.CreateUser(ctx, "cityadmin", "", testPassword, auth.Grant{Role: auth.Admin, OrgUnitID: e.org.City.ID}); err != nil {
			t.Fatal(err)
		}

		// Not an admin: the pages do not exist.
		worker := e.signedIn("worker")
		for _, p := range []string{"/users", "/users/worker", "/users/admin"} {
			if code, _ := worker.get(p); code != http.StatusNotFound {
				t.Errorf("worker GET %s: %d, want 404", p, code)
			}
		}
		if code, _ := worker.post("/users/worker/grant", url.Values{"role": {"admin"}, "org": {grid2}}); code != http.StatusNotFound {
			t.Errorf("worker granting itself admin: %d, want 404", code)
		}

		admin := e.signedIn("admin")
		code, body := admin.get("/users")
		if code != http.StatusOK {
			t.Fatalf("GET /users: %d", code)
		}
		mustContain(t, "user list", body, `data-username="worker"`, `data-username="admin"`, "第一网格", `name="csrf"`, `id="nav-settings"`)
		if strings.Contains(body, "cityadmin") {
			t.Error("the community admin sees an account of the city")
		}
		if code, _ := admin.get("/users/cityadmin"); code != http.StatusNotFound {
			t.Errorf("GET /users/cityadmin: %d, want 404", code)
		}
		if code, _ := admin.post("/users/cityadmin/disable", url.Values{}); code != http.StatusNotFound {
			t.Errorf("disabling an account out of reach: %d, want 404", code)
		}

		// Add a user: the password rules apply, the org unit must be within reach.
		add := url.Values{"username": {"leader2"}, "display_name": {"网格长老马"}, "password": {"short"}, "role": {"grid_leader"}, "org": {grid2}}
		if code, body := admin.post("/users", add); code != http.StatusBadRequest || !strings.Contains(body, `id="users-error"`) || strings.Contains(body, `value="short"`) {
			t.Errorf("short password: %d", code)
		}
		add.Set("password", "dongxing-leader-2")
		add.Set("org", strconv.FormatInt(e.org.City.ID, 10))
		if code, _ := admin.post("/users", add); code != http.StatusBadRequest {
			t.Errorf("user added on the city by a community admin: %d", code)
		}
		add.Set("org", grid2)
		code, body = admin.post("/users", add)
		if code != http.StatusOK {
			t.Fatalf("add user: %d %s", code, body)
		}
		mustContain(t, "new user page", body, `id="users-notice"`, "网格长老马", "第二网格", `id="user-grant-form"`)

		// Grant and revoke.
		if code, _ := admin.post("/users/leader2/grant", url.Values{"role": {"visitor"}, "org": {strconv.FormatInt(e.org.Grids[0].ID, 10)}}); code != http.StatusOK {
			t.Errorf("grant: %d", code)
		}
		if code, _ := admin.post("/users/leader2/grant", url.Values{"role": {"admin"}, "org": {strconv.FormatInt(e.org.City.ID, 10)}}); code != http.StatusBadRequest {
			t.Errorf("grant on the city: %d, want 400", code)
		}
		if u, _ := e.h.auth.UserByUsername(ctx, "leader2"); len(u.Grants) != 2 {
			t.Errorf("grants after grant: %+v", u.Grants)
		}
		if code, _ := admin.post("/users/leader2/revoke", url.Values{"role": {"visitor"}, "org": {strconv.FormatInt(e.org.Grids[0].ID, 10)}}); code != http.StatusOK {
			t.Errorf("revoke: %d", code)
		}
		if u, _ := e.h.auth.UserByUsername(ctx, "leader2"); len(u.Grants) != 1 || u.Grants[0].Role != auth.GridLeader {
			t.Errorf("grants after revoke: %+v", u.Grants)
		}

		// Without the CSRF token nothing changes.
		if res, _ := admin.postRaw("/users/leader2/disable", url.Values{}); res.StatusCode != http.StatusForbidden {
			t.Errorf("disable without CSRF: %d", res.StatusCode)
		}
		// Disable ends sessions; enable; reset the password.
		leader := e.client()
		_, lb := leader.get("/login")
		leader.postRaw("/login", url.Values{"csrf": {csrfOf(lb)}, "username": {"leader2"}, "password": {"dongxing-leader-2"}})
		if code, _ := leader.get("/households"); code != http.StatusOK {
			t.Fatalf("leader2 signed in: %d", code)
		}
		if code, body := admin.post("/users/leader2/disable", url.Values{}); code != http.StatusOK || !strings.Contains(body, `id="user-enable"`) {
			t.Errorf("disable: %d", code)
		}
		if _, body := leader.get("/households"); !strings.Contains(body, `id="login-form"`) {
			t.Error("a disabled user's session survived")
		}
		admin.post("/users/leader2/enable", url.Values{})
		if code, _ := admin.post("/users/leader2/password", url.Values{"password": {"1234567890"}}); code != http.StatusBadRequest {
			t.Errorf("common password accepted: %d", code)
		}
		if code, _ := admin.post("/users/leader2/password", url.Values{"password": {"a-fresh-password"}}); code != http.StatusOK {
			t.Errorf("reset password: %d", code)
		}
		if code, _ := admin.post("/users/admin/disable", url.Values{}); code != http.StatusBadRequest {
			t.Errorf("admin disabled itself: %d", code)
		}

		if code, body := admin.post("/users/admin/password", url.Values{"password": {"a-fresh-password"}}); code != http.StatusBadRequest || !strings.Contains(body, "设置 → 修改密码") {
			t.Errorf("admin resetting their own password without the current one: %d", code)
		}

		// Five wrong passwords lock the worker; the form says for how long.
		c := e.client()
		for range 5 {
			_, lb := c.get("/login")
			c.postRaw("/login", url.Values{"csrf": {csrfOf(lb)}, "username": {"worker"}, "password": {"wrong-password"}})
		}
		_, lb = c.get("/login")
		res, body2 := c.postRaw("/login", url.Values{"csrf": {csrfOf(lb)}, "username": {"worker"}, "password": {testPassword}})
		if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" || !strings.Contains(body2, "这个账号登录失败次数过多，请 15 分钟后") {
			t.Errorf("locked login: %d %q, want 429 with the lock message", res.StatusCode, res.Header.Get("Retry-After"))
		}
		_, body = admin.get("/users/worker")
		mustContain(t, "locked account page", body, `id="user-locked"`, `id="user-unlock"`)
		if code, _ := admin.post("/users/worker/unlock", url.Values{}); code != http.StatusOK {
			t.Errorf("unlock: %d", code)
		}
		// The address (all test clients share 127.0.0.1) is not locked by
		// those five: the right password gets in at once.
		_, lb = c.get("/login")
		if res, _ := c.postRaw("/login", url.Values{"csrf": {csrfOf(lb)}, "username": {"worker"}, "password": {testPassword}}); res.StatusCode != http.StatusSeeOther {
			t.Errorf("login after five failures at the address: %d", res.StatusCode)
		}
		// A sixth failure at the address makes it wait; the admin ends the wait.
		_, lb = c.get("/login")
		if res, _ := c.postRaw("/login", url.Values{"csrf": {csrfOf(lb)}, "username": {"nobody"}, "password": {"wrong-password"}}); res.StatusCode != http.StatusTooManyRequests {
			t.Errorf("sixth failure at the address: %d, want 429", res.StatusCode)
		}
		_, body = admin.get("/users")
		mustContain(t, "waiting addresses", body, `id="locked-addrs"`, `value="127.0.0.1"`)
		if code, _ := admin.post("/login-locks", url.Values{"addr": {"127.0.0.1"}}); code != http.StatusOK {
			t.Errorf("unlock address: %d", code)
		}
		fresh := e.client() // no known-device cookie
		_, lb = fresh.get("/login")
		if res, _ := fresh.postRaw("/login", url.Values{"csrf": {csrfOf(lb)}, "username": {"worker"}, "password": {testPassword}}); res.StatusCode != http.StatusSeeOther {
			t.Errorf("login after the address was unlocked: %d", res.StatusCode)
		}

		// The changes are in the audit log, without any password.
		recs, _, err := e.h.audit.Search(ctx, audit.Filter{Object: "user:leader2"})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, r := range recs {
			actions = append(actions, r.Action)
			if strings.Contains(r.Detail, "dongxing") || strings.Contains(r.Detail, "fresh") {
				t.Errorf("a password in the audit log: %+v", r)
			}
		}
		got := strings.Join(actions, " ")
		for _, a := range []string{"user.add", "grant", "revoke", "user.disable", "user.enable", "user.password"} {
			if !strings.Contains(got, a) {
				t.Errorf("audit log lacks %s: %s", a, got)
			}
		}
	})
}
