package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

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
}

// Building is a building (楼栋) of a compound; it belongs to exactly one grid.
type Building struct {
	ID         int64  `json:"id"`
	CompoundID int64  `json:"compound_id"`
	GridID     int64  `json:"grid_id"`
	Name       string `json:"name"`
	Floors     int    `json:"floors"`
	Units      int    `json:"units"`
}

// CreateCompound inserts c and fills in its ID.
func CreateCompound(ctx context.Context, q store.Querier, c *Compound) error {
	err := q.QueryRowContext(ctx, `INSERT INTO compounds(community_id, name, address, built_year, notes)
		VALUES (?, ?, ?, ?, ?) RETURNING id`, c.CommunityID, c.Name, c.Address, c.BuiltYear, c.Notes).Scan(&c.ID)
	if store.IsUniqueViolation(err) {
		return apperr.Field("name", "duplicate", "compound %q already exists", c.Name)
	}
	return err
}

// CreateBuilding inserts b and fills in its ID.
func CreateBuilding(ctx context.Context, q store.Querier, b *Building) error {
	err := q.QueryRowContext(ctx, `INSERT INTO buildings(compound_id, grid_id, name, floors, units)
		VALUES (?, ?, ?, ?, ?) RETURNING id`, b.CompoundID, b.GridID, b.Name, b.Floors, b.Units).Scan(&b.ID)
	if store.IsUniqueViolation(err) {
		return apperr.Field("name", "duplicate", "building %q already exists in this compound", b.Name)
	}
	return err
}

// Compounds lists every compound with its buildings.
func Compounds(ctx context.Context, q store.Querier) ([]Compound, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, community_id, name, address, built_year, notes FROM compounds ORDER BY id`)
	if err != nil {
		return nil, err
	}
	var out []Compound
	byID := map[int64]int{}
	for rows.Next() {
		var c Compound
		if err := rows.Scan(&c.ID, &c.CommunityID, &c.Name, &c.Address, &c.BuiltYear, &c.Notes); err != nil {
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
	bs, err := q.QueryContext(ctx, `SELECT id, compound_id, grid_id, name, floors, units FROM buildings ORDER BY compound_id, id`)
	if err != nil {
		return nil, err
	}
	defer bs.Close()
	for bs.Next() {
		var b Building
		if err := bs.Scan(&b.ID, &b.CompoundID, &b.GridID, &b.Name, &b.Floors, &b.Units); err != nil {
			return nil, err
		}
		if i, ok := byID[b.CompoundID]; ok {
			out[i].Buildings = append(out[i].Buildings, b)
		}
	}
	return out, bs.Err()
}

// BuildingByID returns one building with its compound's name.
func BuildingByID(ctx context.Context, q store.Querier, id int64) (Building, string, error) {
	var b Building
	var compound string
	err := q.QueryRowContext(ctx, `SELECT b.id, b.compound_id, b.grid_id, b.name, b.floors, b.units, c.name
		FROM buildings b JOIN compounds c ON c.id = b.compound_id WHERE b.id = ?`, id).
		Scan(&b.ID, &b.CompoundID, &b.GridID, &b.Name, &b.Floors, &b.Units, &compound)
	if errors.Is(err, sql.ErrNoRows) {
		return b, "", apperr.ErrNotFound
	}
	if err != nil {
		return b, "", fmt.Errorf("building %d: %w", id, err)
	}
	return b, compound, nil
}
