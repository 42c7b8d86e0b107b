package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"wanhu/internal/apperr"
	"wanhu/internal/store"
)

// Compound is a residential compound (小区) of a community.
type Compound struct {
	ID          int64      `json:"id"`
	CommunityID int64      `json:"community_id"`
	Name        string     `json:"name"`
	Address     string     `json:"address,omitempty"`
	BuiltYear   int        `json:"built_year,omitempty"`
	Notes       string     `json:"notes,omitempty"`
	Buildings   []Building `json:"buildings,omitempty"`
	RetiredAt   *time.Time `json:"retired_at,omitempty"`
}

// Building is a building (楼栋) of a compound; it belongs to exactly one grid.
type Building struct {
	ID         int64      `json:"id"`
	CompoundID int64      `json:"compound_id"`
	GridID     int64      `json:"grid_id"`
	Name       string     `json:"name"`
	Floors     int        `json:"floors"`
	Units      int        `json:"units"`
	RetiredAt  *time.Time `json:"retired_at,omitempty"`
}

// Limits of a compound's and a building's figures.
const (
	minBuiltYear = 1900
	maxFloors    = 200
	maxUnits     = 50
)

// CreateCompound checks c and inserts it, filling in its ID: a name, an
// active community, a plausible year. Faces create compounds through
// Structure, which adds the scope.
func CreateCompound(ctx context.Context, q store.Querier, c *Compound) error {
	if err := checkCompound(c); err != nil {
		return err
	}
	if u, err := UnitByID(ctx, q, c.CommunityID); err != nil || u.Kind != Community || u.RetiredAt != nil {
		return apperr.Field("community_id", "not_found", "community %d does not exist", c.CommunityID)
	}
	err := q.QueryRowContext(ctx, `INSERT INTO compounds(community_id, name, address, built_year, notes)
		VALUES (?, ?, ?, ?, ?) RETURNING id`, c.CommunityID, c.Name, c.Address, c.BuiltYear, c.Notes).Scan(&c.ID)
	if store.IsUniqueViolation(err) {
		return apperr.Field("name", "duplicate", "compound %q already exists", c.Name)
	}
	return err
}

// checkCompound trims c's text and returns a FieldError naming the first
// field that is wrong.
func checkCompound(c *Compound) error {
	c.Name, c.Address, c.Notes = strings.TrimSpace(c.Name), strings.TrimSpace(c.Address), strings.TrimSpace(c.Notes)
	switch {
	case c.Name == "":
		return apperr.Field("name", "required", "is required")
	case utf8.RuneCountInString(c.Name) > 50:
		return apperr.Field("name", "too_long", "must be at most %d characters", 50)
	case utf8.RuneCountInString(c.Address) > 100:
		return apperr.Field("address", "too_long", "must be at most %d characters", 100)
	case utf8.RuneCountInString(c.Notes) > 500:
		return apperr.Field("notes", "too_long", "must be at most %d characters", 500)
	case c.BuiltYear != 0 && (c.BuiltYear < minBuiltYear || c.BuiltYear > time.Now().Year()+5):
		return apperr.Field("built_year", "range", "must be a year from %d to %d", minBuiltYear, time.Now().Year()+5)
	}
	return nil
}

// CreateBuilding checks b and inserts it, filling in its ID: a name, an
// active compound, an active grid of the compound's community, and
// plausible floors and units. Faces create buildings through Structure,
// which adds the scope.
func CreateBuilding(ctx context.Context, q store.Querier, b *Building) error {
	if err := checkBuilding(b); err != nil {
		return err
	}
	c, err := CompoundByID(ctx, q, b.CompoundID)
	if errors.Is(err, apperr.ErrNotFound) || err == nil && c.RetiredAt != nil {
		return apperr.Field("compound_id", "not_found", "compound %d does not exist", b.CompoundID)
	}
	if err != nil {
		return err
	}
	if err := checkBuildingGrid(ctx, q, c, b.GridID); err != nil {
		return err
	}
	err = q.QueryRowContext(ctx, `INSERT INTO buildings(compound_id, grid_id, name, floors, units)
		VALUES (?, ?, ?, ?, ?) RETURNING id`, b.CompoundID, b.GridID, b.Name, b.Floors, b.Units).Scan(&b.ID)
	if store.IsUniqueViolation(err) {
		return apperr.Field("name", "duplicate", "building %q already exists in this compound", b.Name)
	}
	return err
}

// checkBuilding trims b's name and returns a FieldError naming the first
// field that is wrong.
func checkBuilding(b *Building) error {
	b.Name = strings.TrimSpace(b.Name)
	switch {
	case b.Name == "":
		return apperr.Field("name", "required", "is required")
	case utf8.RuneCountInString(b.Name) > 30:
		return apperr.Field("name", "too_long", "must be at most %d characters", 30)
	case b.Floors < 0 || b.Floors > maxFloors:
		return apperr.Field("floors", "range", "must be a number from 0 to %d", maxFloors)
	case b.Units < 0 || b.Units > maxUnits:
		return apperr.Field("units", "range", "must be a number from 0 to %d", maxUnits)
	}
	return nil
}

// checkBuildingGrid returns a FieldError on grid_id unless grid id is an
// active grid of compound c's community.
func checkBuildingGrid(ctx context.Context, q store.Querier, c Compound, id int64) error {
	if id == 0 {
		return apperr.Field("grid_id", "required", "is required")
	}
	g, err := UnitByID(ctx, q, id)
	if err != nil || g.Kind != GridKind || g.RetiredAt != nil || g.ParentID != c.CommunityID {
		return apperr.Field("grid_id", "not_found", "grid %d is not a grid of the compound's community", id)
	}
	return nil
}

const compoundCols = `id, community_id, name, address, built_year, notes, retired_at`

func scanCompound(s interface{ Scan(...any) error }) (Compound, error) {
	var c Compound
	var retired sql.NullTime
	err := s.Scan(&c.ID, &c.CommunityID, &c.Name, &c.Address, &c.BuiltYear, &c.Notes, &retired)
	c.RetiredAt = timeOf(retired)
	return c, err
}

const buildingCols = `b.id, b.compound_id, b.grid_id, b.name, b.floors, b.units, b.retired_at`

func scanBuilding(s interface{ Scan(...any) error }, extra ...any) (Building, error) {
	var b Building
	var retired sql.NullTime
	err := s.Scan(append([]any{&b.ID, &b.CompoundID, &b.GridID, &b.Name, &b.Floors, &b.Units, &retired}, extra...)...)
	b.RetiredAt = timeOf(retired)
	return b, err
}

// CompoundByID returns one compound, retired or not, without its buildings.
func CompoundByID(ctx context.Context, q store.Querier, id int64) (Compound, error) {
	c, err := scanCompound(q.QueryRowContext(ctx, `SELECT `+compoundCols+` FROM compounds WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, apperr.ErrNotFound
	}
	if err != nil {
		return c, fmt.Errorf("compound %d: %w", id, err)
	}
	return c, nil
}

// Compounds lists every active compound with its active buildings.
func Compounds(ctx context.Context, q store.Querier) ([]Compound, error) {
	return compounds(ctx, q, "", nil)
}

// compounds lists the active compounds that meet cond (on the compound
// alias c; "" for all) with their active buildings.
func compounds(ctx context.Context, q store.Querier, cond string, args []any) ([]Compound, error) {
	if cond != "" {
		cond = " AND " + cond
	}
	rows, err := q.QueryContext(ctx, `SELECT c.id, c.community_id, c.name, c.address, c.built_year, c.notes, c.retired_at
		FROM compounds c WHERE c.retired_at IS NULL`+cond+` ORDER BY c.id`, args...)
	if err != nil {
		return nil, err
	}
	var out []Compound
	byID := map[int64]int{}
	for rows.Next() {
		c, err := scanCompound(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		byID[c.ID] = len(out)
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	bs, err := q.QueryContext(ctx, `SELECT `+buildingCols+` FROM buildings b WHERE b.retired_at IS NULL ORDER BY b.compound_id, b.id`)
	if err != nil {
		return nil, err
	}
	defer bs.Close()
	for bs.Next() {
		b, err := scanBuilding(bs)
		if err != nil {
			return nil, err
		}
		if i, ok := byID[b.CompoundID]; ok {
			out[i].Buildings = append(out[i].Buildings, b)
		}
	}
	return out, bs.Err()
}

// BuildingByID returns one building, retired or not, with its compound's
// name.
func BuildingByID(ctx context.Context, q store.Querier, id int64) (Building, string, error) {
	var compound string
	b, err := scanBuilding(q.QueryRowContext(ctx, `SELECT `+buildingCols+`, c.name
		FROM buildings b JOIN compounds c ON c.id = b.compound_id WHERE b.id = ?`, id), &compound)
	if errors.Is(err, sql.ErrNoRows) {
		return b, "", apperr.ErrNotFound
	}
	if err != nil {
		return b, "", fmt.Errorf("building %d: %w", id, err)
	}
	return b, compound, nil
}

// GridBuilding is a building of a grid, named with its compound.
type GridBuilding struct {
	ID   int64
	Name string // compound and building: 一化小区1号楼
}

// GridBuildings lists the buildings of grid gridID that are not retired,
// by compound.
func GridBuildings(ctx context.Context, q store.Querier, gridID int64) ([]GridBuilding, error) {
	rows, err := q.QueryContext(ctx, `SELECT b.id, c.name || b.name FROM buildings b JOIN compounds c ON c.id = b.compound_id
		WHERE b.grid_id = ? AND b.retired_at IS NULL ORDER BY c.name, b.id`, gridID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []GridBuilding
	for rows.Next() {
		var b GridBuilding
		if err := rows.Scan(&b.ID, &b.Name); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// BuildingChoice is a building a household can be placed in, with its
// grid and compound.
type BuildingChoice struct {
	ID       int64
	GridID   int64
	Compound string
	Name     string
}

// BuildingChoicesWhere lists at most limit active buildings of active
// compounds in the active grids that meet cond (an SQL condition on the
// grid g, the building b or its compound c, "" for all, with its args), by
// compound and building:
// the choices of a form, which asks for limit+1 to learn whether there are
// more than it shows. A limit of 0 lists them all.
func BuildingChoicesWhere(ctx context.Context, q store.Querier, limit int, cond string, args ...any) ([]BuildingChoice, error) {
	if cond != "" {
		cond = " AND " + cond
	}
	if limit > 0 {
		cond, args = cond+" ORDER BY c.id, b.id LIMIT ?", append(args, limit)
	} else {
		cond += " ORDER BY c.id, b.id"
	}
	rows, err := q.QueryContext(ctx, `SELECT b.id, b.grid_id, c.name, b.name
		FROM buildings b JOIN compounds c ON c.id = b.compound_id JOIN org_units g ON g.id = b.grid_id
		WHERE b.retired_at IS NULL AND c.retired_at IS NULL AND g.kind = 'grid' AND g.retired_at IS NULL`+cond, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []BuildingChoice
	for rows.Next() {
		var b BuildingChoice
		if err := rows.Scan(&b.ID, &b.GridID, &b.Compound, &b.Name); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}
