package stats

import (
	"context"
	"slices"

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
	// ByCommunity is ByGrid summed per community (Key is its id), every
	// community of the scope by id, when the scope spans several and no
	// grid is asked for: what an administrator of a street, a district or
	// the city reads first (the city's 1,568 grids are not one page).
	ByCommunity []GridColours `json:"by_community,omitzero"`

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
// 0) with one aggregate; a part of the city, counted live, in one
// statement with its key persons (householdsIn). A grid out of scope is
// apperr.ErrNotFound.
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
	if snap == nil && where != "" {
		out, c, err := householdsIn(ctx, q, where, args, large)
		if err != nil {
			return nil, err
		}
		return out, c.byCommunity(ctx, q, scope, gridID)
	}
	// The snapshot's rows are read as they are: add sums them, so
	// grouping them again (they are one a group already) only cost the
	// database a sort or a hash of the city's 12,577 rows (issue 15).
	groups := `SELECT h.grid_id, h.kind, h.occupancy, h.colour, COUNT(*) AS n FROM households h
		WHERE 1 = 1` + where + ` GROUP BY h.grid_id, h.kind, h.occupancy, h.colour`
	if snap != nil {
		groups = `SELECT h.grid_id, h.kind, h.occupancy, h.colour, h.n FROM stats_snapshot_households h WHERE 1 = 1` + where
	}
	rows, err := q.QueryContext(ctx, `SELECT x.grid_id, g.name, g.parent_id, g.number, x.kind, x.occupancy, x.colour, x.n
		FROM (`+groups+`) x JOIN org_units g ON g.id = x.grid_id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out, c := newHouseholdCounts(large)
	if snap != nil {
		taken := snap.Taken
		out.AsOf = &taken
	}
	for rows.Next() {
		var r householdRow
		if err := rows.Scan(&r.gridID, &r.gridName, &r.parentID, &r.number, &r.kind, &r.occupancy, &r.colour, &r.n); err != nil {
			return nil, err
		}
		c.add(r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	c.done()
	if err := c.byCommunity(ctx, q, scope, gridID); err != nil {
		return nil, err
	}
	if snap != nil {
		return out, keyPersonsSnapshot(ctx, q, where, args, out)
	}
	return out, keyPersons(ctx, q, out)
}

// householdRow is one group of households: a grid's of one kind,
// occupancy and colour, and how many.
type householdRow struct {
	gridID, parentID, number int64
	gridName                 string
	kind, occupancy, colour  string
	n                        int
}

// householdCounts adds up the groups of households into out.
type householdCounts struct {
	out     *HouseholdStats
	grids   tally
	colours map[string]map[string]int
	// communities is the households of each community (a grid's
	// parent) by colour.
	communities map[int64]map[string]int
}

func newHouseholdCounts(large bool) (*HouseholdStats, *householdCounts) {
	out := &HouseholdStats{Source: Source{SnapshotScope: large}, Kind: zeros(household.Kinds), Occupancy: zeros(household.Occupancies), Colour: zeros(household.Colours)}
	return out, &householdCounts{out: out, grids: tally{}, colours: map[string]map[string]int{}, communities: map[int64]map[string]int{}}
}

func (c *householdCounts) add(r householdRow) {
	out := c.out
	out.Total += r.n
	out.Kind[r.kind] += r.n
	out.Occupancy[r.occupancy] += r.n
	out.Colour[r.colour] += r.n
	key := id(r.gridID)
	c.grids.add(key, r.gridName, order{r.parentID, r.number, r.gridID}, r.n)
	if c.colours[key] == nil {
		c.colours[key] = zeros(household.Colours)
	}
	c.colours[key][r.colour] += r.n
	if c.communities[r.parentID] == nil {
		c.communities[r.parentID] = zeros(household.Colours)
	}
	c.communities[r.parentID][r.colour] += r.n
}

// done lists the grids' colours.
func (c *householdCounts) done() {
	c.out.ByGrid = []GridColours{}
	for _, g := range c.grids.list(false) {
		c.out.ByGrid = append(c.out.ByGrid, GridColours{g, c.colours[g.Key]})
	}
}

// byCommunity sums the grids' colours per community into ByCommunity
// when scope spans several communities (org.Communities) and no grid is
// asked for: from the same rows as ByGrid, so from the snapshot when it
// answered. Every community of the scope is listed, by id, those without
// households with zeros.
func (c *householdCounts) byCommunity(ctx context.Context, q store.Querier, scope org.Scope, gridID int64) error {
	if gridID != 0 {
		return nil
	}
	cs, err := org.Communities(ctx, q, scope)
	if err != nil || len(cs) < 2 {
		return err
	}
	c.out.ByCommunity = make([]GridColours, 0, len(cs))
	for _, cm := range cs {
		colours := c.communities[cm.ID]
		if colours == nil {
			colours = zeros(household.Colours)
		}
		n := 0
		for _, v := range colours {
			n += v
		}
		c.out.ByCommunity = append(c.out.ByCommunity, GridColours{Count{Key: id(cm.ID), Name: cm.Name, Count: n}, colours})
	}
	return nil
}

// householdsIn counts the households where (on alias h, not empty)
// selects, live, in one statement that reads them once and their members
// once (issue 15: a community's dashboard was the first route of the
// morning's load to slow down, four statements that read the community's
// households four times and its members twice). hh is the households in
// scope; k is their active members' key-person tags, found from each
// household's members through persons_household_active (migration 00043:
// the members' ids and whether they are active, so their rows are not
// read) and each member's tags by person_tags' key. Then, in UNION ALL:
// the households by grid, kind, occupancy and colour (kind 'h'), the key
// persons by tag ('t') and the key persons each counted once ('p'), and
// the special-difficulty households (the last column of the 'h' rows on
// SQLite, of one 's' row on PostgreSQL).
func householdsIn(ctx context.Context, q store.Querier, where string, args []any, large bool) (*HouseholdStats, *householdCounts, error) {
	statement := householdsInSQLite
	if q.Dialect() == store.Postgres {
		statement = householdsInPostgres
	}
	query, args := statement(where, args)
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	out, c := newHouseholdCounts(large)
	tags := tally{}
	for rows.Next() {
		var kind string
		var r householdRow
		var special int
		if err := rows.Scan(&kind, &r.gridID, &r.gridName, &r.parentID, &r.number, &r.kind, &r.occupancy, &r.colour, &r.n, &special); err != nil {
			return nil, nil, err
		}
		switch kind {
		case "h":
			c.add(r)
			out.SpecialDifficulty += special
		case "s":
			out.SpecialDifficulty += special
		case "t": // the tag's sort order, name and code
			tags.add(r.kind, r.gridName, order{r.gridID}, r.n)
		case "p":
			out.KeyPersons = r.n
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	c.done()
	out.KeyPersonsByTag = tags.list(false)
	return out, c, nil
}

// householdsInSQLite is householdsIn's statement on SQLite: each
// household's special-difficulty tag is looked up by key beside it in hh.
// SQLite takes the joins of k in the order written (CROSS JOIN): else it
// started from the city's key persons by tag (56,000 at a million
// households) and looked each up in hh. And it is told the index: it
// weighs persons_household, which gen's ANALYZE counted and a new index
// is not, as cheaper.
func householdsInSQLite(where string, args []any) (string, []any) {
	return `WITH hh AS MATERIALIZED (
			SELECT h.id, h.grid_id, h.kind, h.occupancy, h.colour,
				CASE WHEN ht.household_id IS NULL THEN 0 ELSE 1 END AS special
			FROM households h LEFT JOIN household_tags ht ON ht.household_id = h.id AND ht.tag = ?
			WHERE 1 = 1` + where + `),
		k AS MATERIALIZED (SELECT pt.person_id, pt.tag FROM hh
			CROSS JOIN persons p INDEXED BY persons_household_active CROSS JOIN person_tags pt CROSS JOIN tags t
			WHERE p.household_id = hh.id AND pt.person_id = p.id AND t.code = pt.tag AND p.active AND t.key_person)
		SELECT 'h', x.grid_id, g.name, g.parent_id, g.number, x.kind, x.occupancy, x.colour, x.n, x.special
			FROM (SELECT hh.grid_id, hh.kind, hh.occupancy, hh.colour, COUNT(*) AS n, CAST(SUM(hh.special) AS BIGINT) AS special
				FROM hh GROUP BY hh.grid_id, hh.kind, hh.occupancy, hh.colour) x
			JOIN org_units g ON g.id = x.grid_id
		UNION ALL SELECT 't', t.sort, t.name_zh, 0, 0, t.code, '', '', x.n, 0
			FROM (SELECT k.tag, COUNT(*) AS n FROM k GROUP BY k.tag) x JOIN tags t ON t.code = x.tag
		UNION ALL SELECT 'p', 0, '', 0, 0, '', '', '', COUNT(DISTINCT k.person_id), 0 FROM k`,
		append([]any{household.SpecialDifficulty}, args...)
}

// householdsInPostgres is householdsIn's statement on PostgreSQL. Each
// lookup by key is one index scan over an array of keys (= ANY(ARRAY(…))):
// the households' members in persons_household_active, their tags in
// person_tags' key, the households' special-difficulty tag in
// household_tags' key. Joined instead, the planner looked the keys up one
// by one in nested loops, behind a Memoize that never hit, or (expecting
// twice the households there are) read all of household_tags and
// person_tags (226,000 rows at a million households) into hashes; an
// array is looked up by the index whatever the estimates. PostgreSQL's
// CPU for a community's 4,470 households at a million: medians 42 → 32 ms
// (see bench/README.md, "A community's live statistics on PostgreSQL").
// What is left is the lookups themselves, one descent of an index for
// each of the 4,470 households and 11,000 members, which no index on
// these tables can spare.
func householdsInPostgres(where string, args []any) (string, []any) {
	return `WITH hh AS MATERIALIZED (
			SELECT h.id, h.grid_id, h.kind, h.occupancy, h.colour FROM households h WHERE 1 = 1` + where + `),
		k AS MATERIALIZED (SELECT pt.person_id, pt.tag FROM person_tags pt JOIN tags t ON t.code = pt.tag AND t.key_person
			WHERE pt.person_id = ANY(ARRAY(SELECT p.id FROM persons p
				WHERE p.household_id = ANY(ARRAY(SELECT hh.id FROM hh)) AND p.active)))
		SELECT 'h', x.grid_id, g.name, g.parent_id, g.number, x.kind, x.occupancy, x.colour, x.n, 0
			FROM (SELECT hh.grid_id, hh.kind, hh.occupancy, hh.colour, COUNT(*) AS n
				FROM hh GROUP BY hh.grid_id, hh.kind, hh.occupancy, hh.colour) x
			JOIN org_units g ON g.id = x.grid_id
		UNION ALL SELECT 's', 0, '', 0, 0, '', '', '', 0, COUNT(*) FROM household_tags ht
			WHERE ht.household_id = ANY(ARRAY(SELECT hh.id FROM hh)) AND ht.tag = ?
		UNION ALL SELECT 't', t.sort, t.name_zh, 0, 0, t.code, '', '', x.n, 0
			FROM (SELECT k.tag, COUNT(*) AS n FROM k GROUP BY k.tag) x JOIN tags t ON t.code = x.tag
		UNION ALL SELECT 'p', 0, '', 0, 0, '', '', '', COUNT(DISTINCT k.person_id), 0 FROM k`,
		append(slices.Clip(args), household.SpecialDifficulty)
}

// keyPersons counts the key persons by tag and in all, and the
// special-difficulty households, of every household (a scope's are
// counted by householdsIn).
func keyPersons(ctx context.Context, q store.Querier, out *HouseholdStats) error {
	tags, err := tallyTags(ctx, q, `SELECT t.code, t.name_zh, t.sort, COUNT(*) FROM tags t
		JOIN person_tags pt ON pt.tag = t.code JOIN persons p ON p.id = pt.person_id
		WHERE t.key_person AND p.active GROUP BY t.code, t.name_zh, t.sort`, nil)
	if err != nil {
		return err
	}
	out.KeyPersonsByTag = tags.list(false)
	err = q.QueryRowContext(ctx, `SELECT COUNT(*) FROM persons p
		WHERE p.active AND p.id IN (SELECT pt.person_id FROM person_tags pt JOIN tags t ON t.code = pt.tag WHERE t.key_person)`).Scan(&out.KeyPersons)
	if err != nil {
		return err
	}
	return q.QueryRowContext(ctx, `SELECT COUNT(*) FROM households h WHERE h.id IN (SELECT household_id FROM household_tags WHERE tag = ?)`,
		household.SpecialDifficulty).Scan(&out.SpecialDifficulty)
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
