package api

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"wanhu/internal/audit"
	"wanhu/internal/auth"
	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
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

// TestAuditScopeOfRequests: a department's officer progresses and resolves
// a community's request; the community's auditor reads those entries, the
// same in the list, the CSV export and the unscoped log the CLI exports,
// and the auditor of another community reads none of them.
func TestAuditScopeOfRequests(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		withAuditor(t, fx)
		ctx := context.Background()
		dept, err := testworld.Department(ctx, db, fx.org)
		if err != nil {
			t.Fatal(err)
		}
		west := org.Unit{Kind: org.Community, ParentID: fx.org.Street.ID, Name: "西门社区"}
		if err := org.CreateUnit(ctx, db, &west); err != nil {
			t.Fatal(err)
		}
		for name, g := range map[string]auth.Grant{"dept1": {Role: auth.Officer, OrgUnitID: dept.ID}, "auditor2": {Role: auth.Auditor, OrgUnitID: west.ID}} {
			if _, err := fx.d.Auth.CreateUser(ctx, name, name, "dongxing-"+name+"-2025", g); err != nil {
				t.Fatal(err)
			}
			tok, _, err := fx.d.Auth.Login(ctx, name, "dongxing-"+name+"-2025", auth.API)
			if err != nil {
				t.Fatal(err)
			}
			fx.tokens[name] = tok
		}
		_, body := fx.do(t, "admin", "POST", "/requests", `{"category":"ev_charging","description":"充电桩不够","channel":"talk_room","household_id":{green}}`, nil)
		id := decodeAs[struct {
			ID int64 `json:"id"`
		}](t, body).ID
		steps := []struct{ user, path, body string }{
			{"clerk", "accept", fmt.Sprintf(`{"urgency":"general","handling":"referred","department_id":%d,"working_days":5}`, dept.ID)},
			{"dept1", "progress", `{"note":"已联系供电公司"}`},
			{"dept1", "resolve", `{"note":"新增充电桩10个"}`},
		}
		for _, s := range steps {
			if res, b := fx.do(t, s.user, "POST", fmt.Sprintf("/requests/%d/%s", id, s.path), s.body, nil); res.StatusCode != 200 {
				t.Fatalf("%s %s: %d %s", s.user, s.path, res.StatusCode, b)
			}
		}
		object := fmt.Sprintf("request:%d", id)
		var all []string
		for _, r := range entries(t, fx, audit.Filter{Object: object}) {
			all = append(all, fmt.Sprintf("%d %s %s", r.ID, r.Username, r.Action))
		}
		if len(all) != 4 || !strings.Contains(all[0], "dept1 request.resolve") || !strings.Contains(all[1], "dept1 request.progress") ||
			!strings.Contains(all[2], "clerk request.refer") || !strings.Contains(all[3], "admin request.submit") {
			t.Fatalf("the request's entries: %q", all)
		}
		read := func(user string) (list, csvRows []string) {
			t.Helper()
			res, b := fx.do(t, user, "GET", "/audit?object="+object, "", nil)
			if res.StatusCode != 200 {
				t.Fatalf("%s reads: %d", user, res.StatusCode)
			}
			for _, r := range decodeAs[struct{ Items []audit.Record }](t, b).Items {
				list = append(list, fmt.Sprintf("%d %s %s", r.ID, r.Username, r.Action))
			}
			res, b = fx.do(t, user, "GET", "/audit.csv?object="+object, "", nil)
			rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(b), "\ufeff"))).ReadAll()
			if res.StatusCode != 200 || err != nil || len(rows) == 0 {
				t.Fatalf("%s exports: %d %v", user, res.StatusCode, err)
			}
			for _, r := range rows[1:] {
				csvRows = append([]string{r[0] + " " + r[3] + " " + r[6]}, csvRows...)
			}
			return list, csvRows
		}
		list, exp := read("auditor")
		if fmt.Sprint(list) != fmt.Sprint(all) || fmt.Sprint(exp) != fmt.Sprint(all) {
			t.Errorf("the community's auditor reads %q and exports %q; the log holds %q", list, exp, all)
		}
		if list, exp := read("auditor2"); len(list) != 0 || len(exp) != 0 {
			t.Errorf("another community's auditor reads %q and exports %q", list, exp)
		}
	})
}
