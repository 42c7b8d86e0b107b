package importer

import (
	"context"

	"wanhu/internal/org"
)

// buildings refuses a building the workbook gives to two grids, then
// gives each building to its grid: created (with its compound) when the
// community has none of that name, moved from another grid with its
// households (each move a ledger event) when it was elsewhere.
func (r *structRun) buildings(ctx context.Context) error {
	first := map[string]claim{}
	split := map[string]bool{}
	var order []string
	for _, c := range r.claims {
		k := claimKey(c)
		f, seen := first[k]
		if !seen {
			first[k] = c
			order = append(order, k)
			continue
		}
		if f.grid != c.grid {
			split[k] = true
			r.problem(r.at(c.rec, c.field, "building_split",
				"%s %s is given to %s on row %d too: a building belongs to one grid; give it whole to one grid",
				c.compound, c.building, f.grid.label(), f.rec.row))
		}
	}
	compounds := map[string]bool{}
	for _, k := range order {
		c := first[k]
		if split[k] || c.grid.id == 0 {
			continue
		}
		if err := r.applyBuilding(ctx, c, compounds); err != nil {
			return err
		}
	}
	return nil
}

// buildingColumns maps the fields of a building's FieldError to columns.
var buildingColumns = map[string]Field{"compound": Compound, "building": Building, "name": Building, "grid_id": Grid,
	"floors": Building, "units": Building}

// applyBuilding gives the building of c to its grid.
func (r *structRun) applyBuilding(ctx context.Context, c claim, compounds map[string]bool) error {
	var moved int
	var created, changed bool
	refused, err := r.savepoint(ctx, func() error {
		before := len(r.places.made)
		id, grid, err := r.places.building(ctx, r.community.ID, c.compound, c.building, c.grid.id)
		if err != nil {
			return err
		}
		created = len(r.places.made) > before && r.places.made[len(r.places.made)-1].building != nil
		if grid == c.grid.id {
			return nil
		}
		to := c.grid.id
		if _, moved, err = r.st.ChangeBuilding(ctx, id, org.BuildingChange{GridID: &to}); err != nil {
			return err
		}
		if cp := r.places.findCompound(r.community.ID, cleanCode(c.compound)); cp != nil {
			if b := findBuilding(cp, cleanCode(c.building)); b != nil {
				b.GridID = to
			}
		}
		changed = true
		return nil
	})
	if err != nil {
		return err
	}
	if refused != nil {
		r.places.forget()
		r.refuse(c.rec, refused, buildingColumns)
		return nil
	}
	for _, m := range r.places.made {
		if m.building == nil {
			r.rep.Compounds.Created++
			compounds[m.compound.Name] = true
		}
	}
	r.rep.NewPlaces = append(r.rep.NewPlaces, r.places.kept()...)
	if cp := r.places.findCompound(r.community.ID, cleanCode(c.compound)); cp != nil && !compounds[cp.Name] {
		compounds[cp.Name] = true
		r.rep.Compounds.Unchanged++
	}
	switch {
	case created:
		r.rep.Buildings.Created++
	case changed:
		r.rep.Buildings.Updated++
		r.rep.HouseholdsMoved += moved
	default:
		r.rep.Buildings.Unchanged++
	}
	return nil
}
