package gen_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"wanhu/internal/app"
	"wanhu/internal/calendar"
	"wanhu/internal/gen"
	"wanhu/internal/server"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/visit"
)

// checkWeek checks the week Generate made of Dongxing on today: a plan of
// the ISO week for every grid, made before the week began, with
// households for each grid; the only visits of the week are the plans',
// by the plan's visitor, on the days before today (none today or later),
// each visitor's in route order; on a Monday none yet. It returns how many
// visits the week has.
func checkWeek(t *testing.T, db *store.DB, today calendar.Date, sum gen.Summary) int {
	t.Helper()
	week := visit.WeekOf(today)
	start := func(d calendar.Date) time.Time { return time.Date(d.Y, d.M, d.D, 0, 0, 0, 0, calendar.China) }
	if sum.Week.Week != week.String() || sum.Week.Plans != 7 || sum.Week.Planned == 0 {
		t.Errorf("summary of the week: %+v, want 7 plans of %s", sum.Week, week)
	}
	if n := count(t, db, `SELECT COUNT(*) FROM org_units g WHERE g.kind = 'grid' AND g.parent_id = ? AND NOT EXISTS
		(SELECT 1 FROM plans p JOIN plan_items i ON i.plan_id = p.id WHERE p.grid_id = g.id AND p.week = ?)`, sum.CommunityID, week.String()); n != 0 {
		t.Errorf("%d grids without a plan of %s", n, week)
	}
	if n := count(t, db, `SELECT COUNT(*) FROM plans WHERE week = ? AND generated_at >= ?`, week.String(), start(week.Monday())); n != 0 {
		t.Errorf("%d plans made after the week began", n)
	}
	if n := count(t, db, `SELECT COUNT(*) FROM visits WHERE at >= ?`, start(today)); n != 0 {
		t.Errorf("%d visits today or later", n)
	}
	visits := count(t, db, `SELECT COUNT(*) FROM visits WHERE at >= ?`, start(week.Monday()))
	if n := count(t, db, `SELECT COUNT(*) FROM visits v JOIN plan_items i ON i.household_id = v.household_id
		JOIN plans p ON p.id = i.plan_id AND p.week = ? AND p.grid_id = v.grid_id
		JOIN visit_visitors vv ON vv.visit_id = v.id AND vv.team_member_id = i.team_member_id
		WHERE v.at >= ?`, week.String(), start(week.Monday())); n != visits || visits != sum.Week.Visits {
		t.Errorf("%d visits this week, %d of them the plans' by their visitor; the summary says %d", visits, n, sum.Week.Visits)
	}
	// Each visitor walks their list in route order.
	rows, err := db.QueryContext(context.Background(), `SELECT i.plan_id, i.team_member_id, i.position, v.at FROM visits v
		JOIN plan_items i ON i.household_id = v.household_id JOIN plans p ON p.id = i.plan_id AND p.week = ?
		WHERE v.at >= ? ORDER BY i.plan_id, i.team_member_id, i.position`, week.String(), start(week.Monday()))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	last := map[[2]int64]time.Time{}
	for rows.Next() {
		var plan, m int64
		var pos int
		var at time.Time
		if err := rows.Scan(&plan, &m, &pos, &at); err != nil {
			t.Fatal(err)
		}
		if k := [2]int64{plan, m}; at.Before(last[k]) {
			t.Errorf("plan %d: member %d visited the household at position %d at %s, before the one before it (%s)", plan, m, pos, at, last[k])
		}
		last[[2]int64{plan, m}] = at
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return visits
}

// TestWeekOnAWednesday: generated on a Wednesday, Dongxing has this week's
// plans and the visits of Monday and Tuesday; the households' schedule is
// what those visits left (TestVisitHistory replays every visit).
func TestWeekOnAWednesday(t *testing.T) {
	db := generatedDongxing(t)
	var communityID int64
	if err := db.QueryRowContext(t.Context(), `SELECT id FROM org_units WHERE kind = 'community' AND name = '东兴社区'`).Scan(&communityID); err != nil {
		t.Fatal(err)
	}
	// The summary is not kept with the copy: count it back.
	week := visit.WeekOf(articleDay).String()
	sum := gen.Summary{CommunityID: communityID, Week: gen.WeekSummary{Week: week, Plans: count(t, db, `SELECT COUNT(*) FROM plans WHERE week = ?`, week),
		Planned: count(t, db, `SELECT COUNT(*) FROM plan_items i JOIN plans p ON p.id = i.plan_id WHERE p.week = ?`, week),
		Visits:  count(t, db, `SELECT COUNT(*) FROM visits WHERE client_id LIKE 'gen-week-%'`)}}
	visits := checkWeek(t, db, articleDay, sum)
	// Two days of seven of the route, some 700 households planned.
	if visits < 100 || visits > 350 {
		t.Errorf("%d visits on Monday and Tuesday", visits)
	}
	if n := count(t, db, `SELECT COUNT(*) FROM visits WHERE client_id LIKE 'gen-week-%' AND outcome = 'not_home' AND NOT card_left`); n != 0 {
		t.Errorf("%d not-at-home visits without a card", n)
	}
}

// TestWeekOnMondayAndSunday: generated on a Monday, the week's plans are
// there and no visit yet; on a Sunday, the visits of Monday to Saturday,
// none on Sunday; on both engines.
func TestWeekOnMondayAndSunday(t *testing.T) {
	monday, sunday := calendar.Date{Y: 2025, M: time.October, D: 13}, calendar.Date{Y: 2025, M: time.October, D: 19}
	t.Run("monday", func(t *testing.T) {
		storetest.Each(t, func(t *testing.T, db *store.DB) {
			sum, err := gen.Generate(t.Context(), db, gen.Options{Households: 600, Today: monday})
			if err != nil {
				t.Fatal(err)
			}
			if n := checkWeek(t, db, monday, sum); n != 0 {
				t.Errorf("%d visits this week on its Monday", n)
			}
		})
	})
	t.Run("sunday", func(t *testing.T) {
		storetest.Each(t, func(t *testing.T, db *store.DB) {
			sum, err := gen.Generate(t.Context(), db, gen.Options{Households: 600, Today: sunday})
			if err != nil {
				t.Fatal(err)
			}
			if n := checkWeek(t, db, sunday, sum); n < sum.Week.Planned/2 {
				t.Errorf("%d visits from Monday to Saturday of %d planned", n, sum.Week.Planned)
			}
			if n := count(t, db, `SELECT COUNT(*) FROM visits WHERE at >= ?`, time.Date(2025, 10, 18, 0, 0, 0, 0, calendar.China)); n == 0 {
				t.Error("no visit on Saturday")
			}
		})
	})
}

var householdRow = regexp.MustCompile(`<li class="item today( done)?" id="h\d+" data-visit-row data-household="(\d+)"`)

// TestDemoToday: in the demo generated today (the wall clock, as wanhu demo
// runs), visitor1's 今日走访 is this week's plan: their households in route
// order, those visited since Monday marked done, and some left to visit.
func TestDemoToday(t *testing.T) {
	ctx := t.Context()
	db := storetest.SQLite(t)
	today := calendar.Today()
	if _, err := gen.Generate(ctx, db, gen.Options{Households: 600, Today: today}); err != nil {
		t.Fatal(err)
	}
	const pw = "demo-password-2026"
	if _, err := gen.DemoAccounts(ctx, db, pw); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app.Handler(server.NewDeps(db, slog.New(slog.DiscardHandler))))
	t.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path string) string {
		t.Helper()
		res, err := c.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", path, res.StatusCode)
		}
		return string(b)
	}
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(get("/login"))
	if csrf == nil {
		t.Fatal("no CSRF token on /login")
	}
	res, err := c.PostForm(srv.URL+"/login", url.Values{"csrf": {csrf[1]}, "username": {"visitor1"}, "password": {pw}, "next": {"/today"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login as visitor1: %d", res.StatusCode)
	}
	body := get("/today")
	if !strings.Contains(body, `id="today-summary"`) || strings.Contains(body, `id="today-fallback"`) {
		t.Fatalf("visitor1's /today is not this week's plan:\n%s", body)
	}
	var got []string
	done := 0
	for _, m := range householdRow.FindAllStringSubmatch(body, -1) {
		got = append(got, m[2])
		if m[1] != "" {
			done++
		}
	}
	var want []string
	rows, err := db.QueryContext(ctx, `SELECT i.household_id FROM plan_items i JOIN plans p ON p.id = i.plan_id
		JOIN users u ON u.team_member_id = i.team_member_id WHERE u.username = 'visitor1' AND p.week = ? ORDER BY p.grid_id, i.position`,
		visit.WeekOf(today).String())
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		want = append(want, id)
	}
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("/today lists households %v, want the plan's in route order %v", got, want)
	}
	if done == len(got) {
		t.Errorf("all %d households of the route already visited: nothing left for today", done)
	}
	t.Logf("%s: %d households on the route, %d visited", visit.WeekOf(today), len(got), done)
}
