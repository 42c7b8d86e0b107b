package org

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"wanhu/internal/apperr"
	"wanhu/internal/store"
)

// The places of a community (compounds and their buildings) belong to an
// administrator who administers the community: Structure changes them as
// it changes the org units.

// Compounds lists the active compounds of the communities the reader
// administers, with their active buildings.
func (s *Structure) Compounds(ctx context.Context) ([]Compound, error) {
	if s.scope.All {
		return compounds(ctx, s.db, "", nil)
	}
	if len(s.scope.Paths) == 0 {
		return nil, nil
	}
	or := strings.TrimSuffix(strings.Repeat("path LIKE ? OR ", len(s.scope.Paths)), " OR ")
	args := make([]any, len(s.scope.Paths))
	for i, p := range s.scope.Paths {
		args[i] = p + "%"
	}
	return compounds(ctx, s.db, "c.community_id IN (SELECT id FROM org_units WHERE kind = 'community' AND ("+or+"))", args)
}

// Compound returns a compound of a community the reader administers,
// retired or not, with its active buildings.
func (s *Structure) Compound(ctx context.Context, id int64) (Compound, error) {
	c, err := s.compound(ctx, s.db, id)
	if err != nil {
		return c, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+buildingCols+` FROM buildings b WHERE b.compound_id = ? AND b.retired_at IS NULL ORDER BY b.id`, id)
	if err != nil {
		return c, err
	}
	defer rows.Close()
	for rows.Next() {
		b, err := scanBuilding(rows)
		if err != nil {
			return c, err
		}
		c.Buildings = append(c.Buildings, b)
	}
	return c, rows.Err()
}

// compound returns compound id if the reader administers its community,
// else apperr.ErrNotFound.
func (s *Structure) compound(ctx context.Context, q store.Querier, id int64) (Compound, error) {
	c, err := CompoundByID(ctx, q, id)
	if err != nil {
		return c, err
	}
	if _, err := s.managed(ctx, q, c.CommunityID); err != nil {
		return Compound{}, err
	}
	return c, nil
}

// CreateCompound checks c and inserts it in a community the reader
// administers (see CreateCompound).
func (s *Structure) CreateCompound(ctx context.Context, c *Compound) error {
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := s.managed(ctx, tx, c.CommunityID); errors.Is(err, apperr.ErrNotFound) {
			return apperr.Field("community_id", "not_found", "community %d does not exist", c.CommunityID)
		} else if err != nil {
			return err
		}
		return CreateCompound(ctx, tx, c)
	})
}

// CompoundChange is an edit of a compound: the fields that are not nil
// change. A compound stays in its community.
type CompoundChange struct {
	Name, Address, Notes *string
	BuiltYear            *int
}

// ChangeCompound edits compound id as c says and returns it.
func (s *Structure) ChangeCompound(ctx context.Context, id int64, c CompoundChange) (Compound, error) {
	var out Compound
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		cp, err := s.compound(ctx, tx, id)
		if err != nil {
			return err
		}
		if cp.RetiredAt != nil {
			return retired(cp.Name)
		}
		set(&cp.Name, c.Name)
		set(&cp.Address, c.Address)
		set(&cp.Notes, c.Notes)
		set(&cp.BuiltYear, c.BuiltYear)
		if err := checkCompound(&cp); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE compounds SET name = ?, address = ?, built_year = ?, notes = ? WHERE id = ?`,
			cp.Name, cp.Address, cp.BuiltYear, cp.Notes, id)
		if store.IsUniqueViolation(err) {
			return apperr.Field("name", "duplicate", "compound %q already exists", cp.Name)
		}
		out = cp
		return err
	})
	return out, err
}

// RetireCompound retires compound id, refused while it has active
// buildings.
func (s *Structure) RetireCompound(ctx context.Context, id int64) (Compound, error) {
	var out Compound
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		c, err := s.compound(ctx, tx, id)
		if err != nil {
			return err
		}
		if c.RetiredAt != nil {
			return retired(c.Name)
		}
		if n, err := count(ctx, tx, `SELECT COUNT(*) FROM buildings WHERE compound_id = ? AND retired_at IS NULL`, id); err != nil {
			return err
		} else if n > 0 {
			return apperr.Field("id", "has_buildings", "%s still has %d buildings: retire them first", c.Name, n)
		}
		now := s.now().UTC()
		if _, err := tx.ExecContext(ctx, `UPDATE compounds SET retired_at = ? WHERE id = ?`, now, id); err != nil {
			return err
		}
		c.RetiredAt = &now
		out = c
		return nil
	})
	return out, err
}

// building returns building id if the reader administers its compound's
// community, else apperr.ErrNotFound, with the compound.
func (s *Structure) building(ctx context.Context, q store.Querier, id int64) (Building, Compound, error) {
	b, _, err := BuildingByID(ctx, q, id)
	if err != nil {
		return b, Compound{}, err
	}
	c, err := s.compound(ctx, q, b.CompoundID)
	if err != nil {
		return Building{}, c, err
	}
	return b, c, nil
}

// CreateBuilding checks b and inserts it in a compound the reader
// administers (see CreateBuilding).
func (s *Structure) CreateBuilding(ctx context.Context, b *Building) error {
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := s.compound(ctx, tx, b.CompoundID); errors.Is(err, apperr.ErrNotFound) {
			return apperr.Field("compound_id", "not_found", "compound %d does not exist", b.CompoundID)
		} else if err != nil {
			return err
		}
		return CreateBuilding(ctx, tx, b)
	})
}

// BuildingChange is an edit of a building: the fields that are not nil
// change. GridID moves the building, and its households, to another grid
// of its community. A building stays in its compound.
type BuildingChange struct {
	Name          *string
	Floors, Units *int
	GridID        *int64
}

// ChangeBuilding edits building id as c says and returns it with the
// number of households that moved with it to another grid, each move a
// ledger event (through the Mover).
func (s *Structure) ChangeBuilding(ctx context.Context, id int64, c BuildingChange) (Building, int, error) {
	var out Building
	moved := 0
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		b, cp, err := s.building(ctx, tx, id)
		if err != nil {
			return err
		}
		if b.RetiredAt != nil {
			return retired(b.Name)
		}
		from := b.GridID
		set(&b.Name, c.Name)
		set(&b.Floors, c.Floors)
		set(&b.Units, c.Units)
		set(&b.GridID, c.GridID)
		if err := checkBuilding(&b); err != nil {
			return err
		}
		if b.GridID != from {
			if err := checkBuildingGrid(ctx, tx, cp, b.GridID); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE buildings SET name = ?, floors = ?, units = ?, grid_id = ? WHERE id = ?`,
			b.Name, b.Floors, b.Units, b.GridID, id)
		if store.IsUniqueViolation(err) {
			return apperr.Field("name", "duplicate", "building %q already exists in this compound", b.Name)
		}
		if err != nil {
			return err
		}
		out = b
		if b.GridID == from {
			return nil
		}
		moved, err = s.moveBuilding(ctx, tx, cp, b, from)
		return err
	})
	return out, moved, err
}

// moveBuilding moves the households of building b, which moved from grid
// from to b.GridID, through the Mover.
func (s *Structure) moveBuilding(ctx context.Context, tx *store.Tx, c Compound, b Building, from int64) (int, error) {
	n, err := count(ctx, tx, `SELECT COUNT(*) FROM households WHERE building_id = ?`, b.ID)
	if err != nil || n == 0 {
		return 0, err
	}
	if s.move == nil {
		return 0, errors.New("org: households must move, and this Structure has no Mover (use household.Store.Structure)")
	}
	names := map[int64]string{}
	for _, id := range []int64{from, b.GridID} {
		g, err := UnitByID(ctx, tx, id)
		if err != nil {
			return 0, err
		}
		names[id] = g.Name
	}
	return s.move(ctx, tx, Move{Building: b.ID, To: b.GridID,
		Note: fmt.Sprintf("%s %s 由%s调整到%s", c.Name, b.Name, names[from], names[b.GridID])})
}

// RetireBuilding retires building id, refused while households are
// registered in it (move them to another building first).
func (s *Structure) RetireBuilding(ctx context.Context, id int64) (Building, error) {
	var out Building
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		b, _, err := s.building(ctx, tx, id)
		if err != nil {
			return err
		}
		if b.RetiredAt != nil {
			return retired(b.Name)
		}
		if n, err := count(ctx, tx, `SELECT COUNT(*) FROM households WHERE building_id = ?`, id); err != nil {
			return err
		} else if n > 0 {
			return apperr.Field("id", "has_households", "%s still has %d households: move them to another building first", b.Name, n)
		}
		now := s.now().UTC()
		if _, err := tx.ExecContext(ctx, `UPDATE buildings SET retired_at = ? WHERE id = ?`, now, id); err != nil {
			return err
		}
		b.RetiredAt = &now
		out = b
		return nil
	})
	return out, err
}
