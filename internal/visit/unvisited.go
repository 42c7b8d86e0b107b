package visit

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/store"
)

// The households an administrator asks about first: those not visited
// in a year ("is anybody forgotten?"), page by page.

// Unvisited is a household with no visit in a year.
type Unvisited struct {
	HouseholdID int64            `json:"household_id"`
	GridID      int64            `json:"grid_id"`
	GridName    string           `json:"grid_name"`
	Community   string           `json:"community_name"` // the grid's: every community has a 第一网格
	Address     string           `json:"address"`
	Householder string           `json:"householder"`
	Colour      household.Colour `json:"colour"`
	LastVisitAt *time.Time       `json:"last_visit_at"`
}

// NeverVisited returns the occupied households of scope (of grid gridID,
// if not 0) with no visit in year (China time), red first, then those
// never visited at all, then the longest ago. In the current year these
// are the households whose last visit (households.last_visit_at, the
// latest of their visits, which coverage counts too) is before the year
// or absent: households_last_visit finds them (migration 00052) instead
// of every household of scope being asked for a visit of the year.
//
// In a past year, when the scope reaches every household
// (household.ListScope: a city's administrator) and no grid is chosen,
// the page is read colour by colour (unvisitedByColour) instead of every
// household not visited being sorted, nearly all of a city's million
// (2.7 s), and a year of few visits is counted from them
// (unvisitedFromVisits). This year's households not visited are found by
// their last visit, few enough to sort.
func (s *Store) NeverVisited(ctx context.Context, year int, gridID int64, page, per int) ([]Unvisited, int, error) {
	from, to := startOf(calendar.Date{Y: year, M: 1, D: 1}), startOf(calendar.Date{Y: year + 1, M: 1, D: 1})
	where := []string{"h.occupancy <> 'vacant'", "NOT EXISTS (SELECT 1 FROM visits v WHERE v.household_id = h.id AND v.at >= ? AND v.at < ?)"}
	args := []any{from, to}
	if year == s.today().Y {
		where[1], args = "(h.last_visit_at IS NULL OR h.last_visit_at < ?)", []any{from}
	}
	scope, err := household.ListScope(ctx, s.db, s.scope)
	if err != nil {
		return nil, 0, err
	}
	c, a := household.Where(scope)
	if c != "" {
		where, args = append(where, c), append(args, a...)
	}
	if gridID != 0 {
		where, args = append(where, "h.grid_id = ?"), append(args, gridID)
	}
	cond := " WHERE " + strings.Join(where, " AND ")
	pastYear := c == "" && gridID == 0 && year != s.today().Y
	total, few := 0, false
	if pastYear {
		if total, few, err = s.unvisitedFromVisits(ctx, from, to); err != nil {
			return nil, 0, err
		}
	}
	if !few {
		if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM households h`+cond, args...).Scan(&total); err != nil {
			return nil, 0, err
		}
	}
	page, per = pageOf(page, per)
	if pastYear {
		out, err := s.unvisitedByColour(ctx, where, args, (page-1)*per, per)
		return out, total, err
	}
	order := ` ORDER BY CASE h.colour WHEN 'red' THEN 0 WHEN 'yellow' THEN 1 ELSE 2 END,
		CASE WHEN h.last_visit_at IS NULL THEN 0 ELSE 1 END, h.last_visit_at, h.id`
	tables := `households h JOIN org_units g ON g.id = h.grid_id JOIN org_units c ON c.id = g.parent_id` + cond + order + ` LIMIT ? OFFSET ?`
	if c == "" {
		// The households of the page are chosen first, alone: joined to
		// their grids, SQLite read the grids one by one and each grid's
		// households through households_grid_visited, a city's million
		// (0.4 s), instead of the few not visited this year that
		// households_last_visit finds.
		tables = `(SELECT h.id FROM households h` + cond + order + ` LIMIT ? OFFSET ?) p
		JOIN households h ON h.id = p.id JOIN org_units g ON g.id = h.grid_id JOIN org_units c ON c.id = g.parent_id` + order
	}
	rows, err := s.db.QueryContext(ctx, `SELECT h.id, h.grid_id, g.name, c.name, h.address, h.householder, h.colour, h.last_visit_at
		FROM `+tables, append(args, per, (page-1)*per)...)
	if err != nil {
		return nil, 0, err
	}
	out, err := scanUnvisited(rows)
	return out, total, err
}

// fewVisits is the most visits of a year that unvisitedFromVisits reads:
// beyond them asking each household for a visit of the year costs less
// (a variable for the tests).
var fewVisits = 100_000

// unvisitedFromVisits counts the occupied households with no visit from
// from to to (a past year) as every occupied household but those the
// visits of the year name, when the year has fewer than fewVisits visits
// (few is then true): a year before the visits began to be recorded in
// full, where asking each of a city's households for a visit of the year
// was a million lookups for a few thousand visits (1.9 s).
func (s *Store) unvisitedFromVisits(ctx context.Context, from, to time.Time) (total int, few bool, err error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM visits WHERE at >= ? AND at < ? LIMIT ?) x`,
		from, to, fewVisits).Scan(&n); err != nil || n >= fewVisits {
		return 0, false, err
	}
	var occupied, visited int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM households h WHERE h.occupancy <> 'vacant'`).Scan(&occupied); err != nil {
		return 0, false, err
	}
	visitedQuery := `SELECT COUNT(*) FROM households h WHERE h.occupancy <> 'vacant'
		AND h.id IN (SELECT household_id FROM visits WHERE at >= ? AND at < ?)`
	if s.db.Dialect() == store.Postgres {
		// PostgreSQL joined the year's households to the million of
		// households_due by a hash (2.4 s in EXPLAIN ANALYZE); each
		// household of the year's visits looked up by its id is a
		// fraction of that.
		visitedQuery = `SELECT COUNT(*) FROM (SELECT DISTINCT household_id FROM visits WHERE at >= ? AND at < ?) x
		WHERE EXISTS (SELECT 1 FROM households h WHERE h.id = x.household_id AND h.occupancy <> 'vacant')`
	}
	if err := s.db.QueryRowContext(ctx, visitedQuery, from, to).Scan(&visited); err != nil {
		return 0, false, err
	}
	return occupied - visited, true, nil
}

// unvisitedByColour returns per households of condition where (args) from
// offset on, in NeverVisited's order, a colour at a time: the red ones,
// the yellow ones, then the others, each by last visit (none first) and
// id. The others, most of a city, come in the order of
// households_last_visit, which stops at the page; the red and the yellow
// ones are few enough to sort (their colour's index finds them). A
// colour is counted only when the page begins after it, to know how many
// of the offset it takes. On PostgreSQL every colour, the green ones named
// as such (the CHECK of households.colour allows no other), is read in
// order from households_unvisited (migration 00055), whose last visits
// sort none first as SQLite's do.
func (s *Store) unvisitedByColour(ctx context.Context, where []string, args []any, offset, per int) ([]Unvisited, error) {
	colours := []string{"h.colour = 'red'", "h.colour = 'yellow'", "h.colour NOT IN ('red', 'yellow')"}
	if s.db.Dialect() == store.Postgres {
		colours[2] = "h.colour = 'green'"
	}
	out := []Unvisited{}
	for i, colour := range colours {
		if len(out) == per {
			break
		}
		cond := " WHERE " + strings.Join(append(slices.Clone(where), colour), " AND ")
		rows, err := s.db.QueryContext(ctx, `SELECT h.id, h.grid_id, g.name, c.name, h.address, h.householder, h.colour, h.last_visit_at
			FROM (SELECT h.id FROM households h`+cond+` ORDER BY h.last_visit_at NULLS FIRST, h.id LIMIT ? OFFSET ?) p
			JOIN households h ON h.id = p.id JOIN org_units g ON g.id = h.grid_id JOIN org_units c ON c.id = g.parent_id
			ORDER BY h.last_visit_at NULLS FIRST, h.id`, append(slices.Clone(args), per-len(out), offset)...)
		if err != nil {
			return nil, err
		}
		us, err := scanUnvisited(rows)
		if err != nil {
			return nil, err
		}
		if len(us) == 0 && offset > 0 && i < len(colours)-1 {
			var n int
			if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM households h`+cond, args...).Scan(&n); err != nil {
				return nil, err
			}
			offset -= n
			continue
		}
		out, offset = append(out, us...), 0
	}
	return out, nil
}

// scanUnvisited reads NeverVisited's rows and closes them.
func scanUnvisited(rows *sql.Rows) ([]Unvisited, error) {
	defer rows.Close()
	out := []Unvisited{}
	for rows.Next() {
		var u Unvisited
		if err := rows.Scan(&u.HouseholdID, &u.GridID, &u.GridName, &u.Community, &u.Address, &u.Householder, &u.Colour, &u.LastVisitAt); err != nil {
			return nil, err
		}
		if u.LastVisitAt != nil {
			t := u.LastVisitAt.UTC()
			u.LastVisitAt = &t
		}
		out = append(out, u)
	}
	return out, rows.Err()
}
