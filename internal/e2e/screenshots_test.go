package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/device"

	"wanhu/internal/calendar"
	"wanhu/internal/gen"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/proactive"
	"wanhu/internal/store"
	"wanhu/internal/visit"
)

// TestScreenshots refreshes the README's screenshots from the demo
// community when WANHU_SCREENSHOTS names a folder:
//
//	WANHU_E2E=1 WANHU_SCREENSHOTS=$PWD/docs/screenshots go test ./internal/e2e/ -run Screenshots
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("WANHU_SCREENSHOTS")
	if dir == "" {
		t.Skip("screenshots not asked for: set WANHU_SCREENSHOTS to a folder")
	}
	s := newSite(t, func(ctx context.Context, db *store.DB) int64 {
		if _, err := gen.Generate(ctx, db, gen.Options{}); err != nil {
			t.Fatal(err)
		}
		if _, err := gen.DemoAccounts(ctx, db, password); err != nil {
			t.Fatal(err)
		}
		if _, err := visit.NewStore(db, household.NewStore(db)).GeneratePlan(ctx, "第一网格网格长", 1, visit.WeekOf(calendar.Today())); err != nil {
			t.Fatal(err)
		}
		if err := gen.DemoRounds(ctx, db, calendar.Today()); err != nil {
			t.Fatal(err)
		}
		if _, err := proactive.Run(ctx, db, calendar.Today(), time.Now()); err != nil {
			t.Fatal(err)
		}
		cities, err := org.Units(ctx, db, org.City)
		if err != nil || len(cities) == 0 {
			t.Fatalf("no city: %v", err)
		}
		return cities[0].ID
	})
	s.login(t)
	red, _, err := household.NewStore(s.db).List(context.Background(), household.Filter{Colour: household.Red, Tag: "living_alone_elderly", Q: "一化小区", PerPage: 1})
	if err != nil || len(red) == 0 {
		t.Fatalf("no red household in 一化小区: %v", err)
	}
	file := fmt.Sprintf("/households/%d", red[0].ID)
	tokens, err := visit.CardTokens(context.Background(), s.db, []int64{red[0].ID})
	if err != nil {
		t.Fatal(err)
	}
	shoot := func(name, path string, whole bool) {
		s.do(t, "open "+path, chromedp.Navigate(s.url+path), chromedp.WaitVisible(chromedp.CSS("body")))
		if strings.HasPrefix(path, "/stats/") {
			s.until(t, "the charts of "+path, allCharts)
			time.Sleep(1500 * time.Millisecond) // the charts' opening animation
		}
		shot := chromedp.CaptureScreenshot() // long pages: the top, as a phone shows it
		if whole {
			shot = chromedp.FullScreenshot(100)
		}
		img, err := chromedp.Run(s.browser, shot)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), img, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	shoot("households.png", "/households?colour=red", true)
	shoot("household-file.png", file, true)
	shoot("print.png", file+"/print", true)
	shoot("key-persons.png", "/rosters/key-persons", true)
	shoot("plan.png", "/plans?grid=1&week="+visit.WeekOf(calendar.Today()).String(), false)
	shoot("progress.png", "/visits/progress?grid=1", false)
	shoot("cards.png", file+"/card", false)
	shoot("requests.png", "/requests?state=all", false)
	shoot("tasks.png", "/tasks", false)
	shoot("rounds.png", "/rounds", true)
	shoot("hazards.png", "/hazards", false)
	shoot("talk.png", "/talk", false)
	s.do(t, "be an office screen", chromedp.EmulateViewport(1280, 900))
	shoot("stats-population.png", "/stats/population", false)
	shoot("stats-households.png", "/stats/households", false)
	shoot("rosters.png", "/rosters", false)
	shoot("staff.png", "/staff", false)
	s.do(t, "be a phone again", chromedp.EmulateViewport(412, 915))
	s.do(t, "leave the card sheet", chromedp.Navigate(s.url+"/households"), chromedp.WaitVisible(chromedp.CSS(`#logout`)))
	s.logout(t)
	shoot("appointment.png", "/a/"+tokens[red[0].ID], true)
	shoot("resident.png", "/r/new", false)
	s.do(t, "be a phone", chromedp.Emulate(device.IPhone12))
	s.loginAs(t, "visitor1")
	shoot("today.png", "/today", false)
}
