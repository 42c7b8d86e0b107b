package e2e

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/device"

	"wanhu/internal/calendar"
	"wanhu/internal/gen"
	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/visit"
)

// demoCommunity is the community of `wanhu demo`: Dongxing's 4,470
// households with their visit history and the demo accounts.
func demoCommunity(t *testing.T) func(ctx context.Context, db *store.DB) int64 {
	return func(ctx context.Context, db *store.DB) int64 {
		if _, err := gen.Generate(ctx, db, gen.Options{}); err != nil {
			t.Fatal(err)
		}
		if _, err := gen.DemoAccounts(ctx, db, password); err != nil {
			t.Fatal(err)
		}
		cs, err := org.Units(ctx, db, org.Community)
		if err != nil || len(cs) == 0 {
			t.Fatalf("no community: %v", err)
		}
		return cs[0].ID
	}
}

// planItem is one row of a saved plan as the checks read it.
type planItem struct {
	member, building string
	household        int64
	colour, reason   string
	language         string
}

// planOf reads the plan of grid 1 for week, by visitor and position.
func planOf(t *testing.T, db *store.DB, week visit.Week) []planItem {
	t.Helper()
	rows, err := db.QueryContext(t.Context(), `SELECT m.name, COALESCE(c.name, '') || '/' || COALESCE(b.name, ''), h.id, h.colour, i.reason, h.language
		FROM plans p JOIN plan_items i ON i.plan_id = p.id JOIN team_members m ON m.id = i.team_member_id
		JOIN households h ON h.id = i.household_id LEFT JOIN compounds c ON c.id = h.compound_id LEFT JOIN buildings b ON b.id = h.building_id
		WHERE p.grid_id = 1 AND p.week = ? ORDER BY i.team_member_id, i.position`, week.String())
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []planItem
	for rows.Next() {
		var it planItem
		if err := rows.Scan(&it.member, &it.building, &it.household, &it.colour, &it.reason, &it.language); err != nil {
			t.Fatal(err)
		}
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestVisitRoundOnTheDemo is issue 4's "done means", on the demo community
// in the browser: the grid leader of grid 1 generates next week's plan
// (≥ 100 households, red overdue first, the rest building by building, the
// Tibetan-speaking households with the Tibetan-speaking volunteer); a
// volunteer's phone records "not at home" without signal and prints the
// household's contact card; the resident books an evening slot through the
// card's QR page and the booking shows in the plan; the grid's numbers move.
func TestVisitRoundOnTheDemo(t *testing.T) {
	site := newSite(t, demoCommunity(t))
	sig, relay := newSignal(t, site.url)
	s := *site
	s.url = relay
	ctx := t.Context()
	this := visit.WeekOf(calendar.Today())
	next := this.Next()

	// The grid leader makes this week's and next week's plans.
	s.loginAs(t, "leader1")
	for _, w := range []visit.Week{next, this} {
		s.do(t, "open the plans of "+w.String(),
			chromedp.Navigate(fmt.Sprintf("%s/plans?grid=1&week=%s", s.url, w)),
			chromedp.WaitVisible(chromedp.CSS(`#generate`)),
			chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				_, err := chromedp.Evaluate[bool](`window.beforeGenerate = true`)(ctx, tg)
				return err
			}),
			chromedp.Click(chromedp.CSS(`#generate`)))
		// The demo already has this week's plan: wait for the page the
		// generation answers with, not the one the button was on.
		s.until(t, "the plan of "+w.String(), `!window.beforeGenerate && !!document.getElementById("plan")`)
	}
	plan := planOf(t, s.db, next)
	if len(plan) < 100 {
		t.Fatalf("next week's plan of grid 1 holds %d households, want at least 100", len(plan))
	}
	var redOverdue, tibetan int
	for i, it := range plan {
		urgent := it.colour == "red" && strings.Contains(it.reason, "overdue")
		if urgent {
			redOverdue++
		}
		// Each visitor's list: red overdue first, then building by building.
		if i > 0 && plan[i-1].member == it.member {
			prev := plan[i-1]
			if urgent && !(prev.colour == "red" && strings.Contains(prev.reason, "overdue")) {
				t.Errorf("%s: red overdue household %d after others", it.member, it.household)
			}
		}
		if it.language == "bo" {
			tibetan++
			if it.member != "卓玛" {
				t.Errorf("Tibetan-speaking household %d goes to %s, not 卓玛", it.household, it.member)
			}
		}
	}
	if redOverdue == 0 || tibetan == 0 {
		t.Errorf("the plan has %d red overdue and %d Tibetan-speaking households; the demo should have both", redOverdue, tibetan)
	}
	for _, member := range members(plan) {
		left := map[string]bool{}
		last := ""
		for _, it := range plan {
			if it.member != member || (it.colour == "red" && strings.Contains(it.reason, "overdue")) || strings.Contains(it.reason, "appointment") {
				continue
			}
			if it.building != last {
				if left[it.building] {
					t.Errorf("%s walks back to %s", member, it.building)
				}
				left[last], last = true, it.building
			}
		}
	}
	progress := func() string {
		s.do(t, "open the week's progress", chromedp.Navigate(fmt.Sprintf("%s/visits/progress?grid=1&week=%s", s.url, this)),
			chromedp.WaitVisible(chromedp.CSS(`#progress-numbers`)))
		return s.text(t, "#progress-numbers")
	}
	before := progress()
	s.logout(t)

	// The volunteer's phone: the round of the day, one door without signal.
	s.do(t, "be a phone", chromedp.Emulate(device.IPhone12))
	s.loginAs(t, "visitor1")
	s.until(t, "the service worker to be active", `navigator.serviceWorker.getRegistration().then(function (r) { return !!(r && r.active); })`)
	s.do(t, "open the round of the day", chromedp.Navigate(s.url+"/"), chromedp.WaitVisible(chromedp.CSS(`#today-list`)))
	s.until(t, "the service worker to control the page", `!!navigator.serviceWorker.controller`)
	door, err := chromedp.Run(s.browser, chromedp.Evaluate[string](`document.querySelector("#today-list .visit-not-home").closest("li").id`))
	if err != nil || !strings.HasPrefix(door, "h") {
		t.Fatalf("no door to knock at on the round: %q %v", door, err)
	}
	var hid int64
	fmt.Sscanf(door, "h%d", &hid)
	visits := func() (n int) {
		storetest.Scan(t, s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM visits WHERE household_id = ? AND outcome = 'not_home' AND card_left`, hid), &n)
		return n
	}
	had := visits()
	sig.set(false)
	s.do(t, "lose the signal", online(false))
	s.until(t, "the page to know it is offline", `!navigator.onLine`)
	s.do(t, "not at home", chromedp.Click(chromedp.CSS("#"+door+" .visit-not-home")))
	s.until(t, "the visit to wait", `document.getElementById("offline-queue").textContent === "1 条走访待上传"`)
	if n := visits(); n != had {
		t.Fatalf("a visit reached the server without a network")
	}
	sig.set(true)
	s.do(t, "get the signal back", online(true))
	s.until(t, "the queue to empty", `document.getElementById("offline-queue").hidden`)
	if n := visits(); n != had+1 {
		t.Fatalf("%d not-at-home visits after the upload, want %d", n, had+1)
	}

	// The card left at the door, printed on A4.
	s.do(t, "open the contact card", chromedp.Navigate(fmt.Sprintf("%s/households/%d/card", s.url, hid)),
		chromedp.WaitVisible(chromedp.CSS(`article.contact-card svg`)))
	link, err := chromedp.Run(s.browser, chromedp.Evaluate[string](`document.querySelector("article.contact-card a[href*='/a/']").href`))
	if err != nil || !strings.HasPrefix(link, s.url+"/a/") {
		t.Fatalf("the card's appointment link: %q %v", link, err)
	}
	var pdf []byte
	s.do(t, "print the card", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		prefer := true
		res, err := cdp.Call(ctx, tg, page.PrintToPDF, page.PrintToPDFParams{PreferCSSPageSize: &prefer})
		pdf = res.Data
		return err
	}))
	if !bytes.HasPrefix(pdf, []byte("%PDF")) {
		t.Errorf("the printed card is not a PDF (%d bytes)", len(pdf))
	}
	s.do(t, "back to the round", chromedp.Navigate(s.url+"/today"), chromedp.WaitVisible(chromedp.CSS(`#logout`)))
	s.logout(t)

	// The resident scans the card and books an evening.
	s.do(t, "scan the card", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS(`#appt-form`)))
	s.do(t, "choose an evening",
		chromedp.Click(chromedp.CSS(`.appt-evening input[name="slot"]`)),
		chromedp.SendKeys(chromedp.CSS(`#appt-phone`), "13909712345"),
		chromedp.Click(chromedp.CSS(`#appt-submit`)))
	s.waitFor(t, "the confirmation", func(string) bool {
		ok, _ := chromedp.Run(s.browser, chromedp.Evaluate[bool](`!document.getElementById("appt-form")`))
		return ok
	})
	var week, kind string
	var member int64
	if err := s.db.QueryRowContext(ctx, `SELECT a.team_member_id, a.slot_kind, p.week FROM appointments a
		JOIN plan_items i ON i.household_id = a.household_id AND i.team_member_id = a.team_member_id
		JOIN plans p ON p.id = i.plan_id AND p.grid_id = a.grid_id
		WHERE a.household_id = ? AND a.state = 'booked' AND i.reason LIKE '%appointment%'`, hid).Scan(&member, &kind, &week); err != nil {
		t.Fatalf("the booking is not in the plan of its week: %v", err)
	}
	if kind != "evening" {
		t.Errorf("booked a %s slot, want evening", kind)
	}

	// The grid leader sees the booking in the plan, and the week's numbers
	// moved. He works on his own PC: the visitor's phone, whose service
	// worker controls the site, is not where he signs in.
	pc, closePC := chromedp.NewContext(s.browser, chromedp.WithNewBrowserContext())
	defer closePC()
	s.browser = pc
	s.loginAs(t, "leader1")
	s.do(t, "open the plan with the booking", chromedp.Navigate(fmt.Sprintf("%s/plans?grid=1&week=%s", s.url, week)),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`#h%d`, hid))))
	if row := s.text(t, fmt.Sprintf(`#h%d`, hid)); !strings.Contains(row, "预约") {
		t.Errorf("the plan does not show the booking:\n%s", row)
	}
	if after := progress(); after == before {
		t.Errorf("the week's progress did not move: %q", after)
	}
}

// members lists the visitors of a plan in order.
func members(plan []planItem) []string {
	var out []string
	for _, it := range plan {
		if len(out) == 0 || out[len(out)-1] != it.member {
			out = append(out, it.member)
		}
	}
	return out
}
