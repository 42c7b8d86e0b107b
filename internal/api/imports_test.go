package api

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"wanhu/internal/household/householdtest"
	"wanhu/internal/importer"
	"wanhu/internal/importer/importtest"
	"wanhu/internal/importjob"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/web"
)

// importFile writes a community workbook of n households over the
// fixture's grids, in compounds of its own.
func importFile(t *testing.T, n int, broken bool) (string, *importtest.Written) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "住户.xlsx")
	w, err := importtest.Workbook{Households: n, Grids: 2, Broken: broken, Compounds: []string{"幸福小区", "和平小区"}}.Write(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, w
}

// importAPI is the fixture's API with the web's words for the comments
// of a highlighted copy, as app.Handler serves it.
type importAPI struct {
	fx  *fixture
	srv *httptest.Server
}

func newImportAPI(t *testing.T, db *store.DB) *importAPI {
	fx := newFixture(t, db)
	d := fx.d
	d.ErrText = web.ErrText
	mux := http.NewServeMux()
	Register(mux, d)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &importAPI{fx: fx, srv: srv}
}

// send sends a request with body of content type typ as user.
func (a *importAPI) send(t *testing.T, user, method, path, typ string, body io.Reader) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, a.srv.URL+Prefix+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if typ != "" {
		req.Header.Set("Content-Type", typ)
	}
	req.Header.Set("Authorization", "Bearer "+a.fx.tokens[user])
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, b
}

// raw uploads the file at path as the body, with the options q.
func (a *importAPI) raw(t *testing.T, user, path string, q url.Values) (*http.Response, []byte) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	q.Set("name", filepath.Base(path))
	return a.send(t, user, "POST", "/imports?"+q.Encode(), "application/octet-stream", bytes.NewReader(b))
}

// multipartUpload uploads the file at path as multipart/form-data, the
// fields first.
func (a *importAPI) multipartUpload(t *testing.T, user, path string, fields map[string]string) (*http.Response, []byte) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", filepath.Base(path))
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(b)
	mw.Close()
	return a.send(t, user, "POST", "/imports", mw.FormDataContentType(), &body)
}

func (a *importAPI) runJobs(t *testing.T) {
	t.Helper()
	if _, err := a.fx.d.Imports.RunPending(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestImportAPI: an upload checks at once, its problems are in the
// report and on the highlighted copy, its confirmation refused; a
// corrected file imported at once (dry_run=false) creates its
// households; a second import of the community while one runs is 409;
// another's job is 404 like a missing one; a visitor may not.
func TestImportAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newImportAPI(t, db)
		broken, w := importFile(t, 30, true)
		mapping := `{"本人手机":"phone","户口类别":"residence"}`
		if res, body := a.raw(t, "visitor", broken, url.Values{}); res.StatusCode != http.StatusForbidden {
			t.Errorf("a visitor's upload: %d %s", res.StatusCode, body)
		}
		res, body := a.raw(t, "admin", broken, url.Values{"mapping": {mapping}, "create_places": {"true"}})
		if res.StatusCode != http.StatusAccepted {
			t.Fatalf("upload: %d %s", res.StatusCode, body)
		}
		job := decodeAs[importjob.Job](t, body)
		if job.State != importjob.Checking || res.Header.Get("Location") != fmt.Sprintf("%s/imports/%d", Prefix, job.ID) || job.Preview == nil {
			t.Fatalf("the new job: %s at %s, preview %v", job.State, res.Header.Get("Location"), job.Preview != nil)
		}
		path := fmt.Sprintf("/imports/%d", job.ID)
		// While it is checking, a second import of the community is refused.
		fixed, _ := importFile(t, 30, false)
		res, body = a.multipartUpload(t, "clerk", fixed, map[string]string{"dry_run": "false"})
		if e := decodeAs[errBody](t, body); res.StatusCode != http.StatusConflict || e.Error.Code != "import_running" || e.Error.Field != "community" ||
			!strings.Contains(e.Error.Message, fmt.Sprint(job.ID)) {
			t.Errorf("a second upload while one checks: %d %s", res.StatusCode, body)
		}
		if res, body := a.send(t, "admin", "GET", path+"/report.xlsx", "", nil); res.StatusCode != http.StatusConflict {
			t.Errorf("the highlighted copy while checking: %d %s", res.StatusCode, body)
		}
		a.runJobs(t)
		_, body = a.send(t, "admin", "GET", path, "", nil)
		if job = decodeAs[importjob.Job](t, body); job.State != importjob.Checked || job.Report == nil || job.Report.ErrorsTotal != len(w.Problems) {
			t.Fatalf("checked: %s", short(body))
		}
		res, body = a.send(t, "admin", "POST", path+"/confirm", "", nil)
		if e := decodeAs[errBody](t, body); res.StatusCode != http.StatusBadRequest || e.Error.Code != "import_problems" || e.Error.Field != "partial" {
			t.Errorf("confirming a check with problems: %d %s", res.StatusCode, body)
		}
		res, body = a.send(t, "admin", "GET", path+"/report.xlsx", "", nil)
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != xlsxType {
			t.Fatalf("report.xlsx: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		commented(t, body, w.Problems[0], "校验码")

		// Another's job: as a missing one.
		_, mine := a.send(t, "leader1", "GET", path, "", nil)
		_, missing := a.send(t, "leader1", "GET", "/imports/987654", "", nil)
		if !bytes.Equal(mine, missing) || !strings.Contains(string(mine), "not_found") {
			t.Errorf("another's job answers %s, a missing one %s", mine, missing)
		}

		res, body = a.multipartUpload(t, "clerk", fixed, map[string]string{"dry_run": "false", "mapping": mapping, "create_places": "1"})
		if res.StatusCode != http.StatusAccepted {
			t.Fatalf("multipart upload: %d %s", res.StatusCode, body)
		}
		job = decodeAs[importjob.Job](t, body)
		if job.State != importjob.Applying {
			t.Errorf("dry_run=false: %s", job.State)
		}
		a.runJobs(t)
		_, body = a.send(t, "clerk", "GET", fmt.Sprintf("/imports/%d", job.ID), "", nil)
		if job = decodeAs[importjob.Job](t, body); job.State != importjob.Done || job.Report.Created != 30 || !job.Report.Applied {
			t.Errorf("imported: %s", short(body))
		}
		if res, body := a.send(t, "clerk", "POST", fmt.Sprintf("/imports/%d/confirm", job.ID), "", nil); res.StatusCode != http.StatusConflict ||
			!strings.Contains(string(body), `"state":"done"`) {
			t.Errorf("confirming a done job: %d %s", res.StatusCode, body)
		}
		for _, c := range []struct{ query, field string }{{"create_places=maybe", "create_places"}, {"community=x", "community"},
			{"mapping=%7B%22a%22%3A%22nope%22%7D", "mapping"}, {"", "file"}} {
			res, body := a.send(t, "admin", "POST", "/imports?name=a.csv&"+c.query, "text/csv", strings.NewReader(""))
			if e := decodeAs[errBody](t, body); res.StatusCode != http.StatusBadRequest || e.Error.Field != c.field {
				t.Errorf("upload with %q: %d %s", c.query, res.StatusCode, body)
			}
		}
	})
}

// commented fails unless the cell of p in the workbook b is highlighted
// with a comment holding text.
func commented(t *testing.T, b []byte, p importtest.Problem, text string) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	id, _ := f.GetCellStyle(p.Sheet, p.Cell)
	if s, err := f.GetStyle(id); err != nil || len(s.Fill.Color) == 0 || s.Fill.Color[0] != "FFC7CE" {
		t.Errorf("%s!%s is not highlighted", p.Sheet, p.Cell)
	}
	comments, _ := f.GetComments(p.Sheet)
	for _, c := range comments {
		if c.Cell == p.Cell {
			all := c.Text
			for _, r := range c.Paragraph {
				all += r.Text
			}
			if !strings.Contains(all, text) {
				t.Errorf("the comment on %s!%s says %q, want %q in it", p.Sheet, p.Cell, all, text)
			}
			return
		}
	}
	t.Errorf("%s!%s has no comment", p.Sheet, p.Cell)
}

// TestExportForImport: the export for a round trip is for the roles that
// may import; it writes the import's layout, full numbers and all, and
// is in the audit log with its counts.
func TestExportForImport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newImportAPI(t, db)
		for _, u := range []string{"visitor", "officer", "auditor"} {
			if res, _ := a.send(t, u, "GET", "/households/export", "", nil); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s's export: %d", u, res.StatusCode)
			}
		}
		if res, body := a.send(t, "admin", "GET", "/households/export?format=pdf", "", nil); res.StatusCode != http.StatusBadRequest ||
			decodeAs[errBody](t, body).Error.Field != "format" {
			t.Errorf("format=pdf: %d %s", res.StatusCode, body)
		}
		res, body := a.send(t, "admin", "GET", "/households/export?format=csv", "", nil)
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") ||
			!strings.HasPrefix(string(body), "\ufeff"+strings.Join(importer.ExportHeaders()[:3], ",")) {
			t.Fatalf("csv export: %d %s %.200s", res.StatusCode, res.Header.Get("Content-Type"), body)
		}
		if !strings.Contains(string(body), a.fx.widow.Name) || !strings.Contains(string(body), householdtest.IDNumber("1948-03-05", 22)) {
			t.Errorf("the export lacks the widow's full ID number: %.500s", body)
		}
		res, body = a.send(t, "leader1", "GET", "/households/export", "", nil)
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != xlsxType {
			t.Fatalf("a grid leader's xlsx export: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		f, err := excelize.OpenReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := f.GetRows(f.GetSheetList()[0])
		f.Close()
		if len(rows) != 2 { // the header and the widow, the only member in grid 1
			t.Errorf("a grid leader's export has %d rows, want the header and grid 1's one person", len(rows))
		}
		var n int
		if err := db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE action = 'export.households'`).Scan(&n); err != nil || n != 2 {
			t.Errorf("%d exports in the audit log, want 2 (%v)", n, err)
		}
	})
}
