package household

import (
	"context"
	"slices"
	"strings"

	"wanhu/internal/org"
	"wanhu/internal/store"
)

// How a list with a search is run (issue 15). Three things can lead the
// way to the households a search finds: the scope (a grid leader's grid
// by households_grid_colour), the search's own indexes (the drive of a
// search: the members named 王伟 by persons_name, the addresses holding
// 一化小区 by their trigrams), or the households in id order, the order of
// the list, until a page is full. The planners of SQLite and PostgreSQL
// cannot tell which from the SQL alone: to SQLite the grids of a city's
// administrator look as few as a grid leader's, so it read all million
// households of the city to find 2,038 王伟 (1.4 s). So the plan is
// chosen here, from two cheap questions asked first:
//
//   - planScope when the scope is small (smallScope: a few grids, or a
//     visitor's households) or a grid, compound or building filter is
//     set: the scope leads and each of its households is checked; but a
//     search whose drive names fewer than scopeDriveCap households leads
//     a small scope too (planSearch);
//   - planSearch when the search's drive names fewer than driveCap
//     households (one capped count on its indexes): they lead, and the
//     scope is checked on each (written "+h.grid_id", which no index
//     serves, so SQLite does not let it lead);
//   - planWalk otherwise, a broad search ("王", "3号楼") over a big scope:
//     the households are read in id order, each checked, until the page is
//     full, which takes a few hundred rows when one in twenty matches. Its
//     count stops early (see countCap): the total is then a lower bound
//     (ListPage's More) and the list says so ("1000+").
type plan int

const (
	planPlain  plan = iota // no search: the filters as they are
	planScope              // the scope leads
	planSearch             // the search's indexes lead
	planWalk               // the households in id order
)

func (p plan) String() string { return [...]string{"plain", "scope", "search", "walk"}[p] }

// smallScopeGrids is the most grids a scope may reach and still lead a
// search: about 20 × 350 households, each checked through an index.
var smallScopeGrids = 20

// driveCap is the most households a search's drive may name for it to
// lead; at or beyond it, a plan over a big scope walks, and its count
// counts among the first driveCap only.
var driveCap = 5000

// scopeDriveCap is the most households a search's drive may name for it
// to lead within a small scope too: a name such as 李秀英 names a few
// hundred in the city, cheaper to check against the scope one by one than
// the 4,470 households of a community's seven grids each against the
// search (0.3-0.5 s on PostgreSQL, whose persons_name index a name prefix
// does not narrow to one household). 0: the scope always leads.
var scopeDriveCap = 500

// countCap is the most households the count of a walk counts: the first
// countCap its drive found, checked against the scope, or without a drive
// the first countCap households the walk meets. Either way the total is
// a lower bound (ListPage's More).
var countCap = 1000

// plainCountCap is the most households the count of a list without a
// search counts, on its first pages (see plainCap): a grid's, a
// community's or a street's list counts in full, the city's "10000+".
var plainCountCap = 10000

// CountCap is countCap, for benchmarks that count as a walk counts.
func CountCap() int { return countCap }

// Stmt is one SQL statement and its arguments (placeholders "?").
type Stmt struct {
	SQL  string
	Args []any
}

// choosePlan decides how list, count and each run f within scope, and
// returns the statements it asked to decide. For planSearch, and for
// planWalk when the search has a drive, f.found holds what the drive
// found (the first driveCap for a walk), which the count and the page
// then start from instead of asking the indexes again.
func choosePlan(ctx context.Context, q store.Querier, scope org.Scope, f *Filter) (plan, []Stmt, error) {
	if strings.TrimSpace(f.Q) == "" {
		return planPlain, nil, nil
	}
	if f.GridID != 0 || f.CompoundID != 0 || f.BuildingID != 0 {
		return planScope, nil, nil
	}
	small, asked, err := smallScope(ctx, q, scope)
	if err != nil {
		return planScope, asked, err
	}
	s := f.search()
	if small {
		if s.drive == nil || scopeDriveCap <= 0 {
			return planScope, asked, nil
		}
		d, args := s.driveSQL()
		probe := Stmt{`SELECT x.id FROM (` + d + `) x LIMIT ?`, append(args, scopeDriveCap)}
		asked = append(asked, probe)
		ids, n, err := foundIDs(ctx, q, probe)
		if err != nil || n >= scopeDriveCap {
			return planScope, asked, err
		}
		f.found = ids
		return planSearch, asked, nil
	}
	if s.drive == nil {
		return planWalk, asked, nil
	}
	d, args := s.driveSQL()
	probe := Stmt{`SELECT x.id FROM (` + d + `) x LIMIT ?`, append(args, driveCap)}
	asked = append(asked, probe)
	ids, n, err := foundIDs(ctx, q, probe)
	if err != nil {
		return planPlain, asked, err
	}
	f.found = ids
	if n < driveCap {
		return planSearch, asked, nil
	}
	return planWalk, asked, nil
}

// foundIDs runs a drive and returns the distinct households it found, in
// id order, and how many rows it gave.
func foundIDs(ctx context.Context, q store.Querier, st Stmt) ([]int64, int, error) {
	rows, err := q.QueryContext(ctx, st.SQL, st.Args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	ids, n := []int64{}, 0
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, 0, err
		}
		ids, n = append(ids, id), n+1
	}
	slices.Sort(ids)
	return slices.Compact(ids), n, rows.Err()
}

// SmallScope reports whether scope reaches at most 20 grids (a
// community's seven, a grid leader's; a visitor's households count as
// one): few enough households to count in full for a page. The system's
// scope is not small.
func SmallScope(ctx context.Context, q store.Querier, scope org.Scope) (bool, error) {
	small, _, err := smallScope(ctx, q, scope)
	return small, err
}

// smallScope reports whether scope reaches at most smallScopeGrids grids
// (a visitor's households count as one), asking the org tree when it is
// a subtree.
func smallScope(ctx context.Context, q store.Querier, scope org.Scope) (bool, []Stmt, error) {
	if scope.All {
		return false, nil, nil
	}
	n := len(scope.GridIDs)
	if scope.MemberID != 0 {
		n++
	}
	if len(scope.Paths) == 0 || n > smallScopeGrids {
		return n <= smallScopeGrids, nil, nil
	}
	st := Stmt{SQL: `SELECT COUNT(*) FROM (SELECT id FROM org_units WHERE kind = 'grid' AND (` +
		strings.TrimSuffix(strings.Repeat("path LIKE ? OR ", len(scope.Paths)), " OR ") + `) LIMIT ?) x`}
	for _, p := range scope.Paths {
		st.Args = append(st.Args, p+"%")
	}
	st.Args = append(st.Args, smallScopeGrids+1)
	var grids int
	if err := q.QueryRowContext(ctx, st.SQL, st.Args...).Scan(&grids); err != nil {
		return false, []Stmt{st}, err
	}
	return n+grids <= smallScopeGrids, []Stmt{st}, nil
}
