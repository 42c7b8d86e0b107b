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
	"wanhu/internal/visit"
)

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
