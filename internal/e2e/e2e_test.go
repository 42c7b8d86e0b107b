// Package e2e drives the web app in a real Chromium through the main flows.
// The tests run when WANHU_E2E=1 (.ci/run sets it and installs Chromium).
package e2e

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"wanhu/internal/app"
	"wanhu/internal/auth"
	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/importjob"
	"wanhu/internal/secret"
	"wanhu/internal/server"
	"wanhu/internal/store"
	"wanhu/internal/testworld"
)

const password = "dongxing-e2e-pass"

// widowID is the living-alone widow's ID number (born 1946-05-06, female).
var widowID = "63010219460506122" + string(household.IDCheckChar("63010219460506122"))

// site is a running Wanhu with a small community and a browser on it.
type site struct {
	url     string
	browser context.Context
	db      *store.DB
	imports *importjob.Jobs // the import jobs; a test that imports starts their runner
}

// newSite starts Wanhu on a fresh SQLite database that fill populates
// (returning the org unit at the root) and opens a phone-sized Chromium on
// it, signed in as nobody yet; the user "clerk" administers the root.
func newSite(t *testing.T, fill func(ctx context.Context, db *store.DB) (rootID int64)) *site {
	t.Helper()
	if os.Getenv("WANHU_E2E") != "1" {
		t.Skip("browser tests skipped: set WANHU_E2E=1 (needs Chromium: apt-get install chromium)")
	}
	exe := os.Getenv("WANHU_CHROMIUM")
	if exe == "" {
		var err error
		if exe, err = exec.LookPath("chromium"); err != nil {
			t.Fatal("WANHU_E2E=1 but no chromium on PATH: apt-get install chromium")
		}
	}
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "e2e.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetKeys(secret.TestKeyring())
	root := fill(ctx, db)
	if _, err := auth.NewStore(db).CreateUser(ctx, "clerk", "社区文员", password, auth.Grant{Role: auth.Admin, OrgUnitID: root}); err != nil {
		t.Fatal(err)
	}
	// The site's administrators and grid leaders sign in with the
	// password alone; TestTOTPEnrolmentInTheBrowser turns it back on.
	if err := auth.NewStore(db).SetTOTPRoles(ctx, nil); err != nil {
		t.Fatal(err)
	}
	d := server.NewDeps(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	srv := httptest.NewServer(app.Handler(d))
	t.Cleanup(srv.Close)

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(412, 915), // a phone
	)
	actx, cancel := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancel)
	bctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	// A hung browser fails the test instead of hanging it; the bound is
	// generous, as CI runs the browser beside the -race test binaries.
	tctx, cancel := context.WithTimeout(bctx, 5*time.Minute)
	t.Cleanup(cancel)
	return &site{url: srv.URL, browser: tctx, db: db, imports: d.Imports}
}

// do runs steps in the browser and fails the test, showing where the
// browser was and what it showed, when one fails.
func (s *site) do(t *testing.T, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(s.browser, steps...); err != nil {
		loc, _ := chromedp.Run(s.browser, chromedp.Location())
		body, _ := chromedp.Run(s.browser, chromedp.Text(chromedp.CSS("body")))
		t.Fatalf("%s: %v\nat %s:\n%.2000s", what, err, loc, body)
	}
}

// text returns the text of the first element matching a CSS selector.
func (s *site) text(t *testing.T, sel string) string {
	t.Helper()
	out, err := chromedp.Run(s.browser, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("read %s: %v", sel, err)
	}
	return out
}

func (s *site) login(t *testing.T) { s.loginAs(t, "clerk") }

// loginAs signs in as username (password: the test password).
func (s *site) loginAs(t *testing.T, username string) {
	s.do(t, "log in as "+username,
		chromedp.Navigate(s.url+"/households"),
		chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), username),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), password),
		chromedp.Submit(chromedp.CSS(`input[name="password"]`)),
		chromedp.WaitVisible(chromedp.CSS(`input[name="q"]`)),
	)
}

// logout signs out.
func (s *site) logout(t *testing.T) {
	s.do(t, "log out", chromedp.Click(chromedp.CSS(`#logout`)), chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`)))
}

// open searches for q and opens the first household found.
func (s *site) open(t *testing.T, q string) {
	s.do(t, "search "+q,
		chromedp.Navigate(s.url+"/households"),
		chromedp.WaitVisible(chromedp.CSS(`input[name="q"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="q"]`), q),
		chromedp.Submit(chromedp.CSS(`input[name="q"]`)),
	)
	s.waitFor(t, "the search results", func(loc string) bool { return strings.Contains(loc, "q=") })
	s.do(t, "open "+q,
		chromedp.WaitVisible(chromedp.CSS(`a.household-link`)),
		chromedp.Click(chromedp.CSS(`a.household-link`)),
	)
	s.waitFor(t, "the household file", func(loc string) bool { return strings.Contains(loc, "/households/") })
	s.do(t, "read the file", chromedp.WaitVisible(chromedp.CSS(`#household-address`)))
}

// waitJS waits until a JavaScript condition holds in the page.
func (s *site) waitJS(t *testing.T, what, cond string) {
	t.Helper()
	for range 100 {
		if ok, err := chromedp.Run(s.browser, chromedp.Evaluate[bool](cond)); err == nil && ok {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("waiting for %s: %s never held", what, cond)
}

// waitFor waits until the browser's location satisfies ok: a submitted
// form's page has replaced the one it was sent from.
func (s *site) waitFor(t *testing.T, what string, ok func(loc string) bool) {
	t.Helper()
	for range 600 { // 30 s: a sign-in checks an argon2id hash, slow on a busy machine
		if loc, err := chromedp.Run(s.browser, chromedp.Location()); err == nil && ok(loc) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("waiting for %s: the page did not change", what)
}

// twoFamilies is a community with a living-alone elderly woman and a
// family of two adults.
func twoFamilies(t *testing.T) func(ctx context.Context, db *store.DB) int64 {
	return func(ctx context.Context, db *store.DB) int64 {
		f, err := testworld.NewOrg(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		hs := household.NewStore(db)
		a := household.Actor{Name: "setup"}
		day := func(s string) calendar.Date { d, _ := calendar.ParseDate("", s); return d }
		if _, err := hs.CreateHousehold(ctx, a, household.Household{BuildingID: f.Buildings[0].ID, Unit: "2", Floor: 3, Room: "302"},
			[]household.Person{{Name: "王秀兰", IDNumber: widowID, Relation: "householder", Tags: []string{"living_alone_elderly"}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := hs.CreateHousehold(ctx, a, household.Household{BuildingID: f.Buildings[1].ID, Unit: "1", Floor: 1, Room: "101"},
			[]household.Person{
				{Name: "李建国", Gender: household.Male, BirthDate: day("1980-07-01"), Relation: "householder", Employment: "employed"},
				{Name: "张丽", Gender: household.Female, BirthDate: day("1982-01-02"), Relation: "spouse", Employment: "employed"},
			}); err != nil {
			t.Fatal(err)
		}
		return f.City.ID
	}
}

// TestHouseholdFileFlow is the "done means": sign in, find the
// living-alone elderly woman's household shown red with its reason, change a
// member of another family to unemployed, and see the colour and the ledger
// follow.
func TestHouseholdFileFlow(t *testing.T) {
	s := newSite(t, twoFamilies(t))
	s.login(t)

	s.open(t, "王秀兰")
	if badge := s.text(t, ".badge"); !strings.Contains(badge, "红") {
		t.Errorf("badge %q, want red", badge)
	}
	if body := s.text(t, "body"); !strings.Contains(body, "独居老人") {
		t.Errorf("the file does not say why it is red:\n%.1500s", body)
	}

	s.open(t, "李建国")
	if badge := s.text(t, ".badge"); !strings.Contains(badge, "绿") {
		t.Fatalf("badge %q, want green before the change", badge)
	}
	s.do(t, "edit the householder",
		chromedp.Click(chromedp.CSS(`a.edit-member`)),
		chromedp.WaitVisible(chromedp.CSS(`select[name="employment"]`)),
		chromedp.SetValue(chromedp.CSS(`select[name="employment"]`), "unemployed"),
		chromedp.Click(chromedp.CSS(`#save`)),
		chromedp.WaitVisible(chromedp.CSS(`#household-address`)),
	)
	if badge := s.text(t, ".badge"); !strings.Contains(badge, "黄") {
		t.Errorf("badge %q after the job loss, want yellow", badge)
	}
	ledger := s.text(t, ".ledger")
	if !strings.Contains(ledger, "失业") || !strings.Contains(ledger, "绿") || !strings.Contains(ledger, "黄") {
		t.Errorf("ledger does not show the job loss and the colour change:\n%s", ledger)
	}

	// The same page in English.
	s.do(t, "switch to English", chromedp.Click(chromedp.CSS(`#lang-switch`)))
	s.waitJS(t, "the English page", `document.documentElement.lang === "en"`)
	s.do(t, "read the English page", chromedp.WaitVisible(chromedp.CSS(`#household-address`)))
	if badge := s.text(t, ".badge"); !strings.Contains(strings.ToLower(badge), "yellow") {
		t.Errorf("English badge %q", badge)
	}
}
