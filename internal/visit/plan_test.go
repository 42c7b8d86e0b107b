package visit_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
	"wanhu/internal/visit"
)

// planGrid is a grid of 133 households in three buildings of grid 1: 10 red
// and overdue, 20 yellow due this week (two speak Tibetan, five can be met
// only in the evening, one has an off-peak appointment), 3 vacant, the rest
// green and not due, last visited on different days. Its team: a grid
// worker free by day only, a building head free evenings and weekends, a
// Tibetan-speaking volunteer of the community and a grid worker of grid 2.
type planGrid struct {
	fx                                *testworld.Org
	worker, head, zhuoma, otherWorker org.TeamMember
	week                              visit.Week
	red, due, vacant, bo, evening     []int64
	offpeak                           int64
	oldest, newest                    int64 // green, visited longest ago and most recently
}

// planToday is a Thursday; plans are made for the week after.
var planToday = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

func newPlanGrid(t *testing.T, ctx context.Context, db *store.DB) *planGrid {
	t.Helper()
	fx, err := testworld.NewOrg(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	g := &planGrid{fx: fx, week: visit.Week{Year: 2026, Num: 49}}
	buildings := []org.Building{fx.Buildings[0]}
	for _, name := range []string{"10号楼", "3号楼"} {
		b := org.Building{CompoundID: fx.Compound.ID, GridID: fx.Grids[0].ID, Name: name, Floors: 6, Units: 3}
		if err := org.CreateBuilding(ctx, db, &b); err != nil {
			t.Fatal(err)
		}
		buildings = append(buildings, b)
	}
	members := []*org.TeamMember{
		{GridID: fx.Grids[0].ID, Name: "马学军", Role: org.RoleGridWorker, Availability: []string{"daytime"}},
		{GridID: fx.Grids[0].ID, Name: "拉加", Role: org.RoleBuildingHead, Availability: []string{"evening", "weekend"}},
		{Name: "卓玛", Role: org.RoleVolunteer, Languages: []string{"bo"}, Availability: []string{"weekend"}},
		{GridID: fx.Grids[1].ID, Name: "李宏伟", Role: org.RoleGridWorker, Availability: []string{"daytime", "evening", "weekend"}},
	}
	for _, m := range members {
		m.CommunityID = fx.Community.ID
		if err := org.CreateTeamMember(ctx, db, m); err != nil {
			t.Fatal(err)
		}
	}
	g.worker, g.head, g.zhuoma, g.otherWorker = *members[0], *members[1], *members[2], *members[3]
	now := planToday
	for i := range 133 {
		b := buildings[i%3]
		colour, due, occupancy, lang, times := "green", "2027-03-01", "owner", "", ""
		last := any(now.AddDate(0, 0, -30-i))
		offpeak := false
		switch {
		case i < 10:
			colour, due, last = "red", "2026-10-01", nil
		case i < 30:
			colour, due = "yellow", "2026-12-03"
		case i < 33:
			occupancy, due, last = "vacant", "2026-01-01", nil
		}
		switch i {
		case 12, 13:
			lang = "bo"
		case 15, 16, 17, 18, 19:
			times = "evening"
		case 20:
			offpeak = true
		}
		var id int64
		err := db.QueryRowContext(ctx, `INSERT INTO households(grid_id, compound_id, building_id, unit, floor, room, address, colour,
			occupancy, language, contact_times, next_due_on, last_visit_at, offpeak, householder, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			fx.Grids[0].ID, fx.Compound.ID, b.ID, fmt.Sprint(1+i%2), 1+i%6, fmt.Sprintf("%d0%d", 1+i%6, 1+i%2),
			fmt.Sprintf("一化小区 %s %d", b.Name, i), colour, occupancy, lang, times, due, last, offpeak, fmt.Sprint("户主", i), now, now).Scan(&id)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case i < 10:
			g.red = append(g.red, id)
		case i < 30:
			g.due = append(g.due, id)
		case i < 33:
			g.vacant = append(g.vacant, id)
		}
		if lang != "" {
			g.bo = append(g.bo, id)
		}
		if times != "" {
			g.evening = append(g.evening, id)
		}
		if offpeak {
			g.offpeak = id
		}
		switch i {
		case 33:
			g.newest = id
		case 132:
			g.oldest = id
		}
	}
	return g
}

func planStore(db *store.DB) *visit.Store {
	vs := visit.NewStore(db, household.NewStore(db))
	vs.SetClock(func() time.Time { return planToday })
	return vs
}

// TestPlanGenerate: the plan holds every due household and fills up to the
// quota, never a vacant one; red overdue households lead each list, then
// walking order; capacities hold; Tibetan speakers go to the volunteer who
// speaks it, evening households to the building head free then.
func TestPlanGenerate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		g := newPlanGrid(t, ctx, db)
		p, err := planStore(db).GeneratePlan(ctx, "test", g.fx.Grids[0].ID, g.week)
		if err != nil {
			t.Fatal(err)
		}
		if p.Total != 100 || p.Week != "2026-W49" || p.GridID != g.fx.Grids[0].ID {
			t.Fatalf("plan: total %d week %s grid %d", p.Total, p.Week, p.GridID)
		}
		who := map[int64]visit.PlanItem{}
		by := map[int64]int64{}
		for _, v := range p.Visitors {
			if v.TeamMemberID == g.otherWorker.ID {
				t.Errorf("grid 2's worker is in grid 1's plan")
			}
			if len(v.Households) > v.Capacity {
				t.Errorf("%s has %d households, capacity %d", v.User, len(v.Households), v.Capacity)
			}
			checkRoute(t, v)
			for _, h := range v.Households {
				who[h.HouseholdID], by[h.HouseholdID] = h, v.TeamMemberID
			}
		}
		for _, id := range append(slices.Clone(g.red), g.due...) {
			if _, ok := who[id]; !ok {
				t.Errorf("due household %d is not in the plan", id)
			}
		}
		if _, ok := who[g.oldest]; !ok || who[g.oldest].Reason != "round" {
			t.Errorf("the household visited longest ago is not in the round: %+v", who[g.oldest])
		}
		if _, ok := who[g.newest]; ok {
			t.Errorf("the household visited most recently is in the round")
		}
		for _, id := range g.vacant {
			if _, ok := who[id]; ok {
				t.Errorf("vacant household %d is in the plan", id)
			}
		}
		for _, id := range g.red {
			if who[id].Reason != "overdue" || who[id].Priority <= who[g.due[0]].Priority {
				t.Errorf("red overdue %d: %+v", id, who[id])
			}
		}
		for _, id := range g.bo {
			if by[id] != g.zhuoma.ID || who[id].Reason != "due,language:bo" {
				t.Errorf("Tibetan-speaking household %d went to %d (%s)", id, by[id], who[id].Reason)
			}
		}
		for _, id := range g.evening {
			if by[id] != g.head.ID || !strings.HasSuffix(who[id].Reason, ",evening") {
				t.Errorf("evening household %d went to %d (%s)", id, by[id], who[id].Reason)
			}
		}
		if by[g.offpeak] != g.head.ID {
			t.Errorf("the off-peak appointment went to %d", by[g.offpeak])
		}
		// Balance: the building head carries their share (20 of 120 capacity).
		for _, v := range p.Visitors {
			if v.TeamMemberID == g.head.ID && len(v.Households) < 12 {
				t.Errorf("the building head got only %d households", len(v.Households))
			}
		}
	})
}

// checkRoute: red overdue first, then compound → building (naturally) →
// unit → floor within each part.
func checkRoute(t *testing.T, v visit.PlanVisitor) {
	t.Helper()
	key := func(h visit.PlanItem) string {
		n := strings.TrimSuffix(h.Building, "号楼")
		urgent := 1
		if h.Colour == household.Red && h.Reason == "overdue" {
			urgent = 0
		}
		return fmt.Sprintf("%d|%s|%03s|%s|%02d", urgent, h.Compound, n, h.Unit, h.Floor)
	}
	for i := 1; i < len(v.Households); i++ {
		a, b := v.Households[i-1], v.Households[i]
		if key(a) > key(b) {
			t.Errorf("%s: %s (%s) before %s (%s)", v.User, a.Address, key(a), b.Address, key(b))
		}
		if b.Position != i+1 {
			t.Errorf("%s: position %d at %d", v.User, b.Position, i+1)
		}
	}
}

// TestPlanRegenerate: generating again gives the same plan under the same
// id, with the items replaced, not added.
func TestPlanRegenerate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		g := newPlanGrid(t, ctx, db)
		vs := planStore(db)
		a, err := vs.GeneratePlan(ctx, "test", g.fx.Grids[0].ID, g.week)
		if err != nil {
			t.Fatal(err)
		}
		b, err := vs.GeneratePlan(ctx, "again", g.fx.Grids[0].ID, g.week)
		if err != nil {
			t.Fatal(err)
		}
		if a.ID != b.ID || b.GeneratedBy != "again" || fmt.Sprint(a.Visitors) != fmt.Sprint(b.Visitors) {
			t.Errorf("regenerated plan differs: %d %d %s", a.ID, b.ID, b.GeneratedBy)
		}
		var n int
		storetest.Scan(t, db.QueryRowContext(ctx, `SELECT COUNT(*) FROM plan_items`), &n)
		if n != b.Total {
			t.Errorf("%d items stored for a plan of %d", n, b.Total)
		}
		got, err := vs.Plan(ctx, g.fx.Grids[0].ID, g.week)
		if err != nil || fmt.Sprint(got.Visitors) != fmt.Sprint(b.Visitors) {
			t.Errorf("saved plan: %v", err)
		}
		if _, err := vs.Plan(ctx, g.fx.Grids[0].ID, g.week.Next()); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("a week without a plan: %v", err)
		}
	})
}

// TestPlanScopeAndMove: a grid out of scope is not found; a household moves
// to another visitor of the grid, never to one of another grid.
func TestPlanScopeAndMove(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		g := newPlanGrid(t, ctx, db)
		vs := planStore(db)
		other := vs.In(org.Scope{GridIDs: []int64{g.fx.Grids[1].ID}})
		if _, err := other.GeneratePlan(ctx, "test", g.fx.Grids[0].ID, g.week); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("out of scope: %v", err)
		}
		p, err := vs.In(org.Scope{GridIDs: []int64{g.fx.Grids[0].ID}}).GeneratePlan(ctx, "test", g.fx.Grids[0].ID, g.week)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := other.PlanByID(ctx, p.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("out of scope by id: %v", err)
		}
		h := g.red[0]
		if _, err := vs.MovePlanItem(ctx, p.ID, h, g.otherWorker.ID); err == nil {
			t.Error("moved a household to another grid's worker")
		}
		moved, err := vs.MovePlanItem(ctx, p.ID, h, g.zhuoma.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range moved.Visitors {
			for i, it := range v.Households {
				if it.HouseholdID == h && v.TeamMemberID != g.zhuoma.ID {
					t.Errorf("household %d still with %s", h, v.User)
				}
				// Both rounds stay numbered 1, 2, 3…: the one it left closes up.
				if it.Position != i+1 {
					t.Errorf("%s's household %d is at position %d, listed %d", v.User, it.HouseholdID, it.Position, i+1)
				}
			}
		}
		if _, err := vs.MovePlanItem(ctx, p.ID, g.vacant[0], g.head.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("moving a household not in the plan: %v", err)
		}
		// Swap: the building head takes the worker's round and the other way round.
		count := func(p *visit.Plan) map[int64]int {
			n := map[int64]int{}
			for _, v := range p.Visitors {
				n[v.TeamMemberID] = len(v.Households)
			}
			return n
		}
		before := count(moved)
		swapped, err := vs.SwapPlanVisitors(ctx, p.ID, g.worker.ID, g.head.ID)
		if err != nil {
			t.Fatal(err)
		}
		if after := count(swapped); after[g.worker.ID] != before[g.head.ID] || after[g.head.ID] != before[g.worker.ID] || swapped.Total != moved.Total {
			t.Errorf("swap: %v → %v", before, after)
		}
		if _, err := vs.SwapPlanVisitors(ctx, p.ID, g.worker.ID, g.otherWorker.ID); err == nil {
			t.Error("swapped with another grid's worker")
		}
	})
}

// TestPlanCoverage: shares of the occupied households visited this week,
// month, quarter and year.
func TestPlanCoverage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		g := newPlanGrid(t, ctx, db)
		p, err := planStore(db).GeneratePlan(ctx, "test", g.fx.Grids[0].ID, g.week)
		if err != nil {
			t.Fatal(err)
		}
		// 130 occupied; the green ones (103) were visited 30 + i days ago.
		c := p.Coverage
		if c.Households != 130 || c.Week != 0 || c.Year <= c.Quarter || c.Quarter < c.Month || c.Year > 1 {
			t.Errorf("coverage %+v", c)
		}
	})
}

func TestParseWeek(t *testing.T) {
	for _, tc := range []struct {
		in     string
		monday string
		ok     bool
	}{{"2026-W49", "2026-11-30", true}, {"2026-W01", "2025-12-29", true}, {"2020-W53", "2020-12-28", true},
		{"2025-W53", "", false}, {"2026-W53", "2026-12-28", true}, {"2026-49", "", false}, {"2026-W00", "", false}} {
		w, err := visit.ParseWeek("week", tc.in)
		if (err == nil) != tc.ok || (tc.ok && (w.Monday().String() != tc.monday || w.String() != tc.in)) {
			t.Errorf("%s: %v %v %s", tc.in, w, err, w.Monday())
		}
	}
	if got := visit.WeekOf(calendar.DateOf(planToday)).Next().String(); got != "2026-W49" {
		t.Errorf("next week of 26 Nov 2026: %s", got)
	}
}

// TestHelperSharedAcrossGrids: a helper without a grid serves every grid of
// the community from one weekly capacity. 卓玛 (two households a week
// here) takes grid 1's two Tibetan-speaking households; grid 2's, planned
// after, goes to its own worker, though in a week of its own it is hers.
func TestHelperSharedAcrossGrids(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		g := newPlanGrid(t, ctx, db)
		vs := planStore(db)
		cfg := visit.DefaultPlanConfig
		cfg.Capacity = maps.Clone(cfg.Capacity)
		cfg.Capacity[org.RoleVolunteer] = 2
		vs.SetPlanConfig(cfg)
		var bo int64
		err := db.QueryRowContext(ctx, `INSERT INTO households(grid_id, address, colour, occupancy, language, next_due_on, householder, created_at, updated_at)
			VALUES (?, '二网格 1号', 'yellow', 'owner', 'bo', '2026-11-01', '才让', ?, ?) RETURNING id`, g.fx.Grids[1].ID, planToday, planToday).Scan(&bo)
		if err != nil {
			t.Fatal(err)
		}
		whose := func(p *visit.Plan, id int64) int64 {
			for _, v := range p.Visitors {
				for _, h := range v.Households {
					if h.HouseholdID == id {
						return v.TeamMemberID
					}
				}
			}
			return 0
		}
		// Another week, grid 2 alone: she takes its Tibetan-speaking household.
		alone, err := vs.GeneratePlan(ctx, "test", g.fx.Grids[1].ID, g.week.Next())
		if err != nil || whose(alone, bo) != g.zhuoma.ID {
			t.Fatalf("grid 2 alone: the Tibetan-speaking household goes to %d (%v), want 卓玛 %d", whose(alone, bo), err, g.zhuoma.ID)
		}
		first, err := vs.GeneratePlan(ctx, "test", g.fx.Grids[0].ID, g.week)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range g.bo {
			if whose(first, id) != g.zhuoma.ID {
				t.Errorf("grid 1's Tibetan-speaking household %d is not 卓玛's", id)
			}
		}
		then, err := vs.GeneratePlan(ctx, "test", g.fx.Grids[1].ID, g.week)
		if err != nil {
			t.Fatal(err)
		}
		if whose(then, bo) != g.otherWorker.ID {
			t.Errorf("with 卓玛 full from grid 1, grid 2's Tibetan-speaking household goes to %d, want its worker %d", whose(then, bo), g.otherWorker.ID)
		}
	})
}
