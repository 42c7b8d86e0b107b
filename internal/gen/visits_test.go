package gen_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/proactive"
	"wanhu/internal/visit"
)

// TestVisitHistory: Dongxing gets a visit history like the article's: at
// least 100 visits a week in every grid (R7), a few households overdue
// (some red ones), a few not visited this year, a few not at home at their
// last visits and flagged for an off-peak visit, recorded by the grid's
// team; and the households' schedule is what the visit store computes.
func TestVisitHistory(t *testing.T) {
	ctx := context.Background()
	db := generatedDongxing(t)
	occupied := count(t, db, `SELECT COUNT(*) FROM households WHERE occupancy <> 'vacant'`)
	visits := count(t, db, `SELECT COUNT(*) FROM visits`)
	share := func(what string, n int, lo, hi float64) {
		t.Helper()
		s := float64(n) / float64(occupied)
		t.Logf("%s: %d (%.1f %%)", what, n, 100*s)
		if s < lo || s > hi {
			t.Errorf("%s: %.1f %% of occupied households, want %.0f–%.0f %%", what, 100*s, 100*lo, 100*hi)
		}
	}
	t.Logf("%d visits, %.2f a household", visits, float64(visits)/4470)
	if avg := float64(visits) / 4470; avg < 1.2 || avg > 2.5 {
		t.Errorf("%.2f visits a household, want at most 2.5", avg)
	}
	share("overdue", count(t, db, `SELECT COUNT(*) FROM households WHERE occupancy <> 'vacant' AND next_due_on < ?`, articleDay), 0.04, 0.09)
	share("not visited this year", count(t, db, `SELECT COUNT(*) FROM households h WHERE occupancy <> 'vacant'
		AND NOT EXISTS (SELECT 1 FROM visits v WHERE v.household_id = h.id AND v.at >= ?)`,
		time.Date(articleDay.Y, 1, 1, 0, 0, 0, 0, calendar.China)), 0.02, 0.06)
	share("not at home at the last visit", count(t, db, `SELECT COUNT(*) FROM households WHERE misses > 0`), 0.005, 0.03)
	share("flagged off-peak", count(t, db, `SELECT COUNT(*) FROM households WHERE offpeak`), 0.002, 0.02)
	if n := count(t, db, `SELECT COUNT(*) FROM households WHERE offpeak <> (misses >= ?)`, proactive.DefaultOffpeakMisses); n != 0 {
		t.Errorf("%d households flagged off-peak other than after %d misses", n, proactive.DefaultOffpeakMisses)
	}
	// Red households one to three weeks overdue when the week began: this
	// week's plan puts them first (priority 1000, 400 for red, a point a
	// day overdue, 50 an open need, 100 off-peak).
	if n := count(t, db, `SELECT COUNT(*) FROM plan_items i JOIN plans p ON p.id = i.plan_id JOIN households h ON h.id = i.household_id
		WHERE p.week = ? AND h.colour = 'red' AND i.reason LIKE 'overdue%' AND i.priority % 50 BETWEEN 7 AND 21 AND i.position = 1`,
		visit.WeekOf(articleDay).String()); n == 0 {
		t.Error("no red household overdue by one to three weeks first on a visitor's list")
	}
	if n := count(t, db, `SELECT COUNT(*) FROM visits WHERE outcome = 'refused'`); n == 0 || n > visits/20 {
		t.Errorf("%d refused visits", n)
	}
	if n := count(t, db, `SELECT COUNT(*) FROM visits WHERE channel = 'door'`); n < visits*4/5 {
		t.Errorf("only %d of %d visits at the door", n, visits)
	}

	// R7: at least 100 visits in every grid in the last full week.
	week := visit.WeekOf(articleDay)
	from := calendar.DateOf(week.Monday().Time().AddDate(0, 0, -7))
	cst := calendar.China
	at := func(d calendar.Date) time.Time { return time.Date(d.Y, d.M, d.D, 0, 0, 0, 0, cst) }
	for n := 1; n <= 7; n++ {
		v := count(t, db, `SELECT COUNT(*) FROM visits v JOIN org_units g ON g.id = v.grid_id WHERE g.number = ? AND v.at >= ? AND v.at < ?`,
			n, at(from), at(week.Monday()))
		if v < 100 {
			t.Errorf("grid %d: %d visits in the week from %s, want at least 100", n, v, from)
		}
	}

	// Visitors: the grid's own team or the community's helpers.
	if n := count(t, db, `SELECT COUNT(*) FROM visit_visitors vv JOIN visits v ON v.id = vv.visit_id
		JOIN team_members m ON m.id = vv.team_member_id JOIN org_units g ON g.id = v.grid_id
		WHERE m.community_id <> g.parent_id OR (m.grid_id IS NOT NULL AND m.grid_id <> v.grid_id)`); n != 0 {
		t.Errorf("%d visitors from another grid or community", n)
	}
	if n := count(t, db, `SELECT COUNT(*) FROM visits v WHERE recorded_by IS NOT NULL OR NOT EXISTS
		(SELECT 1 FROM visit_visitors vv JOIN team_members m ON m.id = vv.team_member_id WHERE vv.visit_id = v.id AND m.name = v.recorded_by_name)`); n != 0 {
		t.Errorf("%d visits not recorded by one of their visitors", n)
	}

	// Each visit and the schedule it leaves, replayed as the visit store
	// records them.
	type state struct {
		last    time.Time
		lastMet calendar.Date
		misses  int
	}
	states := map[int64]*state{}
	rows, err := db.QueryContext(ctx, `SELECT v.household_id, v.outcome, v.at, v.card_left, v.follow_up_on, h.contact_times
		FROM visits v JOIN households h ON h.id = v.household_id ORDER BY v.household_id, v.at`)
	if err != nil {
		t.Fatal(err)
	}
	byDay, offpeak, offpeakAsked := 0, 0, 0
	for rows.Next() {
		var id int64
		var outcome, times string
		var at time.Time
		var card bool
		var follow calendar.Date
		if err := rows.Scan(&id, &outcome, &at, &card, &follow, &times); err != nil {
			t.Fatal(err)
		}
		local := at.In(cst)
		day := calendar.DateOf(local)
		if !day.Before(articleDay) {
			t.Errorf("visit of household %d on %s, not before today", id, day)
		}
		minute := local.Hour()*60 + local.Minute()
		weekend := local.Weekday() == time.Saturday || local.Weekday() == time.Sunday
		if !weekend && minute >= 9*60 && minute <= 17*60+30 {
			byDay++
		}
		if times != "" && !strings.Contains(times, "daytime") && outcome == "met" {
			offpeakAsked++
			if weekend || minute >= 18*60 {
				offpeak++
			}
		}
		if want := calendar.DateOf(day.Time().AddDate(0, 0, visit.FollowUpDays)); outcome == "not_home" && (!card || follow != want) ||
			outcome != "not_home" && (card || !follow.IsZero()) {
			t.Errorf("household %d: %s visit with card %v, follow-up %s", id, outcome, card, follow)
		}
		s := states[id]
		if s == nil {
			s = &state{}
			states[id] = s
		}
		s.last = at
		switch outcome {
		case "met":
			s.lastMet, s.misses = day, 0
		case "not_home":
			s.misses++
		default:
			s.misses = 0
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	if byDay < visits*3/4 {
		t.Errorf("only %d of %d visits on weekdays 9:00–17:30", byDay, visits)
	}
	if offpeakAsked == 0 || offpeak < offpeakAsked*3/4 {
		t.Errorf("%d of %d meetings with households that asked for evenings or weekends were then", offpeak, offpeakAsked)
	}
	rows, err = db.QueryContext(ctx, `SELECT id, last_visit_at, last_met_on, misses FROM households`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		var last *time.Time
		var lastMet calendar.Date
		var misses int
		if err := rows.Scan(&id, &last, &lastMet, &misses); err != nil {
			t.Fatal(err)
		}
		s := states[id]
		if s == nil {
			s = &state{}
		}
		if (last == nil) != s.last.IsZero() || last != nil && !last.Equal(s.last) || lastMet != s.lastMet || misses != s.misses {
			t.Errorf("household %d: last visit %v, met %s, misses %d; its visits say %v, %s, %d", id, last, lastMet, misses, s.last, s.lastMet, s.misses)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()

	// The due dates are what the daily recomputation makes of them.
	changed, err := visit.RecomputeDue(ctx, db, articleDay)
	if err != nil {
		t.Fatal(err)
	}
	if changed != 0 {
		t.Errorf("RecomputeDue changed %d households", changed)
	}
}
