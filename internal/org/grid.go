package org

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/store"
)

// Grid is the smallest unit of the org tree: a set of buildings whose
// households one grid leader and the grid's workers look after.
type Grid struct {
	ID            int64  `json:"id"`
	Number        int    `json:"number"`
	Name          string `json:"name"`
	CommunityID   int64  `json:"community_id"`
	CommunityName string `json:"community_name"`
	LeaderID      int64  `json:"leader_id,omitempty"`
	LeaderName    string `json:"leader_name,omitempty"`
	Households    int    `json:"households"`
	// RetiredAt is when the grid was retired (see Structure.RetireUnit);
	// a retired grid holds no households and is in no list.
	RetiredAt *time.Time `json:"retired_at,omitempty"`
}

const gridQuery = `SELECT g.id, g.number, g.name, c.id, c.name, COALESCE(g.leader_id, 0), COALESCE(t.name, ''),
	(SELECT COUNT(*) FROM households h WHERE h.grid_id = g.id), g.retired_at` + gridFrom

// gridChoiceQuery is gridQuery without the households counted.
const gridChoiceQuery = `SELECT g.id, g.number, g.name, c.id, c.name, COALESCE(g.leader_id, 0), COALESCE(t.name, ''),
	0, g.retired_at` + gridFrom

const gridFrom = `
	FROM org_units g
	JOIN org_units c ON c.id = g.parent_id
	LEFT JOIN team_members t ON t.id = g.leader_id
	WHERE g.kind = 'grid'`

func scanGrid(s interface{ Scan(...any) error }) (Grid, error) {
	var g Grid
	var retired sql.NullTime
	err := s.Scan(&g.ID, &g.Number, &g.Name, &g.CommunityID, &g.CommunityName, &g.LeaderID, &g.LeaderName, &g.Households, &retired)
	g.RetiredAt = timeOf(retired)
	return g, err
}

// Grids lists every active grid with its household count, by community
// and number.
func Grids(ctx context.Context, q store.Querier) ([]Grid, error) {
	return GridsWhere(ctx, q, "")
}

// GridsWhere lists the active grids that meet cond, an SQL condition on
// the org unit alias g ("" for all) with its args, as Grids does: the
// households of the other grids are never counted.
func GridsWhere(ctx context.Context, q store.Querier, cond string, args ...any) ([]Grid, error) {
	return activeGrids(ctx, q, gridQuery, cond, args)
}

// GridChoicesWhere is GridsWhere without counting the grids' households
// (Households is 0): the choices of a form or a filter. Counting them took
// most of the time of a city administrator's page with a grid filter
// (65 ms of SQLite's CPU for 1,568 grids of a million households).
func GridChoicesWhere(ctx context.Context, q store.Querier, cond string, args ...any) ([]Grid, error) {
	return activeGrids(ctx, q, gridChoiceQuery, cond, args)
}

func activeGrids(ctx context.Context, q store.Querier, query, cond string, args []any) ([]Grid, error) {
	if cond != "" {
		cond = " AND " + cond
	}
	rows, err := q.QueryContext(ctx, query+` AND g.retired_at IS NULL`+cond+` ORDER BY c.id, g.number, g.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Grid
	for rows.Next() {
		g, err := scanGrid(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// GridByID returns one grid, retired or not (old plans and visits name
// retired grids).
func GridByID(ctx context.Context, q store.Querier, id int64) (Grid, error) {
	g, err := scanGrid(q.QueryRowContext(ctx, gridQuery+` AND g.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return g, apperr.ErrNotFound
	}
	return g, err
}

// CommunityOfGrid returns the community of grid id (its ID and name
// only), or apperr.ErrNotFound: GridByID without counting the grid's
// households.
func CommunityOfGrid(ctx context.Context, q store.Querier, id int64) (Unit, error) {
	var c Unit
	err := q.QueryRowContext(ctx, `SELECT c.id, c.name FROM org_units g JOIN org_units c ON c.id = g.parent_id
		WHERE g.kind = 'grid' AND g.id = ?`, id).Scan(&c.ID, &c.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return c, apperr.ErrNotFound
	}
	return c, err
}

// timeOf returns the time of a nullable column, or nil.
func timeOf(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time.UTC()
	return &v
}
