package web

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"wanhu/internal/audit"
	"wanhu/internal/auth"
	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
)

func TestAuditPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		if _, err := e.h.auth.CreateUser(ctx, "auditor1", "纪检员", testPassword, auth.Grant{Role: auth.Auditor, OrgUnitID: e.org.Community.ID}); err != nil {
			t.Fatal(err)
		}
		search := func(f audit.Filter) []audit.Record {
			t.Helper()
			recs, _, err := e.h.audit.Search(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			return recs
		}

		// A failed login names the username tried, never the password.
		c := e.client()
		_, body := c.get("/login")
		res, _ := c.postRaw("/login", url.Values{"csrf": {csrfOf(body)}, "username": {"worker"}, "password": {"wrong-password-99"}})
		if res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("bad login: %d", res.StatusCode)
		}
		if f := search(audit.Filter{Action: "login.failure"}); len(f) != 1 || f[0].Username != "worker" || f[0].Result != audit.Denied ||
			strings.Contains(fmt.Sprint(f), "wrong-password") {
			t.Fatalf("login failure entries: %+v", f)
		}

		admin := e.signedIn("admin")
		if s := search(audit.Filter{Action: "login.success", User: "admin"}); len(s) != 1 || s[0].Role != "admin" || s[0].IP == "" {
			t.Fatalf("login success entries: %+v", s)
		}

		// A write through a form, named by the household store.
		path := fmt.Sprintf("/households/%d/needs", e.family.ID)
		admin.post(path, url.Values{"kind": {"other"}, "description": {"修楼道灯"}})
		w := search(audit.Filter{Action: "need", Object: fmt.Sprintf("household:%d", e.family.ID)})
		if len(w) != 1 || w[0].Username != "admin" || w[0].Action != "need.add" || w[0].Detail != "other; POST /households/{id}/needs" {
			t.Fatalf("need entries: %+v", w)
		}

		// The pages: auditors and admins see them, anyone else gets 404.
		auditor := e.signedIn("auditor1")
		status, body := auditor.get("/audit?action=login")
		if status != http.StatusOK {
			t.Fatalf("auditor: %d", status)
		}
		mustContain(t, "audit page", body, `id="audit-log"`, "login.failure", "worker", `href="/audit.csv?action=login"`)
		mustNotContain(t, "audit page", body, "wrong-password")
		status, body = auditor.get("/audit.csv?action=login")
		if status != http.StatusOK || !strings.HasPrefix(body, "\ufeff编号,") || !strings.Contains(body, "login.failure") {
			t.Errorf("auditor export: %d %.80q", status, body)
		}
		if x := search(audit.Filter{Action: "export.csv", User: "auditor1"}); len(x) != 1 {
			t.Errorf("export not audited: %+v", x)
		}
		if status, _ := admin.get("/audit?user=admin&from=2020-01-01&to=2099-12-31"); status != http.StatusOK {
			t.Errorf("admin: %d", status)
		}
		if status, _ := admin.get("/audit?from=yesterday"); status != http.StatusBadRequest {
			t.Errorf("bad date: %d", status)
		}
		worker := e.signedIn("worker")
		for _, p := range []string{"/audit", "/audit.csv", "/audit?user=admin"} {
			if status, body := worker.get(p); status != http.StatusNotFound || strings.Contains(body, "login.success") {
				t.Errorf("worker %s: %d", p, status)
			}
		}
		if _, bad, err := e.h.audit.Verify(ctx); err != nil || bad != 0 {
			t.Errorf("verify: first bad #%d, %v", bad, err)
		}
		if m := e.h.catalog.Missing(); len(m) > 0 {
			t.Errorf("missing translations: %v", m)
		}
	})
}

// auditIDs are the entry numbers an audit page lists, and those of a CSV
// export, in the order shown.
var auditRowID = regexp.MustCompile(`<tr class="audit-entry"[^>]*>\s*<td[^>]*>(\d+)</td>`)

func pageIDs(body string) []string {
	var ids []string
	for _, m := range auditRowID.FindAllStringSubmatch(body, -1) {
		ids = append(ids, m[1])
	}
	return ids
}

func csvIDs(t *testing.T, body string) []string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
	if err != nil || len(rows) == 0 {
		t.Fatalf("export: %v %.80q", err, body)
	}
	var ids []string
	for _, r := range rows[1:] {
		ids = append([]string{r[0]}, ids...) // oldest first there, newest first on the page
	}
	return ids
}

// TestAuditWordsAndScope: the page names actions, roles and objects in
// words with the codes beside them; requests, visits and the intake's
// search are logged as what they are; and the auditor of a community sees
// what a department's officer did to its request, on the page as in the
// export, while the auditor of another community does not.
func TestAuditWordsAndScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		dept, err := testworld.Department(ctx, db, e.org)
		if err != nil {
			t.Fatal(err)
		}
		west := org.Unit{Kind: org.Community, ParentID: e.org.Street.ID, Name: "西门社区"}
		if err := org.CreateUnit(ctx, db, &west); err != nil {
			t.Fatal(err)
		}
		for name, g := range map[string]auth.Grant{"officer": {Role: auth.Officer, OrgUnitID: dept.ID},
			"auditor1": {Role: auth.Auditor, OrgUnitID: e.org.Community.ID}, "auditor2": {Role: auth.Auditor, OrgUnitID: west.ID}} {
			if _, err := e.h.auth.CreateUser(ctx, name, name, testPassword, g); err != nil {
				t.Fatal(err)
			}
		}
		search := func(f audit.Filter) []audit.Record {
			t.Helper()
			recs, _, err := e.h.audit.Search(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			return recs
		}

		// The household search of the intake form is a read: no entry.
		admin := e.signedIn("admin")
		if code, _ := admin.post("/requests", url.Values{"find": {"1"}, "q": {"王"}, "category": {"repairs"}}); code != http.StatusOK {
			t.Fatalf("intake search: %d", code)
		}
		if w := search(audit.Filter{User: "admin", Action: "write"}); len(w) != 0 {
			t.Errorf("the intake search is logged as a write: %+v", w)
		}
		if w := search(audit.Filter{User: "admin", Action: "request"}); len(w) != 0 {
			t.Errorf("the intake search is logged as a request: %+v", w)
		}

		// A request referred to the department, whose officer notes progress
		// and resolves it: each step under its own action.
		id := register(t, admin, url.Values{"category": {"ev_charging"}, "description": {"电动车充电桩不够"}, "channel": {"talk_room"},
			"household_id": {itoa(e.family.ID)}})
		if code, _ := step(t, admin, id, "accept", url.Values{"urgency": {"general"}, "handling": {"referred"},
			"department_id": {itoa(dept.ID)}, "working_days": {"5"}}); code != http.StatusOK {
			t.Fatalf("refer: %d", code)
		}
		officer := e.signedIn("officer")
		step(t, officer, id, "progress", url.Values{"note": {"已联系供电公司"}})
		if code, _ := step(t, officer, id, "resolve", url.Values{"note": {"新增充电桩10个"}}); code != http.StatusOK {
			t.Fatalf("resolve: %d", code)
		}
		object := fmt.Sprintf("request:%d", id)
		var got []string
		for _, r := range search(audit.Filter{Object: object}) {
			got = append([]string{r.Username + " " + r.Action + " " + r.Result}, got...)
		}
		want := []string{"admin request.submit ok", "admin request.refer ok", "officer request.progress ok", "officer request.resolve ok"}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("the request's entries: %q, want %q", got, want)
		}

		// A one-tap visit of /today, through the offline queue's route: on
		// its household, and again when the queue sends it twice.
		worker := e.signedIn("worker")
		for i, want := range []int{http.StatusCreated, http.StatusOK} {
			if code, _ := worker.sync(url.Values{"client_id": {"tap-1"}, "household_id": {itoa(e.widow.ID)}, "outcome": {"not_home"}}); code != want {
				t.Fatalf("sync %d: %d", i, code)
			}
		}
		visits := search(audit.Filter{Action: "visit.record", Object: fmt.Sprintf("household:%d", e.widow.ID)})
		if len(visits) != 2 || visits[0].Username != "worker" || !strings.Contains(visits[0].Detail, "recorded before") ||
			!strings.HasPrefix(visits[1].Detail, "visit:") {
			t.Errorf("visit entries: %+v", visits)
		}
		if s := search(audit.Filter{Object: "sync"}); len(s) != 0 {
			t.Errorf("entries on sync: %+v", s)
		}

		// The community's auditor sees the officer's steps; the page and its
		// export list the same entries.
		auditor := e.signedIn("auditor1")
		status, body := auditor.get("/audit?object=" + object)
		if status != http.StatusOK {
			t.Fatalf("auditor: %d", status)
		}
		mustContain(t, "auditor's page", body, "officer", "办结", "记录进展", "受理并转派部门", "登记诉求", fmt.Sprintf("诉求 #%d", id),
			`title="request.resolve"`, "<code>request.resolve</code>", "部门人员", `title="officer"`)
		ids := pageIDs(body)
		if len(ids) != 4 {
			t.Errorf("auditor's page lists %v", ids)
		}
		_, export := auditor.get("/audit.csv?object=" + object)
		if c := csvIDs(t, export); fmt.Sprint(c) != fmt.Sprint(ids) {
			t.Errorf("export %v, page %v", c, ids)
		}
		// The auditor of another community sees none of it.
		other := e.signedIn("auditor2")
		_, body = other.get("/audit?object=" + object)
		if ids := pageIDs(body); len(ids) != 0 {
			t.Errorf("another community's auditor sees %v", ids)
		}
		mustContain(t, "other auditor", body, "没有符合条件的记录")
		if _, export := other.get("/audit.csv?object=" + object); len(csvIDs(t, export)) != 0 {
			t.Errorf("another community's auditor exports %q", export)
		}

		// The action filter is a select of the known actions, groups first.
		_, body = auditor.get("/audit?action=login")
		mustContain(t, "login", body, `<select name="action" id="audit-action">`, `<option value="login" selected>登录（全部）</option>`,
			`<option value="request.resolve">　办结</option>`, `<option value="visit.record">　记录走访</option>`,
			"登录成功", `title="login.success"`, "管理员", "账号 admin")
		_, body = auditor.get("/audit?action=visit")
		mustContain(t, "visits", body, "记录走访", fmt.Sprintf("户档 #%d", e.widow.ID), "走访人员", `<option value="visit" selected>`)
		// An action typed into the address stays chosen.
		_, body = auditor.get("/audit?action=user.disable")
		mustContain(t, "typed action", body, `<option value="user.disable" selected>账号 · user.disable</option>`)
		_, body = auditor.get("/audit?action=nonsense")
		mustContain(t, "typed action", body, `<option value="nonsense" selected>nonsense</option>`)

		// Entries of an older version: generic writes named by their route.
		for _, old := range []audit.Entry{{Username: "admin", Role: "admin", Action: "write", Object: object, Detail: "POST /requests/{id}/{action}"},
			{Username: "worker", Role: "visitor", Action: "write", Object: "sync", Detail: "POST /visits/sync"},
			{Username: "admin", Role: "admin", Action: "write", Object: fmt.Sprintf("household:%d", e.family.ID), Detail: "PATCH /api/v1/households/{id}"}} {
			if err := e.h.audit.Record(ctx, old); err != nil {
				t.Fatal(err)
			}
		}
		_, body = auditor.get("/audit?action=write")
		mustContain(t, "old writes", body, "诉求办理", "记录走访", "离线同步的走访", "修改户档", fmt.Sprintf("户档 #%d", e.family.ID), "<code>write</code>",
			"POST /visits/sync")

		// In English.
		auditor.get("/lang?to=en&back=/audit")
		_, body = auditor.get("/audit?object=" + object)
		mustContain(t, "English", body, "Resolved", "Progress noted", fmt.Sprintf("Request #%d", id), "Department officer", "Accepted and referred")
		mustNotContain(t, "English", body, "⟦")
		if m := e.h.catalog.Missing(); len(m) > 0 {
			t.Errorf("missing translations: %v", m)
		}
	})
}
