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

// TestNeverVisited: occupied households with no visit in a year of China
// time, red first, paged; the New Year's Eve visit counts for the year
// before.
func TestNeverVisited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := newReportGrids(t, ctx, db)
		us, total, err := r.vs.NeverVisited(ctx, 2026, 0, 1, 50)
		if err != nil {
			t.Fatal(err)
		}
		if total != 2 || len(us) != 2 || us[0].HouseholdID != r.neverRed || us[0].LastVisitAt != nil || us[1].HouseholdID != r.lastYear {
			t.Fatalf("2026: %d %+v", total, us)
		}
		if us[0].Community != "东兴社区" || us[0].GridName != "第二网格" {
			t.Errorf("the household's grid: %q %q", us[0].Community, us[0].GridName)
		}
		if us[1].LastVisitAt == nil || !us[1].LastVisitAt.Equal(time.Date(2025, 12, 31, 15, 59, 0, 0, time.UTC)) {
			t.Errorf("last visit: %v", us[1].LastVisitAt)
		}
		if _, total, _ := r.vs.In(r.leader1).NeverVisited(ctx, 2026, 0, 1, 50); total != 0 {
			t.Errorf("grid 1's leader: %d never visited", total)
		}
		us, total, err = r.vs.NeverVisited(ctx, 2025, 0, 2, 2)
		if err != nil || total != 5 || len(us) != 2 || us[0].Colour != "yellow" {
			t.Errorf("2025, page 2: %d %+v %v", total, us, err)
		}
	})
}

// TestVisitsByVisitor: visits per team member and per recording account in
// each of the last 8 ISO weeks and 6 months; a member without visits shows
// zeros; another grid's leader sees neither.
func TestVisitsByVisitor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := newReportGrids(t, ctx, db)
		weeks, err := r.vs.VisitsByVisitor(ctx, visit.ByWeek)
		if err != nil {
			t.Fatal(err)
		}
		if len(weeks.Periods) != 8 || weeks.Periods[0] != "2026-W42" || weeks.Periods[7] != "2026-W49" {
			t.Fatalf("weeks: %v", weeks.Periods)
		}
		wantWeeks := []int{1, 0, 0, 0, 0, 0, 1, 4}
		got := map[string]visit.VisitorCounts{}
		for _, v := range weeks.Visitors {
			got[fmt.Sprint(v.Kind, v.ID)] = v
		}
		worker, idle, leader := got[fmt.Sprint("team_member", r.worker.ID)], got[fmt.Sprint("team_member", r.idle.ID)], got[fmt.Sprint("user", r.leader)]
		if len(weeks.Visitors) != 3 || !slices.Equal(worker.Counts, wantWeeks) || worker.Total != 6 || worker.Name != "马学军" {
			t.Errorf("by week: %+v", weeks.Visitors)
		}
		if !slices.Equal(idle.Counts, make([]int, 8)) || !slices.Equal(leader.Counts, wantWeeks) || leader.Name != "网格长小马" {
			t.Errorf("idle %+v, leader %+v", idle, leader)
		}
		// Each member with their role, the idle one too; an account has none.
		if worker.Role != org.RoleGridWorker || idle.Role != org.RoleBuildingHead || leader.Role != "" {
			t.Errorf("roles: worker %q, idle %q, leader %q", worker.Role, idle.Role, leader.Role)
		}
		months, err := r.vs.VisitsByVisitor(ctx, visit.ByMonth)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(months.Periods, []string{"2026-07", "2026-08", "2026-09", "2026-10", "2026-11", "2026-12"}) {
			t.Fatalf("months: %v", months.Periods)
		}
		if m := months.Visitors[0]; m.ID != r.worker.ID || !slices.Equal(m.Counts, []int{0, 0, 0, 1, 3, 2}) {
			t.Errorf("by month: %+v", months.Visitors)
		}
		other, err := r.vs.In(r.leader2).VisitsByVisitor(ctx, visit.ByWeek)
		if err != nil || len(other.Visitors) != 0 {
			t.Errorf("grid 2's leader: %+v %v", other, err)
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

// TestVisitsByVisitorEverywhere: a scope that reaches every household
// (the system's, the city's paths) counts each visitor's visits from the
// indexes by member and by account, without the households; a scope of
// the same households named grid by grid counts from the households. Both
// agree with the visits counted one by one here: a visit with two
// visitors, one recorded by another account, one before the periods, one
// by a member of grid 2 who is no longer active.
func TestVisitsByVisitorEverywhere(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := newReportGrids(t, ctx, db)
		gone := org.TeamMember{CommunityID: r.fx.Community.ID, GridID: r.grid2, Name: "韩梅", Role: org.RoleGridWorker}
		other := org.TeamMember{CommunityID: r.fx.Community.ID, GridID: r.grid2, Name: "李雷", Role: org.RoleBuildingHead}
		for _, m := range []*org.TeamMember{&gone, &other} {
			if err := org.CreateTeamMember(ctx, db, m); err != nil {
				t.Fatal(err)
			}
		}
		var clerk int64
		if err := db.QueryRowContext(ctx, `INSERT INTO users(username, display_name, password_hash, created_at, password_changed_at)
			VALUES ('clerk', '', 'x', ?, ?) RETURNING id`, reportToday, reportToday).Scan(&clerk); err != nil {
			t.Fatal(err)
		}
		for i, v := range []struct {
			household int64
			at        time.Time
			by        household.Actor
			visitors  []int64
		}{
			{r.lastYear, time.Date(2026, 11, 3, 1, 0, 0, 0, time.UTC), household.Actor{ID: clerk, Name: "clerk"}, []int64{gone.ID, other.ID}},
			{r.neverRed, time.Date(2026, 6, 30, 15, 59, 0, 0, time.UTC), household.Actor{ID: clerk, Name: "clerk"}, []int64{gone.ID}}, // 30 June in China: before the months
			{r.neverRed, time.Date(2026, 6, 30, 16, 0, 0, 0, time.UTC), household.Actor{ID: r.leader, Name: "网格长小马"}, []int64{gone.ID}},
			{r.lastYear, time.Date(2026, 12, 1, 20, 0, 0, 0, time.UTC), household.Actor{ID: clerk, Name: "clerk"}, nil},
		} {
			in := visit.Input{ClientID: fmt.Sprint("e", i), HouseholdID: v.household, Outcome: "met", At: &v.at, Visitors: v.visitors}
			if _, _, err := r.vs.Record(ctx, v.by, in); err != nil {
				t.Fatalf("visit %d: %v", i, err)
			}
		}
		if _, err := db.ExecContext(ctx, `UPDATE team_members SET active = ? WHERE id = ?`, false, gone.ID); err != nil {
			t.Fatal(err)
		}
		// want counts the visits one by one: bounds are the periods' first
		// instants, the last the end of the last period.
		want := func(bounds []time.Time) map[string][]int {
			out := map[string][]int{}
			count := func(key string, at time.Time) {
				for b := range len(bounds) - 1 {
					if !at.Before(bounds[b]) && at.Before(bounds[b+1]) {
						if out[key] == nil {
							out[key] = make([]int, len(bounds)-1)
						}
						out[key][b]++
					}
				}
			}
			for _, q := range []string{`SELECT 'team_member', vv.team_member_id, v.at FROM visit_visitors vv JOIN visits v ON v.id = vv.visit_id`,
				`SELECT 'user', recorded_by, at FROM visits WHERE recorded_by IS NOT NULL`} {
				rows, err := db.QueryContext(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				for rows.Next() {
					var kind string
					var id int64
					var at time.Time
					if err := rows.Scan(&kind, &id, &at); err != nil {
						t.Fatal(err)
					}
					count(fmt.Sprint(kind, id), at)
				}
				if err := rows.Close(); err != nil {
					t.Fatal(err)
				}
			}
			for _, m := range []org.TeamMember{r.worker, r.idle, other} { // the active members of the grids
				if key := fmt.Sprint("team_member", m.ID); out[key] == nil {
					out[key] = make([]int, len(bounds)-1)
				}
			}
			return out
		}
		china := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, calendar.China) }
		var weeks, months []time.Time
		for i := range 9 {
			weeks = append(weeks, china(2026, 10, 12).AddDate(0, 0, 7*i))
		}
		for i := range 7 {
			months = append(months, china(2026, 7, 1).AddDate(0, i, 0))
		}
		grids := org.Scope{GridIDs: []int64{r.grid1, r.grid2}}
		for _, c := range []struct {
			name  string
			scope org.Scope
		}{{"everything", org.Everything}, {"the city", org.Scope{Paths: []string{r.fx.City.Path}}}, {"the grids", grids}} {
			for _, p := range []struct {
				period string
				bounds []time.Time
			}{{visit.ByWeek, weeks}, {visit.ByMonth, months}} {
				rep, err := r.vs.In(c.scope).VisitsByVisitor(ctx, p.period)
				if err != nil {
					t.Fatal(err)
				}
				exp, got := want(p.bounds), map[string][]int{}
				for _, v := range rep.Visitors {
					got[fmt.Sprint(v.Kind, v.ID)] = v.Counts
					if n := sum(v.Counts); n != v.Total {
						t.Errorf("%s by %s: %s %d's total %d, counts %v", c.name, p.period, v.Kind, v.ID, v.Total, v.Counts)
					}
				}
				if fmt.Sprint(got) != fmt.Sprint(exp) {
					t.Errorf("%s by %s:\n got %v\nwant %v", c.name, p.period, got, exp)
				}
				if i := slices.IndexFunc(rep.Visitors, func(v visit.VisitorCounts) bool { return v.Kind == "user" && v.ID == clerk }); i < 0 || rep.Visitors[i].Name != "clerk" {
					t.Errorf("%s by %s: the clerk, named by the username: %+v", c.name, p.period, rep.Visitors)
				}
			}
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

// TestNeverVisitedEverywhere: over every household the list of those not
// visited in a year is read colour by colour; page after page, for pages
// of 1 to 3 and 50 households, it is the list the sorted statement gives
// for the same households named grid by grid (red first, never visited
// first, then the longest ago), in a past year and this one; a green
// household never visited comes first among the green ones; a vacant
// household visited in the year changes no count.
func TestNeverVisitedEverywhere(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := newReportGrids(t, ctx, db)
		if _, err := db.ExecContext(ctx, `INSERT INTO households(grid_id, compound_id, building_id, unit, floor, room, address, colour,
			occupancy, householder, created_at, updated_at) SELECT grid_id, compound_id, building_id, unit, floor, '199', address || '9', 'green',
			'owner', '户主9', created_at, updated_at FROM households WHERE id = ?`, r.lastYear); err != nil {
			t.Fatal(err)
		}
		// A vacant household visited in 2025: not one of the year's
		// occupied households visited, which the count subtracts.
		at := time.Date(2025, 6, 1, 2, 0, 0, 0, time.UTC)
		if _, _, err := r.vs.Record(ctx, household.Actor{ID: r.leader, Name: "网格长小马"},
			visit.Input{ClientID: "vacant-2025", HouseholdID: r.vacant, Outcome: "met", At: &at}); err != nil {
			t.Fatal(err)
		}
		ids := func(us []visit.Unvisited) []int64 {
			out := []int64{}
			for _, u := range us {
				out = append(out, u.HouseholdID)
			}
			return out
		}
		grids := r.vs.In(org.Scope{GridIDs: []int64{r.grid1, r.grid2}})
		for _, few := range []int{100_000, 1} { // 2025's two visits counted from the visits, then not
			defer visit.SetFewVisits(few)()
			for _, year := range []int{2024, 2025, 2026} {
				all, total, err := grids.NeverVisited(ctx, year, 0, 1, 50)
				if err != nil {
					t.Fatal(err)
				}
				if year == 2025 && (total != 6 || all[0].HouseholdID != r.neverRed || all[1].HouseholdID != r.red || all[2].HouseholdID != r.yellow ||
					all[3].LastVisitAt != nil || all[4].HouseholdID != r.newYear) {
					t.Errorf("2025 by grid: %d %v", total, ids(all))
				}
				for _, scope := range []org.Scope{org.Everything, {Paths: []string{r.fx.City.Path}}} {
					for _, per := range []int{1, 2, 3, 50} {
						for page := 1; page <= total/per+2; page++ {
							us, n, err := r.vs.In(scope).NeverVisited(ctx, year, 0, page, per)
							if err != nil {
								t.Fatal(err)
							}
							want := all[min((page-1)*per, total):min(page*per, total)]
							if n != total || !slices.Equal(ids(us), ids(want)) {
								t.Errorf("%d, %+v, page %d of %d: %d %v, want %d %v", year, scope, page, per, n, ids(us), total, ids(want))
							}
							if len(us) > 0 && us[0].GridName == "" {
								t.Errorf("%d, page %d of %d: no grid name: %+v", year, page, per, us[0])
							}
						}
					}
				}
			}
		}
	})
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
