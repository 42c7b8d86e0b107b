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
	"wanhu/internal/household"
	"wanhu/internal/store"
)

// PopulationStats is the people of the household files on a day: how many, how
// many in each age band, and the breakdowns. People are the current
// members (not moved out, not deceased) born on or before the day.
type PopulationStats struct {
	On          household.Date `json:"on"`
	Total       int            `json:"total"`
	Bands       []BandCount    `json:"bands"`
	BySex       []Count        `json:"by_sex"`
	ByEthnicity []Count        `json:"by_ethnicity"`
	ByGrid      []Count        `json:"by_grid"`
	ByCompound  []Count        `json:"by_compound"`
	ByBuilding  []Count        `json:"by_building"`
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
// One aggregate groups the people by place, sex and ethnicity with a sum
// per band; the rest adds up here. A grid out of scope is
// apperr.ErrNotFound. WithPyramid adds the pyramid's groups as more sums
// of the same aggregate (its rows are by sex already).
func Population(ctx context.Context, q store.Querier, scope household.Scope, on household.Date, bands []Band, gridID int64, opts ...Option) (*PopulationStats, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	where, args, err := filter(ctx, q, scope, gridID)
	if err != nil {
		return nil, err
	}
	asked := len(bands)
	var groups []Band
	if o.pyramid {
		groups = PyramidBands()
		bands = append(slices.Clip(bands), groups...)
	}
	var sums strings.Builder
	var bandArgs []any
	for i, b := range bands {
		sums.WriteString(", SUM(CASE WHEN p.birth_date <= ?")
		bandArgs = append(bandArgs, bornBy(on, b.From))
		if b.To >= 0 {
			sums.WriteString(" AND p.birth_date > ?")
			bandArgs = append(bandArgs, bornBy(on, b.To+1))
		}
		fmt.Fprintf(&sums, " THEN 1 ELSE 0 END) AS b%d", i)
	}
	bandCols := ""
	for i := range bands {
		bandCols += fmt.Sprintf(", x.b%d", i)
	}
	args = append(append(bandArgs, on), args...)
	rows, err := q.QueryContext(ctx, `SELECT x.grid_id, g.name, g.parent_id, g.number, COALESCE(x.compound_id, 0), COALESCE(c.name, ''),
		COALESCE(x.building_id, 0), COALESCE(b.name, ''), x.gender, x.ethnicity, x.n`+bandCols+`
		FROM (SELECT h.grid_id, h.compound_id, h.building_id, p.gender, p.ethnicity, COUNT(*) AS n`+sums.String()+`
			FROM persons p JOIN households h ON h.id = p.household_id
			WHERE `+current+` AND p.birth_date <= ?`+where+`
			GROUP BY h.grid_id, h.compound_id, h.building_id, p.gender, p.ethnicity) x
		JOIN org_units g ON g.id = x.grid_id
		LEFT JOIN compounds c ON c.id = x.compound_id
		LEFT JOIN buildings b ON b.id = x.building_id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := &PopulationStats{On: on, Bands: make([]BandCount, asked)}
	for i, b := range bands[:asked] {
		out.Bands[i].Band = b.String()
	}
	if o.pyramid {
		out.Pyramid = pyramidOf(groups)
	}
	sex, eth, grid, compound, building := tally{}, tally{}, tally{}, tally{}, tally{}
	for i, g := range household.Genders {
		sex.add(g, sexNames[g], order{int64(i)}, 0)
	}
	counts := make([]int, len(bands))
	for rows.Next() {
		var gridID, parentID, compoundID, buildingID int64
		var number, n int
		var gridName, compoundName, buildingName, gender, ethnicity string
		dest := []any{&gridID, &gridName, &parentID, &number, &compoundID, &compoundName, &buildingID, &buildingName, &gender, &ethnicity, &n}
		for i := range counts {
			dest = append(dest, &counts[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		out.Total += n
		for i, c := range counts[:asked] {
			out.Bands[i].Count += c
		}
		for i, c := range counts[asked:] {
			out.Pyramid[i].add(gender, c)
		}
		sex.add(gender, sexNames[gender], order{}, n)
		code := ""
		if e, ok := household.EthnicityByZH(ethnicity); ok {
			code = e.Code
		}
		eth.add(code, ethnicity, order{}, n)
		grid.add(id(gridID), gridName, order{parentID, int64(number), gridID}, n)
		compound.add(id(compoundID), compoundName, order{compoundID}, n)
		if buildingID != 0 {
			buildingName = strings.TrimSpace(compoundName + " " + buildingName)
		}
		building.add(id(buildingID), buildingName, order{compoundID, buildingID}, n)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out.BySex = sex.list(false)
	out.ByEthnicity = eth.list(true)
	out.ByGrid, out.ByCompound, out.ByBuilding = grid.list(false), compound.list(false), building.list(false)
	return out, nil
}

// filter returns the condition of the scope and of grid gridID on the
// households alias h, with a leading " AND ", after checking that the grid
// is a grid in scope.
func filter(ctx context.Context, q store.Querier, scope household.Scope, gridID int64) (string, []any, error) {
	where, args := scope.Where()
	if where != "" {
		where = " AND " + where
	}
	if gridID == 0 {
		return where, args, nil
	}
	gcond, gargs := scope.GridWhere()
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
