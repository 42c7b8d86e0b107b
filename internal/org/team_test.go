package org_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
	"wanhu/internal/visit"
)

// TestTeamLanguages: a member's languages are the household language codes,
// so plans can pair them.
func TestTeamLanguages(t *testing.T) {
	if !slices.Equal(org.Languages, household.Languages) {
		t.Errorf("org.Languages %v, household.Languages %v", org.Languages, household.Languages)
	}
}

// TestTeamMemberEdit: a member is created and edited at its version; a
// stale edit is a conflict and changes nothing; wrong input names its field.
func TestTeamMemberEdit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx, err := testworld.NewOrg(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		m := org.TeamMember{CommunityID: fx.Community.ID, GridID: fx.Grids[0].ID, Name: " 卓玛 ", Role: org.RoleVolunteer,
			Skills: []string{"藏语翻译", " ", "藏语翻译"}, Languages: []string{"bo"}, Availability: []string{"weekend"}}
		if err := org.CreateTeamMember(ctx, db, &m); err != nil {
			t.Fatal(err)
		}
		got, err := org.TeamMemberByID(ctx, db, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "卓玛" || !slices.Equal(got.Skills, []string{"藏语翻译"}) || !got.Active || got.Version != 1 {
			t.Fatalf("created %+v", got)
		}
		first := got
		got.Availability, got.Phone, got.Active = []string{"evening", "weekend"}, "13800001234", false
		if err := org.UpdateTeamMember(ctx, db, &got); err != nil {
			t.Fatal(err)
		}
		first.Name = "卓玛2"
		if err := org.UpdateTeamMember(ctx, db, &first); !errors.Is(err, apperr.ErrConflict) {
			t.Fatalf("stale update: %v, want a conflict", err)
		}
		saved, _ := org.TeamMemberByID(ctx, db, m.ID)
		if saved.Version != 2 || saved.Name != "卓玛" || saved.Active || saved.Phone != "13800001234" || !slices.Equal(saved.Availability, []string{"evening", "weekend"}) {
			t.Errorf("saved %+v", saved)
		}
		active, err := org.TeamMembers(ctx, db)
		if err != nil || len(active) != 0 {
			t.Errorf("active team %v %v, want none", active, err)
		}
		all, err := org.AllTeamMembers(ctx, db)
		if err != nil || len(all) != 1 {
			t.Errorf("whole team %v %v, want the inactive member", all, err)
		}

		for _, c := range []struct {
			field string
			edit  func(m *org.TeamMember)
		}{
			{"name", func(m *org.TeamMember) { m.Name = "" }},
			{"role", func(m *org.TeamMember) { m.Role = "boss" }},
			{"phone", func(m *org.TeamMember) { m.Phone = "138 0000" }},
			{"languages", func(m *org.TeamMember) { m.Languages = []string{"zh-TW"} }},
			{"availability", func(m *org.TeamMember) { m.Availability = []string{"night"} }},
			{"grid_id", func(m *org.TeamMember) { m.GridID = fx.Compound.ID }},
			{"grid_id", func(m *org.TeamMember) { m.GridID = fx.Community.ID }},
			{"community_id", func(m *org.TeamMember) { m.CommunityID, m.GridID = fx.Street.ID, 0 }},
		} {
			bad := org.TeamMember{CommunityID: fx.Community.ID, Name: "小刘", Role: org.RoleVolunteer}
			c.edit(&bad)
			fe, ok := apperr.AsField(org.CreateTeamMember(ctx, db, &bad))
			if !ok || fe.Field != c.field {
				t.Errorf("want an error on %s, got %v", c.field, fe)
			}
		}
	})
}

// TestScopeManages: a grid leader manages their own grid's members only; an
// admin of the community also its helpers without a grid.
func TestScopeManages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx, err := testworld.NewOrg(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		leader := org.Scope{GridIDs: []int64{fx.Grids[0].ID}}
		admin := org.Scope{Paths: []string{fx.Community.Path}}
		for _, c := range []struct {
			s    org.Scope
			grid int64
			want bool
			name string
		}{
			{leader, fx.Grids[0].ID, true, "leader, own grid"},
			{leader, fx.Grids[1].ID, false, "leader, grid 2"},
			{leader, 0, false, "leader, community helper"},
			{admin, fx.Grids[1].ID, true, "admin, grid 2"},
			{admin, 0, true, "admin, community helper"},
			{org.Scope{}, fx.Grids[0].ID, false, "nobody"},
		} {
			if got, err := c.s.Manages(ctx, db, fx.Community.ID, c.grid); err != nil || got != c.want {
				t.Errorf("%s: %v %v, want %v", c.name, got, err, c.want)
			}
		}
		ms := []org.TeamMember{{ID: 1, CommunityID: fx.Community.ID, GridID: fx.Grids[0].ID}, {ID: 2, CommunityID: fx.Community.ID, GridID: fx.Grids[1].ID},
			{ID: 3, CommunityID: fx.Community.ID}}
		grids, err := org.Grids(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, m := range org.TeamOfGrids(ms, grids[:1]) {
			ids = append(ids, m.ID)
		}
		if !slices.Equal(ids, []int64{1, 3}) {
			t.Errorf("team of grid 1: %v, want 1 and 3", ids)
		}
	})
}

// TestInactiveMemberNotPlanned: a member taken out of the team gets no
// household when a plan is generated; the active one gets them all.
func TestInactiveMemberNotPlanned(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx, err := testworld.NewOrg(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		worker := org.TeamMember{CommunityID: fx.Community.ID, GridID: fx.Grids[0].ID, Name: "马学军", Role: org.RoleGridWorker, Availability: []string{"daytime"}}
		away := org.TeamMember{CommunityID: fx.Community.ID, GridID: fx.Grids[0].ID, Name: "拉加", Role: org.RoleGridWorker, Availability: []string{"daytime"}}
		for _, m := range []*org.TeamMember{&worker, &away} {
			if err := org.CreateTeamMember(ctx, db, m); err != nil {
				t.Fatal(err)
			}
		}
		away.Active = false
		if err := org.UpdateTeamMember(ctx, db, &away); err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		for i := range 4 {
			if _, err := db.ExecContext(ctx, `INSERT INTO households(grid_id, compound_id, building_id, unit, floor, room, address, colour,
				occupancy, next_due_on, householder, created_at, updated_at) VALUES (?, ?, ?, '1', 1, ?, '一化小区', 'red', 'owner', '2026-01-01', '户主', ?, ?)`,
				fx.Grids[0].ID, fx.Compound.ID, fx.Buildings[0].ID, fmt.Sprint(101+i), now, now); err != nil {
				t.Fatal(err)
			}
		}
		p, err := visit.NewStore(db, household.NewStore(db)).GeneratePlan(ctx, "test", fx.Grids[0].ID, visit.Week{Year: 2026, Num: 49})
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range p.Visitors {
			if v.TeamMemberID == away.ID && len(v.Households) > 0 {
				t.Errorf("the inactive member has %d households", len(v.Households))
			}
			if v.TeamMemberID == worker.ID && len(v.Households) != 4 {
				t.Errorf("the active member has %d households, want 4", len(v.Households))
			}
		}
		if p.Total != 4 {
			t.Errorf("plan total %d, want 4", p.Total)
		}
	})
}
