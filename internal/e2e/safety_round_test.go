package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/device"

	"wanhu/internal/auth"
	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/round"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
)

// saturdayRound is a grid whose worker "walker" has a night round
// scheduled for the coming Saturday at 21:00; *id is the round.
func saturdayRound(t *testing.T, id *int64, building *int64) func(ctx context.Context, db *store.DB) int64 {
	return func(ctx context.Context, db *store.DB) int64 {
		f, err := testworld.NewOrg(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		m := org.TeamMember{CommunityID: f.Community.ID, GridID: f.Grids[0].ID, Name: "马小林", Role: org.RoleGridWorker}
		if err := org.CreateTeamMember(ctx, db, &m); err != nil {
			t.Fatal(err)
		}
		as := auth.NewStore(db)
		if _, err := as.CreateUser(ctx, "walker", "马小林", password, auth.Grant{Role: auth.Visitor, OrgUnitID: f.Grids[0].ID}); err != nil {
			t.Fatal(err)
		}
		if err := as.LinkTeamMember(ctx, "walker", m.ID); err != nil {
			t.Fatal(err)
		}
		sat := calendar.Today().Midnight()
		for sat.Weekday() != time.Saturday {
			sat = sat.AddDate(0, 0, 1)
		}
		at := sat.Add(21 * time.Hour)
		r, err := round.NewStore(db).Begin(ctx, household.Actor{Name: "setup"}, round.Start{Template: round.NightPublic,
			GridID: f.Grids[0].ID, ScheduledFor: &at, AssigneeMemberID: m.ID})
		if err != nil {
			t.Fatal(err)
		}
		*id, *building = r.ID, f.Buildings[0].ID
		return f.City.ID
	}
}

// TestSaturdayNightRound is issue 16's "done means" in the browser: the
// grid worker opens the Saturday night round on a phone, loses the signal
// by a manhole, marks the cover missing at 1号楼 and saves; the round waits
// on the phone; with the signal back it is sent once, and an urgent
// request, accepted and due in 24 hours, is on the staff's queue at once.
func TestSaturdayNightRound(t *testing.T) {
	var id, building int64
	site := newSite(t, saturdayRound(t, &id, &building))
	sig, relay := newSignal(t, site.url)
	s := *site
	s.url = relay
	s.do(t, "be a phone", chromedp.Emulate(device.IPhone12))
	s.loginAs(t, "walker")
	s.until(t, "the service worker to be active", `navigator.serviceWorker.getRegistration().then(function (r) { return !!(r && r.active); })`)
	s.do(t, "open the rounds", chromedp.Navigate(s.url+"/rounds"), chromedp.WaitVisible(chromedp.CSS(`#waiting`)))
	if txt := s.text(t, "#waiting"); !strings.Contains(txt, "夜间公共区域巡查") || !strings.Contains(txt, "21:00") {
		t.Fatalf("the Saturday round is not waiting: %q", txt)
	}
	s.do(t, "open the checklist", chromedp.Click(chromedp.CSS(fmt.Sprintf(`[data-round="%d"] .round-open`, id))),
		chromedp.WaitVisible(chromedp.CSS(`#round-form`)))

	sig.set(false)
	s.do(t, "lose the signal", online(false))
	s.until(t, "the page to know it is offline", `!navigator.onLine`)
	s.do(t, "mark the manhole cover missing",
		chromedp.Click(chromedp.CSS(`#ok-fire_hydrant`)),
		chromedp.Click(chromedp.CSS(`#fail-manhole_cover`)),
		chromedp.SendKeys(chromedp.CSS(`#note-manhole_cover`), "井盖缺失，已放警示锥"),
		chromedp.SetValue(chromedp.CSS(`#building-manhole_cover`), fmt.Sprint(building)),
		chromedp.Click(chromedp.CSS(`#save-round`)))
	s.until(t, "the round to be kept on the phone", `!document.getElementById("visit-form-status").hidden && document.getElementById("offline-queue").textContent.indexOf("1") >= 0`)
	count := func(q string) (n int) {
		storetest.Scan(t, s.db.QueryRowContext(t.Context(), q), &n)
		return n
	}
	if n := count(`SELECT COUNT(*) FROM requests`); n != 0 {
		t.Fatalf("%d requests without a network", n)
	}

	sig.set(true)
	s.do(t, "get the signal back", online(true))
	s.until(t, "the queue to empty", `document.getElementById("offline-queue").hidden`)
	if n := count(`SELECT COUNT(*) FROM requests WHERE urgency = 'urgent' AND state = 'accepted' AND category = 'safety'`); n != 1 {
		t.Fatalf("%d urgent requests accepted, want 1", n)
	}
	if n := count(fmt.Sprintf(`SELECT COUNT(*) FROM rounds WHERE id = %d AND state = 'done' AND failed = 1`, id)); n != 1 {
		t.Errorf("the round is not done with one failure")
	}

	// The staff on duty see it at once, urgent.
	s.logout(t)
	s.loginAs(t, "clerk")
	s.do(t, "open the queue", chromedp.Navigate(s.url+"/requests"), chromedp.WaitVisible(chromedp.CSS(`h1`)))
	if txt := s.text(t, "main"); !strings.Contains(txt, "安全排查") || !strings.Contains(txt, "紧急") {
		t.Errorf("the queue does not show the urgent manhole:\n%.1500s", txt)
	}
}
