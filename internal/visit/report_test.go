package visit_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
	"wanhu/internal/visit"
)

// reportToday is Wednesday 2 December 2026, 10:00 in China: week 2026-W49
// began on Monday 30 November at 00:00 China time, Sunday 16:00 UTC; the
// month on 1 December, 30 November 16:00 UTC.
var reportToday = time.Date(2026, 12, 2, 2, 0, 0, 0, time.UTC)

// reportGrids is grid 1 with a red household (met just before the week
// began, then not at home just after), a yellow one (not at home twice,
// across the month boundary: off-peak), a green one (met in October and
// this week), a green one visited at the first instant of the year and a
// vacant one; grid 2 with a green household last visited on New Year's
// Eve and a red one never visited. A worker of grid 1 made the visits of
// the last weeks, recorded by the leader's account; another worker of
// grid 1 made none.
type reportGrids struct {
	fx                 *testworld.Org
	vs                 *visit.Store
	worker, idle       org.TeamMember
	leader             int64 // users.id
	red, yellow, green int64
	newYear, vacant    int64
	lastYear, neverRed int64
	grid1, grid2       int64
	leader1, leader2   org.Scope
}

func newReportGrids(t *testing.T, ctx context.Context, db *store.DB) *reportGrids {
	t.Helper()
	fx, err := testworld.NewOrg(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	r := &reportGrids{fx: fx, grid1: fx.Grids[0].ID, grid2: fx.Grids[1].ID}
	r.leader1, r.leader2 = org.Scope{GridIDs: []int64{r.grid1}}, org.Scope{GridIDs: []int64{r.grid2}}
	add := func(b org.Building, colour, occupancy string, n int) int64 {
		var id int64
		err := db.QueryRowContext(ctx, `INSERT INTO households(grid_id, compound_id, building_id, unit, floor, room, address, colour,
			occupancy, householder, created_at, updated_at) VALUES (?, ?, ?, '1', 1, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			b.GridID, fx.Compound.ID, b.ID, fmt.Sprint(100+n), fmt.Sprintf("一化小区 %s 1-%d", b.Name, 100+n), colour, occupancy,
			fmt.Sprint("户主", n), reportToday, reportToday).Scan(&id)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	b1, b2 := fx.Buildings[0], fx.Buildings[1]
	r.red, r.yellow, r.green = add(b1, "red", "owner", 1), add(b1, "yellow", "owner", 2), add(b1, "green", "owner", 3)
	r.newYear, r.vacant = add(b1, "green", "owner", 4), add(b1, "green", "vacant", 5)
	r.lastYear, r.neverRed = add(b2, "green", "owner", 6), add(b2, "red", "owner", 7)
	r.worker = org.TeamMember{CommunityID: fx.Community.ID, GridID: r.grid1, Name: "马学军", Role: org.RoleGridWorker}
	r.idle = org.TeamMember{CommunityID: fx.Community.ID, GridID: r.grid1, Name: "拉加", Role: org.RoleBuildingHead}
	for _, m := range []*org.TeamMember{&r.worker, &r.idle} {
		if err := org.CreateTeamMember(ctx, db, m); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.QueryRowContext(ctx, `INSERT INTO users(username, display_name, password_hash, created_at, password_changed_at)
		VALUES ('leader1', '网格长小马', 'x', ?, ?) RETURNING id`, reportToday, reportToday).Scan(&r.leader); err != nil {
		t.Fatal(err)
	}
	r.vs = visit.NewStore(db, household.NewStore(db))
	r.vs.SetClock(func() time.Time { return reportToday })
	utc := func(s string) time.Time {
		at, err := time.Parse(time.DateTime, s)
		if err != nil {
			t.Fatal(err)
		}
		return at
	}
	leader := household.Actor{ID: r.leader, Name: "网格长小马"}
	for i, v := range []struct {
		household int64
		outcome   string
		at        string // UTC
		follow    string
		team      bool
	}{
		{r.green, "met", "2026-10-15 02:00:00", "", true},
		{r.red, "met", "2026-11-29 15:59:59", "", true},                   // Sunday 23:59:59 in China: week 48
		{r.red, "not_home", "2026-11-29 16:00:00", "", true},              // Monday 00:00 in China: week 49, still November
		{r.yellow, "not_home", "2026-11-30 15:59:00", "", true},           // 30 November 23:59 in China
		{r.yellow, "not_home", "2026-11-30 16:00:00", "2026-12-02", true}, // 1 December 00:00 in China
		{r.green, "met", "2026-12-01 02:00:00", "", true},
		{r.newYear, "met", "2025-12-31 16:00:00", "", false},  // 1 January 2026 00:00 in China
		{r.lastYear, "met", "2025-12-31 15:59:00", "", false}, // New Year's Eve in China
	} {
		at := utc(v.at)
		in := visit.Input{ClientID: fmt.Sprint("r", i), HouseholdID: v.household, Outcome: v.outcome, At: &at}
		if v.follow != "" {
			in.FollowUpOn = mustDate(v.follow)
		}
		if v.team {
			in.Visitors = []int64{r.worker.ID}
		}
		if _, _, err := r.vs.Record(ctx, leader, in); err != nil {
			t.Fatalf("visit %d: %v", i, err)
		}
	}
	return r
}

// TestCoverageByGrid: the shares of each grid's occupied households
// visited this week, month, quarter and year, with the boundaries in China
// time; a grid leader sees only their grid.
func TestCoverageByGrid(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := newReportGrids(t, ctx, db)
		cs, err := r.vs.CoverageByGrid(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) != 2 || cs[0].GridID != r.grid1 || cs[1].GridID != r.grid2 {
			t.Fatalf("grids: %+v", cs)
		}
		g1 := cs[0]
		if g1.Households != 4 || g1.Visited != (visit.Counts{Week: 3, Month: 2, Quarter: 3, Year: 4}) {
			t.Errorf("grid 1: %d households, visited %+v", g1.Households, g1.Visited)
		}
		if g1.Week != 0.75 || g1.Month != 0.5 || g1.Quarter != 0.75 || g1.Year != 1 {
			t.Errorf("grid 1 shares: %+v", g1.Coverage)
		}
		if g2 := cs[1]; g2.Households != 2 || g2.Visited != (visit.Counts{}) || g2.Year != 0 {
			t.Errorf("grid 2: %+v", g2)
		}
		total := visit.CoverageTotal(cs)
		if total.Households != 6 || total.Visited.Year != 4 || total.Year != 0.666 {
			t.Errorf("total: %+v", total)
		}
		mine, err := r.vs.In(r.leader1).CoverageByGrid(ctx, 0)
		if err != nil || len(mine) != 1 || mine[0].GridID != r.grid1 || mine[0].Visited.Year != 4 {
			t.Errorf("grid 1's leader: %+v %v", mine, err)
		}
		if other, _ := r.vs.In(r.leader2).CoverageByGrid(ctx, r.grid1); len(other) != 0 {
			t.Errorf("grid 2's leader sees grid 1: %+v", other)
		}
	})
}

// TestCoverageByCommunity: a street's administrator reads the coverage of
// its two communities, each the sum of its grids; narrowed to one
// community (org.Scope.InCommunity) they read that community's grids, households
// and team alone; a grid leader has no communities to choose from, a
// community's administrator one.
func TestCoverageByCommunity(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := newReportGrids(t, ctx, db)
		c2 := org.Unit{Kind: org.Community, ParentID: r.fx.Street.ID, Name: "兴隆社区"}
		if err := org.CreateUnit(ctx, db, &c2); err != nil {
			t.Fatal(err)
		}
		g3 := org.Unit{Kind: org.GridKind, ParentID: c2.ID, Name: "第一网格", Number: 1}
		if err := org.CreateUnit(ctx, db, &g3); err != nil {
			t.Fatal(err)
		}
		var h3 int64
		if err := db.QueryRowContext(ctx, `INSERT INTO households(grid_id, address, colour, occupancy, householder, created_at, updated_at)
			VALUES (?, '兴隆小区 1-101', 'green', 'owner', '户主8', ?, ?) RETURNING id`, g3.ID, reportToday, reportToday).Scan(&h3); err != nil {
			t.Fatal(err)
		}
		at := time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)
		if _, _, err := r.vs.Record(ctx, household.Actor{ID: r.leader, Name: "网格长小马"},
			visit.Input{ClientID: "c2", HouseholdID: h3, Outcome: "met", At: &at}); err != nil {
			t.Fatal(err)
		}
		streetScope := org.Scope{Paths: []string{r.fx.Street.Path}}
		street := r.vs.In(streetScope)
		cs, err := org.Communities(ctx, db, streetScope)
		if err != nil || len(cs) != 2 || cs[0].ID != r.fx.Community.ID || cs[1].ID != c2.ID || cs[1].Name != "兴隆社区" {
			t.Fatalf("the street's communities: %+v %v", cs, err)
		}
		byc, err := street.CoverageByCommunity(ctx)
		if err != nil || len(byc) != 2 {
			t.Fatalf("by community: %+v %v", byc, err)
		}
		if c := byc[0]; c.CommunityID != r.fx.Community.ID || c.Households != 6 || c.Visited != (visit.Counts{Week: 3, Month: 2, Quarter: 3, Year: 4}) || c.Year != 0.666 {
			t.Errorf("东兴社区: %+v", c)
		}
		if c := byc[1]; c.CommunityID != c2.ID || c.CommunityName != "兴隆社区" || c.Households != 1 || c.Visited != (visit.Counts{Week: 1, Month: 1, Quarter: 1, Year: 1}) || c.Week != 1 {
			t.Errorf("兴隆社区: %+v", c)
		}
		one := r.vs.In(streetScope.InCommunity(cs[1]))
		grids, err := one.CoverageByGrid(ctx, 0)
		if err != nil || len(grids) != 1 || grids[0].GridID != g3.ID {
			t.Errorf("兴隆社区's grids: %+v %v", grids, err)
		}
		if _, total, err := one.NeverVisited(ctx, 2026, 0, 1, 50); err != nil || total != 0 {
			t.Errorf("兴隆社区's households not visited: %d %v", total, err)
		}
		if _, total, err := r.vs.In(streetScope.InCommunity(cs[0])).NeverVisited(ctx, 2026, 0, 1, 50); err != nil || total != 2 {
			t.Errorf("东兴社区's households not visited: %d %v", total, err)
		}
		rep, err := one.VisitsByVisitor(ctx, visit.ByWeek)
		if err != nil || len(rep.Visitors) != 1 || rep.Visitors[0].Kind != "user" || rep.Visitors[0].Total != 1 {
			t.Errorf("兴隆社区's visitors: %+v %v", rep, err)
		}
		if cs, err := org.Communities(ctx, db, r.leader1); err != nil || len(cs) != 0 {
			t.Errorf("grid 1's leader: %+v %v", cs, err)
		}
		if cs, err := org.Communities(ctx, db, org.Scope{Paths: []string{r.fx.Community.Path}}); err != nil || len(cs) != 1 {
			t.Errorf("东兴社区's administrator: %+v %v", cs, err)
		}
	})
}

// TestProgress: the visits of week 49 in grid 1 against the target of 100,
// by outcome, and the share of the week's plan visited; the visit one
// second before Monday 00:00 China time belongs to the week before.
func TestProgress(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := newReportGrids(t, ctx, db)
		w49 := visit.Week{Year: 2026, Num: 49}
		p, err := r.vs.Progress(ctx, r.grid1, w49)
		if err != nil {
			t.Fatal(err)
		}
		if p.Target != 100 || p.Visits != 4 || p.Households != 3 || p.ByOutcome["met"] != 1 || p.ByOutcome["not_home"] != 3 ||
			p.ByOutcome["refused"] != 0 || p.PlanID != 0 || p.Planned != 0 {
			t.Errorf("week 49 without a plan: %+v", p)
		}
		if p, _ = r.vs.Progress(ctx, r.grid1, visit.Week{Year: 2026, Num: 48}); p.Visits != 1 || p.ByOutcome["met"] != 1 {
			t.Errorf("week 48: %+v", p)
		}
		plan, err := r.vs.GeneratePlan(ctx, "test", r.grid1, w49)
		if err != nil {
			t.Fatal(err)
		}
		p, err = r.vs.Progress(ctx, r.grid1, w49)
		if err != nil || p.PlanID != plan.ID || p.Planned != 4 || p.PlannedVisited != 3 {
			t.Errorf("week 49 with its plan: %+v %v", p, err)
		}
		if _, err := r.vs.In(r.leader2).Progress(ctx, r.grid1, w49); err == nil {
			t.Error("grid 2's leader saw grid 1's progress")
		}
	})
}

// TestFollowUps: households whose last visit found nobody home, soonest
// follow-up first, with their misses and the off-peak flag.
func TestFollowUps(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := newReportGrids(t, ctx, db)
		fs, total, err := r.vs.FollowUps(ctx, 0, 1, 50)
		if err != nil {
			t.Fatal(err)
		}
		if total != 2 || len(fs) != 2 {
			t.Fatalf("follow-ups: %d %+v", total, fs)
		}
		y, red := fs[0], fs[1]
		if y.HouseholdID != r.yellow || y.FollowUpOn != mustDate("2026-12-02") || y.Misses != 2 || !y.Offpeak || !y.Due {
			t.Errorf("first: %+v", y)
		}
		// Not at home on 30 November (China time): back 3 days later.
		if red.HouseholdID != r.red || red.FollowUpOn != mustDate("2026-12-03") || red.Misses != 1 || red.Offpeak || red.Due {
			t.Errorf("second: %+v", red)
		}
		if fs, total, _ := r.vs.In(r.leader2).FollowUps(ctx, 0, 1, 50); total != 0 || len(fs) != 0 {
			t.Errorf("grid 2's leader: %+v", fs)
		}
		if _, total, _ := r.vs.FollowUps(ctx, r.grid2, 1, 50); total != 0 {
			t.Errorf("grid 2 has %d follow-ups", total)
		}
	})
}

// TestCoveragePeriods: the week, month, quarter and year that hold a day,
// first and last days; a week begun in the previous month keeps its
// Monday, February ends on the 28th or, in a leap year, the 29th.
func TestCoveragePeriods(t *testing.T) {
	d := func(s string) calendar.Date {
		v, err := calendar.ParseDate("", s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, c := range []struct {
		today string
		want  [8]string
	}{
		{"2026-12-02", [8]string{"2026-11-30", "2026-12-06", "2026-12-01", "2026-12-31", "2026-10-01", "2026-12-31", "2026-01-01", "2026-12-31"}},
		{"2026-12-06", [8]string{"2026-11-30", "2026-12-06", "2026-12-01", "2026-12-31", "2026-10-01", "2026-12-31", "2026-01-01", "2026-12-31"}},
		{"2026-02-14", [8]string{"2026-02-09", "2026-02-15", "2026-02-01", "2026-02-28", "2026-01-01", "2026-03-31", "2026-01-01", "2026-12-31"}},
		{"2024-02-29", [8]string{"2024-02-26", "2024-03-03", "2024-02-01", "2024-02-29", "2024-01-01", "2024-03-31", "2024-01-01", "2024-12-31"}},
	} {
		ps := visit.CoveragePeriods(d(c.today))
		for i, p := range ps {
			if p[0] != d(c.want[2*i]) || p[1] != d(c.want[2*i+1]) {
				t.Errorf("%s: period %d is %s–%s, want %s–%s", c.today, i, p[0], p[1], c.want[2*i], c.want[2*i+1])
			}
		}
	}
}

// TestDueListOfTheCity: the city's administrator, whose paths reach every
// household, lists the households due by their date (households_next_due)
// rather than through the grids: the same households in the same order as
// the list's rule says (a household without a date is due today and not
// overdue, a future one is not due), overdue only too, and a grid's list.
func TestDueListOfTheCity(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := newReportGrids(t, ctx, db)
		today := calendar.DayOf(reportToday)
		for id, due := range map[int64]any{r.red: mustDate("2026-11-20"), r.yellow: nil, r.green: mustDate("2026-12-20"),
			r.newYear: today, r.lastYear: mustDate("2026-11-01"), r.neverRed: nil, r.vacant: mustDate("2026-01-01")} {
			if _, err := db.ExecContext(ctx, `UPDATE households SET next_due_on = ? WHERE id = ?`, due, id); err != nil {
				t.Fatal(err)
			}
		}
		want := func(overdue bool, grid int64) []int64 {
			op := "<="
			if overdue {
				op = "<"
			}
			rows, err := db.QueryContext(ctx, `SELECT h.id FROM households h WHERE h.occupancy <> 'vacant' AND (? = 0 OR h.grid_id = ?)
				AND COALESCE(h.next_due_on, ?) `+op+` ?
				ORDER BY CASE WHEN h.colour = 'red' AND COALESCE(h.next_due_on, ?) < ? THEN 0 ELSE 1 END,
				COALESCE(h.next_due_on, ?), CASE h.colour WHEN 'red' THEN 0 WHEN 'yellow' THEN 1 ELSE 2 END, h.id`,
				grid, grid, today, today, today, today, today)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var ids []int64
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					t.Fatal(err)
				}
				ids = append(ids, id)
			}
			return ids
		}
		city := r.vs.In(org.Scope{Paths: []string{r.fx.City.Path}})
		for _, f := range []visit.DueFilter{{}, {OverdueOnly: true}, {GridID: r.grid2}, {Page: 2, PerPage: 2}, {Page: 9, PerPage: 2}, {OverdueOnly: true, Page: 2, PerPage: 1}} {
			ds, total, err := city.Due(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			all := want(f.OverdueOnly, f.GridID)
			exp := all
			if f.Page > 1 {
				exp = all[min((f.Page-1)*f.PerPage, len(all)):min(f.Page*f.PerPage, len(all))]
			}
			var got []int64
			for _, d := range ds {
				got = append(got, d.HouseholdID)
			}
			if total != len(all) || !slices.Equal(got, exp) {
				t.Errorf("%+v: %d %v, want %d %v", f, total, got, len(all), exp)
			}
		}
		if ds, _, _ := city.Due(ctx, visit.DueFilter{}); len(ds) != 5 || ds[0].HouseholdID != r.red || !ds[0].Overdue || ds[len(ds)-1].HouseholdID == r.green {
			t.Errorf("the city's due list: %+v", ds)
		}
	})
}

func sum(ns []int) int {
	n := 0
	for _, k := range ns {
		n += k
	}
	return n
}

// TestCoverageByRangesAsOnePass: the coverage of a scope that reaches
// every household (counted by ranges of the last visit on SQLite, from
// households_grid_visited grouped by grid on PostgreSQL) is the one-pass
// count's, grid by grid and by community, on days whose week begins
// before, on and after the start of its month, quarter and year; a vacant
// household visited this week is counted by neither.
func TestCoverageByRangesAsOnePass(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := newReportGrids(t, ctx, db)
		if _, err := db.ExecContext(ctx, `UPDATE households SET last_visit_at = ? WHERE id = ?`, reportToday.Add(-time.Hour), r.vacant); err != nil {
			t.Fatal(err)
		}
		for _, day := range []time.Time{
			reportToday, // week from 30 November, month from 1 December
			time.Date(2026, 6, 1, 4, 0, 0, 0, time.UTC),  // Monday 1 June: week and month begin together
			time.Date(2026, 1, 1, 4, 0, 0, 0, time.UTC),  // 1 January, a Thursday: the week began last year
			time.Date(2026, 10, 1, 4, 0, 0, 0, time.UTC), // 1 October: month and quarter begin together
			time.Date(2026, 11, 30, 17, 0, 0, 0, time.UTC),
		} {
			r.vs.SetClock(func() time.Time { return day })
			byRanges, err := r.vs.CoverageByGrid(ctx, 0)
			if err != nil {
				t.Fatal(err)
			}
			byComm, err := r.vs.CoverageByCommunity(ctx)
			if err != nil {
				t.Fatal(err)
			}
			one, err := r.vs.CoverageByGrid(ctx, r.grid1)
			if err != nil {
				t.Fatal(err)
			}
			back := visit.SetOnePassCoverage()
			want, err := r.vs.CoverageByGrid(ctx, 0)
			if err != nil {
				t.Fatal(err)
			}
			wantComm, err := r.vs.CoverageByCommunity(ctx)
			if err != nil {
				t.Fatal(err)
			}
			wantOne, err := r.vs.CoverageByGrid(ctx, r.grid1)
			back()
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(byRanges, want) || !slices.Equal(byComm, wantComm) || !slices.Equal(one, wantOne) {
				t.Errorf("%s: by ranges %+v %+v %+v, in one pass %+v %+v %+v", day, byRanges, byComm, one, want, wantComm, wantOne)
			}
			if len(want) != 2 || want[0].Households != 4 || want[1].Households != 2 {
				t.Errorf("%s: %+v", day, want)
			}
		}
	})
}
