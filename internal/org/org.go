// Package org holds the organisation tree (city > district > street/town >
// community > grid), the places of a community (compounds > buildings; units
// and rooms are part of a household's address) and the visiting team.
package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/store"
)

// Kind is a level of the org tree.
type Kind string

const (
	City      Kind = "city"
	District  Kind = "district"
	Street    Kind = "street"
	Community Kind = "community"
	GridKind  Kind = "grid"
	// Department is a government department or public service that
	// requests are referred to (区文体旅游科技局, the water company); it hangs
	// under the city, a district or a street.
	Department Kind = "department"
)

// parentKind says which kind a unit of each kind hangs under.
var parentKind = map[Kind]Kind{District: City, Street: District, Community: Street, GridKind: Community}

// Unit is a node of the org tree. Path lists the ids from the root down to
// the unit itself ("/1/2/5/"), so a subtree is one prefix match.
type Unit struct {
	ID       int64  `json:"id"`
	ParentID int64  `json:"parent_id,omitempty"`
	Kind     Kind   `json:"kind"`
	Name     string `json:"name"`
	Code     string `json:"code,omitempty"`
	Number   int    `json:"number,omitempty"`
	Path     string `json:"path"`
	Phone    string `json:"phone,omitempty"`
	LeaderID int64  `json:"leader_id,omitempty"`
}

// CreateUnit inserts u under its parent and fills in its ID and Path.
func CreateUnit(ctx context.Context, q store.Querier, u *Unit) error {
	parentPath := "/"
	if u.Kind == City {
		if u.ParentID != 0 {
			return apperr.Field("parent_id", "parent_kind", "a city has no parent")
		}
	} else {
		parent, err := UnitByID(ctx, q, u.ParentID)
		if err != nil {
			return fmt.Errorf("parent of %s %q: %w", u.Kind, u.Name, err)
		}
		if u.Kind == Department {
			if parent.Kind != City && parent.Kind != District && parent.Kind != Street {
				return apperr.Field("parent_id", "parent_kind", "a department must belong to a city, district or street, not a %s", parent.Kind)
			}
		} else if want, ok := parentKind[u.Kind]; !ok || parent.Kind != want {
			return apperr.Field("parent_id", "parent_kind", "a %s must belong to a %s, not a %s", u.Kind, want, parent.Kind)
		}
		parentPath = parent.Path
	}
	err := q.QueryRowContext(ctx, `INSERT INTO org_units(parent_id, kind, name, code, number, phone, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		nullID(u.ParentID), u.Kind, u.Name, u.Code, u.Number, u.Phone, time.Now().UTC()).Scan(&u.ID)
	if err != nil {
		if store.IsUniqueViolation(err) {
			return apperr.Field("name", "duplicate", "%q already exists there", u.Name)
		}
		return fmt.Errorf("insert org unit: %w", err)
	}
	u.Path = parentPath + strconv.FormatInt(u.ID, 10) + "/"
	_, err = q.ExecContext(ctx, `UPDATE org_units SET path = ? WHERE id = ?`, u.Path, u.ID)
	return err
}

const unitCols = `id, COALESCE(parent_id, 0), kind, name, code, number, path, phone, COALESCE(leader_id, 0)`

func scanUnit(s interface{ Scan(...any) error }) (Unit, error) {
	var u Unit
	err := s.Scan(&u.ID, &u.ParentID, &u.Kind, &u.Name, &u.Code, &u.Number, &u.Path, &u.Phone, &u.LeaderID)
	return u, err
}

// UnitByID returns one org unit.
func UnitByID(ctx context.Context, q store.Querier, id int64) (Unit, error) {
	u, err := scanUnit(q.QueryRowContext(ctx, `SELECT `+unitCols+` FROM org_units WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return u, apperr.ErrNotFound
	}
	return u, err
}

// Units lists the units of one kind, ordered by path (so a tree reads top-down).
func Units(ctx context.Context, q store.Querier, kind Kind) ([]Unit, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+unitCols+` FROM org_units WHERE kind = ? ORDER BY number, id`, kind)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Unit
	for rows.Next() {
		u, err := scanUnit(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// SetLeader makes a team member the leader of a grid.
func SetLeader(ctx context.Context, q store.Querier, gridID, memberID int64) error {
	_, err := q.ExecContext(ctx, `UPDATE org_units SET leader_id = ? WHERE id = ?`, nullID(memberID), gridID)
	return err
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
