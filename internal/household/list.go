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

	keys    *secret.Keyring // hashes a phone or ID number in Q; set by list
	afterID int64           // only households with a greater id: Each's pages
}

// where builds the WHERE clause of f within scope; it is the one place
// that list, count and export queries of households are filtered.
func (f Filter) where(scope org.Scope) (string, []any) {
	var w []string
	var args []any
	add := func(cond string, a ...any) { w, args = append(w, cond), append(args, a...) }
	if cond, a := Where(scope); cond != "" {
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
	if q := strings.TrimSpace(f.Q); q != "" {
		cond, a := searchCond(f.keys, q)
		add(cond, a...)
	}
	if len(w) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(w, " AND "), args
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

// List returns one page of households matching f, in address order, and
// how many match in all. A user's search by a full ID or phone number is
// counted and noted (see countNumberSearch).
func (s *Store) List(ctx context.Context, f Filter) ([]Household, int, error) {
	if !s.scope.All && numberSearch(f.Q) {
		if err := s.countNumberSearch(ctx); err != nil {
			return nil, 0, err
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

// ListSQL returns the two statements List runs for f, the count and the
// page, with their arguments (placeholders "?"). Benchmarks run the same
// SQL elsewhere to compare.
func ListSQL(f Filter) (count string, countArgs []any, page string, pageArgs []any) {
	return listSQL(org.Everything, f)
}

func listSQL(scope org.Scope, f Filter) (count string, countArgs []any, page string, pageArgs []any) {
	cond, args := f.where(scope)
	count = `SELECT COUNT(*) FROM households h` + cond
	page = `SELECT ` + householdListCols + householdFrom + cond + ` ORDER BY h.id`
	pageArgs = args
	if f.PerPage >= 0 {
		n, per := pageOf(f.Page, f.PerPage)
		page += ` LIMIT ? OFFSET ?`
		pageArgs = append(slices.Clip(args), per, (n-1)*per)
	}
	return count, args, page, pageArgs
}

// list returns a page of the households of scope that f selects, masked
// for its reader.
func list(ctx context.Context, q store.Querier, scope org.Scope, f Filter) ([]Household, int, error) {
	total, err := count(ctx, q, scope, f)
	if err != nil {
		return nil, 0, err
	}
	out, err := listPage(ctx, q, scope, f)
	return out, total, err
}

// count returns how many households of scope f selects.
func count(ctx context.Context, q store.Querier, scope org.Scope, f Filter) (int, error) {
	f.keys = store.KeysOf(q)
	count, countArgs, _, _ := listSQL(scope, f)
	var total int
	err := q.QueryRowContext(ctx, count, countArgs...).Scan(&total)
	return total, err
}

// Count returns how many households f selects, as List's total; an export
// counts its rows with it before Each writes them.
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
	f.Page, f.PerPage = 1, per
	for {
		hs, err := listPage(ctx, s.db, s.scope, f)
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

// listPage returns the page of f of the households of scope, masked for
// its reader, with their tags.
func listPage(ctx context.Context, q store.Querier, scope org.Scope, f Filter) ([]Household, error) {
	f.keys = store.KeysOf(q)
	_, _, page, pageArgs := listSQL(scope, f)
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
