package household

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"wanhu/internal/apperr"
	"wanhu/internal/audit"
	"wanhu/internal/org"
	"wanhu/internal/secret"
	"wanhu/internal/store"
)

// Filter selects households for a list. Zero fields select everything.
type Filter struct {
	GridID     int64
	CompoundID int64
	BuildingID int64
	Colour     Colour
	Kind       Kind
	Tag        string // a household tag or a tag of any current member
	// Q searches a member's or shop's name by prefix (a member's also in
	// pinyin, whole or by initials), a phone number or ID number exactly,
	// the last four digits of a phone, or, when it looks like an address
	// (has a digit or 小区, 楼, 栋, 单元, 室, 路, 街…), the address: see
	// search.go.
	Q       string
	Page    int
	PerPage int // < 0 for every row (exports)

	keys    *secret.Keyring // hashes a phone or ID number in Q; set by on
	dialect store.Dialect   // the engine the SQL is for; set by on
	found   []int64         // what the search's drive found (see choosePlan)
	afterID int64           // only households with a greater id: Each's pages
}

// search reads f.Q (not empty once trimmed).
func (f Filter) search() search {
	return readSearch(f.dialect, f.keys, strings.TrimSpace(f.Q))
}

// where builds the WHERE clause of f within scope, run as plan p says
// (searchplan.go); it is the one place that list, count and export
// queries of households are filtered. counting says it is for the count,
// which a walk caps.
func (f Filter) where(scope org.Scope, p plan, counting bool) (string, []any) {
	w, args := f.conds(scope, p, counting)
	if len(w) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(w, " AND "), args
}

// onlyFound reports whether where selects exactly the households f's
// drive found (f.found, see choosePlan), as the count (counting) or
// the page of plan p: an exact drive, no filter and a scope that has no
// condition (whereScope). The households then need not be read to be
// counted or matched: the drive's own ids are the answer.
func (f Filter) onlyFound(scope org.Scope, p plan, counting bool) bool {
	if len(f.found) == 0 {
		return false
	}
	w, _ := f.conds(scope, p, counting)
	return len(w) == 1 && (p == planSearch || p == planWalk && counting)
}

// conds are the conditions of where, the households found by the drive
// first when it leads.
func (f Filter) conds(scope org.Scope, p plan, counting bool) ([]string, []any) {
	var w []string
	var args []any
	add := func(cond string, a ...any) { w, args = append(w, cond), append(args, a...) }
	var s search
	if p != planPlain {
		s = f.search()
	}
	fromFound := p == planSearch || p == planWalk && counting && f.found != nil
	if fromFound {
		found := f.found
		if p == planWalk {
			found = found[:min(len(found), countCap)]
		}
		if len(found) == 0 {
			return []string{"1 = 0"}, nil
		}
		cond, a := idsIn(f.dialect, "h.id", found)
		add(cond, a...)
	}
	lead := ""
	if p == planSearch || p == planWalk {
		lead = "+"
	}
	if cond, a := scopeWhere(scope, lead, false); cond != "" {
		add(cond, a...)
	}
	if f.afterID != 0 {
		add("h.id > ?", f.afterID)
	}
	if f.GridID != 0 {
		add("h.grid_id = ?", f.GridID)
	}
	if f.CompoundID != 0 {
		add("h.compound_id = ?", f.CompoundID)
	}
	if f.BuildingID != 0 {
		add("h.building_id = ?", f.BuildingID)
	}
	if f.Colour != "" {
		add("h.colour = ?", f.Colour)
	}
	if f.Kind != "" {
		add("h.kind = ?", f.Kind)
	}
	if f.Tag != "" {
		add(`(h.id IN (SELECT household_id FROM household_tags WHERE tag = ?)
			OR h.id IN (SELECT p.household_id FROM person_tags pt JOIN persons p ON p.id = pt.person_id WHERE pt.tag = ? AND p.active))`, f.Tag, f.Tag)
	}
	if p != planPlain && !(fromFound && s.driveExact) {
		add(s.exact, s.exactArgs...)
	}
	return w, args
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

func looksLikeAddress(q string) bool {
	if strings.IndexFunc(q, unicode.IsDigit) >= 0 {
		return true
	}
	for _, w := range []string{"小区", "楼", "栋", "幢", "单元", "室", "路", "街", "号"} {
		if strings.Contains(q, w) {
			return true
		}
	}
	return false
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// Page is one page of a list of households and how many there are.
type Page struct {
	Households []Household
	Total      int
	// More says Total is a lower bound: a broad search over a big scope
	// ("王" across the city) stops counting early (see searchplan.go).
	More bool
}

// List returns one page of households matching f, in address order, and
// how many match in all (at least: see ListPage). A user's search by a
// full ID or phone number is counted and noted (see countNumberSearch).
func (s *Store) List(ctx context.Context, f Filter) ([]Household, int, error) {
	p, err := s.ListPage(ctx, f)
	return p.Households, p.Total, err
}

// ListPage is List, saying whether the total was counted in full.
func (s *Store) ListPage(ctx context.Context, f Filter) (Page, error) {
	if !s.scope.All && numberSearch(f.Q) {
		if err := s.countNumberSearch(ctx); err != nil {
			return Page{}, err
		}
	}
	return list(ctx, s.db, s.scope, f)
}

// NumberSearches is how many searches by a full ID or phone number one
// account may make in an hour: a hotline's callers, or a clerk checking
// a form, stay far below it.
const NumberSearches = 60

// countNumberSearch counts a search by a full number of the store's user
// and notes it for the audit log, and answers *apperr.TooMany beyond
// NumberSearches in the hour. A full-number search confirms or refutes a
// guess: with the masked number (the province) and a birth date, a few
// hundred guesses would give a number the reader may not see, so guessing
// must be slow and on the record.
func (s *Store) countNumberSearch(ctx context.Context) error {
	now := s.now()
	hits, next, err := s.db.Hit(ctx, "number_search", strconv.FormatInt(s.scope.UserID, 10), time.Hour, now)
	if err != nil {
		return err
	}
	if hits > NumberSearches {
		audit.Note(ctx, "search.number", "household", audit.Denied, "a search by a full ID or phone number, over the hour's limit")
		return &apperr.TooMany{What: "searches by a full ID or phone number", RetryAfter: next.Sub(now)}
	}
	audit.Note(ctx, "search.number", "household", audit.OK, "a search by a full ID or phone number")
	return nil
}

// numberSearch reports whether q searches by a full phone or ID number,
// which finds its match through the number's hash (see Filter.where).
func numberSearch(q string) bool {
	q = strings.TrimSpace(q)
	return isDigits(q) && len(q) >= 7 || len(q) == 18 && isDigits(q[:17])
}

// Statements are the SQL statements a list runs: those that choose its
// plan and whether its scope needs a condition (Asked, see searchplan.go
// and whereScope), then the count and the page. Count is empty (no SQL)
// when the households the search's drive found are the answer, counted
// without reading them (Filter.onlyFound).
type Statements struct {
	Plan        string // how: "plain", "scope", "search" or "walk"
	Asked       []Stmt
	Count, Page Stmt
}

// ListSQL returns the statements List runs for f within scope on q,
// running those that choose the plan and, for planSearch, the match that
// picks the page. Benchmarks run the same SQL elsewhere to compare.
func ListSQL(ctx context.Context, q store.Querier, scope org.Scope, f Filter) (Statements, error) {
	f = f.on(q)
	p, asked, err := choosePlan(ctx, q, scope, &f)
	if err != nil {
		return Statements{}, err
	}
	cs, reach, err := whereScope(ctx, q, scope)
	if err != nil {
		return Statements{}, err
	}
	st := Statements{Plan: p.String(), Asked: append(asked, reach...)}
	if p == planSearch {
		ids := f.found
		if !f.onlyFound(cs, p, true) {
			st.Count = matchSQL(cs, f)
			ids, _, err = foundIDs(ctx, q, st.Count)
		}
		st.Page = pageByIDs(f.dialect, pageIDs(ids, f))
		return st, err
	}
	count, countArgs, page, pageArgs := listSQL(cs, f, p)
	if !f.onlyFound(cs, p, true) {
		st.Count = Stmt{count, countArgs}
	}
	st.Page = Stmt{page, pageArgs}
	return st, nil
}

// on sets what f needs of the database it runs on: the keys that hash
// the numbers of a search and the dialect.
func (f Filter) on(q store.Querier) Filter {
	f.keys, f.dialect = store.KeysOf(q), q.Dialect()
	return f
}

func listSQL(scope org.Scope, f Filter, p plan) (count string, countArgs []any, page string, pageArgs []any) {
	cond, countArgs := f.where(scope, p, true)
	count = `SELECT COUNT(*) FROM households h` + cond
	switch {
	case p == planWalk && f.found == nil:
		count = `SELECT COUNT(*) FROM (SELECT 1 FROM households h` + notIndexed(f.dialect) + cond + ` LIMIT ?) x`
		countArgs = append(slices.Clip(countArgs), countCap)
	case p == planPlain && f.PerPage >= 0:
		count = `SELECT COUNT(*) FROM (SELECT 1 FROM households h` + cond + ` LIMIT ?) x`
		countArgs = append(slices.Clip(countArgs), plainCap(f)+1)
	}
	from := householdFrom
	if p == planWalk {
		from = householdWalk(f.dialect)
	}
	cond, pageArgs = f.where(scope, p, false)
	// When the scope leads, its households are found through the grids'
	// index and sorted: ordered by "+h.id", which the primary key does not
	// serve. Else PostgreSQL, expecting a search to match one household in
	// sixty, read the whole city in id order to fill a page of 50 (a
	// community's administrator's search for a name: 200,000 households
	// read for 9 found, 6.1 s instead of 0.57 s).
	order := ` ORDER BY h.id`
	if p == planScope {
		order = ` ORDER BY +h.id`
	}
	page = `SELECT ` + householdListCols + from + cond + order
	if f.PerPage >= 0 {
		n, per := pageOf(f.Page, f.PerPage)
		page += ` LIMIT ? OFFSET ?`
		pageArgs = append(slices.Clip(pageArgs), per, (n-1)*per)
	}
	return count, countArgs, page, pageArgs
}

// matchSQL is the statement of planSearch that reads the ids of the
// households of scope that f selects among those its drive found, in
// order: how many they are is the total, and the page is a slice of them.
func matchSQL(scope org.Scope, f Filter) Stmt {
	cond, args := f.where(scope, planSearch, true)
	return Stmt{`SELECT h.id FROM households h` + cond + ` ORDER BY h.id`, args}
}

// pageIDs is the slice of ids that is f's page.
func pageIDs(ids []int64, f Filter) []int64 {
	if f.PerPage < 0 {
		return ids
	}
	n, per := pageOf(f.Page, f.PerPage)
	from := min((n-1)*per, len(ids))
	return ids[from:min(from+per, len(ids))]
}

// pageByIDs is the statement that reads the households ids (in scope
// already) for a list.
func pageByIDs(d store.Dialect, ids []int64) Stmt {
	if len(ids) == 0 {
		return Stmt{SQL: `SELECT ` + householdListCols + householdFrom + ` WHERE 1 = 0`}
	}
	cond, args := idsIn(d, "h.id", ids)
	return Stmt{`SELECT ` + householdListCols + householdFrom + ` WHERE ` + cond + ` ORDER BY h.id`, args}
}

// notIndexed keeps SQLite from reading households by an index: a walk
// reads them in id order (the table's own), which the page's ORDER BY
// wants, and stops when the page is full.
func notIndexed(d store.Dialect) string {
	if d == store.SQLite {
		return ` NOT INDEXED`
	}
	return ``
}

// householdWalk is householdFrom for a walk.
func householdWalk(d store.Dialect) string {
	return strings.Replace(householdFrom, ` FROM households h`, ` FROM households h`+notIndexed(d), 1)
}

// list returns a page of the households of scope that f selects, masked
// for its reader.
//
// The statements carry scope's condition unless it reaches every
// household there is (whereScope); listRows masks for scope either way.
func list(ctx context.Context, q store.Querier, scope org.Scope, f Filter) (Page, error) {
	f = f.on(q)
	p, _, err := choosePlan(ctx, q, scope, &f)
	if err != nil {
		return Page{}, err
	}
	cs, _, err := whereScope(ctx, q, scope)
	if err != nil {
		return Page{}, err
	}
	if p == planSearch {
		ids := f.found
		if !f.onlyFound(cs, p, true) {
			if ids, _, err = foundIDs(ctx, q, matchSQL(cs, f)); err != nil {
				return Page{}, err
			}
		}
		page := pageByIDs(f.dialect, pageIDs(ids, f))
		out, err := listRows(ctx, q, scope, page.SQL, page.Args)
		return Page{Households: out, Total: len(ids)}, err
	}
	total, more, err := countIn(ctx, q, cs, f, p)
	if err != nil {
		return Page{}, err
	}
	_, _, page, pageArgs := listSQL(cs, f, p)
	out, err := listRows(ctx, q, scope, page, pageArgs)
	return Page{Households: out, Total: total, More: more}, err
}

// countIn returns how many households f selects within cs (the scope
// whose condition the statements carry) run as plan p, and whether that
// is a lower bound.
func countIn(ctx context.Context, q store.Querier, cs org.Scope, f Filter, p plan) (int, bool, error) {
	var total int
	switch {
	case f.onlyFound(cs, p, true) && p == planWalk:
		total = min(len(f.found), countCap)
	case f.onlyFound(cs, p, true):
		total = len(f.found)
	default:
		count, countArgs, _, _ := listSQL(cs, f, p)
		if err := q.QueryRowContext(ctx, count, countArgs...).Scan(&total); err != nil {
			return 0, false, err
		}
	}
	more := p == planWalk && (f.found != nil || total >= countCap)
	if p == planPlain && f.PerPage >= 0 && total > plainCap(f) {
		total, more = plainCap(f), true
	}
	return total, more, nil
}

// plainCap is the most households the count of a page of a list without
// a search counts (plainCountCap), or, paging further, as many as the
// pages up to f's hold: beyond it the total is a lower bound (ListPage's
// More). Counting the whole city for each page of its administrator's
// list read all its households every time (461 ms on PostgreSQL at 1M).
func plainCap(f Filter) int {
	n, per := pageOf(f.Page, f.PerPage)
	return max(plainCountCap, n*per)
}

// count returns how many households of scope f selects, in full.
func count(ctx context.Context, q store.Querier, scope org.Scope, f Filter) (int, error) {
	f = f.on(q)
	p, _, err := choosePlan(ctx, q, scope, &f)
	if err != nil {
		return 0, err
	}
	if p == planWalk { // an export counts its rows in full
		p, f.found = planScope, nil
	}
	f.PerPage = -1 // every row, not a page: the count is not capped
	cs, _, err := whereScope(ctx, q, scope)
	if err != nil {
		return 0, err
	}
	n, _, err := countIn(ctx, q, cs, f, p)
	return n, err
}

// Count returns how many households f selects, in full; an export counts
// its rows with it before Each writes them.
func (s *Store) Count(ctx context.Context, f Filter) (int, error) {
	return count(ctx, s.db, s.scope, f)
}

// eachPage is how many households Each reads at a time: at most 500, the
// largest page pageOf allows.
const eachPage = 500

// Each calls fn with every household f selects, whatever its Page and
// PerPage, in List's order and masked as List masks them. It reads them
// eachPage at a time, so an export of many thousands streams without
// holding them all. A search by a full number is counted as List counts it.
func (s *Store) Each(ctx context.Context, f Filter, fn func(*Household) error) error {
	return s.each(ctx, f, eachPage, fn)
}

// each is Each, reading per households at a time.
func (s *Store) each(ctx context.Context, f Filter, per int, fn func(*Household) error) error {
	if !s.scope.All && numberSearch(f.Q) {
		if err := s.countNumberSearch(ctx); err != nil {
			return err
		}
	}
	f = f.on(s.db)
	p, _, err := choosePlan(ctx, s.db, s.scope, &f)
	if err != nil {
		return err
	}
	cs, _, err := whereScope(ctx, s.db, s.scope)
	if err != nil {
		return err
	}
	f.Page, f.PerPage = 1, per
	for {
		_, _, page, pageArgs := listSQL(cs, f, p)
		hs, err := listRows(ctx, s.db, s.scope, page, pageArgs)
		if err != nil {
			return err
		}
		for i := range hs {
			if err := fn(&hs[i]); err != nil {
				return err
			}
		}
		if len(hs) < per {
			return nil
		}
		f.afterID = hs[len(hs)-1].ID
	}
}

// listRows runs page, a statement of householdListCols, and returns its
// households masked for the reader of scope, with their tags.
func listRows(ctx context.Context, q store.Querier, scope org.Scope, page string, pageArgs []any) ([]Household, error) {
	rows, err := q.QueryContext(ctx, page, pageArgs...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Household{}
	for rows.Next() {
		h, err := scanHousehold(store.KeysOf(q), rows, false)
		if err != nil {
			return nil, err
		}
		showHousehold(scope, &h)
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, listTags(ctx, q, out)
}

// listTags fills in the household tags of a list of households, asking for
// 500 at a time (an export may hold many thousands).
func listTags(ctx context.Context, q store.Querier, hs []Household) error {
	for len(hs) > 0 {
		n := min(len(hs), 500)
		if err := listTagsOf(ctx, q, hs[:n]); err != nil {
			return err
		}
		hs = hs[n:]
	}
	return nil
}

func listTagsOf(ctx context.Context, q store.Querier, hs []Household) error {
	index := make(map[int64]int, len(hs))
	ids := make([]any, len(hs))
	for i, h := range hs {
		index[h.ID], ids[i] = i, h.ID
	}
	rows, err := q.QueryContext(ctx, `SELECT ht.household_id, ht.tag FROM household_tags ht JOIN tags t ON t.code = ht.tag
		WHERE ht.household_id IN (?`+strings.Repeat(", ?", len(ids)-1)+`) ORDER BY t.sort`, ids...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var tag string
		if err := rows.Scan(&id, &tag); err != nil {
			return err
		}
		hs[index[id]].Tags = append(hs[index[id]].Tags, tag)
	}
	return rows.Err()
}
