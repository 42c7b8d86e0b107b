package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"wanhu/internal/importer/importtest"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// importCompounds are the compounds of the workbooks these tests upload:
// none of the fixture's, so every household is new.
var importCompounds = []string{"幸福小区", "和平小区"}

// communityFile writes a community workbook of n households over the
// fixture's two grids.
func communityFile(t *testing.T, n int, broken bool) (string, *importtest.Written) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "东兴社区住户.xlsx")
	w, err := importtest.Workbook{Households: n, Grids: 2, Broken: broken, Compounds: importCompounds}.Write(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, w
}

// uploadImport posts the file at path to the import page as the browser does:
// the session's token first, the file last. It returns the answer.
func (c *client) uploadImport(path, csrf string) *http.Response {
	c.e.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", csrf)
	fw, _ := mw.CreateFormFile("file", filepath.Base(path))
	b, err := os.ReadFile(path)
	if err != nil {
		c.e.t.Fatal(err)
	}
	fw.Write(b)
	mw.Close()
	req, _ := http.NewRequest("POST", c.e.srv.URL+"/import", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, _ := c.do(req)
	return res
}

// runImports runs the queued import jobs, as the server's runner does.
func (e *env) runImports() {
	e.t.Helper()
	if _, err := e.h.imports.RunPending(context.Background()); err != nil {
		e.t.Fatal(err)
	}
}

var (
	mapHeader   = regexp.MustCompile(`name="h(\d+)" value="([^"]*)"`)
	mapSelected = regexp.MustCompile(`(?s)<select name="f(\d+)"[^>]*>.*?</select>`)
	optSelected = regexp.MustCompile(`<option value="([^"]*)" selected>`)
)

// checkForm is the check form of an import page with what it shows
// chosen, and the columns named in choose mapped to their fields.
func checkForm(t *testing.T, page string, choose map[string]string) url.Values {
	t.Helper()
	v := url.Values{"create_places": {"1"}}
	chosen := map[string]string{}
	for _, m := range mapSelected.FindAllStringSubmatch(page, -1) {
		if o := optSelected.FindStringSubmatch(m[0]); o != nil {
			chosen[m[1]] = o[1]
		}
	}
	headers := 0
	for _, m := range mapHeader.FindAllStringSubmatch(page, -1) {
		v.Set("h"+m[1], m[2])
		v.Set("f"+m[1], chosen[m[1]])
		if f, ok := choose[m[2]]; ok {
			v.Set("f"+m[1], f)
		}
		headers++
	}
	if headers < 10 {
		t.Fatalf("the page shows %d columns to map", headers)
	}
	return v
}

// TestImportPage is the clerk's path through the import page: the
// buttons on the household list, the upload of a broken workbook with
// two columns not recognised, mapping them, the check's progress (and a
// reload meanwhile), the problems in Chinese, the highlighted copy, the
// corrected file confirmed and imported, and the households in the list.
func TestImportPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		admin, worker := e.signedIn("admin"), e.signedIn("worker")
		_, list := admin.get("/households")
		mustContain(t, "the administrator's list", list, `id="import-households"`, `id="export-households"`)
		if _, list := worker.get("/households"); strings.Contains(list, `id="export-households"`) || strings.Contains(list, `id="import-households"`) {
			t.Error("a visitor's list offers the import or the export")
		}
		for _, p := range []string{"/import", "/households/export"} {
			if status, _ := worker.get(p); status != http.StatusForbidden {
				t.Errorf("a visitor's %s: %d", p, status)
			}
		}
		path, w := communityFile(t, 40, true)
		if res := worker.uploadImport(path, worker.csrf); res.StatusCode != http.StatusForbidden {
			t.Errorf("a visitor's upload: %d", res.StatusCode)
		}
		if res := admin.uploadImport(path, "wrong-token"); res.StatusCode != http.StatusForbidden {
			t.Errorf("an upload without the session's token: %d", res.StatusCode)
		}
		res := admin.uploadImport(path, admin.csrf)
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/import/") {
			t.Fatalf("upload: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		job := res.Header.Get("Location")
		status, page := admin.get(job)
		if status != http.StatusOK {
			t.Fatalf("%s: %d", job, status)
		}
		mustContain(t, "the preview", page, `id="mapping"`, `data-header="本人手机"`, `data-header="户口类别"`, "未识别", `id="preview"`, "待核对列")
		if fullNumber.MatchString(page) {
			t.Errorf("the preview shows a number in full: %s", fullNumber.FindString(page))
		}
		form := checkForm(t, page, importtest.Mapping)
		if status, page = admin.post(job+"/check", form); status != http.StatusOK {
			t.Fatalf("check: %d %.2000s", status, page)
		}
		mustContain(t, "the check's progress", page, `id="import-progress"`, `data-status="`+job+`/status"`, staticURL(t, "import.js"))
		// A reload while it waits comes back to the same step.
		_, page = admin.get(job)
		mustContain(t, "the page reloaded", page, `id="import-progress"`, "检查中")
		_, status2 := admin.get(job + "/status")
		var st importStatus
		if err := json.Unmarshal([]byte(status2), &st); err != nil || st.State != "checking" {
			t.Fatalf("status: %s %v", status2, err)
		}

		e.runImports()
		_, page = admin.get(job)
		mustContain(t, "the checked page", page, `id="import-problems"`, "校验码应为", "出生日期", `id="download-report"`, `id="import-blocked"`,
			"将新建的小区和楼栋", `id="count-problems">3<`)
		if strings.Contains(page, `id="confirm"`) {
			t.Error("a check with problems offers the import")
		}
		for _, p := range w.Problems {
			mustContain(t, "the problems", page, fmt.Sprintf(`data-cell="%s!%s"`, p.Sheet, p.Cell))
		}
		res = admin.getRaw(job + "/report.xlsx")
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("report.xlsx: %d %v", res.StatusCode, res.Header)
		}
		highlighted(t, b, w.Problems[0], "校验码")
		if status, _ := admin.post(job+"/confirm", url.Values{}); status != http.StatusBadRequest {
			t.Errorf("confirming a check with problems: %d", status)
		}

		fixed, _ := communityFile(t, 40, false)
		res = admin.uploadImport(fixed, admin.csrf)
		job = res.Header.Get("Location")
		_, page = admin.get(job)
		admin.post(job+"/check", checkForm(t, page, importtest.Mapping))
		e.runImports()
		_, page = admin.get(job)
		mustContain(t, "the corrected file, checked", page, `id="confirm"`, `id="count-problems">0<`, `id="count-created">40<`)
		if status, page = admin.post(job+"/confirm", url.Values{}); status != http.StatusOK {
			t.Fatalf("confirm: %d", status)
		}
		mustContain(t, "importing", page, "导入中")
		e.runImports()
		_, page = admin.get(job)
		mustContain(t, "the imported job", page, "已导入", `id="count-created">40<`, `id="to-households"`)
		_, list = admin.get("/households")
		mustContain(t, "the household list", list, "共 43 条", importCompounds[0])
		if n := countRows(t, db, `SELECT COUNT(*) FROM households`); n != 43 {
			t.Errorf("%d households, want the fixture's 3 and the file's 40", n)
		}
		if n := countRows(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = 'export' AND object LIKE 'import:%'`); n != 1 {
			t.Errorf("%d downloads of a highlighted copy in the audit log, want 1", n)
		}
	})
}

// fullNumber is a run of digits as long as a phone number or longer.
var fullNumber = regexp.MustCompile(`[0-9]{11,}`)

func countRows(t *testing.T, db *store.DB, q string) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(context.Background(), q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// getRaw fetches path without following redirects.
func (c *client) getRaw(path string) *http.Response {
	c.e.t.Helper()
	res, err := c.http.Get(c.e.srv.URL + path)
	if err != nil {
		c.e.t.Fatal(err)
	}
	return res
}

// highlighted fails unless the cell of p in the workbook b is filled
// light red with a comment holding text.
func highlighted(t *testing.T, b []byte, p importtest.Problem, text string) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	id, err := f.GetCellStyle(p.Sheet, p.Cell)
	if err != nil {
		t.Fatal(err)
	}
	if s, err := f.GetStyle(id); err != nil || len(s.Fill.Color) == 0 || s.Fill.Color[0] != "FFC7CE" {
		t.Errorf("%s!%s is not highlighted: %+v %v", p.Sheet, p.Cell, s, err)
	}
	comments, _ := f.GetComments(p.Sheet)
	for _, c := range comments {
		if c.Cell == p.Cell {
			var all string
			for _, r := range c.Paragraph {
				all += r.Text
			}
			if !strings.Contains(all+c.Text, text) {
				t.Errorf("the comment on %s!%s says %q, want %q in it", p.Sheet, p.Cell, all+c.Text, text)
			}
			return
		}
	}
	t.Errorf("%s!%s has no comment", p.Sheet, p.Cell)
}

// TestImportPagesBothLanguages renders the import pages at every step,
// refusals included, in each language, and fails on any key without a
// translation.
func TestImportPagesBothLanguages(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	admin := e.signedIn("admin")
	broken, _ := communityFile(t, 12, true)
	fixed, _ := communityFile(t, 12, false)
	jobOf := func(path string) string {
		res := admin.uploadImport(path, admin.csrf)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("upload: %d", res.StatusCode)
		}
		return res.Header.Get("Location")
	}
	check := func(job string) {
		_, page := admin.get(job)
		if status, _ := admin.post(job+"/check", checkForm(t, page, importtest.Mapping)); status != http.StatusOK {
			t.Fatalf("check %s: %d", job, status)
		}
	}
	var pages []string
	uploaded, refused, done := jobOf(broken), jobOf(broken), jobOf(fixed)
	pages = append(pages, uploaded)
	check(refused)
	pages = append(pages, refused) // checking
	e.runImports()
	check(done)
	e.runImports()
	pages = append(pages, refused, refused+"/status", done) // checked, with problems and without
	admin.post(done+"/confirm", url.Values{})
	pages = append(pages, done) // applying
	e.runImports()
	cancelled := jobOf(fixed)
	admin.post(cancelled+"/cancel", url.Values{})
	pages = append(pages, done, cancelled, "/import", uploaded+"/report.xlsx", "/import/987654")
	for _, lang := range Languages {
		admin.get("/lang?to=" + lang + "&back=/import")
		for _, p := range pages {
			code, body := admin.get(p)
			if code >= 500 || strings.Contains(body, "⟦") {
				t.Errorf("%s %s: %d, untranslated %v", lang, p, code, strings.Contains(body, "⟦"))
			}
		}
		// Refusals: the wrong state, problems, a bad upload, another
		// import of the community running.
		for _, c := range []struct {
			path string
			want int
		}{{done + "/confirm", http.StatusConflict}, {refused + "/confirm", http.StatusBadRequest}, {"/import", http.StatusBadRequest}} {
			code, body := admin.post(c.path, url.Values{})
			if code != c.want || strings.Contains(body, "⟦") {
				t.Errorf("%s POST %s: %d (want %d), untranslated %v", lang, c.path, code, c.want, strings.Contains(body, "⟦"))
			}
		}
		running := jobOf(fixed)
		check(running)
		waiting := jobOf(fixed)
		_, page := admin.get(waiting)
		code, body := admin.post(waiting+"/check", checkForm(t, page, nil))
		if code != http.StatusConflict || !strings.Contains(body, `id="import-error"`) || strings.Contains(body, "⟦") {
			t.Errorf("%s: a second check while one runs: %d %v", lang, code, strings.Contains(body, "⟦"))
		}
		e.runImports()
	}
	if m := e.h.catalog.Missing(); len(m) > 0 {
		t.Errorf("missing translations: %v", m)
	}
}
