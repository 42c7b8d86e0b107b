package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"wanhu/internal/audit"
	"wanhu/internal/importer/importtest"
	"wanhu/internal/setup"
	"wanhu/internal/store"
)

// households is how many households the clerk's workbook holds.
const households = 300

// TestImportDoneMeans is issue 12's "done means" in the browser: on a
// community just set up (东兴社区, its 7 grids, no compound yet), the
// clerk uploads a messy workbook of a few hundred households, maps the
// two columns that were not recognised, sees the bad rows, downloads the
// file with their cells highlighted, corrects them in that file, imports
// it and gets exactly the households of the file; a third import of the
// same file changes nothing.
func TestImportDoneMeans(t *testing.T) {
	s := newSite(t, func(ctx context.Context, db *store.DB) int64 {
		res, err := setup.Run(ctx, db, setup.Plan{City: "西宁市", District: "城东区", Street: "韵家口镇", Community: "东兴社区", Grids: 7,
			AdminUsername: "founder", AdminPassword: password}, audit.Entry{Username: "e2e"})
		if err != nil {
			t.Fatal(err)
		}
		return res.City.ID
	})
	t.Cleanup(s.imports.Start(context.Background())) // as wanhu serve starts it
	dir := t.TempDir()
	broken := filepath.Join(dir, "东兴社区住户登记表.xlsx")
	w, err := importtest.Workbook{Households: households, Grids: 7, Broken: true}.Write(broken)
	if err != nil {
		t.Fatal(err)
	}
	s.login(t)
	s.do(t, "open the import page from the household list",
		chromedp.Navigate(s.url+"/households"),
		chromedp.Click(chromedp.CSS(`#import-households`)),
		chromedp.WaitVisible(chromedp.CSS(`#upload-form`)),
	)
	s.uploadAndCheck(t, broken, true)
	if got := s.text(t, "#count-problems"); got != strconv.Itoa(len(w.Problems)) {
		t.Fatalf("the check found %s problems, want %d", got, len(w.Problems))
	}
	for _, p := range w.Problems {
		sel := `tr.problem[data-cell="` + p.Sheet + "!" + p.Cell + `"]`
		if msg := s.text(t, sel+" td.message"); msg == "" {
			t.Errorf("the problem at %s!%s has no message", p.Sheet, p.Cell)
		}
	}

	// The highlighted copy, corrected as the clerk does in Excel.
	downloads := filepath.Join(dir, "downloads")
	if _, err := chromedp.CallBrowser(s.browser, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads}); err != nil {
		t.Fatal(err)
	}
	s.do(t, "download the highlighted file", chromedp.Click(chromedp.CSS(`#download-report`)))
	copyPath := waitDownload(t, downloads)
	fixed := correct(t, copyPath, w.Problems, filepath.Join(dir, "改正后.xlsx"))

	s.do(t, "upload the corrected file", chromedp.Navigate(s.url+"/import"), chromedp.WaitVisible(chromedp.CSS(`#upload-form`)))
	s.uploadAndCheck(t, fixed, true)
	if got := s.text(t, "#count-problems"); got != "0" {
		t.Fatalf("the corrected file has %s problems", got)
	}
	s.confirm(t)
	if got := s.text(t, "#count-created"); got != strconv.Itoa(households) {
		t.Errorf("imported %s new households, want %d", got, households)
	}
	if n := count(t, s.db, `SELECT COUNT(*) FROM households`); n != households {
		t.Errorf("%d households in the database, want exactly the file's %d", n, households)
	}
	if n := count(t, s.db, `SELECT COUNT(*) FROM persons WHERE phone <> ''`); n != households {
		t.Errorf("%d persons with a phone, want the %d householders' (本人手机, mapped)", n, households)
	}

	// The third time: the saved mapping reads the columns, and nothing changes.
	s.do(t, "upload the same file again", chromedp.Navigate(s.url+"/import"), chromedp.WaitVisible(chromedp.CSS(`#upload-form`)))
	s.uploadAndCheck(t, fixed, false)
	s.confirm(t)
	for id, want := range map[string]string{"#count-unchanged": strconv.Itoa(households), "#count-created": "0", "#count-updated": "0"} {
		if got := s.text(t, id); got != want {
			t.Errorf("the third import: %s is %s, want %s", id, got, want)
		}
	}
	if n := count(t, s.db, `SELECT COUNT(*) FROM households`); n != households {
		t.Errorf("after the third import: %d households", n)
	}
}

// uploadAndCheck uploads the file at path on the import page, maps the
// two columns not recognised (when mapUnknown; otherwise they must be
// recognised by the saved mapping) and waits for the check's report.
func (s *site) uploadAndCheck(t *testing.T, path string, mapUnknown bool) {
	t.Helper()
	s.do(t, "upload "+filepath.Base(path),
		chromedp.SetUploadFiles(chromedp.CSS(`#f-file`), []string{path}),
		chromedp.Click(chromedp.CSS(`#upload`)),
		chromedp.WaitVisible(chromedp.CSS(`#check-form`)),
	)
	unknown := s.count(t, `tr.column.unknown`)
	if mapUnknown != (unknown == 2) || !mapUnknown && unknown != 0 {
		t.Fatalf("%d columns not recognised on the preview of %s (mapping them: %v)", unknown, filepath.Base(path), mapUnknown)
	}
	for header, field := range importtest.Mapping {
		s.do(t, "map "+header, chromedp.SetValue(chromedp.CSS(`tr[data-header="`+header+`"] select`), field))
	}
	s.do(t, "check", chromedp.Click(chromedp.CSS(`#check`)))
	s.settled(t, "the check's report", "#import-report")
}

// settled waits until the page shows sel, past the reloads of the
// progress script, and the browser's view of the page has caught up
// (a node read before that is a node of the page reloaded).
func (s *site) settled(t *testing.T, what, sel string) {
	t.Helper()
	s.until(t, what, `document.querySelector(`+strconv.Quote(sel)+`) !== null`)
	s.do(t, what, chromedp.WaitVisible(chromedp.CSS(sel)))
}

// confirm imports the checked file and waits for the report.
func (s *site) confirm(t *testing.T) {
	t.Helper()
	s.do(t, "confirm", chromedp.Click(chromedp.CSS(`#confirm`)))
	s.settled(t, "the import's report", "#to-households")
}

// count counts the elements matching a CSS selector.
func (s *site) count(t *testing.T, sel string) int {
	t.Helper()
	n, err := chromedp.Run(s.browser, chromedp.Evaluate[int](`document.querySelectorAll(`+strconv.Quote(sel)+`).length`))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func count(t *testing.T, db *store.DB, q string) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(context.Background(), q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// waitDownload waits up to 20 s for a finished .xlsx file in dir.
func waitDownload(t *testing.T, dir string) string {
	t.Helper()
	for end := time.Now().Add(20 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		files, _ := filepath.Glob(filepath.Join(dir, "*.xlsx"))
		if len(files) == 1 {
			return files[0]
		}
	}
	entries, _ := os.ReadDir(dir)
	t.Fatalf("no download in %s: %v", dir, entries)
	return ""
}

// correct opens the highlighted copy at path, checks that each problem's
// cell is highlighted, types the right value into it (an ID number as
// text, as the comment asks) and saves the file as out.
func correct(t *testing.T, path string, problems []importtest.Problem, out string) string {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range problems {
		id, err := f.GetCellStyle(p.Sheet, p.Cell)
		if err != nil {
			t.Fatal(err)
		}
		if st, err := f.GetStyle(id); err != nil || len(st.Fill.Color) == 0 || st.Fill.Color[0] != "FFC7CE" {
			t.Errorf("%s!%s is not highlighted in the downloaded file", p.Sheet, p.Cell)
		}
		if err := f.SetCellStr(p.Sheet, p.Cell, p.Fix); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.SaveAs(out); err != nil {
		t.Fatal(err)
	}
	return out
}
