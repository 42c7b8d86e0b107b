package org_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"wanhu/internal/apperr"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
	"wanhu/internal/visit"
)

// TestGridName: grids are named in Chinese numerals as they are read.
func TestGridName(t *testing.T) {
	for n, want := range map[int]string{1: "第一网格", 7: "第七网格", 10: "第十网格", 12: "第十二网格", 20: "第二十网格",
		21: "第二十一网格", 100: "第一百网格", 105: "第一百零五网格", 110: "第一百一十网格", 1010: "第一千零一十网格", 2001: "第二千零一网格"} {
		if got := org.GridName(n); got != want {
			t.Errorf("GridName(%d) = %s, want %s", n, got, want)
		}
	}
}

// twoCommunities is the fixture with a second community (西山社区) of one
// grid under the same street.
type twoCommunities struct {
	*testworld.Org
	Other     org.Unit
	OtherGrid org.Unit
}

func newTwoCommunities(t *testing.T, db *store.DB) *twoCommunities {
	t.Helper()
	ctx := context.Background()
	fx, err := testworld.NewOrg(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	f := &twoCommunities{Org: fx, Other: org.Unit{Kind: org.Community, ParentID: fx.Street.ID, Name: "西山社区"}}
	if err := org.CreateUnit(ctx, db, &f.Other); err != nil {
		t.Fatal(err)
	}
	f.OtherGrid = org.Unit{Kind: org.GridKind, ParentID: f.Other.ID, Number: 1}
	if err := org.CreateUnit(ctx, db, &f.OtherGrid); err != nil {
		t.Fatal(err)
	}
	return f
}

// fieldOf returns the field a FieldError names, or "".
func fieldOf(err error) string {
	if fe, ok := apperr.AsField(err); ok {
		return fe.Field
	}
	return ""
}

// TestStructureScope: an administrator of one community changes its
// structure and nothing of another community's, which looks as if it did
// not exist; the tree they read is their own subtree.
func TestStructureScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newTwoCommunities(t, db)
		s := org.NewStructure(db).In(org.Scope{Paths: []string{f.Community.Path}})

		tree, err := s.Tree(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, u := range tree {
			names = append(names, u.Name)
		}
		if !slices.Equal(names, []string{"东兴社区", "第一网格", "第二网格"}) {
			t.Errorf("tree %v, want the community and its grids in order", names)
		}
		if _, err := s.Unit(ctx, f.OtherGrid.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("another community's grid: %v, want not found", err)
		}
		name := "改名"
		if _, err := s.ChangeUnit(ctx, f.OtherGrid.ID, org.UnitChange{Name: &name}); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("rename another community's grid: %v, want not found", err)
		}
		if _, err := s.RetireUnit(ctx, f.OtherGrid.ID, 0); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("retire another community's grid: %v, want not found", err)
		}
		g := org.Unit{Kind: org.GridKind, ParentID: f.Other.ID, Number: 2}
		if err := s.CreateUnit(ctx, &g); fieldOf(err) != "parent_id" {
			t.Errorf("a grid in another community: %v, want an error on parent_id", err)
		}
		if err := s.CreateUnit(ctx, &org.Unit{Kind: org.City, Name: "海东市"}); fieldOf(err) != "parent_id" {
			t.Errorf("a city by an administrator: %v, want an error on parent_id", err)
		}
		parent := f.Other.ID
		if _, err := s.ChangeUnit(ctx, f.Grids[1].ID, org.UnitChange{ParentID: &parent}); fieldOf(err) != "parent_id" {
			t.Errorf("a grid moved to another community: %v, want an error on parent_id", err)
		}
		c := org.Compound{CommunityID: f.Other.ID, Name: "西山小区"}
		if err := s.CreateCompound(ctx, &c); fieldOf(err) != "community_id" {
			t.Errorf("a compound in another community: %v, want an error on community_id", err)
		}

		g = org.Unit{Kind: org.GridKind, ParentID: f.Community.ID, Number: 3}
		if err := s.CreateUnit(ctx, &g); err != nil {
			t.Fatal(err)
		}
		if g.Name != "第三网格" || g.Path != f.Community.Path+strings.TrimPrefix(g.Path, f.Community.Path) || !strings.HasPrefix(g.Path, f.Community.Path) {
			t.Errorf("new grid %+v", g)
		}
		if err := s.CreateUnit(ctx, &org.Unit{Kind: org.GridKind, ParentID: f.Community.ID, Number: 3, Name: "另一个"}); fieldOf(err) != "number" {
			t.Errorf("a second grid 3: %v, want an error on number", err)
		}
		leader := org.NewStructure(db).In(org.Scope{GridIDs: []int64{f.Grids[0].ID}})
		if tree, err := leader.Tree(ctx, false); err != nil || len(tree) != 1 || tree[0].ID != f.Grids[0].ID {
			t.Errorf("a grid leader's tree: %v %v, want their grid", tree, err)
		}
		if _, err := leader.ChangeUnit(ctx, f.Grids[0].ID, org.UnitChange{Name: &name}); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("a grid leader renames their grid: %v, want not found (they administer nothing)", err)
		}
	})
}

// TestUnitInput: bad input names its field and changes nothing.
func TestUnitInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newTwoCommunities(t, db)
		s := org.NewStructure(db)
		for _, c := range []struct {
			u     org.Unit
			field string
		}{
			{org.Unit{Kind: "planet", ParentID: f.City.ID, Name: "x"}, "kind"},
			{org.Unit{Kind: org.District, ParentID: f.City.ID, Name: " "}, "name"},
			{org.Unit{Kind: org.District, ParentID: f.City.ID, Name: strings.Repeat("区", 51)}, "name"},
			{org.Unit{Kind: org.District, ParentID: f.City.ID, Name: "城东区"}, "name"},
			{org.Unit{Kind: org.Community, ParentID: f.City.ID, Name: "新社区"}, "parent_id"},
			{org.Unit{Kind: org.Community, Name: "新社区"}, "parent_id"},
			{org.Unit{Kind: org.Community, ParentID: 987654, Name: "新社区"}, "parent_id"},
			{org.Unit{Kind: org.GridKind, ParentID: f.Community.ID}, "number"},
			{org.Unit{Kind: org.GridKind, ParentID: f.Community.ID, Number: 1000}, "number"},
			{org.Unit{Kind: org.Street, ParentID: f.District.ID, Name: "新街道", Number: 4}, "number"},
			{org.Unit{Kind: org.Street, ParentID: f.District.ID, Name: "新街道", Phone: "电话"}, "phone"},
			{org.Unit{Kind: org.Department, ParentID: f.Community.ID, Name: "民政局"}, "parent_id"},
		} {
			if err := s.CreateUnit(ctx, &c.u); fieldOf(err) != c.field {
				t.Errorf("%+v: %v, want an error on %s", c.u, err, c.field)
			}
		}
		tree, err := s.Tree(ctx, true)
		if err != nil || len(tree) != 8 {
			t.Errorf("%d units after bad input (%v), want the 8 of the fixture", len(tree), err)
		}
	})
}

// TestRenumberAndMove: renumbering keeps the id and gives a grid under its
// usual name the new one; a number another grid has is refused; a
// community moved to another street takes its subtree along.
func TestRenumberAndMove(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newTwoCommunities(t, db)
		s := org.NewStructure(db)
		five, two := 5, 2
		g, err := s.ChangeUnit(ctx, f.Grids[0].ID, org.UnitChange{Number: &five})
		if err != nil {
			t.Fatal(err)
		}
		if g.ID != f.Grids[0].ID || g.Number != 5 || g.Name != "第五网格" {
			t.Errorf("renumbered %+v, want grid %d as 第五网格", g, f.Grids[0].ID)
		}
		six, same := 6, "第五网格"
		if g, err := s.ChangeUnit(ctx, f.Grids[0].ID, org.UnitChange{Name: &same, Number: &six}); err != nil || g.Name != "第六网格" {
			t.Errorf("renumbered with its name as it was (a form): %+v %v, want 第六网格", g, err)
		}
		if g, err := s.ChangeUnit(ctx, f.Grids[0].ID, org.UnitChange{Number: &five}); err != nil || g.Name != "第五网格" {
			t.Errorf("renumbered back: %+v %v", g, err)
		}
		if _, err := s.ChangeUnit(ctx, f.Grids[0].ID, org.UnitChange{Number: &two}); fieldOf(err) != "number" {
			t.Errorf("renumber to 2, which 第二网格 has: %v, want an error on number", err)
		}
		named := "幸福网格"
		if _, err := s.ChangeUnit(ctx, f.Grids[1].ID, org.UnitChange{Name: &named}); err != nil {
			t.Fatal(err)
		}
		seven := 7
		if g, err := s.ChangeUnit(ctx, f.Grids[1].ID, org.UnitChange{Number: &seven}); err != nil || g.Name != "幸福网格" {
			t.Errorf("a grid with a name of its own keeps it: %+v %v", g, err)
		}
		if _, err := s.ChangeUnit(ctx, f.Street.ID, org.UnitChange{Number: &seven}); fieldOf(err) != "number" {
			t.Errorf("a street's number: %v, want an error on number", err)
		}

		street := org.Unit{Kind: org.Street, ParentID: f.District.ID, Name: "东关大街街道"}
		if err := s.CreateUnit(ctx, &street); err != nil {
			t.Fatal(err)
		}
		moved, err := s.ChangeUnit(ctx, f.Other.ID, org.UnitChange{ParentID: &street.ID})
		if err != nil {
			t.Fatal(err)
		}
		grid, err := org.UnitByID(ctx, db, f.OtherGrid.ID)
		if err != nil {
			t.Fatal(err)
		}
		if moved.ParentID != street.ID || !strings.HasPrefix(moved.Path, street.Path) || !strings.HasPrefix(grid.Path, moved.Path) {
			t.Errorf("moved community %+v, its grid %+v, the street %s", moved, grid, street.Path)
		}
		for _, bad := range []int64{f.Community.ID, f.OtherGrid.ID, f.District.ID} {
			if _, err := s.ChangeUnit(ctx, f.Other.ID, org.UnitChange{ParentID: &bad}); fieldOf(err) != "parent_id" {
				t.Errorf("community moved under %d: %v, want an error on parent_id", bad, err)
			}
		}
		if _, err := s.ChangeUnit(ctx, f.Grids[0].ID, org.UnitChange{ParentID: &f.Other.ID}); fieldOf(err) != "parent_id" {
			t.Errorf("a grid holding buildings moved to another community: %v, want an error on parent_id", err)
		}
		// A grid without buildings moves, its team along.
		m := org.TeamMember{CommunityID: f.Other.ID, GridID: f.OtherGrid.ID, Name: "马学军", Role: org.RoleGridWorker}
		if err := org.CreateTeamMember(ctx, db, &m); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ChangeUnit(ctx, f.OtherGrid.ID, org.UnitChange{ParentID: &f.Community.ID, Number: &five}); fieldOf(err) != "number" {
			t.Errorf("a grid moved as number 5 where there is a grid 5: %v, want an error on number", err)
		}
		nine := 9
		if _, err := s.ChangeUnit(ctx, f.OtherGrid.ID, org.UnitChange{ParentID: &f.Community.ID, Number: &nine}); err != nil {
			t.Fatal(err)
		}
		if got, _ := org.TeamMemberByID(ctx, db, m.ID); got.CommunityID != f.Community.ID {
			t.Errorf("the grid's member stayed in community %d", got.CommunityID)
		}
	})
}

// TestRetireGridMovesHouseholds: a grid that holds households is retired
// only with a grid for them; they move there with its buildings and team
// in one transaction, each a ledger event; the retired grid keeps its id,
// leaves the lists, and its name is free again.
func TestRetireGridMovesHouseholds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newTwoCommunities(t, db)
		hs := household.NewStore(db)
		actor := household.Actor{ID: 0, Name: "管理员"}
		var ids []int64
		for _, h := range []household.Household{{BuildingID: f.Buildings[1].ID, Unit: "1", Room: "101"},
			{BuildingID: f.Buildings[1].ID, Unit: "2", Room: "202"}, {GridID: f.Grids[1].ID, Address: "平房 3号"}} {
			created, err := hs.CreateHousehold(ctx, actor, h, nil)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, created.ID)
		}
		m := org.TeamMember{CommunityID: f.Community.ID, GridID: f.Grids[1].ID, Name: "拉加", Role: org.RoleGridWorker}
		if err := org.CreateTeamMember(ctx, db, &m); err != nil {
			t.Fatal(err)
		}
		s := hs.Structure(actor)

		if _, err := s.RetireUnit(ctx, f.Grids[1].ID, 0); fieldOf(err) != "target_grid_id" {
			t.Fatalf("retire without a target: %v, want an error on target_grid_id", err)
		}
		for _, bad := range []int64{f.Grids[1].ID, f.OtherGrid.ID, f.Community.ID, 987654} {
			if _, err := s.RetireUnit(ctx, f.Grids[1].ID, bad); fieldOf(err) != "target_grid_id" {
				t.Errorf("retire into %d: %v, want an error on target_grid_id", bad, err)
			}
		}
		if _, err := s.RetireUnit(ctx, f.Community.ID, 0); fieldOf(err) != "id" {
			t.Errorf("retire a community with grids: %v, want an error on id", err)
		}
		if g, _ := org.GridByID(ctx, db, f.Grids[1].ID); g.RetiredAt != nil || g.Households != 3 {
			t.Fatalf("refused retirements changed the grid: %+v", g)
		}

		r, err := s.RetireUnit(ctx, f.Grids[1].ID, f.Grids[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if r.Households != 3 || r.Buildings != 1 || r.TeamMembers != 1 || r.TargetGridID != f.Grids[0].ID || r.Unit.RetiredAt == nil {
			t.Errorf("retirement %+v", r)
		}
		for _, id := range ids {
			h, err := hs.HouseholdByID(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if h.GridID != f.Grids[0].ID || h.Version != 2 {
				t.Errorf("household %d in grid %d at version %d, want grid %d at version 2", id, h.GridID, h.Version, f.Grids[0].ID)
			}
			evs, _, err := hs.Ledger(ctx, household.LedgerFilter{HouseholdID: id})
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) == 0 || evs[0].Field != "grid_id" || evs[0].Before != fmt.Sprint(f.Grids[1].ID) || evs[0].After != fmt.Sprint(f.Grids[0].ID) ||
				!strings.Contains(evs[0].Note, "第二网格撤销") {
				t.Errorf("household %d's newest ledger event %+v, want the move of grid_id", id, evs)
			}
		}
		b, _, _ := org.BuildingByID(ctx, db, f.Buildings[1].ID)
		got, _ := org.TeamMemberByID(ctx, db, m.ID)
		if b.GridID != f.Grids[0].ID || got.GridID != f.Grids[0].ID {
			t.Errorf("building in grid %d, member in grid %d, want both in %d", b.GridID, got.GridID, f.Grids[0].ID)
		}
		grids, err := org.Grids(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range grids {
			if g.ID == f.Grids[1].ID {
				t.Errorf("the retired grid is listed")
			}
		}
		choices, err := org.GridChoicesWhere(ctx, db, "")
		if err != nil || len(choices) != len(grids) {
			t.Fatalf("grid choices: %d, %v; want the %d grids listed", len(choices), err, len(grids))
		}
		for i, g := range grids {
			g.Households = 0
			if choices[i] != g {
				t.Errorf("grid choice %+v, want %+v without its households counted", choices[i], g)
			}
		}
		cov, err := visit.NewStore(db, hs).CoverageByGrid(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cov {
			if c.GridID == f.Grids[1].ID {
				t.Errorf("the retired grid has a row of visit coverage: %+v", c)
			}
		}
		if u, err := org.UnitByID(ctx, db, f.Grids[1].ID); err != nil || u.RetiredAt == nil {
			t.Errorf("the retired grid by id: %+v %v, want it, retired", u, err)
		}
		if _, err := s.RetireUnit(ctx, f.Grids[1].ID, f.Grids[0].ID); fieldOf(err) != "id" {
			t.Errorf("retire again: %v, want an error on id", err)
		}
		if _, err := hs.CreateHousehold(ctx, actor, household.Household{GridID: f.Grids[1].ID, Address: "x"}, nil); fieldOf(err) != "grid_id" {
			t.Errorf("a household in the retired grid: %v, want an error on grid_id", err)
		}
		two := org.Unit{Kind: org.GridKind, ParentID: f.Community.ID, Number: 2}
		if err := s.CreateUnit(ctx, &two); err != nil || two.Name != "第二网格" {
			t.Errorf("a new 第二网格: %+v %v", two, err)
		}
	})
}

// TestRetireWithoutMover: a Structure without the household store's
// Mover refuses to leave households in a retired grid, and changes
// nothing.
func TestRetireWithoutMover(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newTwoCommunities(t, db)
		if _, err := household.NewStore(db).CreateHousehold(ctx, household.Actor{Name: "x"}, household.Household{GridID: f.Grids[1].ID, Address: "平房"}, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := org.NewStructure(db).RetireUnit(ctx, f.Grids[1].ID, f.Grids[0].ID); err == nil {
			t.Fatal("retired a grid with households without moving them")
		}
		b, _, _ := org.BuildingByID(ctx, db, f.Buildings[1].ID)
		if g, _ := org.GridByID(ctx, db, f.Grids[1].ID); g.RetiredAt != nil || b.GridID != f.Grids[1].ID {
			t.Errorf("a failed retirement changed the grid (%+v) or its building (%+v)", g, b)
		}
	})
}

// TestBuildingMoveAndRetire: a building moved to another grid takes its
// households along, each a ledger event; a building with households and
// a compound with buildings are not retired; an empty one is, and leaves
// the lists.
func TestBuildingMoveAndRetire(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newTwoCommunities(t, db)
		hs := household.NewStore(db)
		actor := household.Actor{Name: "管理员"}
		h, err := hs.CreateHousehold(ctx, actor, household.Household{BuildingID: f.Buildings[0].ID, Unit: "1", Room: "101"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		s := hs.Structure(actor)
		name, grid := "1栋", f.Grids[1].ID
		b, moved, err := s.ChangeBuilding(ctx, f.Buildings[0].ID, org.BuildingChange{Name: &name, GridID: &grid})
		if err != nil {
			t.Fatal(err)
		}
		if b.Name != "1栋" || b.GridID != grid || moved != 1 {
			t.Errorf("moved building %+v, %d households", b, moved)
		}
		got, err := hs.HouseholdByID(ctx, h.ID)
		if err != nil || got.GridID != grid {
			t.Errorf("the household is in grid %d (%v), want %d", got.GridID, err, grid)
		}
		evs, _, _ := hs.Ledger(ctx, household.LedgerFilter{HouseholdID: h.ID})
		if len(evs) == 0 || evs[0].Field != "grid_id" || !strings.Contains(evs[0].Note, "1栋") {
			t.Errorf("ledger %+v, want the move", evs)
		}
		other := f.OtherGrid.ID
		if _, _, err := s.ChangeBuilding(ctx, f.Buildings[0].ID, org.BuildingChange{GridID: &other}); fieldOf(err) != "grid_id" {
			t.Errorf("a building moved to another community's grid: %v, want an error on grid_id", err)
		}
		if _, err := s.RetireBuilding(ctx, f.Buildings[0].ID); fieldOf(err) != "id" {
			t.Errorf("retire a building with a household: %v, want an error on id", err)
		}
		if _, err := s.RetireCompound(ctx, f.Compound.ID); fieldOf(err) != "id" {
			t.Errorf("retire a compound with buildings: %v, want an error on id", err)
		}
		if _, err := s.RetireBuilding(ctx, f.Buildings[1].ID); err != nil {
			t.Fatal(err)
		}
		cs, err := org.Compounds(ctx, db)
		if err != nil || len(cs) != 1 || len(cs[0].Buildings) != 1 || cs[0].Buildings[0].ID != f.Buildings[0].ID {
			t.Errorf("compounds %+v %v, want one with the building left", cs, err)
		}
		if _, err := hs.CreateHousehold(ctx, actor, household.Household{BuildingID: f.Buildings[1].ID, Room: "1"}, nil); fieldOf(err) != "building_id" {
			t.Errorf("a household in the retired building: %v, want an error on building_id", err)
		}
		again := org.Building{CompoundID: f.Compound.ID, GridID: f.Grids[0].ID, Name: "2号楼"}
		if err := s.CreateBuilding(ctx, &again); err != nil {
			t.Errorf("a new 2号楼 after the old one retired: %v", err)
		}
		for _, c := range []struct {
			b     org.Building
			field string
		}{
			{org.Building{CompoundID: f.Compound.ID, GridID: f.Grids[0].ID}, "name"},
			{org.Building{CompoundID: f.Compound.ID, GridID: f.Grids[0].ID, Name: "3号楼", Floors: -1}, "floors"},
			{org.Building{CompoundID: f.Compound.ID, GridID: f.OtherGrid.ID, Name: "3号楼"}, "grid_id"},
			{org.Building{CompoundID: 987654, GridID: f.Grids[0].ID, Name: "3号楼"}, "compound_id"},
			{org.Building{CompoundID: f.Compound.ID, GridID: f.Grids[0].ID, Name: "1栋"}, "name"},
		} {
			if err := s.CreateBuilding(ctx, &c.b); fieldOf(err) != c.field {
				t.Errorf("building %+v: %v, want an error on %s", c.b, err, c.field)
			}
		}
		year := 1800
		if _, err := s.ChangeCompound(ctx, f.Compound.ID, org.CompoundChange{BuiltYear: &year}); fieldOf(err) != "built_year" {
			t.Errorf("built in 1800: %v, want an error on built_year", err)
		}
	})
}
