package household_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestScope checks that every read, list, count and write of a scoped
// store sees only its households, and that the rest look absent.
func TestScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, f := setup(t, db)
		mk := func(b int, room, name string) *household.Household {
			h, err := s.CreateHousehold(ctx, clerk, household.Household{BuildingID: f.Buildings[b].ID, Room: room},
				[]household.Person{{Name: name, Gender: household.Female, BirthDate: mustDate("1940-01-01"), Tags: []string{"living_alone_elderly"}}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.AddNeed(ctx, clerk, household.Need{HouseholdID: h.ID, Kind: "elderly_care"}); err != nil {
				t.Fatal(err)
			}
			h, _ = s.HouseholdByID(ctx, h.ID)
			return h
		}
		mine, other, assigned := mk(0, "101", "甲"), mk(1, "201", "乙"), mk(1, "202", "丙")
		member := org.TeamMember{CommunityID: f.Community.ID, GridID: f.Grids[1].ID, Name: "志愿者", Role: org.RoleVolunteer}
		if err := org.CreateTeamMember(ctx, db, &member); err != nil {
			t.Fatal(err)
		}
		if err := s.Assign(ctx, member.ID, assigned.ID); err != nil {
			t.Fatal(err)
		}
		scopes := map[string]struct {
			scope org.Scope
			sees  []int64
		}{
			"community admin": {org.Scope{Paths: []string{f.Community.Path}}, []int64{mine.ID, other.ID, assigned.ID}},
			"grid 1 leader":   {org.Scope{GridIDs: []int64{f.Grids[0].ID}}, []int64{mine.ID}},
			"visitor":         {org.Scope{MemberID: member.ID}, []int64{assigned.ID}},
			"nobody":          {org.Scope{}, nil},
		}
		for name, c := range scopes {
			ss := s.In(c.scope)
			list, total, err := ss.List(ctx, household.Filter{})
			if err != nil || total != len(c.sees) || len(list) != len(c.sees) {
				t.Errorf("%s: list total %d, want %d (%v)", name, total, len(c.sees), err)
			}
			kp, total, _ := ss.KeyPersons(ctx, household.RosterFilter{})
			if total != len(c.sees) || len(kp) != len(c.sees) {
				t.Errorf("%s: %d key persons, want %d", name, total, len(c.sees))
			}
			_, total, _ = ss.Ledger(ctx, household.LedgerFilter{Type: household.EvHouseholdCreated})
			if total != len(c.sees) {
				t.Errorf("%s: %d household_created ledger events, want %d", name, total, len(c.sees))
			}
			for _, h := range []*household.Household{mine, other, assigned} {
				want := false
				for _, id := range c.sees {
					want = want || id == h.ID
				}
				errs := map[string]error{}
				_, errs["HouseholdByID"] = ss.HouseholdByID(ctx, h.ID)
				_, errs["PersonByID"] = ss.PersonByID(ctx, h.Members[0].ID)
				_, errs["NeedByID"] = ss.NeedByID(ctx, h.Needs[0].ID)
				_, errs["AddNeed"] = ss.AddNeed(ctx, clerk, household.Need{HouseholdID: h.ID, Kind: "medical"})
				_, errs["SetColourOverride"] = ss.SetColourOverride(ctx, clerk, h.ID, household.Yellow, "test")
				_, errs["RecordEvent"] = ss.RecordEvent(ctx, clerk, h.Members[0].ID, household.Event{Type: household.EvHealthWorsened})
				for call, err := range errs {
					if want && err != nil {
						t.Errorf("%s: %s of household %d: %v", name, call, h.ID, err)
					}
					if !want && !errors.Is(err, apperr.ErrNotFound) {
						t.Errorf("%s: %s of out-of-scope household %d: %v, want ErrNotFound", name, call, h.ID, err)
					}
				}
			}
		}
		// A grid leader can't create a household in another grid, and a
		// building out of scope is answered as a missing one.
		leader := s.In(org.Scope{GridIDs: []int64{f.Grids[0].ID}})
		_, err := leader.CreateHousehold(ctx, clerk, household.Household{BuildingID: f.Buildings[1].ID, Room: "999"}, nil)
		_, missing := leader.CreateHousehold(ctx, clerk, household.Household{BuildingID: 1 << 40, Room: "999"}, nil)
		if fe, ok := apperr.AsField(err); !ok || fe.Field != "building_id" || fe.Code != "not_found" || missing == nil || err.Error() != strings.Replace(missing.Error(), fmt.Sprint(int64(1<<40)), fmt.Sprint(f.Buildings[1].ID), 1) {
			t.Errorf("create in a building out of scope: %v, a missing building: %v", err, missing)
		}
		_, err = leader.CreateHousehold(ctx, clerk, household.Household{GridID: f.Grids[1].ID, Address: "街边 9 号"}, nil)
		if fe, ok := apperr.AsField(err); !ok || fe.Field != "grid_id" {
			t.Errorf("create in a grid out of scope: %v", err)
		}
		if _, err := leader.CreateHousehold(ctx, clerk, household.Household{BuildingID: f.Buildings[0].ID, Room: "998"}, nil); err != nil {
			t.Errorf("create in scope: %v", err)
		}
	})
}

func TestSetVisitors(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, f := setup(t, db)
		h, err := s.CreateHousehold(ctx, clerk, household.Household{BuildingID: f.Buildings[0].ID, Room: "101"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		a := org.TeamMember{CommunityID: f.Community.ID, Name: "卓玛", Role: org.RoleVolunteer}
		b := org.TeamMember{CommunityID: f.Community.ID, Name: "老王", Role: org.RoleBuildingHead}
		for _, m := range []*org.TeamMember{&a, &b} {
			if err := org.CreateTeamMember(ctx, db, m); err != nil {
				t.Fatal(err)
			}
		}
		if vs, err := s.SetVisitors(ctx, h.ID, []int64{b.ID, a.ID, a.ID}); err != nil || len(vs) != 2 {
			t.Fatalf("set: %v %+v", err, vs)
		}
		if vs, err := s.SetVisitors(ctx, h.ID, []int64{b.ID}); err != nil || len(vs) != 1 || vs[0].Name != "老王" {
			t.Fatalf("replace: %v %+v", err, vs)
		}
		if _, err := s.SetVisitors(ctx, h.ID, []int64{9999}); fieldOf(err) != "team_member_ids" {
			t.Errorf("unknown member: %v", err)
		}
		got, _ := s.HouseholdByID(ctx, h.ID)
		if len(got.Visitors) != 1 || got.Visitors[0].ID != b.ID {
			t.Errorf("a failed change changed the visitors: %+v", got.Visitors)
		}
		// The visitor sees the household; the other grid's leader does not get to assign.
		if _, err := s.In(org.Scope{MemberID: b.ID}).HouseholdByID(ctx, h.ID); err != nil {
			t.Errorf("assigned visitor: %v", err)
		}
		if _, err := s.In(org.Scope{GridIDs: []int64{f.Grids[1].ID}}).SetVisitors(ctx, h.ID, nil); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("out of scope: %v", err)
		}
	})
}

// TestTeamInScope: a grid's leader sees the grid's members and the
// community's helpers without a grid, not the other grid's members.
func TestTeamInScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, f := setup(t, db)
		members := []org.TeamMember{
			{CommunityID: f.Community.ID, GridID: f.Grids[0].ID, Name: "马学军", Role: org.RoleGridWorker},
			{CommunityID: f.Community.ID, GridID: f.Grids[1].ID, Name: "李宏伟", Role: org.RoleGridWorker},
			{CommunityID: f.Community.ID, Name: "卓玛", Role: org.RoleVolunteer},
		}
		for i := range members {
			if err := org.CreateTeamMember(ctx, db, &members[i]); err != nil {
				t.Fatal(err)
			}
		}
		names := func(sc org.Scope) string {
			ms, err := s.In(sc).Team(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, m := range ms {
				out = append(out, m.Name)
			}
			return strings.Join(out, ",")
		}
		for _, c := range []struct {
			scope org.Scope
			want  string
		}{
			{org.Scope{All: true}, "卓玛,马学军,李宏伟"},
			{org.Scope{GridIDs: []int64{f.Grids[0].ID}}, "卓玛,马学军"},
			{org.Scope{}, ""},
		} {
			if got := names(c.scope); got != c.want {
				t.Errorf("team in %+v = %q, want %q", c.scope, got, c.want)
			}
		}
	})
}

// TestScopePlannedHouseholds: a weekly plan of this week or a later one
// puts the households it gives a visitor into their scope; an old plan
// does not.
func TestScopePlannedHouseholds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, f := setup(t, db)
		var hs []*household.Household
		for _, room := range []string{"101", "102", "103"} {
			h, err := s.CreateHousehold(ctx, clerk, household.Household{BuildingID: f.Buildings[0].ID, Room: room}, nil)
			if err != nil {
				t.Fatal(err)
			}
			hs = append(hs, h)
		}
		member := org.TeamMember{CommunityID: f.Community.ID, GridID: f.Grids[0].ID, Name: "志愿者", Role: org.RoleVolunteer}
		if err := org.CreateTeamMember(ctx, db, &member); err != nil {
			t.Fatal(err)
		}
		planItem(t, db, f.Grids[0].ID, thisWeek(), hs[0].ID, member.ID)
		planItem(t, db, f.Grids[0].ID, "2020-W01", hs[1].ID, member.ID)
		visitor := s.In(org.Scope{MemberID: member.ID})
		if _, err := visitor.HouseholdByID(ctx, hs[0].ID); err != nil {
			t.Errorf("household of this week's plan: %v", err)
		}
		for _, h := range hs[1:] {
			if _, err := visitor.HouseholdByID(ctx, h.ID); !errors.Is(err, apperr.ErrNotFound) {
				t.Errorf("household %s of an old plan or none: %v, want not found", h.Room, err)
			}
		}
		if ok, err := visitor.GridVisible(ctx, f.Grids[0].ID); err != nil || !ok {
			t.Errorf("the planned household's grid is not visible: %v %v", ok, err)
		}
		if ok, _ := visitor.GridVisible(ctx, f.Grids[1].ID); ok {
			t.Error("another grid is visible")
		}
	})
}

// TestWhereRow checks that the scope as a file reads it (WhereRow, a
// correlated EXISTS per part) selects the same households as Where, for
// every kind of scope and their unions: grids under a path, grids, a
// visitor's assigned and planned households (this week's plans, not old
// ones).
func TestWhereRow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, f := setup(t, db)
		var hs []*household.Household
		for i, room := range []string{"101", "102", "103", "201", "202", "203"} {
			h, err := s.CreateHousehold(ctx, clerk, household.Household{BuildingID: f.Buildings[i/3].ID, Room: room}, nil)
			if err != nil {
				t.Fatal(err)
			}
			hs = append(hs, h)
		}
		member := org.TeamMember{CommunityID: f.Community.ID, GridID: f.Grids[1].ID, Name: "志愿者", Role: org.RoleVolunteer}
		if err := org.CreateTeamMember(ctx, db, &member); err != nil {
			t.Fatal(err)
		}
		if err := s.Assign(ctx, member.ID, hs[3].ID); err != nil {
			t.Fatal(err)
		}
		planItem(t, db, f.Grids[1].ID, thisWeek(), hs[4].ID, member.ID)
		planItem(t, db, f.Grids[1].ID, "2020-W01", hs[5].ID, member.ID)
		ids := func(cond string, args []any) string {
			q := `SELECT h.id FROM households h`
			if cond != "" {
				q += ` WHERE ` + cond
			}
			rows, err := db.QueryContext(ctx, q+` ORDER BY h.id`, args...)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var out []string
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					t.Fatal(err)
				}
				for i, h := range hs {
					if h.ID == id {
						out = append(out, fmt.Sprint(i))
					}
				}
			}
			return strings.Join(out, " ")
		}
		for name, c := range map[string]struct {
			scope org.Scope
			want  string
		}{
			"everything":         {org.Everything, "0 1 2 3 4 5"},
			"community":          {org.Scope{Paths: []string{f.Community.Path}}, "0 1 2 3 4 5"},
			"a grid's path":      {org.Scope{Paths: []string{f.Grids[0].Path}}, "0 1 2"},
			"two paths":          {org.Scope{Paths: []string{f.Grids[1].Path, f.Grids[0].Path}}, "0 1 2 3 4 5"},
			"grid 1 leader":      {org.Scope{GridIDs: []int64{f.Grids[0].ID}}, "0 1 2"},
			"visitor":            {org.Scope{MemberID: member.ID}, "3 4"},
			"leader and visitor": {org.Scope{GridIDs: []int64{f.Grids[0].ID}, MemberID: member.ID}, "0 1 2 3 4"},
			"path and visitor":   {org.Scope{Paths: []string{f.Grids[0].Path}, MemberID: member.ID}, "0 1 2 3 4"},
			"nobody":             {org.Scope{}, ""},
		} {
			byList, byRow := ids(household.Where(c.scope)), ids(household.WhereRow(c.scope))
			if byList != c.want || byRow != c.want {
				t.Errorf("%s: Where selects %q, WhereRow %q, want %q", name, byList, byRow, c.want)
			}
		}
	})
}

// thisWeek is this week in China, as plans name it.
func thisWeek() string {
	y, w := time.Now().In(calendar.China).ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}

// planItem puts household householdID into a new plan of grid for week,
// to be visited by team member memberID.
func planItem(t *testing.T, db *store.DB, grid int64, week string, householdID, memberID int64) {
	t.Helper()
	ctx := context.Background()
	var id int64
	if err := db.QueryRowContext(ctx, `INSERT INTO plans(grid_id, week, generated_at) VALUES (?, ?, ?) RETURNING id`,
		grid, week, time.Now().UTC()).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO plan_items(plan_id, household_id, team_member_id, position) VALUES (?, ?, ?, 1)`,
		id, householdID, memberID); err != nil {
		t.Fatal(err)
	}
}
