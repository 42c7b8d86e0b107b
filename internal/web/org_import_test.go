package web

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"wanhu/internal/auth"
	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
)

// structureFile returns the bytes of testworld.StructureWorkbook without
// its sheets named drop.
func structureFile(t *testing.T, drop ...string) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), "结构.xlsx")
	if err := testworld.StructureWorkbook(path); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, s := range drop {
		f.DeleteSheet(s)
	}
	var b bytes.Buffer
	if _, err := f.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// upload posts a multipart form with the session's token, the fields and
// the file (none when data is nil).
func (c *client) upload(path string, fields url.Values, name string, data []byte) (int, string) {
	c.e.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField("csrf", c.csrf)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	if data != nil {
		fw, _ := mw.CreateFormFile("file", name)
		fw.Write(data)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", c.e.srv.URL+path, &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, body := c.do(req)
	return res.StatusCode, body
}

var (
	uploadToken  = regexp.MustCompile(`name="upload" value="([^"]+)"`)
	passwordCell = regexp.MustCompile(`data-username="g3-01">(?s:.*?)<code>([^<]+)</code>`)
)

// TestOrgImportPage: the structure workbook on 机构与网格, on both engines.
// An administrator uploads it and sees the check: a community's
// administrator may not add departments (refused, each on its cell,
// nothing written); without them the check shows what would change and
// the accounts to make, and writes nothing until confirmed. Only the
// uploader confirms their upload, once. The accounts' one-time passwords
// are shown once; signing in with one leads to changing it and allows
// nothing else until then. The same workbook again changes nothing.
func TestOrgImportPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		if _, err := e.h.auth.CreateUser(ctx, "admin2", "", testPassword, auth.Grant{Role: auth.Admin, OrgUnitID: e.org.Community.ID}); err != nil {
			t.Fatal(err)
		}
		admin, worker := e.signedIn("admin"), e.signedIn("worker")
		if code, body := admin.get("/settings/org"); code != 200 || !strings.Contains(body, `id="structure-upload"`) || !strings.Contains(body, `id="structure-make-accounts"`) {
			t.Fatalf("the org page: %d", code)
		}
		if code, _ := worker.upload("/settings/org/import", nil, "结构.xlsx", structureFile(t)); code != http.StatusForbidden {
			t.Errorf("a visitor uploads: %d", code)
		}
		grids := func() int {
			gs, err := org.Grids(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			return len(gs)
		}
		code, body := admin.upload("/settings/org/import", url.Values{"accounts": {"on"}}, "结构.xlsx", structureFile(t))
		if code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="structure-refused"`) || strings.Contains(body, `id="structure-confirm"`) ||
			strings.Count(body, `data-code="department_scope"`) != 3 || !strings.Contains(body, `data-cell="部门!B2"`) || grids() != 2 {
			t.Fatalf("departments above the community: %d %s", code, body)
		}
		if code, body := admin.upload("/settings/org/import", nil, "", nil); code != http.StatusBadRequest || !strings.Contains(body, `id="structure-error"`) {
			t.Errorf("no file: %d", code)
		}

		code, body = admin.upload("/settings/org/import", url.Values{"accounts": {"on"}}, "结构.xlsx", structureFile(t, "部门"))
		m := uploadToken.FindStringSubmatch(body)
		if code != 200 || m == nil || !strings.Contains(body, `id="structure-checked"`) || !strings.Contains(body, `data-username="g3-01"`) ||
			strings.Contains(body, "<code>") || strings.Contains(body, "⟦") || grids() != 2 {
			t.Fatalf("the check: %d %s", code, body)
		}
		token := func() url.Values { return url.Values{"upload": {m[1]}, "community": {"0"}, "accounts": {"on"}} }
		other := e.signedIn("admin2")
		if code, body := other.post("/settings/org/import/apply", token()); code != http.StatusGone || !strings.Contains(body, `id="structure-error"`) || grids() != 2 {
			t.Errorf("another administrator confirms the upload: %d", code)
		}
		code, body = admin.post("/settings/org/import/apply", token())
		pw := passwordCell.FindStringSubmatch(body)
		if code != 200 || !strings.Contains(body, `id="structure-applied"`) || !strings.Contains(body, `id="structure-passwords-once"`) || pw == nil || grids() != 4 {
			t.Fatalf("the import: %d %s", code, body)
		}
		if code, _ := admin.post("/settings/org/import/apply", token()); code != http.StatusGone || grids() != 4 {
			t.Errorf("the same upload twice: %d", code)
		}

		// The grid worker signs in with the one-time password.
		g := e.client()
		_, page := g.get("/login")
		res, _ := g.postRaw("/login", url.Values{"csrf": {csrfOf(page)}, "username": {"g3-01"}, "password": {pw[1]}, "next": {"/households"}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/account/password" {
			t.Fatalf("sign-in with a one-time password: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		code, page = g.get("/households")
		g.csrf = csrfOf(page)
		if code != 200 || !strings.Contains(page, `id="password-one-time"`) || !strings.Contains(page, `id="password-form"`) {
			t.Fatalf("a page before the change: %d", code)
		}
		if code, _ := g.post("/visits/sync", url.Values{}); code != http.StatusForbidden {
			t.Errorf("a form before the change: %d", code)
		}
		if code, _ := g.post("/account/password", url.Values{"current_password": {pw[1]}, "password": {"zhao-gang-2026"}}); code != 200 {
			t.Fatalf("the change: %d", code)
		}
		_, page = g.get("/login")
		res, _ = g.postRaw("/login", url.Values{"csrf": {csrfOf(page)}, "username": {"g3-01"}, "password": {"zhao-gang-2026"}, "next": {"/today"}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/today" {
			t.Errorf("sign-in after the change: %d %s", res.StatusCode, res.Header.Get("Location"))
		}

		admin.get("/lang?to=en&back=/settings/org")
		code, body = admin.upload("/settings/org/import", url.Values{"accounts": {"on"}}, "结构.xlsx", structureFile(t, "部门"))
		if code != 200 || strings.Count(body, "Has an account (unchanged)") != 5 || strings.Contains(body, "⟦") ||
			!strings.Contains(body, "<th>Grids</th><td>0</td><td>0</td><td>4</td>") {
			t.Errorf("the same workbook again: %d %s", code, body)
		}
	})
}
