package stats

import (
	"context"

	"wanhu/internal/household"
	"wanhu/internal/store"
)

// HouseholdStats counts households by kind (homes and shops, R3),
// occupancy and colour (R4), and the colours of each grid. The maps hold
// every value of their field, zeros included.
type HouseholdStats struct {
	Total     int            `json:"total"`
	Kind      map[string]int `json:"kind"`
	Occupancy map[string]int `json:"occupancy"`
	Colour    map[string]int `json:"colour"`
	ByGrid    []GridColours  `json:"by_grid"`
}

// GridColours is the households of one grid (Key is its id) by colour.
type GridColours struct {
	Count
	Colour map[string]int `json:"colour"`
}

// Households counts the households in scope (in grid gridID only, if not
// 0) with one aggregate. A grid out of scope is apperr.ErrNotFound.
func Households(ctx context.Context, q store.Querier, scope household.Scope, gridID int64) (*HouseholdStats, error) {
	where, args, err := filter(ctx, q, scope, gridID)
	if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT x.grid_id, g.name, g.parent_id, g.number, x.kind, x.occupancy, x.colour, x.n
		FROM (SELECT h.grid_id, h.kind, h.occupancy, h.colour, COUNT(*) AS n FROM households h
			WHERE 1 = 1`+where+` GROUP BY h.grid_id, h.kind, h.occupancy, h.colour) x
		JOIN org_units g ON g.id = x.grid_id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := &HouseholdStats{Kind: zeros(household.Kinds), Occupancy: zeros(household.Occupancies), Colour: zeros(household.Colours)}
	grids, colours := tally{}, map[string]map[string]int{}
	for rows.Next() {
		var gridID, parentID, number int64
		var gridName, kind, occupancy, colour string
		var n int
		if err := rows.Scan(&gridID, &gridName, &parentID, &number, &kind, &occupancy, &colour, &n); err != nil {
			return nil, err
		}
		out.Total += n
		out.Kind[kind] += n
		out.Occupancy[occupancy] += n
		out.Colour[colour] += n
		key := id(gridID)
		grids.add(key, gridName, order{parentID, number, gridID}, n)
		if colours[key] == nil {
			colours[key] = zeros(household.Colours)
		}
		colours[key][colour] += n
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out.ByGrid = []GridColours{}
	for _, g := range grids.list(false) {
		out.ByGrid = append(out.ByGrid, GridColours{g, colours[g.Key]})
	}
	return out, nil
}

// zeros returns a count of 0 for each of values.
func zeros(values []string) map[string]int {
	m := make(map[string]int, len(values))
	for _, v := range values {
		m[v] = 0
	}
	return m
}
