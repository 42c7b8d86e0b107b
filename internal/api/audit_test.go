package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"wanhu/internal/audit"
	"wanhu/internal/auth"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// withAuditor makes sure fx has "auditor" (auth.Auditor of the community).
func withAuditor(t *testing.T, fx *fixture) {
	t.Helper()
	if fx.tokens["auditor"] != "" {
		return
	}
	ctx := context.Background()
	if _, err := fx.d.Auth.CreateUser(ctx, "auditor", "纪检", "dongxing-auditor-2025", auth.Grant{Role: auth.Auditor, OrgUnitID: fx.org.Community.ID}); err != nil {
		t.Fatal(err)
	}
	tok, _, err := fx.d.Auth.Login(ctx, "auditor", "dongxing-auditor-2025", auth.API)
	if err != nil {
		t.Fatal(err)
	}
	fx.tokens["auditor"] = tok
}

func entries(t *testing.T, fx *fixture, f audit.Filter) []audit.Record {
	t.Helper()
	recs, _, err := fx.d.Audit.Search(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestAuditAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		withAuditor(t, fx)

		// Logins through the API, failed and successful.
		res, _ := fx.do(t, "", "POST", "/auth/login", `{"username":"clerk","password":"not-the-password-1"}`, nil)
		if res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("bad login: %d", res.StatusCode)
		}
		if res, _ := fx.do(t, "", "POST", "/auth/login", `{"username":"clerk","password":"dongxing-clerk-2025"}`, nil); res.StatusCode != 200 {
			t.Fatalf("login: %d", res.StatusCode)
		}
		fails := entries(t, fx, audit.Filter{Action: "login.failure"})
		if len(fails) != 1 || fails[0].Username != "clerk" || fails[0].Result != audit.Denied || fails[0].IP == "" {
			t.Fatalf("login failure entries: %+v", fails)
		}
		if strings.Contains(fmt.Sprint(fails), "not-the-password") {
			t.Error("the password tried is in the audit log")
		}
		if res, _ := fx.do(t, "", "POST", "/auth/login", `{"username":"admin","password":"dongxing-admin-2025"}`, nil); res.StatusCode != 200 {
			t.Fatalf("admin login: %d", res.StatusCode)
		}
		ok := entries(t, fx, audit.Filter{Action: "login.success", User: "clerk"})
		if len(ok) != 1 || ok[0].UserID == 0 || ok[0].Role == "" {
			t.Fatalf("login success entries: %+v", ok)
		}

		// Writes: one that succeeds, one the policy refuses, and a GET that is not a write.
		path := fmt.Sprintf("/households/%d", fx.green.ID)
		if res, b := fx.do(t, "admin", "PATCH", path, fmt.Sprintf(`{"version":%d,"notes":"门口有台阶"}`, fx.green.Version), nil); res.StatusCode != 200 {
			t.Fatalf("admin patch: %d %s", res.StatusCode, b)
		}
		res, _ = fx.do(t, "clerk", "PATCH", path, fmt.Sprintf(`{"version":%d,"notes":"x"}`, fx.green.Version+1), nil)
		fx.do(t, "admin", "GET", path, "", nil)
		// The household store names the change: household.update, not a
		// generic write; the route stays in the detail.
		writes := entries(t, fx, audit.Filter{Action: "household.update", Object: fmt.Sprintf("household:%d", fx.green.ID)})
		if len(writes) != 2 {
			t.Fatalf("household.update entries: %+v", writes)
		}
		if w := writes[1]; w.Username != "admin" || w.Result != audit.OK || w.Detail != "PATCH /api/v1/households/{id}" {
			t.Errorf("admin's write: %+v", w)
		}
		if w := writes[0]; w.Username != "clerk" || w.Result != audit.ResultOf(res.StatusCode) {
			t.Errorf("clerk's write (answered %d): %+v", res.StatusCode, w)
		}

		fx.run(t, []scenario{
			{name: "admin reads the log", method: "GET", path: "/audit?action=household", user: "admin", status: 200,
				want: []string{`"action":"household.update"`, `"username":"admin"`, `"hash":"`}},
			{name: "auditor reads the log of the community", method: "GET", path: "/audit?user=clerk", user: "auditor", status: 200,
				want: []string{`"username":"clerk"`}, check: wantTotal(3)},
			{name: "auditor sees what a user outside the community did to its household, and nothing else of theirs", method: "GET",
				path: "/audit?user=admin", user: "auditor", status: 200, want: []string{`"action":"household.update"`}, check: wantTotal(1)},
			{name: "auditor does not see the logins of users outside the community", method: "GET", path: "/audit?user=admin&action=login",
				user: "auditor", status: 200, check: wantTotal(0)},
			{name: "admin sees their own login", method: "GET", path: "/audit?user=admin&action=login", user: "admin", status: 200,
				want: []string{`"action":"login.success"`}, check: wantTotal(1)},
			{name: "a visitor gets 404", method: "GET", path: "/audit", user: "clerk", status: 404},
			{name: "a visitor gets 404 for the export", method: "GET", path: "/audit.csv", user: "clerk", status: 404},
			{name: "no token", method: "GET", path: "/audit", user: "", status: 401},
			{name: "bad date", method: "GET", path: "/audit?from=yesterday", user: "admin", status: 400, check: wantError("date_format", "from")},
			{name: "auditor exports", method: "GET", path: "/audit.csv?action=login", user: "auditor", status: 200,
				want: []string{"\ufeff编号,时间,", "login.failure"}, reject: []string{"not-the-password"}},
		})
		exp := entries(t, fx, audit.Filter{Action: "export.csv", User: "auditor"})
		if len(exp) != 1 || exp[0].Object != "audit_log" || !strings.Contains(exp[0].Detail, "action=login") {
			t.Errorf("the export is not audited: %+v", exp)
		}
		if _, bad, err := fx.d.Audit.Verify(context.Background()); err != nil || bad != 0 {
			t.Errorf("verify: first bad #%d, %v", bad, err)
		}
	})
}
