package e2e

import (
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/device"

	"wanhu/internal/auth"
	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
	"wanhu/internal/visit"
)

// routeOfThree is a grid with three households on this week's plan of its
// only visitor, the grid worker "walker", who is assigned all three.
func routeOfThree(t *testing.T, ids *[]int64) func(ctx context.Context, db *store.DB) int64 {
	return func(ctx context.Context, db *store.DB) int64 {
		f, err := testworld.NewOrg(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		m := org.TeamMember{CommunityID: f.Community.ID, GridID: f.Grids[0].ID, Name: "马小林", Role: org.RoleGridWorker}
		if err := org.CreateTeamMember(ctx, db, &m); err != nil {
			t.Fatal(err)
		}
		hs := household.NewStore(db)
		for i, name := range []string{"韩桂英", "祁永福", "多杰"} {
			h, err := hs.CreateHousehold(ctx, household.Actor{Name: "setup"},
				household.Household{BuildingID: f.Buildings[0].ID, Unit: "1", Floor: i + 1, Room: fmt.Sprintf("%d01", i+1)},
				[]household.Person{{Name: name, Gender: household.Female, BirthDate: calendar.Date{Y: 1960, M: 3, D: 1}, Relation: "householder"}})
			if err != nil {
				t.Fatal(err)
			}
			*ids = append(*ids, h.ID)
		}
		if err := hs.Assign(ctx, m.ID, *ids...); err != nil {
			t.Fatal(err)
		}
		as := auth.NewStore(db)
		if _, err := as.CreateUser(ctx, "walker", "马小林", password, auth.Grant{Role: auth.Visitor, OrgUnitID: f.Grids[0].ID}); err != nil {
			t.Fatal(err)
		}
		if err := as.LinkTeamMember(ctx, "walker", m.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := visit.NewStore(db, hs).GeneratePlan(ctx, "setup", f.Grids[0].ID, visit.WeekOf(calendar.Today())); err != nil {
			t.Fatal(err)
		}
		return f.City.ID
	}
}

// signal is a TCP relay in front of the site that can lose its signal:
// while down it drops every connection, open or new, as a stairwell does.
// (Chromium's network emulation does not reach the service worker's own
// requests, so it alone cannot show that a page came from its cache.)
type signal struct {
	ln      net.Listener
	backend string
	mu      sync.Mutex
	down    bool
	conns   map[net.Conn]bool
}

// newSignal relays to the site at backend ("http://host:port") and
// returns the relay's URL.
func newSignal(t *testing.T, backend string) (*signal, string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := &signal{ln: ln, backend: strings.TrimPrefix(backend, "http://"), conns: map[net.Conn]bool{}}
	t.Cleanup(func() { ln.Close(); g.set(false) })
	go g.serve()
	return g, "http://" + ln.Addr().String()
}

func (g *signal) serve() {
	for {
		c, err := g.ln.Accept()
		if err != nil {
			return
		}
		go g.relay(c)
	}
}

func (g *signal) relay(c net.Conn) {
	b, err := net.Dial("tcp", g.backend)
	g.mu.Lock()
	if err != nil || g.down {
		g.mu.Unlock()
		c.Close()
		if b != nil {
			b.Close()
		}
		return
	}
	g.conns[c], g.conns[b] = true, true
	g.mu.Unlock()
	go func() { io.Copy(b, c); b.Close() }()
	io.Copy(c, b)
	c.Close()
	g.mu.Lock()
	delete(g.conns, c)
	delete(g.conns, b)
	g.mu.Unlock()
}

// set brings the signal up or down.
func (g *signal) set(up bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.down = !up
	if !up {
		for c := range g.conns {
			c.Close()
		}
	}
}

// online cuts the browser's network, service worker included, or gives it
// back; navigator.onLine follows, so the page hears "online".
func online(on bool) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := cdp.Call(ctx, t, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		offline := !on
		rule := network.EmulateNetworkConditionsByRuleParams{EmulateOfflineServiceWorker: &offline,
			MatchedNetworkConditions: []*network.Conditions{{Offline: offline, DownloadThroughput: -1, UploadThroughput: -1}}}
		if _, err := cdp.Call(ctx, t, network.EmulateNetworkConditionsByRule, rule); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, t, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: offline, DownloadThroughput: -1, UploadThroughput: -1})
		return err
	})
}

// until waits up to 30 s for a JavaScript condition (a promise may be
// returned) to hold in the page.
func (s *site) until(t *testing.T, what, cond string) {
	t.Helper()
	for end := time.Now().Add(30 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		if ok, err := chromedp.Run(s.browser, chromedp.Evaluate[bool](cond, chromedp.EvalAwaitPromise)); err == nil && ok {
			return
		}
	}
	body, _ := chromedp.Run(s.browser, chromedp.Text(chromedp.CSS("body")))
	t.Fatalf("waiting for %s: %s never held; the page shows:\n%.1500s", what, cond, body)
}

// queued is a script that reads the visits waiting on the phone.
const queued = `new Promise(function (ok, fail) {
  var r = indexedDB.open("wanhu-offline", 1);
  r.onerror = function () { fail(r.error); };
  r.onsuccess = function () {
    var q = r.result.transaction("visits", "readonly").objectStore("visits").getAll();
    q.onsuccess = function () { ok(q.result); };
  };
})`

// TestOfflineVisits is the acceptance check of visits without
// signal: a phone opens the route of the day, loses its network, records
// "not at home" at two doors, sees 2 visits waiting, reloads the page from
// the service worker's cache still offline and still sees 2, gets its
// network back, and the queue empties into exactly two visit records. The
// same two sent again (an answer lost on the way back) add nothing.
func TestOfflineVisits(t *testing.T) {
	var ids []int64
	site := newSite(t, routeOfThree(t, &ids))
	sig, relay := newSignal(t, site.url)
	s := *site
	s.url = relay // the phone reaches the site through the relay
	s.do(t, "be a phone", chromedp.Emulate(device.IPhone12))
	s.loginAs(t, "walker")
	// The first page installs the service worker; it controls the pages
	// opened after it is active.
	s.until(t, "the service worker to be active", `navigator.serviceWorker.getRegistration().then(function (r) { return !!(r && r.active); })`)
	s.do(t, "open the route of the day", chromedp.Navigate(s.url+"/"), chromedp.WaitVisible(chromedp.CSS(`#today-list`)))
	if loc := s.text(t, "h1"); !strings.Contains(loc, "今日走访") {
		t.Fatalf("the visitor's start page is %q", loc)
	}
	s.until(t, "the service worker to control the page", `!!navigator.serviceWorker.controller`)
	s.until(t, "the route of the day to be kept", `caches.match("/today").then(function (r) { return !!r; })`)

	count := func() (n int) {
		if err := s.db.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM visits WHERE outcome = 'not_home' AND card_left`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	var total int
	storetest.Scan(t, s.db.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM visits`), &total)
	if total != 0 {
		t.Fatalf("%d visits before the round", total)
	}

	sig.set(false)
	s.do(t, "lose the signal", online(false))
	s.until(t, "the page to know it is offline", `!navigator.onLine`)
	for i, id := range ids[:2] {
		s.do(t, fmt.Sprint("not at home at ", id), chromedp.Click(chromedp.CSS(fmt.Sprintf(`#h%d .visit-not-home`, id))))
		s.until(t, "the tap to be kept", fmt.Sprintf(`document.getElementById("offline-queue").textContent === "%d 条走访待上传"`, i+1))
	}
	s.until(t, "two visits waiting", `document.getElementById("offline-queue").textContent === "2 条走访待上传"`)
	if ok, _ := chromedp.Run(s.browser, chromedp.Evaluate[bool](fmt.Sprintf(`document.getElementById("h%d").classList.contains("recorded")`, ids[0]))); !ok {
		t.Error("the first door is not shown as recorded")
	}
	if n := count(); n != 0 {
		t.Fatalf("%d visits reached the server without a network", n)
	}

	s.do(t, "reload without signal", chromedp.Navigate(s.url+"/today"), chromedp.WaitVisible(chromedp.CSS(`#today-list`)))
	s.until(t, "two visits still waiting after the reload", `document.getElementById("offline-queue").textContent === "2 条走访待上传" && !document.getElementById("offline-queue").hidden`)
	lost, err := chromedp.Run(s.browser, chromedp.Evaluate[string](`(`+queued+`).then(JSON.stringify)`, chromedp.EvalAwaitPromise))
	if err != nil || strings.Count(lost, "client_id") != 2 {
		t.Fatalf("the queue on the phone: %s %v", lost, err)
	}

	sig.set(true)
	s.do(t, "get the signal back", online(true))
	s.until(t, "the queue to empty", `document.getElementById("offline-queue").hidden`)
	if n := count(); n != 2 {
		t.Fatalf("%d visits recorded, want 2", n)
	}
	for _, id := range ids[:2] {
		var n int
		storetest.Scan(t, s.db.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM visits WHERE household_id = ?`, id), &n)
		if n != 1 {
			t.Errorf("household %d has %d visits, want 1", id, n)
		}
	}

	// The phone never heard the answers: the same two go again.
	s.do(t, "queue the same two again", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Evaluate[bool](`new Promise(function (ok, fail) {
  var items = `+lost+`, r = indexedDB.open("wanhu-offline", 1);
  r.onsuccess = function () {
    var tx = r.result.transaction("visits", "readwrite");
    items.forEach(function (x) { tx.objectStore("visits").put(x); });
    tx.oncomplete = function () { ok(true); };
    tx.onerror = function () { fail(tx.error); };
  };
})`, chromedp.EvalAwaitPromise)(ctx, tg)
		return err
	}))
	s.do(t, "reload with signal", chromedp.Navigate(s.url+"/today"), chromedp.WaitVisible(chromedp.CSS(`#today-list`)))
	s.until(t, "the resent queue to empty", `(`+queued+`).then(function (a) { return a.length === 0; })`)
	if n := count(); n != 2 {
		t.Errorf("%d visits after sending the same two again, want 2", n)
	}
	if body := s.text(t, "#today-list"); strings.Count(body, "本周已走访：不在家") != 2 {
		t.Errorf("the route does not show the two doors done:\n%s", body)
	}
}

// phoneOnRoute signs the grid worker in on a phone that reaches the site
// through a relay that can lose its signal, opens the route of the day
// with signal and waits until all three households are kept for use
// offline.
func phoneOnRoute(t *testing.T) (s *site, sig *signal, ids []int64) {
	site := newSite(t, routeOfThree(t, &ids))
	sig, relay := newSignal(t, site.url)
	s = site
	s.url = relay
	s.do(t, "be a phone", chromedp.Emulate(device.IPhone12))
	s.loginAs(t, "walker")
	s.until(t, "the service worker to be active", `navigator.serviceWorker.getRegistration().then(function (r) { return !!(r && r.active); })`)
	s.do(t, "open the route of the day", chromedp.Navigate(s.url+"/today"), chromedp.WaitVisible(chromedp.CSS(`#today-list`)))
	s.until(t, "the three households to be kept", `document.getElementById("today-kept").getAttribute("data-kept") === "3"`)
	if got := s.text(t, "#today-kept"); got != "3 户已保存到手机，没有信号也能打开" {
		t.Errorf("the route says %q", got)
	}
	return s, sig, ids
}

// goOffline cuts the signal, for the page and the service worker both.
func goOffline(t *testing.T, s *site, sig *signal) {
	sig.set(false)
	s.do(t, "lose the signal", online(false))
	s.until(t, "the page to know it is offline", `!navigator.onLine`)
}

// TestOfflineHouseholdsOfToday is the check of the route kept for
// use without signal: /today opened with signal keeps each household's
// visit page and file, so a household never opened before opens offline
// from 今日走访; a page not kept shows Wanhu's offline page, which leads
// back to the route. Logging out drops the kept pages but not the offline
// page, and another user signing in on the phone drops the last one's.
func TestOfflineHouseholdsOfToday(t *testing.T) {
	s, sig, ids := phoneOnRoute(t)
	var address string
	storetest.Scan(t, s.db.QueryRowContext(t.Context(), `SELECT address FROM households WHERE id = ?`, ids[2]), &address)
	goOffline(t, s, sig)

	s.do(t, "open the third household, never opened, offline", chromedp.Click(chromedp.CSS(fmt.Sprintf(`#h%d .today-more`, ids[2]))),
		chromedp.WaitVisible(chromedp.CSS(`#record`)))
	if h1 := s.text(t, "h1"); !strings.Contains(h1, address) {
		t.Errorf("the visit page offline is titled %q, want %s", h1, address)
	}
	s.do(t, "open its file offline", chromedp.Navigate(fmt.Sprintf("%s/households/%d", s.url, ids[2])),
		chromedp.WaitVisible(chromedp.CSS(`#household-address`)))
	if body := s.text(t, "main"); !strings.Contains(body, "多杰") {
		t.Errorf("the household file offline does not show its householder:\n%.800s", body)
	}

	for _, path := range []string{"/stats", "/households", fmt.Sprintf("/households/%d/visits?x=1", ids[0])} {
		s.do(t, "open "+path+" offline", chromedp.Navigate(s.url+path), chromedp.WaitVisible(chromedp.CSS(`#offline-page`)))
		if body := s.text(t, "#offline-page"); !strings.Contains(body, "当前没有网络") || !strings.Contains(body, "没有信号时可以使用") {
			t.Errorf("%s offline shows:\n%s", path, body)
		}
	}
	s.do(t, "back to the route", chromedp.Click(chromedp.CSS(`#offline-today`)), chromedp.WaitVisible(chromedp.CSS(`#today-list`)))

	sig.set(true)
	s.do(t, "get the signal back", online(true))
	s.logout(t)
	s.until(t, "the kept pages to be gone", `caches.has("wanhu-pages").then(function (p) { return !p; })`)
	s.until(t, "the offline page to stay", `caches.match("/offline").then(function (r) { return !!r; })`)
	goOffline(t, s, sig)
	s.do(t, "open a household offline after logging out", chromedp.Navigate(fmt.Sprintf("%s/households/%d/visits", s.url, ids[2])),
		chromedp.WaitVisible(chromedp.CSS(`#offline-page`)))
}

// TestOfflinePagesOfOneUser: pages kept for one user are dropped when
// another signs in on the phone, even when the first never logged out
// (their session ran out).
func TestOfflinePagesOfOneUser(t *testing.T) {
	s, sig, ids := phoneOnRoute(t)
	kept := fmt.Sprintf(`caches.open("wanhu-pages").then(function (c) { return c.match("/households/%d/visits"); }).then(function (r) { return !!r; })`, ids[1])
	s.until(t, "the walker's household to be kept", kept)
	s.do(t, "let the session run out", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, network.ClearBrowserCookies, cdp.Empty{})
		return err
	}))
	s.loginAs(t, "clerk")
	s.until(t, "the walker's pages to be dropped", `(`+kept+`).then(function (k) { return !k; })`)
	goOffline(t, s, sig)
	s.do(t, "open the walker's household offline", chromedp.Navigate(fmt.Sprintf("%s/households/%d/visits", s.url, ids[1])),
		chromedp.WaitVisible(chromedp.CSS(`#offline-page`)))
}

// TestOfflineFullVisit is the check of the full visit form without
// signal: opened offline from 今日走访, filled in with notes, a need found
// and a survey answer, it is kept on the phone and says so; with the
// signal back it uploads into exactly one visit with its need and answer,
// and the same item sent again adds nothing.
func TestOfflineFullVisit(t *testing.T) {
	s, sig, ids := phoneOnRoute(t)
	goOffline(t, s, sig)
	s.do(t, "open the first household offline", chromedp.Click(chromedp.CSS(fmt.Sprintf(`#h%d .today-more`, ids[0]))),
		chromedp.WaitVisible(chromedp.CSS(`#record details summary`)))
	s.do(t, "fill in the full form",
		chromedp.Click(chromedp.CSS(`#record details summary`)),
		chromedp.WaitVisible(chromedp.CSS(`#visit-notes`)),
		chromedp.SendKeys(chromedp.CSS(`#visit-notes`), "老人腿脚不便"),
		chromedp.SetValue(chromedp.CSS(`#visit-need`), "rehabilitation"),
		chromedp.SendKeys(chromedp.CSS(`#visit-need-note`), "需要轮椅"),
		chromedp.Click(chromedp.CSS(`input[name="survey.satisfied"][value="basically_satisfied"]`)),
		chromedp.Click(chromedp.CSS(`#save-visit`)),
	)
	s.until(t, "the visit to be kept", `document.getElementById("offline-queue").textContent === "1 条走访待上传" && !document.getElementById("visit-form-status").hidden`)
	if got := s.text(t, "#visit-form-status"); got != "详细记录已保存在手机上，有信号时自动上传" {
		t.Errorf("the form says %q", got)
	}
	var n int
	storetest.Scan(t, s.db.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM visits`), &n)
	if n != 0 {
		t.Fatalf("%d visits reached the server without a network", n)
	}
	lost, err := chromedp.Run(s.browser, chromedp.Evaluate[string](`(`+queued+`).then(JSON.stringify)`, chromedp.EvalAwaitPromise))
	if err != nil || strings.Count(lost, "client_id") != 1 || !strings.Contains(lost, "老人腿脚不便") {
		t.Fatalf("the queue on the phone: %s %v", lost, err)
	}

	sig.set(true)
	s.do(t, "get the signal back", online(true))
	s.until(t, "the queue to empty", `document.getElementById("offline-queue").hidden`)
	check := func(when string) {
		var visits, needs, answers int
		var notes string
		storetest.Scan(t, s.db.QueryRowContext(t.Context(), `SELECT COUNT(*), COALESCE(MAX(notes), '') FROM visits WHERE household_id = ? AND outcome = 'met'`, ids[0]), &visits, &notes)
		storetest.Scan(t, s.db.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM needs WHERE household_id = ? AND kind = 'rehabilitation' AND note = '需要轮椅'`, ids[0]), &needs)
		storetest.Scan(t, s.db.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM survey_answers WHERE answer = 'basically_satisfied'`), &answers)
		if visits != 1 || notes != "老人腿脚不便" || needs != 1 || answers != 1 {
			t.Errorf("%s: %d visits (notes %q), %d needs, %d answers; want one of each", when, visits, notes, needs, answers)
		}
	}
	check("after the upload")

	s.do(t, "queue the same visit again", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Evaluate[bool](`new Promise(function (ok, fail) {
  var items = `+lost+`, r = indexedDB.open("wanhu-offline", 1);
  r.onsuccess = function () {
    var tx = r.result.transaction("visits", "readwrite");
    items.forEach(function (x) { tx.objectStore("visits").put(x); });
    tx.oncomplete = function () { ok(true); };
    tx.onerror = function () { fail(tx.error); };
  };
})`, chromedp.EvalAwaitPromise)(ctx, tg)
		return err
	}))
	s.do(t, "reload with signal", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#record`)))
	s.until(t, "the resent queue to empty", `(`+queued+`).then(function (a) { return a.length === 0; })`)
	check("after sending it again")
}

// TestOfflineRefusedVisit: a full visit kept on the phone that the server
// refuses in the background upload (here a need kind it does not know) is
// not lost: it stays on the phone, the banner says so and it is never sent
// again; the household's visit page fills the form back with it, and once
// corrected it is saved as one visit and leaves the phone.
func TestOfflineRefusedVisit(t *testing.T) {
	s, _, ids := phoneOnRoute(t)
	item := fmt.Sprintf(`{client_id: "refused-1", user: document.getElementById("offline-queue").getAttribute("data-user"),
  household_id: "%d", tapped: Date.now(), outcome: "met", photos: [],
  fields: [["outcome", "met"], ["notes", "楼道漏水，需要报修"], ["need_kind", "cake"], ["need_note", "三楼水管"]]}`, ids[0])
	s.do(t, "keep a visit the server will refuse", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Evaluate[bool](`new Promise(function (ok, fail) {
  var r = indexedDB.open("wanhu-offline", 1);
  r.onupgradeneeded = function () { r.result.createObjectStore("visits", { keyPath: "client_id" }); };
  r.onsuccess = function () {
    var tx = r.result.transaction("visits", "readwrite");
    tx.objectStore("visits").put(`+item+`);
    tx.oncomplete = function () { ok(true); };
    tx.onerror = function () { fail(tx.error); };
  };
})`, chromedp.EvalAwaitPromise)(ctx, tg)
		return err
	}))
	s.do(t, "reload the round with signal", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#offline-queue`)))
	s.until(t, "the refusal to show", `document.getElementById("offline-queue").textContent.indexOf("1 条详细记录未能上传") === 0`)
	kept, err := chromedp.Run(s.browser, chromedp.Evaluate[string](`(`+queued+`).then(JSON.stringify)`, chromedp.EvalAwaitPromise))
	if err != nil || !strings.Contains(kept, `"refused":422`) || !strings.Contains(kept, "楼道漏水") {
		t.Fatalf("the refused visit on the phone: %s %v", kept, err)
	}
	s.do(t, "reload once more", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#offline-queue`)))
	s.until(t, "the refusal to show again", `document.getElementById("offline-queue").textContent.indexOf("1 条详细记录未能上传") === 0`)
	var n int
	storetest.Scan(t, s.db.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM visits`), &n)
	if n != 0 {
		t.Fatalf("%d visits recorded from a refused item", n)
	}

	s.do(t, "open the household's visit page", chromedp.Click(chromedp.CSS(fmt.Sprintf(`#h%d .today-more`, ids[0]))),
		chromedp.WaitVisible(chromedp.CSS(`#record`)))
	s.until(t, "the form to be filled back", `document.getElementById("visit-notes").value === "楼道漏水，需要报修" && !document.getElementById("visit-form-status").hidden`)
	if got := s.text(t, "#visit-form-status"); !strings.HasPrefix(got, "离线填写的这条记录未能上传") {
		t.Errorf("the form says %q", got)
	}
	s.do(t, "correct the need and save", chromedp.SetValue(chromedp.CSS(`#visit-need`), "housing_repair"), chromedp.Click(chromedp.CSS(`#save-visit`)))
	s.until(t, "the visit to be saved", `location.hash === "#done"`)
	s.until(t, "the phone to be empty", `(`+queued+`).then(function (a) { return a.length === 0; })`)
	var notes string
	storetest.Scan(t, s.db.QueryRowContext(t.Context(), `SELECT COUNT(*), COALESCE(MAX(notes), '') FROM visits WHERE household_id = ?`, ids[0]), &n, &notes)
	if n != 1 || notes != "楼道漏水，需要报修" {
		t.Errorf("%d visits (notes %q), want the corrected one", n, notes)
	}
}
