// Package org holds the organisation tree (city > district > street/town >
// community > grid), the places of a community (compounds > buildings; units
// and rooms are part of a household's address) and the visiting team.
package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

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
	// RetiredAt is when the unit was retired: it stays for the history
	// that names it but leaves every list (see Structure.RetireUnit).
	RetiredAt *time.Time `json:"retired_at,omitempty"`
}

// Kinds lists the kinds of unit, from the top of the tree down, and the
// departments.
var Kinds = []Kind{City, District, Street, Community, GridKind, Department}

// ParentKinds returns the kinds a unit of kind k may hang under (none for
// a city).
func ParentKinds(k Kind) []Kind {
	if k == Department {
		return []Kind{City, District, Street}
	}
	if p, ok := parentKind[k]; ok {
		return []Kind{p}
	}
	return nil
}

// CreateUnit checks u and inserts it under its parent, filling in its ID
// and Path: a name (a grid without one takes GridName of its number), a
// parent of the right kind that is not retired, and for a grid a number
// no other active grid of its community has. Faces create units through
// Structure, which adds the scope.
func CreateUnit(ctx context.Context, q store.Querier, u *Unit) error {
	if !slices.Contains(Kinds, u.Kind) {
		return apperr.OneOf("kind", string(u.Kind), Kinds)
	}
	if u.Kind == GridKind && strings.TrimSpace(u.Name) == "" && u.Number > 0 {
		u.Name = GridName(u.Number)
	}
	if err := checkUnit(u); err != nil {
		return err
	}
	parentPath := "/"
	if u.Kind == City {
		if u.ParentID != 0 {
			return apperr.Field("parent_id", "parent_kind", "a city has no parent")
		}
	} else {
		if u.ParentID == 0 {
			return apperr.Field("parent_id", "required", "is required")
		}
		parent, err := UnitByID(ctx, q, u.ParentID)
		if errors.Is(err, apperr.ErrNotFound) {
			return apperr.Field("parent_id", "not_found", "org unit %d does not exist", u.ParentID)
		}
		if err != nil {
			return fmt.Errorf("parent of %s %q: %w", u.Kind, u.Name, err)
		}
		if err := checkParent(u.Kind, parent); err != nil {
			return err
		}
		parentPath = parent.Path
	}
	if err := checkNumber(ctx, q, u); err != nil {
		return err
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

// checkParent returns a FieldError on parent_id unless a unit of kind k
// may hang under parent: one of ParentKinds(k), not retired.
func checkParent(k Kind, parent Unit) error {
	kinds := ParentKinds(k)
	if !slices.Contains(kinds, parent.Kind) {
		return apperr.Field("parent_id", "parent_kind", "a %s must belong to a %s, not a %s", k, joinKinds(kinds), parent.Kind)
	}
	if parent.RetiredAt != nil {
		return apperr.Field("parent_id", "retired", "%s was retired", parent.Name)
	}
	return nil
}

func joinKinds(ks []Kind) string {
	s := make([]string, len(ks))
	for i, k := range ks {
		s[i] = string(k)
	}
	return strings.Join(s, " or ")
}

// checkUnit trims u's text and returns a FieldError naming the first
// field that is wrong.
func checkUnit(u *Unit) error {
	u.Name, u.Code, u.Phone = strings.TrimSpace(u.Name), strings.TrimSpace(u.Code), strings.TrimSpace(u.Phone)
	switch {
	case u.Kind == GridKind && (u.Number < 1 || u.Number > maxGridNumber):
		return apperr.Field("number", "range", "must be a number from 1 to %d", maxGridNumber)
	case u.Name == "":
		return apperr.Field("name", "required", "is required")
	case utf8.RuneCountInString(u.Name) > 50:
		return apperr.Field("name", "too_long", "must be at most %d characters", 50)
	case utf8.RuneCountInString(u.Code) > 20:
		return apperr.Field("code", "too_long", "must be at most %d characters", 20)
	case u.Phone != "" && !phonePattern.MatchString(u.Phone):
		return apperr.Field("phone", "phone", "is not a phone number (digits, optionally + and -)")
	case u.Kind != GridKind && u.Number != 0:
		return apperr.Field("number", "grid_only", "only grids have a number")
	}
	return nil
}

// maxGridNumber is the highest number of a grid.
const maxGridNumber = 999

// checkNumber returns a FieldError on number if another active grid of the
// community of grid u (u.ParentID) has u's number.
func checkNumber(ctx context.Context, q store.Querier, u *Unit) error {
	if u.Kind != GridKind {
		return nil
	}
	var other string
	err := q.QueryRowContext(ctx, `SELECT name FROM org_units WHERE kind = 'grid' AND parent_id = ? AND number = ?
		AND id <> ? AND retired_at IS NULL`, u.ParentID, u.Number, u.ID).Scan(&other)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	return apperr.Field("number", "number_taken", "%s already has number %d", other, u.Number)
}

const unitCols = `id, COALESCE(parent_id, 0), kind, name, code, number, path, phone, COALESCE(leader_id, 0), retired_at`

func scanUnit(s interface{ Scan(...any) error }) (Unit, error) {
	var u Unit
	var retired sql.NullTime
	err := s.Scan(&u.ID, &u.ParentID, &u.Kind, &u.Name, &u.Code, &u.Number, &u.Path, &u.Phone, &u.LeaderID, &retired)
	u.RetiredAt = timeOf(retired)
	return u, err
}

// UnitByID returns one org unit, retired or not.
func UnitByID(ctx context.Context, q store.Querier, id int64) (Unit, error) {
	u, err := scanUnit(q.QueryRowContext(ctx, `SELECT `+unitCols+` FROM org_units WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return u, apperr.ErrNotFound
	}
	return u, err
}

// CommunityOf returns the community whose subtree path ("/1/2/5/9/", a
// grid's or a request's org path) lies in, retired or not: the unit that
// speaks to residents, with its name and phone. ErrNotFound when path is
// above or beside every community (a street's own request).
func CommunityOf(ctx context.Context, q store.Querier, path string) (Unit, error) {
	var ids []any
	for _, part := range strings.Split(strings.Trim(path, "/"), "/") {
		if id, err := strconv.ParseInt(part, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return Unit{}, apperr.ErrNotFound
	}
	us, err := units(ctx, q, `WHERE kind = 'community' AND id IN (?`+strings.Repeat(", ?", len(ids)-1)+`)`, ids...)
	if err != nil {
		return Unit{}, err
	}
	if len(us) == 0 {
		return Unit{}, apperr.ErrNotFound
	}
	return us[0], nil
}

// Units lists the active units of one kind, by number and id.
func Units(ctx context.Context, q store.Querier, kind Kind) ([]Unit, error) {
	return units(ctx, q, `WHERE kind = ? AND retired_at IS NULL ORDER BY number, id`, kind)
}

func units(ctx context.Context, q store.Querier, where string, args ...any) ([]Unit, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+unitCols+` FROM org_units `+where, args...)
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
