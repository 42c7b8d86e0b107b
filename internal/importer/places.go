package importer

import (
	"context"
	"strings"

	"wanhu/internal/apperr"
	"wanhu/internal/org"
	"wanhu/internal/store"
)

// places finds the communities, grids, compounds and buildings that a
// file names, in the importer's scope, and with --create-places creates
// the compounds and buildings not yet known (inside the import's
// transaction, so a refused or dry run leaves none).
type places struct {
	q           store.Querier
	scope       org.Scope
	create      bool
	communities []org.Unit
	grids       map[int64][]org.Grid // by community
	compounds   map[int64][]*org.Compound
	// made are the places created for the household being applied,
	// forgotten if it is rolled back.
	made []made
}

// made is a compound or building created for a household.
type made struct {
	community int64
	compound  *org.Compound
	building  *org.Building // nil when the compound was made
	label     string
}

func newPlaces(ctx context.Context, q store.Querier, scope org.Scope, create bool) (*places, error) {
	p := &places{q: q, scope: scope, create: create, grids: map[int64][]org.Grid{}, compounds: map[int64][]*org.Compound{}}
	all, err := org.Units(ctx, q, org.Community)
	if err != nil {
		return nil, err
	}
	grids, err := org.Grids(ctx, q)
	if err != nil {
		return nil, err
	}
	for _, g := range grids {
		p.grids[g.CommunityID] = append(p.grids[g.CommunityID], g)
	}
	for _, c := range all {
		if p.inScope(c) {
			p.communities = append(p.communities, c)
		}
	}
	cs, err := org.Compounds(ctx, q)
	if err != nil {
		return nil, err
	}
	for i := range cs {
		c := cs[i]
		p.compounds[c.CommunityID] = append(p.compounds[c.CommunityID], &c)
	}
	return p, nil
}

// inScope reports whether community c is in the scope: under one of its
// paths, or holding one of its grids.
func (p *places) inScope(c org.Unit) bool {
	if p.scope.All {
		return true
	}
	for _, path := range p.scope.Paths {
		if strings.HasPrefix(c.Path, path) {
			return true
		}
	}
	for _, g := range p.grids[c.ID] {
		for _, id := range p.scope.GridIDs {
			if g.ID == id {
				return true
			}
		}
	}
	return false
}

// community returns the community named (or numbered by id) s in scope.
func (p *places) community(s string) (org.Unit, error) {
	s = cleanCode(s)
	var found []org.Unit
	for _, c := range p.communities {
		if c.Name == s || itoa(c.ID) == s {
			found = append(found, c)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return org.Unit{}, apperr.Field("community", "community_unknown", "no community %q here", s)
	}
	return org.Unit{}, apperr.Field("community", "community_ambiguous", "%d communities are named %q; give its id", len(found), s)
}

// grid returns the grid of community c that s names by number or name.
func (p *places) grid(c int64, s string) (int64, error) {
	n, name := readGrid(s)
	for _, g := range p.grids[c] {
		if g.Name == name || n != 0 && g.Number == n {
			return g.ID, nil
		}
	}
	return 0, apperr.Field("grid_id", "grid_unknown", "no grid %q in this community (give its number or name)", name)
}

// building returns the building of compound and building names in
// community c, created in grid gridID if need be and allowed: the
// building's id and grid, and whether it was created.
func (p *places) building(ctx context.Context, c int64, compound, building string, gridID int64) (id, grid int64, err error) {
	compound, building = cleanCode(compound), cleanCode(building)
	if compound == "" {
		return 0, 0, apperr.Field("compound", "required", "is required with a building")
	}
	if building == "" {
		return 0, 0, apperr.Field("building", "required", "is required with a compound")
	}
	cp := p.findCompound(c, compound)
	if cp == nil {
		if p.create && gridID == 0 {
			return 0, 0, apperr.Field("grid_id", "grid_required", "creating building %s %s needs its grid (网格)", compound, building)
		}
		if !p.create {
			return 0, 0, apperr.Field("compound", "compound_unknown", "no compound %q in this community (--create-places creates it)", compound)
		}
		cp = &org.Compound{CommunityID: c, Name: compound}
		if err := org.CreateCompound(ctx, p.q, cp); err != nil {
			return 0, 0, err
		}
		p.compounds[c] = append(p.compounds[c], cp)
		p.made = append(p.made, made{community: c, compound: cp, label: compound})
	}
	if b := findBuilding(cp, building); b != nil {
		return b.ID, b.GridID, nil
	}
	if !p.create {
		return 0, 0, apperr.Field("building", "building_unknown", "no building %q in %s (--create-places creates it)", building, cp.Name)
	}
	if gridID == 0 {
		return 0, 0, apperr.Field("grid_id", "grid_required", "creating building %s %s needs its grid (网格)", cp.Name, building)
	}
	b := org.Building{CompoundID: cp.ID, GridID: gridID, Name: building}
	if err := org.CreateBuilding(ctx, p.q, &b); err != nil {
		return 0, 0, err
	}
	cp.Buildings = append(cp.Buildings, b)
	p.made = append(p.made, made{community: c, compound: cp, building: &cp.Buildings[len(cp.Buildings)-1], label: cp.Name + " " + building})
	return b.ID, b.GridID, nil
}

// forget drops the places made for a household that was rolled back.
func (p *places) forget() {
	for i := len(p.made) - 1; i >= 0; i-- {
		m := p.made[i]
		if m.building != nil {
			bs := m.compound.Buildings
			m.compound.Buildings = bs[:len(bs)-1]
			continue
		}
		cs := p.compounds[m.community]
		p.compounds[m.community] = cs[:len(cs)-1]
	}
	p.made = nil
}

// kept returns the labels of the places made for a household that was
// applied.
func (p *places) kept() []string {
	var out []string
	for _, m := range p.made {
		out = append(out, m.label)
	}
	p.made = nil
	return out
}

// findCompound finds a compound by name, "一化" finding "一化小区" and the
// other way round.
func (p *places) findCompound(c int64, name string) *org.Compound {
	for _, cp := range p.compounds[c] {
		if cp.Name == name {
			return cp
		}
	}
	key := strings.TrimSuffix(name, "小区")
	for _, cp := range p.compounds[c] {
		if strings.TrimSuffix(cp.Name, "小区") == key {
			return cp
		}
	}
	return nil
}

// findBuilding finds a building of cp by name, or by its number: "1",
// "1号楼", "1栋", "一号楼" and "1幢" are one building when only one has it.
func findBuilding(cp *org.Compound, name string) *org.Building {
	for i := range cp.Buildings {
		if cp.Buildings[i].Name == name {
			return &cp.Buildings[i]
		}
	}
	key := buildingKey(name)
	var found *org.Building
	for i := range cp.Buildings {
		if buildingKey(cp.Buildings[i].Name) == key {
			if found != nil {
				return nil
			}
			found = &cp.Buildings[i]
		}
	}
	return found
}

// buildingKey is a building's name without the words around its number.
func buildingKey(s string) string {
	s = strings.ReplaceAll(cleanCode(s), " ", "")
	for _, suf := range []string{"号楼", "号", "栋", "幢", "楼", "座"} {
		s = strings.TrimSuffix(s, suf)
	}
	s = strings.TrimPrefix(s, "第")
	if n, ok := chineseNumber(s); ok {
		return itoa(int64(n))
	}
	return strings.TrimLeft(s, "0")
}
