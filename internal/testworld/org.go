package org

import (
	"context"

	"wanhu/internal/store"
)

// Fixture is a minimal org tree for tests: one city down to one community
// with two grids, one compound and a building in each grid.
type Fixture struct {
	City, District, Street, Community Unit
	Grids                             [2]Unit
	Compound                          Compound
	Buildings                         [2]Building
}

// NewFixture creates a Fixture in q.
func NewFixture(ctx context.Context, q store.Querier) (*Fixture, error) {
	f := &Fixture{
		City:      Unit{Kind: City, Name: "西宁市", Code: "630100"},
		District:  Unit{Kind: District, Name: "城东区", Code: "630102"},
		Street:    Unit{Kind: Street, Name: "韵家口镇"},
		Community: Unit{Kind: Community, Name: "东兴社区", Phone: "0971-8123456"},
	}
	steps := []*Unit{&f.City, &f.District, &f.Street, &f.Community}
	for i, u := range steps {
		if i > 0 {
			u.ParentID = steps[i-1].ID
		}
		if err := CreateUnit(ctx, q, u); err != nil {
			return nil, err
		}
	}
	for i := range f.Grids {
		f.Grids[i] = Unit{Kind: GridKind, ParentID: f.Community.ID, Name: []string{"第一网格", "第二网格"}[i], Number: i + 1}
		if err := CreateUnit(ctx, q, &f.Grids[i]); err != nil {
			return nil, err
		}
	}
	f.Compound = Compound{CommunityID: f.Community.ID, Name: "一化小区", BuiltYear: 1985}
	if err := CreateCompound(ctx, q, &f.Compound); err != nil {
		return nil, err
	}
	for i := range f.Buildings {
		f.Buildings[i] = Building{CompoundID: f.Compound.ID, GridID: f.Grids[i].ID, Name: []string{"1号楼", "2号楼"}[i], Floors: 6, Units: 3}
		if err := CreateBuilding(ctx, q, &f.Buildings[i]); err != nil {
			return nil, err
		}
	}
	return f, nil
}
