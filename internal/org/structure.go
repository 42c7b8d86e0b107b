package org

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/store"
)

// Structure changes the structure of the org tree and of the places for
// one reader: create, rename, move, renumber and retire org units,
// compounds and buildings, within its scope. An administrator changes
// what is under their subtrees (Scope.Administers); whatever else looks
// like what does not exist (apperr.ErrNotFound, or a FieldError not_found
// on the field that names it). Which role may change the structure at all
// is internal/access's to say.
//
// Retired units and places stay in the database, so the ledger, visits,
// plans and requests that name them keep their ids, but they leave every
// list. Households are internal/household's: a change that moves them
// (retiring a grid, moving a building to another grid) calls the Mover
// that household.Store.Structure gives.
type Structure struct {
	db    *store.DB
	scope Scope
	move  Mover
	now   func() time.Time
}

// Move says which households go to grid To: those of grid FromGrid, or
// those of building Building. Note is what the ledger says of the move.
type Move struct {
	FromGrid, Building, To int64
	Note                   string
}

// Mover moves households as m says, in the transaction of q, writing each
// move in the ledger, and returns how many moved.
type Mover func(ctx context.Context, q store.Querier, m Move) (int, error)

// NewStructure returns a Structure on db for the system itself (the CLI):
// it reaches everything.
func NewStructure(db *store.DB) *Structure {
	return &Structure{db: db, scope: Everything, now: time.Now}
}

// In returns a Structure that reaches only what scope administers.
func (s *Structure) In(scope Scope) *Structure {
	c := *s
	c.scope = scope
	return &c
}

// Moving returns a Structure that moves households with m.
func (s *Structure) Moving(m Mover) *Structure {
	c := *s
	c.move = m
	return &c
}

// Tree lists the units the reader sees (Scope.SeesUnit), retired ones
// too when retired is true, depth first: each unit before the units under
// it, siblings by kind, number and id.
func (s *Structure) Tree(ctx context.Context, retired bool) ([]Unit, error) {
	cond, args := s.unitWhere()
	if !retired {
		cond += " AND retired_at IS NULL"
	}
	us, err := units(ctx, s.db, "WHERE "+cond, args...)
	if err != nil {
		return nil, err
	}
	return treeOrder(us), nil
}

// unitWhere is the reader's scope as an SQL condition on org_units.
func (s *Structure) unitWhere() (string, []any) {
	if s.scope.All {
		return "1 = 1", nil
	}
	var or []string
	var args []any
	for _, p := range s.scope.Paths {
		or, args = append(or, "path LIKE ?"), append(args, p+"%")
	}
	if len(s.scope.GridIDs) > 0 {
		or = append(or, "(kind = 'grid' AND id IN (?"+strings.Repeat(", ?", len(s.scope.GridIDs)-1)+"))")
		for _, id := range s.scope.GridIDs {
			args = append(args, id)
		}
	}
	if len(or) == 0 {
		return "1 = 0", nil
	}
	return "(" + strings.Join(or, " OR ") + ")", args
}

// treeOrder orders us depth first, each unit before its children; a unit
// whose parent is not in us is a root.
func treeOrder(us []Unit) []Unit {
	rank := func(k Kind) int { return slices.Index(Kinds, k) }
	slices.SortFunc(us, func(a, b Unit) int {
		return cmp.Or(cmp.Compare(rank(a.Kind), rank(b.Kind)), cmp.Compare(a.Number, b.Number), cmp.Compare(a.ID, b.ID))
	})
	children := map[int64][]Unit{}
	in := map[int64]bool{}
	for _, u := range us {
		in[u.ID] = true
	}
	var roots []Unit
	for _, u := range us {
		if in[u.ParentID] {
			children[u.ParentID] = append(children[u.ParentID], u)
		} else {
			roots = append(roots, u)
		}
	}
	out := make([]Unit, 0, len(us))
	var walk func(u Unit)
	walk = func(u Unit) {
		out = append(out, u)
		for _, c := range children[u.ID] {
			walk(c)
		}
	}
	for _, r := range roots {
		walk(r)
	}
	return out
}

// Unit returns one unit the reader sees, retired or not.
func (s *Structure) Unit(ctx context.Context, id int64) (Unit, error) {
	u, err := UnitByID(ctx, s.db, id)
	if err == nil && !s.scope.SeesUnit(u) {
		return Unit{}, apperr.ErrNotFound
	}
	return u, err
}

// managed returns unit id if the reader administers it, else
// apperr.ErrNotFound.
func (s *Structure) managed(ctx context.Context, q store.Querier, id int64) (Unit, error) {
	u, err := UnitByID(ctx, q, id)
	if err == nil && !s.scope.Administers(u.Path) {
		return Unit{}, apperr.ErrNotFound
	}
	return u, err
}

// retired is the error of a change to a retired unit or place.
func retired(name string) error {
	return apperr.Field("id", "retired", "%s was retired", name)
}

// CreateUnit checks u and inserts it under a parent the reader
// administers (see CreateUnit): only the system creates a city.
func (s *Structure) CreateUnit(ctx context.Context, u *Unit) error {
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		if u.ParentID == 0 && !s.scope.All {
			return apperr.Field("parent_id", "required", "is required")
		}
		if u.ParentID != 0 {
			if p, err := UnitByID(ctx, tx, u.ParentID); err == nil && !s.scope.Administers(p.Path) {
				return apperr.Field("parent_id", "not_found", "org unit %d does not exist", u.ParentID)
			}
		}
		return CreateUnit(ctx, tx, u)
	})
}

// UnitChange is an edit of an org unit: the fields that are not nil
// change. ParentID moves the unit (and everything under it) to another
// parent of the right kind; Number renumbers a grid.
type UnitChange struct {
	Name, Code, Phone *string
	Number            *int
	ParentID          *int64
}

// ChangeUnit renames, renumbers or moves unit id as c says, and returns
// it. A grid renumbered under its usual name (GridName of its number)
// takes the usual name of the new number, unless c gives it another. Ids
// never change, so the history that names the unit stays with it.
func (s *Structure) ChangeUnit(ctx context.Context, id int64, c UnitChange) (Unit, error) {
	var out Unit
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		u, err := s.managed(ctx, tx, id)
		if err != nil {
			return err
		}
		if u.RetiredAt != nil {
			return retired(u.Name)
		}
		old := u
		set(&u.Name, c.Name)
		set(&u.Code, c.Code)
		set(&u.Phone, c.Phone)
		if c.Number != nil {
			if u.Kind != GridKind {
				return apperr.Field("number", "grid_only", "only grids have a number")
			}
			u.Number = *c.Number
			if strings.TrimSpace(u.Name) == old.Name && old.Name == GridName(old.Number) {
				u.Name = GridName(u.Number)
			}
		}
		if err := checkUnit(&u); err != nil {
			return err
		}
		if c.ParentID != nil && *c.ParentID != u.ParentID {
			if err := s.moveUnit(ctx, tx, &u, *c.ParentID); err != nil {
				return err
			}
		}
		if err := checkNumber(ctx, tx, &u); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE org_units SET name = ?, code = ?, phone = ?, number = ? WHERE id = ?`,
			u.Name, u.Code, u.Phone, u.Number, u.ID)
		if store.IsUniqueViolation(err) {
			return apperr.Field("name", "duplicate", "%q already exists there", u.Name)
		}
		if err != nil {
			return fmt.Errorf("update org unit %d: %w", id, err)
		}
		out = u
		return nil
	})
	return out, err
}

// moveUnit hangs u and its subtree under unit parentID: a parent the
// reader administers, of the right kind, not retired, not under u. A grid
// that moves to another community takes its team members along; one that
// holds buildings may not move (the buildings belong to compounds of its
// community: move them to another grid first).
func (s *Structure) moveUnit(ctx context.Context, tx *store.Tx, u *Unit, parentID int64) error {
	if u.Kind == City {
		return apperr.Field("parent_id", "parent_kind", "a city has no parent")
	}
	p, err := s.managed(ctx, tx, parentID)
	if errors.Is(err, apperr.ErrNotFound) {
		return apperr.Field("parent_id", "not_found", "org unit %d does not exist", parentID)
	}
	if err != nil {
		return err
	}
	if strings.HasPrefix(p.Path, u.Path) {
		return apperr.Field("parent_id", "parent_kind", "%s cannot move under itself", u.Name)
	}
	if err := checkParent(u.Kind, p); err != nil {
		return err
	}
	if u.Kind == GridKind {
		if n, err := count(ctx, tx, `SELECT COUNT(*) FROM buildings WHERE grid_id = ? AND retired_at IS NULL`, u.ID); err != nil {
			return err
		} else if n > 0 {
			return apperr.Field("parent_id", "grid_has_buildings", "%s holds %d buildings of its community's compounds: move them to another grid first", u.Name, n)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE team_members SET community_id = ?, version = version + 1 WHERE grid_id = ?`, p.ID, u.ID); err != nil {
			return err
		}
	}
	path := p.Path + strconv.FormatInt(u.ID, 10) + "/"
	if _, err := tx.ExecContext(ctx, `UPDATE org_units SET parent_id = ? WHERE id = ?`, p.ID, u.ID); err != nil {
		if store.IsUniqueViolation(err) {
			return apperr.Field("name", "duplicate", "%q already exists there", u.Name)
		}
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE org_units SET path = CAST(? AS TEXT) || SUBSTR(path, ?) WHERE path LIKE ?`,
		path, len(u.Path)+1, u.Path+"%"); err != nil {
		return fmt.Errorf("move the subtree of %d: %w", u.ID, err)
	}
	u.ParentID, u.Path = p.ID, path
	return nil
}

// Retirement is what retiring a unit did: the unit, and for a grid the
// grid that took its households, buildings and team members and how many
// of each moved. Grants counts the accounts' roles on the unit, which
// reach nothing there any more.
type Retirement struct {
	Unit         Unit  `json:"unit"`
	TargetGridID int64 `json:"target_grid_id,omitempty"`
	Households   int   `json:"households"`
	Buildings    int   `json:"buildings"`
	TeamMembers  int   `json:"team_members"`
	Grants       int   `json:"grants"`
}

// Detail says what r did, for the audit log (no personal data).
func (r Retirement) Detail() string {
	d := fmt.Sprintf("%s %s retired", r.Unit.Kind, r.Unit.Name)
	if r.TargetGridID != 0 {
		d += fmt.Sprintf("; to grid %d: %d households, %d buildings, %d team members", r.TargetGridID, r.Households, r.Buildings, r.TeamMembers)
	}
	if r.Grants > 0 {
		d += fmt.Sprintf("; %d roles of accounts were on it", r.Grants)
	}
	return d
}

// RetireUnit retires unit id. A unit with active units under it, and a
// community with active compounds or team members, is refused until they
// are retired or moved. A grid that holds households, buildings or team
// members needs target, another active grid of its community: they all
// move there in the same transaction, each household's move a ledger
// event (through the Mover).
func (s *Structure) RetireUnit(ctx context.Context, id, target int64) (Retirement, error) {
	var r Retirement
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		u, err := s.managed(ctx, tx, id)
		if err != nil {
			return err
		}
		if u.RetiredAt != nil {
			return retired(u.Name)
		}
		if u.Kind == GridKind {
			err = s.emptyGrid(ctx, tx, u, target, &r)
		} else if target != 0 {
			err = apperr.Field("target_grid_id", "not_grid", "only a grid's households move to another grid")
		} else {
			err = emptyUnit(ctx, tx, u)
		}
		if err != nil {
			return err
		}
		if r.Grants, err = count(ctx, tx, `SELECT COUNT(*) FROM user_roles WHERE org_unit_id = ?`, u.ID); err != nil {
			return err
		}
		now := s.now().UTC()
		if _, err := tx.ExecContext(ctx, `UPDATE org_units SET retired_at = ? WHERE id = ?`, now, u.ID); err != nil {
			return err
		}
		u.RetiredAt = &now
		r.Unit = u
		return nil
	})
	return r, err
}

// emptyUnit refuses to retire u while anything active hangs under it.
func emptyUnit(ctx context.Context, q store.Querier, u Unit) error {
	for _, c := range []struct{ code, what, query string }{
		{"has_units", "units", `SELECT COUNT(*) FROM org_units WHERE parent_id = ? AND retired_at IS NULL`},
		{"has_compounds", "compounds", `SELECT COUNT(*) FROM compounds WHERE community_id = ? AND retired_at IS NULL`},
		{"has_team", "active team members", `SELECT COUNT(*) FROM team_members WHERE community_id = ? AND active`},
	} {
		n, err := count(ctx, q, c.query, u.ID)
		if err != nil {
			return err
		}
		if n > 0 {
			return apperr.Field("id", c.code, "%s still has %d %s: retire or move them first", u.Name, n, c.what)
		}
	}
	return nil
}

// emptyGrid moves what grid u holds to grid target, refusing without a
// target when there is something to move.
func (s *Structure) emptyGrid(ctx context.Context, tx *store.Tx, u Unit, target int64, r *Retirement) error {
	households, err := count(ctx, tx, `SELECT COUNT(*) FROM households WHERE grid_id = ?`, u.ID)
	if err != nil {
		return err
	}
	buildings, err := count(ctx, tx, `SELECT COUNT(*) FROM buildings WHERE grid_id = ? AND retired_at IS NULL`, u.ID)
	if err != nil {
		return err
	}
	members, err := count(ctx, tx, `SELECT COUNT(*) FROM team_members WHERE grid_id = ?`, u.ID)
	if err != nil {
		return err
	}
	if households+buildings+members == 0 {
		return nil
	}
	if target == 0 {
		return apperr.Field("target_grid_id", "target_required", "%s still holds %d households, %d buildings and %d team members: name the grid they move to",
			u.Name, households, buildings, members)
	}
	t, err := s.managed(ctx, tx, target)
	if err != nil || t.Kind != GridKind || t.RetiredAt != nil || t.ID == u.ID {
		if err != nil && !errors.Is(err, apperr.ErrNotFound) {
			return err
		}
		return apperr.Field("target_grid_id", "not_found", "grid %d is not another active grid you administer", target)
	}
	if t.ParentID != u.ParentID {
		return apperr.Field("target_grid_id", "other_community", "%s is in another community", t.Name)
	}
	if r.Buildings, err = exec(ctx, tx, `UPDATE buildings SET grid_id = ? WHERE grid_id = ? AND retired_at IS NULL`, t.ID, u.ID); err != nil {
		return err
	}
	if r.TeamMembers, err = exec(ctx, tx, `UPDATE team_members SET grid_id = ?, version = version + 1 WHERE grid_id = ?`, t.ID, u.ID); err != nil {
		return err
	}
	r.TargetGridID = t.ID
	if households == 0 {
		return nil
	}
	if s.move == nil {
		return errors.New("org: households must move, and this Structure has no Mover (use household.Store.Structure)")
	}
	r.Households, err = s.move(ctx, tx, Move{FromGrid: u.ID, To: t.ID, Note: fmt.Sprintf("%s撤销，并入%s", u.Name, t.Name)})
	return err
}

// count runs a COUNT query.
func count(ctx context.Context, q store.Querier, query string, args ...any) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, query, args...).Scan(&n)
	return n, err
}

// exec runs a statement and returns the number of rows it changed.
func exec(ctx context.Context, q store.Querier, query string, args ...any) (int, error) {
	res, err := q.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// set writes *v to *dst when v is not nil.
func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// Note is a fact of a change worth an audit entry of its own, beside the
// request's "write" (the faces record it with audit.Note, which org
// cannot import): Action such as "org.move", Detail without personal
// data.
type Note struct{ Action, Detail string }

// ChangeNotes are the notes of a change of a unit from before to after:
// a move changes who reaches the unit and everything under it; a
// renumbering what its number means on paper.
func ChangeNotes(before, after Unit) []Note {
	var out []Note
	if before.ParentID != after.ParentID {
		out = append(out, Note{"org.move", fmt.Sprintf("%s %s moved from org unit %d to %d", after.Kind, after.Name, before.ParentID, after.ParentID)})
	}
	if before.Number != after.Number {
		out = append(out, Note{"org.renumber", fmt.Sprintf("%s renumbered from %d to %d", after.Name, before.Number, after.Number)})
	}
	return out
}
