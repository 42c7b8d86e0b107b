package stats

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/store"
)

// PopulationStats is the people of the household files on a day: how many, how
// many in each age band, and the breakdowns. People are the current
// members (not moved out, not deceased) born on or before the day.
type PopulationStats struct {
	On calendar.Date `json:"on"`
	Source
	Total       int         `json:"total"`
	Bands       []BandCount `json:"bands"`
	BySex       []Count     `json:"by_sex"`
	ByEthnicity []Count     `json:"by_ethnicity"`
	ByGrid      []Count     `json:"by_grid"`
	ByCompound  []Count     `json:"by_compound"`
	ByBuilding  []Count     `json:"by_building"`
	// Pyramid is there when asked for (WithPyramid).
	Pyramid []PyramidRow `json:"pyramid,omitempty"`
}

// BandCount is the number of people in one age band.
type BandCount struct {
	Band  string `json:"band"`
	Count int    `json:"count"`
}

// Count is one line of a breakdown. Key is the value counted: the sex, the
// ethnic group's GB/T 3304 code, or the id of the grid, compound or
// building; "" for none (no compound, no building, no ethnicity recorded).
type Count struct {
	Key   string `json:"key"`
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// current selects the current members of a household, alias p.
const current = "p.active AND p.moved_out_on IS NULL AND p.deceased_on IS NULL"

// Population counts the people in scope (in grid gridID only, if not 0)
// on day on, in bands and by sex, ethnicity, grid, compound and building.
// One statement does it all: an aggregate groups the people by place, sex
// and ethnicity with a count per band, and the breakdowns sum it up. A grid
// out of scope is apperr.ErrNotFound. WithPyramid adds the pyramid's
// groups as more counts of the same aggregate (summed by sex).
// FromSnapshot lets a street, a district or the city be summed from the
// snapshot instead (see snapshot.go).
func Population(ctx context.Context, q store.Querier, scope org.Scope, on calendar.Date, bands []Band, gridID int64, opts ...Option) (*PopulationStats, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	where, args, err := filter(ctx, q, scope, gridID)
	if err != nil {
		return nil, err
	}
	snap, large, err := snapshotFor(ctx, q, o, scope, gridID, on)
	if err != nil {
		return nil, err
	}
	if snap != nil {
		return populationSnapshot(ctx, q, where, args, snap, bands, o.pyramid)
	}
	asked := len(bands)
	var groups []Band
	if o.pyramid {
		groups = PyramidBands()
		bands = append(slices.Clip(bands), groups...)
	}
	var counts, sums, zeros strings.Builder
	var bandArgs []any
	for i, b := range bands {
		var cond []string
		if b.From > 0 { // everyone counted is born by on
			cond, bandArgs = append(cond, "p.birth_date <= ?"), append(bandArgs, bornBy(on, b.From))
		}
		if b.To >= 0 {
			cond, bandArgs = append(cond, "p.birth_date > ?"), append(bandArgs, bornBy(on, b.To+1))
		}
		if len(cond) == 0 {
			fmt.Fprintf(&counts, ", COUNT(*) AS b%d", i)
		} else {
			fmt.Fprintf(&counts, ", COUNT(*) FILTER (WHERE %s) AS b%d", strings.Join(cond, " AND "), i)
		}
		fmt.Fprintf(&sums, ", CAST(SUM(b%d) AS BIGINT)", i)
		zeros.WriteString(", 0")
	}
	args = append(append(bandArgs, on), args...)
	// On SQLite a count over most of the city reads the people in one pass:
	// through the birth-date index (which every person passes) it would
	// fetch them one by one.
	people := "persons p JOIN households h ON h.id = p.household_id"
	if q.Dialect() == store.SQLite && gridID == 0 && where == "" {
		people = "persons p NOT INDEXED CROSS JOIN households h ON h.id = p.household_id"
	}
	n := "CAST(SUM(x.n) AS BIGINT)"
	rows, err := q.QueryContext(ctx, `WITH x AS MATERIALIZED (
			SELECT h.grid_id AS g, h.compound_id AS c, h.building_id AS b, p.gender AS s, p.ethnicity AS e, COUNT(*) AS n`+counts.String()+`
			FROM `+people+`
			WHERE `+current+` AND p.birth_date <= ?`+where+`
			GROUP BY h.grid_id, h.compound_id, h.building_id, p.gender, p.ethnicity)
		SELECT 'total', '', '', 0, 0, 0, `+n+sums.String()+` FROM x
		UNION ALL SELECT 'sex', x.s, '', 0, 0, 0, `+n+sums.String()+` FROM x GROUP BY x.s
		UNION ALL SELECT 'ethnicity', x.e, x.e, 0, 0, 0, `+n+zeros.String()+` FROM x GROUP BY x.e
		UNION ALL SELECT 'grid', CAST(x.g AS TEXT), g.name, g.parent_id, g.number, g.id, `+n+zeros.String()+`
			FROM x JOIN org_units g ON g.id = x.g GROUP BY x.g, g.name, g.parent_id, g.number, g.id
		UNION ALL SELECT 'compound', CAST(COALESCE(x.c, 0) AS TEXT), COALESCE(c.name, ''), COALESCE(x.c, 0), 0, 0, `+n+zeros.String()+`
			FROM x LEFT JOIN compounds c ON c.id = x.c GROUP BY x.c, c.name
		UNION ALL SELECT 'building', CAST(COALESCE(x.b, 0) AS TEXT), CASE WHEN x.b IS NULL THEN '' ELSE COALESCE(c.name, '') || ' ' || COALESCE(b.name, '') END,
				COALESCE(b.compound_id, 0), COALESCE(x.b, 0), 0, `+n+zeros.String()+`
			FROM x LEFT JOIN buildings b ON b.id = x.b LEFT JOIN compounds c ON c.id = b.compound_id
			GROUP BY x.b, b.compound_id, b.name, c.name`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := &PopulationStats{On: on, Source: Source{SnapshotScope: large}, Bands: make([]BandCount, asked)}
	for i, b := range bands[:asked] {
		out.Bands[i].Band = b.String()
	}
	if o.pyramid {
		out.Pyramid = pyramidOf(groups)
	}
	lines := map[string]tally{"sex": {}, "ethnicity": {}, "grid": {}, "compound": {}, "building": {}}
	for i, g := range household.Genders {
		lines["sex"].add(g, sexNames[g], order{int64(i)}, 0)
	}
	sum := make([]sql.NullInt64, len(bands))
	for rows.Next() {
		var kind, key, name string
		var o order
		var total sql.NullInt64 // SUM of no rows is NULL
		dest := []any{&kind, &key, &name, &o[0], &o[1], &o[2], &total}
		for i := range sum {
			dest = append(dest, &sum[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		switch kind {
		case "total":
			out.Total = int(total.Int64)
			for i := range out.Bands {
				out.Bands[i].Count = int(sum[i].Int64)
			}
			continue
		case "sex":
			for i, c := range sum[asked:] {
				out.Pyramid[i].add(key, int(c.Int64))
			}
			name = sexNames[key]
		case "ethnicity":
			if e, ok := household.EthnicityByZH(name); ok {
				key = e.Code
			} else {
				key = ""
			}
		}
		if key == "0" {
			key = "" // no compound, no building
		}
		lines[kind].add(key, strings.TrimSpace(name), o, int(total.Int64))
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out.BySex = lines["sex"].list(false)
	out.ByEthnicity = lines["ethnicity"].list(true)
	out.ByGrid, out.ByCompound, out.ByBuilding = lines["grid"].list(false), lines["compound"].list(false), lines["building"].list(false)
	return out, nil
}

// filter returns the condition of the scope and of grid gridID on the
// households alias h, with a leading " AND ", after checking that the grid
// is a grid in scope.
func filter(ctx context.Context, q store.Querier, scope org.Scope, gridID int64) (string, []any, error) {
	where, args := household.Where(scope)
	if where != "" {
		where = " AND " + where
	}
	if gridID == 0 {
		if where != "" {
			all, err := household.ReachesAll(ctx, q, scope)
			if err != nil || all {
				return "", nil, err // a scope over every household needs no condition
			}
		}
		return where, args, nil
	}
	gcond, gargs := household.GridWhere(scope)
	if gcond != "" {
		gcond = " AND " + gcond
	}
	var one int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM org_units g WHERE g.id = ? AND g.kind = 'grid'`+gcond, append([]any{gridID}, gargs...)...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil, apperr.ErrNotFound
	}
	if err != nil {
		return "", nil, err
	}
	return where + " AND h.grid_id = ?", append(args, gridID), nil
}

var sexNames = map[string]string{string(household.Male): "男", string(household.Female): "女"}

// id writes a row id as a breakdown key: "" for none.
func id(n int64) string {
	if n == 0 {
		return ""
	}
	return strconv.FormatInt(n, 10)
}

// order sorts the lines of a breakdown by place: grids in org tree order,
// compounds and buildings by id.
type order [3]int64

// tally adds up the lines of one breakdown by key.
type tally map[string]*line

type line struct {
	Count
	order order
}

func (t tally) add(key, name string, o order, n int) {
	l := t[key]
	if l == nil {
		l = &line{Count: Count{Key: key, Name: name}, order: o}
		t[key] = l
	}
	l.Count.Count += n
}

// list returns the lines, the empty key ("none") last: the others by
// count, largest first, if byCount, or else in their order; ties by key.
func (t tally) list(byCount bool) []Count {
	ls := make([]*line, 0, len(t))
	for _, l := range t {
		ls = append(ls, l)
	}
	slices.SortFunc(ls, func(a, b *line) int {
		if c := cmp.Compare(boolInt(a.Key == ""), boolInt(b.Key == "")); c != 0 {
			return c
		}
		if byCount {
			if c := cmp.Compare(b.Count.Count, a.Count.Count); c != 0 {
				return c
			}
		}
		for i := range a.order {
			if c := cmp.Compare(a.order[i], b.order[i]); c != 0 {
				return c
			}
		}
		return cmp.Compare(a.Key, b.Key)
	})
	out := make([]Count, len(ls))
	for i, l := range ls {
		out[i] = l.Count
	}
	return out
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
