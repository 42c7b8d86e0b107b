// Package testworld builds the worlds tests run in, on the databases of
// storetest: the org tree of 东兴社区 (NewOrg), the department requests
// are referred to (Department), and a structure workbook as a community
// keeps one (StructureWorkbook). The households the tests visit most live
// beside household, in householdtest, so that testworld stays below
// household and the packages household builds on can use it. A package's
// tests add what only they need on top. Only tests import it, so none of
// it ships in the binary.
package testworld

import (
	"context"

	"wanhu/internal/org"
	"wanhu/internal/store"
)

// Org is a minimal org tree for tests: one city down to one community
// with two grids, one compound and a building in each grid.
type Org struct {
	City, District, Street, Community org.Unit
	Grids                             [2]org.Unit
	Compound                          org.Compound
	Buildings                         [2]org.Building
}

// NewOrg creates an Org in q.
func NewOrg(ctx context.Context, q store.Querier) (*Org, error) {
	f := &Org{
		City:      org.Unit{Kind: org.City, Name: "西宁市", Code: "630100"},
		District:  org.Unit{Kind: org.District, Name: "城东区", Code: "630102"},
		Street:    org.Unit{Kind: org.Street, Name: "韵家口镇"},
		Community: org.Unit{Kind: org.Community, Name: "东兴社区", Phone: "0971-8123456"},
	}
	steps := []*org.Unit{&f.City, &f.District, &f.Street, &f.Community}
	for i, u := range steps {
		if i > 0 {
			u.ParentID = steps[i-1].ID
		}
		if err := org.CreateUnit(ctx, q, u); err != nil {
			return nil, err
		}
	}
	for i := range f.Grids {
		f.Grids[i] = org.Unit{Kind: org.GridKind, ParentID: f.Community.ID, Name: []string{"第一网格", "第二网格"}[i], Number: i + 1}
		if err := org.CreateUnit(ctx, q, &f.Grids[i]); err != nil {
			return nil, err
		}
	}
	f.Compound = org.Compound{CommunityID: f.Community.ID, Name: "一化小区", BuiltYear: 1985}
	if err := org.CreateCompound(ctx, q, &f.Compound); err != nil {
		return nil, err
	}
	for i := range f.Buildings {
		f.Buildings[i] = org.Building{CompoundID: f.Compound.ID, GridID: f.Grids[i].ID, Name: []string{"1号楼", "2号楼"}[i], Floors: 6, Units: 3}
		if err := org.CreateBuilding(ctx, q, &f.Buildings[i]); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// Neighbour adds a second community to the street streetID, with one grid
// and no households, so that the street, its district and its city span
// more than one community: their statistics are then read from the
// snapshot.
func Neighbour(ctx context.Context, q store.Querier, streetID int64) (org.Unit, error) {
	c := org.Unit{Kind: org.Community, Name: "东湖社区", ParentID: streetID}
	if err := org.CreateUnit(ctx, q, &c); err != nil {
		return c, err
	}
	g := org.Unit{Kind: org.GridKind, ParentID: c.ID, Name: "第一网格", Number: 1}
	return c, org.CreateUnit(ctx, q, &g)
}

// NeighbourGrid is Neighbour returning its grid too: the statistics' and
// the lists' tests of a scope over two communities put a household there.
// (The household is theirs to add: testworld cannot import household,
// whose dependencies' tests import testworld.)
func NeighbourGrid(ctx context.Context, q store.Querier, streetID int64) (org.Unit, int64, error) {
	c, err := Neighbour(ctx, q, streetID)
	if err != nil {
		return c, 0, err
	}
	var grid int64
	err = q.QueryRowContext(ctx, `SELECT id FROM org_units WHERE parent_id = ?`, c.ID).Scan(&grid)
	return c, grid, err
}
