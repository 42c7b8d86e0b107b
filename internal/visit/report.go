package visit

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/store"
)

// The reports of this file answer the grid leader ("how far is my grid
// this week?") and the administrator ("is anybody forgotten?"). Periods
// are days of China time computed in Go and passed to SQL as UTC instants.

// startOf returns the UTC instant at which day d begins in China.
func startOf(d calendar.Date) time.Time {
	return time.Date(d.Y, d.M, d.D, 0, 0, 0, 0, calendar.China).UTC()
}

// periodStarts returns the first days of the week, month, quarter and year
// that hold today.
func periodStarts(today calendar.Date) [4]calendar.Date {
	return [4]calendar.Date{
		WeekOf(today).Monday(),
		{Y: today.Y, M: today.M, D: 1},
		{Y: today.Y, M: (today.M-1)/3*3 + 1, D: 1},
		{Y: today.Y, M: 1, D: 1},
	}
}

// CoveragePeriods returns the first and last days of the week, month,
// quarter and year that hold today: the periods coverage counts the visits
// of (from their first day on, so up to today).
func CoveragePeriods(today calendar.Date) [4][2]calendar.Date {
	starts := periodStarts(today)
	last := func(t time.Time) calendar.Date { return calendar.DateOf(t.AddDate(0, 0, -1)) }
	return [4][2]calendar.Date{
		{starts[0], WeekOf(today).Sunday()},
		{starts[1], last(starts[1].Time().AddDate(0, 1, 0))},
		{starts[2], last(starts[2].Time().AddDate(0, 3, 0))},
		{starts[3], calendar.Date{Y: today.Y, M: time.December, D: 31}},
	}
}

// shareOf is n out of total, from 0 to 1, rounded down to 0.1 %.
func shareOf(n, total int) float64 {
	if total == 0 {
		return 0
	}
	return float64(n*1000/total) / 1000
}

// and prefixes a non-empty condition with AND.
func and(cond string) string {
	if cond == "" {
		return ""
	}
	return " AND " + cond
}

// Counts holds one number per period: this week, month, quarter and year.
type Counts struct {
	Week    int `json:"week"`
	Month   int `json:"month"`
	Quarter int `json:"quarter"`
	Year    int `json:"year"`
}

// GridCoverage is the coverage of one grid: its occupied households, how
// many of them were visited since the start of each period and the shares.
type GridCoverage struct {
	GridID   int64  `json:"grid,omitempty"` // none in a total
	GridName string `json:"grid_name,omitempty"`
	Coverage
	Visited Counts `json:"visited"`
}

// fill computes the shares from the counts.
func (c *GridCoverage) fill() { c.Coverage.fill(c.Visited) }

// fill computes the shares of the households visited from the counts.
func (c *Coverage) fill(v Counts) {
	n := c.Households
	c.Week, c.Month, c.Quarter, c.Year = shareOf(v.Week, n), shareOf(v.Month, n), shareOf(v.Quarter, n), shareOf(v.Year, n)
}

// CommunityCoverage is the coverage of a community: GridCoverage summed
// over its active grids.
type CommunityCoverage struct {
	CommunityID   int64  `json:"community"`
	CommunityName string `json:"community_name"`
	Coverage
	Visited Counts `json:"visited"`
}

// CoverageTotal adds up the coverage of grids.
func CoverageTotal(grids []GridCoverage) GridCoverage {
	var t GridCoverage
	for _, g := range grids {
		t.Households += g.Households
		t.Visited.Week += g.Visited.Week
		t.Visited.Month += g.Visited.Month
		t.Visited.Quarter += g.Visited.Quarter
		t.Visited.Year += g.Visited.Year
	}
	t.fill()
	return t
}

// CoverageByGrid returns the coverage of every active grid in scope
// (gridID: of that grid only), in one grouped query, by community and
// grid number; a retired grid holds no household and is not listed. A
// household counts as visited in a period when its last visit, of any
// outcome, falls in it.
func (s *Store) CoverageByGrid(ctx context.Context, gridID int64) ([]GridCoverage, error) {
	gs, err := s.coverageRows(ctx, gridID)
	if err != nil {
		return nil, err
	}
	out := make([]GridCoverage, len(gs))
	for i, g := range gs {
		out[i] = g.GridCoverage
	}
	return out, nil
}

// CoverageByCommunity is CoverageByGrid summed per community, by id: what
// an administrator whose scope spans several communities reads first.
func (s *Store) CoverageByCommunity(ctx context.Context) ([]CommunityCoverage, error) {
	gs, err := s.coverageRows(ctx, 0)
	if err != nil {
		return nil, err
	}
	index := map[int64]int{}
	out := []CommunityCoverage{}
	for _, g := range gs {
		i, ok := index[g.community]
		if !ok {
			i, index[g.community] = len(out), len(out)
			out = append(out, CommunityCoverage{CommunityID: g.community, CommunityName: g.communityName})
		}
		c := &out[i]
		c.Households += g.Households
		c.Visited.Week, c.Visited.Month = c.Visited.Week+g.Visited.Week, c.Visited.Month+g.Visited.Month
		c.Visited.Quarter, c.Visited.Year = c.Visited.Quarter+g.Visited.Quarter, c.Visited.Year+g.Visited.Year
	}
	for i := range out {
		out[i].Coverage.fill(out[i].Visited)
	}
	slices.SortFunc(out, func(a, b CommunityCoverage) int { return cmp.Compare(a.CommunityID, b.CommunityID) })
	return out, nil
}

// gridCoverage is a grid's coverage with its community.
type gridCoverage struct {
	GridCoverage
	community     int64
	communityName string
}

// coverageRows counts the occupied households of the active grids in
// scope (gridID: that one) by their last visit, grid by grid, by
// community and grid number. The households are counted from
// households_grid_visited alone (migration 00052). When the scope
// reaches every household (a city's administrator: ListScope), on SQLite each
// grid's count is coverageByRanges's, on PostgreSQL coverageFromIndex's;
// otherwise one pass over each grid's
// households, with the last visit compared as the text it is stored as
// (+h.last_visit_at has no affinity): with the column's numeric affinity
// each of the four comparisons tried to read both sides as a number
// first, a third of the CPU of a city's million households.
func (s *Store) coverageRows(ctx context.Context, gridID int64) ([]gridCoverage, error) {
	p := periodStarts(s.today())
	starts := [4]time.Time{startOf(p[0]), startOf(p[1]), startOf(p[2]), startOf(p[3])}
	args := []any{starts[0], starts[1], starts[2], starts[3]}
	cs, err := household.ListScope(ctx, s.db, s.scope)
	if err != nil {
		return nil, err
	}
	hcond, hargs := household.Where(cs)
	gcond, gargs := household.GridWhere(cs)
	if hcond == "" && !onePassCoverage {
		if s.db.Dialect() == store.SQLite {
			return s.coverageByRanges(ctx, starts, gridID, gcond, gargs)
		}
		return s.coverageFromIndex(ctx, starts, gridID, gcond, gargs)
	}
	args = append(append(args, hargs...), gargs...)
	where := "g.kind = 'grid' AND g.retired_at IS NULL" + and(gcond)
	if gridID != 0 {
		where, args = where+" AND g.id = ?", append(args, gridID)
	}
	last := "h.last_visit_at"
	if s.db.Dialect() == store.SQLite {
		last = "+h.last_visit_at"
	}
	rows, err := s.db.QueryContext(ctx, `SELECT g.id, g.name, c.id, c.name, n, w, m, q, y FROM (
		SELECT g.id AS gid, COUNT(h.id) AS n,
		COALESCE(SUM(CASE WHEN `+last+` >= ? THEN 1 ELSE 0 END), 0) AS w,
		COALESCE(SUM(CASE WHEN `+last+` >= ? THEN 1 ELSE 0 END), 0) AS m,
		COALESCE(SUM(CASE WHEN `+last+` >= ? THEN 1 ELSE 0 END), 0) AS q,
		COALESCE(SUM(CASE WHEN `+last+` >= ? THEN 1 ELSE 0 END), 0) AS y
		FROM org_units g LEFT JOIN households h ON h.grid_id = g.id AND h.occupancy <> 'vacant'`+and(hcond)+`
		WHERE `+where+`
		GROUP BY g.id
	) x JOIN org_units g ON g.id = x.gid JOIN org_units c ON c.id = g.parent_id
	ORDER BY g.parent_id, g.number, g.id`, args...)
	if err != nil {
		return nil, err
	}
	return scanCoverage(rows)
}

// coverageFromIndex is coverageRows for a scope that reaches every
// household, on PostgreSQL. The one pass joined every grid to its
// households and read the million rows of the table (52,879 pages: 0.66 s
// of EXPLAIN ANALYZE at a million households). Here the occupied
// households are grouped by grid from households_grid_visited alone
// (grid_id, occupancy, last_visit_at: an index-only scan already in grid
// order, 7,248 pages), each period counted with FILTER, and the grids
// joined to the counts after: 3 to 4 times less time. (The ranges of
// coverageByRanges, one index probe per grid and range, took about as long
// as this on PostgreSQL.) A grid without an occupied household is counted
// 0, as in the one pass.
func (s *Store) coverageFromIndex(ctx context.Context, starts [4]time.Time, gridID int64, gcond string, gargs []any) ([]gridCoverage, error) {
	args := []any{starts[0], starts[1], starts[2], starts[3]}
	hwhere := ""
	if gridID != 0 {
		hwhere, args = " AND h.grid_id = ?", append(args, gridID)
	}
	args = append(args, gargs...)
	where := "g.kind = 'grid' AND g.retired_at IS NULL" + and(gcond)
	if gridID != 0 {
		where, args = where+" AND g.id = ?", append(args, gridID)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT g.id, g.name, c.id, c.name, COALESCE(x.n, 0), COALESCE(x.w, 0), COALESCE(x.m, 0),
		COALESCE(x.q, 0), COALESCE(x.y, 0)
		FROM org_units g JOIN org_units c ON c.id = g.parent_id LEFT JOIN (
			SELECT h.grid_id, COUNT(*) AS n,
			COUNT(*) FILTER (WHERE h.last_visit_at >= ?) AS w,
			COUNT(*) FILTER (WHERE h.last_visit_at >= ?) AS m,
			COUNT(*) FILTER (WHERE h.last_visit_at >= ?) AS q,
			COUNT(*) FILTER (WHERE h.last_visit_at >= ?) AS y
			FROM households h WHERE h.occupancy <> 'vacant'`+hwhere+`
			GROUP BY h.grid_id
		) x ON x.grid_id = g.id
		WHERE `+where+`
		ORDER BY g.parent_id, g.number, g.id`, args...)
	if err != nil {
		return nil, err
	}
	return scanCoverage(rows)
}

// scanCoverage reads coverageRows's rows: a grid, its community, its
// occupied households and those visited in each period.
func scanCoverage(rows *sql.Rows) ([]gridCoverage, error) {
	defer rows.Close()
	var out []gridCoverage
	for rows.Next() {
		var c gridCoverage
		if err := rows.Scan(&c.GridID, &c.GridName, &c.community, &c.communityName, &c.Households,
			&c.Visited.Week, &c.Visited.Month, &c.Visited.Quarter, &c.Visited.Year); err != nil {
			return nil, err
		}
		c.fill()
		out = append(out, c)
	}
	return out, rows.Err()
}

// onePassCoverage makes coverageRows count every scope in one pass (a
// test compares the two ways).
var onePassCoverage bool

// coverageByRanges is coverageRows for a scope that reaches every
// household, on SQLite. The one pass over a grid's households grouped
// by grid behind a sort of the city's 954,000 occupied households (SQLite
// 3.54 reads the grids by org_units_kind, not in id order) and evaluated
// four comparisons and five sums per household: 1 s at a million
// households. Here each grid's occupied households are cut by their last
// visit into the ranges between the periods' starts (never visited,
// before the first start, between two starts, after the last), each
// range one stretch of households_grid_visited that SQLite counts
// without reading a column: every household is stepped over once, and a
// period's count is the sum of the ranges from its start on. The starts
// are sorted first: a week may begin before its month.
func (s *Store) coverageByRanges(ctx context.Context, starts [4]time.Time, gridID int64, gcond string, gargs []any) ([]gridCoverage, error) {
	bounds := slices.Clone(starts[:])
	slices.SortFunc(bounds, func(a, b time.Time) int { return a.Compare(b) })
	bounds = slices.CompactFunc(bounds, func(a, b time.Time) bool { return a.Equal(b) })
	var occ []string // the occupancies but vacant, which the CHECK of households.occupancy holds to; IN, unlike <>, bounds the index range
	for _, o := range household.Occupancies {
		if o != "vacant" {
			occ = append(occ, "'"+o+"'")
		}
	}
	occupied := "FROM households h WHERE h.grid_id = g.id AND h.occupancy IN (" + strings.Join(occ, ", ") + ")"
	ranges := []string{"(SELECT COUNT(*) " + occupied + " AND h.last_visit_at IS NULL)",
		"(SELECT COUNT(*) " + occupied + " AND h.last_visit_at < ?)"}
	var args []any
	args = append(args, bounds[0])
	for i := 1; i < len(bounds); i++ {
		ranges = append(ranges, "(SELECT COUNT(*) "+occupied+" AND h.last_visit_at >= ? AND h.last_visit_at < ?)")
		args = append(args, bounds[i-1], bounds[i])
	}
	ranges = append(ranges, "(SELECT COUNT(*) "+occupied+" AND h.last_visit_at >= ?)")
	args = append(append(args, bounds[len(bounds)-1]), gargs...)
	where := "g.kind = 'grid' AND g.retired_at IS NULL" + and(gcond)
	if gridID != 0 {
		where, args = where+" AND g.id = ?", append(args, gridID)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT g.id, g.name, c.id, c.name, `+strings.Join(ranges, ", ")+`
		FROM org_units g JOIN org_units c ON c.id = g.parent_id
		WHERE `+where+`
		ORDER BY g.parent_id, g.number, g.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []gridCoverage
	n := make([]int, len(ranges)) // ranges[0] never visited, ranges[i] from bounds[i-2] on (i >= 2)
	dest := make([]any, 4+len(n))
	for i := range n {
		dest[4+i] = &n[i]
	}
	for rows.Next() {
		var c gridCoverage
		dest[0], dest[1], dest[2], dest[3] = &c.GridID, &c.GridName, &c.community, &c.communityName
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		since := func(t time.Time) int { // the households last visited at t or later
			sum := 0
			for i := len(bounds) - 1; i >= 0 && !bounds[i].Before(t); i-- {
				sum += n[i+2]
			}
			return sum
		}
		for _, k := range n {
			c.Households += k
		}
		c.Visited = Counts{Week: since(starts[0]), Month: since(starts[1]), Quarter: since(starts[2]), Year: since(starts[3])}
		c.fill()
		out = append(out, c)
	}
	return out, rows.Err()
}

// Progress is how far a grid is with its visits of a week: what was
// recorded against the weekly target (R7), and how much of the week's plan
// was visited.
type Progress struct {
	GridID         int64          `json:"grid"`
	GridName       string         `json:"grid_name"`
	Week           string         `json:"week"`
	From           calendar.Date  `json:"from"`
	To             calendar.Date  `json:"to"`
	Target         int            `json:"target"`
	Visits         int            `json:"visits"`
	Households     int            `json:"households"` // distinct households visited
	ByOutcome      map[string]int `json:"by_outcome"`
	PlanID         int64          `json:"plan_id,omitempty"`
	Planned        int            `json:"planned"`
	PlannedVisited int            `json:"planned_visited"`
}

// Progress returns the progress of grid gridID in week; apperr.ErrNotFound
// when the grid is out of scope.
func (s *Store) Progress(ctx context.Context, gridID int64, week Week) (*Progress, error) {
	g, err := s.gridInScope(ctx, gridID)
	if err != nil {
		return nil, err
	}
	p := &Progress{GridID: g.ID, GridName: g.Name, Week: week.String(), From: week.Monday(), To: week.Sunday(),
		Target: s.plan.Quota, ByOutcome: map[string]int{}}
	for _, o := range Outcomes {
		p.ByOutcome[o] = 0
	}
	from, to := startOf(week.Monday()), startOf(week.Next().Monday())
	cond, args := household.Where(s.scope)
	rows, err := s.db.QueryContext(ctx, `SELECT v.outcome, COUNT(*) FROM visits v JOIN households h ON h.id = v.household_id
		WHERE v.grid_id = ? AND v.at >= ? AND v.at < ?`+and(cond)+` GROUP BY v.outcome`, append([]any{gridID, from, to}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var o string
		var n int
		if err := rows.Scan(&o, &n); err != nil {
			return nil, err
		}
		p.ByOutcome[o], p.Visits = n, p.Visits+n
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(DISTINCT v.household_id) FROM visits v JOIN households h ON h.id = v.household_id
		WHERE v.grid_id = ? AND v.at >= ? AND v.at < ?`+and(cond), append([]any{gridID, from, to}, args...)...).Scan(&p.Households); err != nil {
		return nil, err
	}
	err = s.db.QueryRowContext(ctx, `SELECT p.id, COUNT(i.household_id),
		COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM visits v WHERE v.household_id = i.household_id AND v.at >= ? AND v.at < ?) THEN 1 ELSE 0 END), 0)
		FROM plans p LEFT JOIN plan_items i ON i.plan_id = p.id WHERE p.grid_id = ? AND p.week = ? GROUP BY p.id`,
		from, to, gridID, week.String()).Scan(&p.PlanID, &p.Planned, &p.PlannedVisited)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	return p, nil
}

// FollowUp is a household whose last visit found nobody at home (R9).
type FollowUp struct {
	HouseholdID int64            `json:"household_id"`
	GridID      int64            `json:"grid_id"`
	GridName    string           `json:"grid_name"`
	Address     string           `json:"address"`
	Householder string           `json:"householder"`
	Colour      household.Colour `json:"colour"`
	LastVisitAt time.Time        `json:"last_visit_at"`
	FollowUpOn  calendar.Date    `json:"follow_up_on"`
	Due         bool             `json:"due"` // the follow-up day has come
	Misses      int              `json:"misses"`
	Offpeak     bool             `json:"offpeak"`
	CardLeft    bool             `json:"card_left"`
}

// FollowUps returns the occupied households of scope (of grid gridID, if
// not 0) whose latest visit was not at home, soonest follow-up first, red
// first among equals.
func (s *Store) FollowUps(ctx context.Context, gridID int64, page, per int) ([]FollowUp, int, error) {
	where := []string{"h.occupancy <> 'vacant'", "v.outcome = 'not_home'",
		"NOT EXISTS (SELECT 1 FROM visits l WHERE l.household_id = v.household_id AND (l.at > v.at OR (l.at = v.at AND l.id > v.id)))"}
	var args []any
	if c, a := household.Where(s.scope); c != "" {
		where, args = append(where, c), append(args, a...)
	}
	if gridID != 0 {
		where, args = append(where, "h.grid_id = ?"), append(args, gridID)
	}
	from := ` FROM visits v JOIN households h ON h.id = v.household_id WHERE ` + strings.Join(where, " AND ")
	var total int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*)`+from, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	page, per = pageOf(page, per)
	rows, err := s.db.QueryContext(ctx, `SELECT h.id, h.grid_id, g.name, h.address, h.householder, h.colour, v.at, v.follow_up_on,
		h.misses, h.offpeak, v.card_left`+strings.Replace(from, " WHERE ", " JOIN org_units g ON g.id = h.grid_id WHERE ", 1)+`
		ORDER BY CASE WHEN v.follow_up_on IS NULL THEN 1 ELSE 0 END, v.follow_up_on, CASE h.colour WHEN 'red' THEN 0 WHEN 'yellow' THEN 1 ELSE 2 END, h.id LIMIT ? OFFSET ?`,
		append(args, per, (page-1)*per)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	today, out := s.today(), []FollowUp{}
	for rows.Next() {
		var f FollowUp
		if err := rows.Scan(&f.HouseholdID, &f.GridID, &f.GridName, &f.Address, &f.Householder, &f.Colour, &f.LastVisitAt,
			&f.FollowUpOn, &f.Misses, &f.Offpeak, &f.CardLeft); err != nil {
			return nil, 0, err
		}
		f.LastVisitAt, f.Due = f.LastVisitAt.UTC(), !f.FollowUpOn.After(today)
		out = append(out, f)
	}
	return out, total, rows.Err()
}
