package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"wanhu/internal/auth"
	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/secret"
	"wanhu/internal/server"
	"wanhu/internal/store"
	"wanhu/internal/testworld"
)

// faultWorld is the app on a SQLite file in dir, with a household and a
// signed-in administrator, its log collected.
type faultWorld struct {
	db        *store.DB
	path      string
	srv       *httptest.Server
	logs      *lockedBuffer
	token     string
	household int64
}

func newFaultWorld(t *testing.T, dir string) *faultWorld {
	t.Helper()
	ctx := context.Background()
	w := &faultWorld{path: filepath.Join(dir, "wanhu.db"), logs: &lockedBuffer{}}
	db, err := store.Open(ctx, w.path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetKeys(secret.TestKeyring())
	w.db = db
	f, err := testworld.NewOrg(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	d := server.NewDeps(db, slog.New(slog.NewJSONHandler(w.logs, nil)))
	h, err := d.Households.CreateHousehold(ctx, household.Actor{Name: "t"}, household.Household{BuildingID: f.Buildings[0].ID, Room: "101"},
		[]household.Person{{Name: "王秀兰", Gender: "female", BirthDate: calendar.Date{Y: 1950, M: 3, D: 4}}})
	if err != nil {
		t.Fatal(err)
	}
	w.household = h.ID
	if _, err := d.Auth.CreateUser(ctx, "admin", "管理员", "dongxing-admin-2025", auth.Grant{Role: auth.Admin, OrgUnitID: f.City.ID}); err != nil {
		t.Fatal(err)
	}
	if err := d.Auth.SetTOTPRoles(ctx, nil); err != nil {
		t.Fatal(err)
	}
	w.srv = httptest.NewServer(Handler(d))
	t.Cleanup(w.srv.Close)
	var login struct{ Token string }
	if status, body := w.call(t, "POST", "/api/v1/auth/login", `{"username":"admin","password":"dongxing-admin-2025"}`); status != 200 {
		t.Fatalf("login: %d %s", status, body)
	} else {
		json.Unmarshal([]byte(body), &login)
	}
	w.token = login.Token
	return w
}

func (w *faultWorld) call(t *testing.T, method, path, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, w.srv.URL+path, strings.NewReader(body))
	if w.token != "" {
		req.Header.Set("Authorization", "Bearer "+w.token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// visit records a visit with long notes under client id id.
func (w *faultWorld) visit(t *testing.T, id string) (int, string) {
	return w.call(t, "POST", "/api/v1/visits", fmt.Sprintf(`{"client_id":%q,"household_id":%d,"outcome":"met","notes":%q,
		"needs":[{"kind":"other","note":"需要上门理发"}]}`, id, w.household, strings.Repeat("见到户主，身体尚好。", 80)))
}

// visits counts the visits of client id id (reads work while writes fail).
func (w *faultWorld) visits(t *testing.T, id string) int {
	var n int
	if err := w.db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM visits WHERE client_id = ?`, id).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// webLogin signs in through the login page and returns the status and page.
func (w *faultWorld) webLogin(t *testing.T) (int, string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Get(w.srv.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(string(b))
	if m == nil {
		t.Fatalf("no csrf on the login page: %.300s", b)
	}
	res, err = c.PostForm(w.srv.URL+"/login", url.Values{"csrf": {m[1]}, "username": {"admin"}, "password": {"dongxing-admin-2025"}})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ = io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// tmpfs mounts a tmpfs of size at a new directory, or skips the test.
func tmpfs(t *testing.T, size string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounting a small file system to fill needs root")
	}
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size="+size+",mode=0700"); err != nil {
		t.Skipf("cannot mount a tmpfs to fill (%v): a container without CAP_SYS_ADMIN", err)
	}
	t.Cleanup(func() { syscall.Unmount(dir, syscall.MNT_DETACH) })
	return dir
}

// fill writes a file in dir until the disk is full.
func fill(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 4096)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			return path
		}
	}
}

// TestDiskFull fills the disk under a running server's SQLite database:
// a visit sent through the API answers 503 storage_full and is not half
// kept, the login page says the disk is full (not "wrong password"), the
// log says what to do; once space is freed, the same visit and the login
// succeed without a restart.
func TestDiskFull(t *testing.T) {
	dir := tmpfs(t, "16m")
	w := newFaultWorld(t, dir)
	// An empty WAL: each commit must then append to it, so a full disk
	// fails the next write rather than a later checkpoint.
	if _, err := w.db.ExecContext(context.Background(), `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	if status, body := w.visit(t, "before-full"); status != http.StatusCreated {
		t.Fatalf("a visit before the disk is full: %d %.300s", status, body)
	}
	filler := fill(t, dir)
	var status int
	var body, id string
	for i := range 200 { // the WAL's last page may still have room for a few
		id = fmt.Sprintf("full-%d", i)
		if status, body = w.visit(t, id); status != http.StatusCreated {
			break
		}
	}
	var e struct {
		Error struct{ Code, Message string }
	}
	json.Unmarshal([]byte(body), &e)
	if status != http.StatusServiceUnavailable || e.Error.Code != "storage_full" || !strings.Contains(e.Error.Message, "nothing was saved") {
		t.Fatalf("a visit on a full disk: %d %.500s", status, body)
	}
	if n := w.visits(t, id); n != 0 {
		t.Errorf("the refused visit %s was kept %d times", id, n)
	}
	if status, page := w.webLogin(t); status != http.StatusServiceUnavailable || !strings.Contains(page, "服务器磁盘已满") {
		t.Errorf("signing in on a full disk: %d %.800s", status, page)
	}
	if logs := w.logs.b.String(); !strings.Contains(logs, `"msg":"the database's disk is full: writes fail (503) until space is freed`) ||
		!strings.Contains(logs, `"kind":"storage_full"`) {
		t.Errorf("the log does not say the disk is full:\n%.3000s", logs)
	}
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	if status, body := w.visit(t, id); status != http.StatusCreated {
		t.Errorf("the same visit once space is freed: %d %.300s", status, body)
	}
	if n := w.visits(t, id); n != 1 {
		t.Errorf("visit %s kept %d times after the retry", id, n)
	}
	if status, page := w.webLogin(t); status != http.StatusSeeOther {
		t.Errorf("signing in once space is freed: %d %.300s", status, page)
	}
	var integrity string
	if err := w.db.QueryRowContext(context.Background(), `PRAGMA integrity_check`).Scan(&integrity); err != nil || integrity != "ok" {
		t.Errorf("integrity_check: %q %v", integrity, err)
	}
}
