package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"wanhu/internal/audit"
	"wanhu/internal/auth"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
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
