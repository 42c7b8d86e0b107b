package stats

import (
	"context"

	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/store"
)

// HouseholdStats counts households by kind (homes and shops, R3),
// occupancy and colour (R4), and the colours of each grid; and the key
// persons (重点人群: members with a key-person tag) by tag and the
// special-difficulty households (特殊困难家庭), as their rosters list them.
// The maps hold every value of their field, zeros included.
type HouseholdStats struct {
	Source
	Total     int            `json:"total"`
	Kind      map[string]int `json:"kind"`
	Occupancy map[string]int `json:"occupancy"`
	Colour    map[string]int `json:"colour"`
	ByGrid    []GridColours  `json:"by_grid"`

	KeyPersons        int     `json:"key_persons"`        // each person once
	KeyPersonsByTag   []Count `json:"key_persons_by_tag"` // Key is the tag's code
	SpecialDifficulty int     `json:"special_difficulty"`
}

// GridColours is the households of one grid (Key is its id) by colour.
type GridColours struct {
	Count
	Colour map[string]int `json:"colour"`
}

// Households counts the households in scope (in grid gridID only, if not
// 0) with one aggregate. A grid out of scope is apperr.ErrNotFound.
// FromSnapshot lets a street, a district or the city be summed from the
// snapshot instead.
func Households(ctx context.Context, q store.Querier, scope org.Scope, gridID int64, opts ...Option) (*HouseholdStats, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	where, args, err := filter(ctx, q, scope, gridID)
	if err != nil {
		return nil, err
	}
	snap, large, err := snapshotFor(ctx, q, o, scope, gridID, calendar.Date{})
	if err != nil {
		return nil, err
	}
	counted := "COUNT(*) AS n FROM households h"
	if snap != nil {
		counted = "CAST(SUM(h.n) AS BIGINT) AS n FROM stats_snapshot_households h"
	}
	rows, err := q.QueryContext(ctx, `SELECT x.grid_id, g.name, g.parent_id, g.number, x.kind, x.occupancy, x.colour, x.n
		FROM (SELECT h.grid_id, h.kind, h.occupancy, h.colour, `+counted+`
			WHERE 1 = 1`+where+` GROUP BY h.grid_id, h.kind, h.occupancy, h.colour) x
		JOIN org_units g ON g.id = x.grid_id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := &HouseholdStats{Source: Source{SnapshotScope: large}, Kind: zeros(household.Kinds), Occupancy: zeros(household.Occupancies), Colour: zeros(household.Colours)}
	if snap != nil {
		taken := snap.Taken
		out.AsOf = &taken
	}
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
	if snap != nil {
		return out, keyPersonsSnapshot(ctx, q, where, args, out)
	}
	return out, keyPersons(ctx, q, where, args, out)
}

// keyPersons counts the key persons by tag and in all, and the
// special-difficulty households, of the households where (on alias h).
// Within a scope the count starts from its households (a community's
// few thousand through households' grid index), not from the city's
// tagged persons checked one by one against the scope: at a million
// households that was half a second a count, holding a connection.
func keyPersons(ctx context.Context, q store.Querier, where string, args []any, out *HouseholdStats) error {
	byTag := `SELECT t.code, t.name_zh, t.sort, COUNT(*) FROM tags t
		JOIN person_tags pt ON pt.tag = t.code JOIN persons p ON p.id = pt.person_id
		WHERE t.key_person AND p.active GROUP BY t.code, t.name_zh, t.sort`
	persons := `SELECT COUNT(*) FROM persons p
		WHERE p.active AND p.id IN (SELECT pt.person_id FROM person_tags pt JOIN tags t ON t.code = pt.tag WHERE t.key_person)`
	if where != "" {
		byTag = `SELECT t.code, t.name_zh, t.sort, x.n FROM (SELECT pt.tag, COUNT(*) AS n FROM households h
			JOIN persons p ON p.household_id = h.id JOIN person_tags pt ON pt.person_id = p.id
			WHERE p.active` + where + ` GROUP BY pt.tag) x JOIN tags t ON t.code = x.tag WHERE t.key_person`
		persons = `SELECT COUNT(*) FROM households h JOIN persons p ON p.household_id = h.id
			WHERE p.active AND EXISTS (SELECT 1 FROM person_tags pt JOIN tags t ON t.code = pt.tag WHERE pt.person_id = p.id AND t.key_person)` + where
	}
	tags, err := tallyTags(ctx, q, byTag, args)
	if err != nil {
		return err
	}
	out.KeyPersonsByTag = tags.list(false)
	if err := q.QueryRowContext(ctx, persons, args...).Scan(&out.KeyPersons); err != nil {
		return err
	}
	special := `SELECT COUNT(*) FROM households h WHERE h.id IN (SELECT household_id FROM household_tags WHERE tag = ?)`
	if where != "" {
		special = `SELECT COUNT(*) FROM households h
			WHERE EXISTS (SELECT 1 FROM household_tags ht WHERE ht.household_id = h.id AND ht.tag = ?)` + where
	}
	return q.QueryRowContext(ctx, special, append([]any{household.SpecialDifficulty}, args...)...).Scan(&out.SpecialDifficulty)
}

// zeros returns a count of 0 for each of values.
func zeros(values []string) map[string]int {
	m := make(map[string]int, len(values))
	for _, v := range values {
		m[v] = 0
	}
	return m
}

// tallyTags runs query, whose rows are a tag's code, name, sort order and
// count, and tallies them.
func tallyTags(ctx context.Context, q store.Querier, query string, args []any) (tally, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	tags := tally{}
	for rows.Next() {
		var code, name string
		var sort int64
		var n int
		if err := rows.Scan(&code, &name, &sort, &n); err != nil {
			return nil, err
		}
		tags.add(code, name, order{sort}, n)
	}
	return tags, rows.Err()
}
