package household

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/secret"
	"wanhu/internal/store"
)

// Reading households: the columns of a household row, a whole file in one
// query (its members, needs, plan and visitors as lists with its row), and
// the batched reads of many households' cores.

// householdListCols are the columns of a household in lists; a file adds
// the timestamps (converting them costs more than the rest of a row).
const householdListCols = `h.id, h.grid_id, g.name, COALESCE(h.compound_id, 0), COALESCE(c.name, ''),
	COALESCE(h.building_id, 0), COALESCE(b.name, ''), h.unit, h.floor, h.room, h.address, h.kind, h.shop_name,
	h.business_type, h.occupancy, h.phone, h.contact_times, h.contact_note, h.language, h.notes, h.householder,
	h.member_count, h.colour, h.colour_reasons, h.colour_override, h.colour_override_reason, h.version`

const householdCols = householdListCols + `, h.created_at, h.updated_at`

// householdFrom reads households with the names of their grid, compound
// and building. The households lead: "+h.grid_id" keeps SQLite from
// reading the grids first and each grid's households by the grid index,
// which it chose for a page of one or two without a filter (the city's
// list with per_page=1: every household of the city sorted, 0.8-1 s at
// 1M) — a grid's name is only looked up.
const householdFrom = ` FROM households h JOIN org_units g ON g.id = +h.grid_id
	LEFT JOIN compounds c ON c.id = h.compound_id LEFT JOIN buildings b ON b.id = h.building_id`

// scanHousehold scans householdCols, or householdListCols when !full,
// then the columns of more, and opens the sealed phone with k.
func scanHousehold(k *secret.Keyring, sc interface{ Scan(...any) error }, full bool, more ...any) (Household, error) {
	var h Household
	var times, reasons string
	dest := []any{&h.ID, &h.GridID, &h.GridName, &h.CompoundID, &h.CompoundName, &h.BuildingID, &h.BuildingName,
		&h.Unit, &h.Floor, &h.Room, &h.Address, &h.Kind, &h.ShopName, &h.BusinessType, &h.Occupancy, &h.Phone,
		&times, &h.ContactNote, &h.Language, &h.Notes, &h.Householder, &h.MemberCount, &h.Colour, &reasons,
		&h.ColourOverride, &h.OverrideReason, &h.Version}
	if full {
		dest = append(dest, &h.CreatedAt, &h.UpdatedAt)
	}
	err := sc.Scan(append(dest, more...)...)
	if err == nil {
		err = openHousehold(k, &h)
	}
	h.ContactTimes = splitList(times)
	h.ColourReasons = decodeReasons(reasons)
	h.Tags = []string{}
	return h, err
}

// HouseholdByID returns the whole household file: the household, its tags,
// all members (current ones first), needs and plan. The file is masked for the store's reader (see showPerson).
// A household out of the store's scope is not read at all: the scope is a
// condition of the query that reads the household (see WhereRow).
func (s *Store) HouseholdByID(ctx context.Context, id int64) (*Household, error) {
	cond, args := WhereRow(s.scope)
	// One household by its id, its lists by the household's: a brief read.
	h, err := householdFileWhere(store.Brief(ctx), s.db, id, cond, args, s.today())
	if err != nil {
		return nil, err
	}
	showHousehold(s.scope, h)
	return h, nil
}

// householdFile reads household id's whole file, unmasked.
func householdFile(ctx context.Context, q store.Querier, id int64, today calendar.Date) (*Household, error) {
	return householdFileWhere(ctx, q, id, "", nil, today)
}

// householdFileWhere is householdFile of a household that also meets the
// condition cond on the alias h (with its arguments; "" for none), or
// apperr.ErrNotFound. The household's row brings its tags, and its
// members, needs, plan and visitors as JSON lists: one query.
func householdFileWhere(ctx context.Context, q store.Querier, id int64, cond string, args []any, today calendar.Date) (*Household, error) {
	by, err := householdsWhere(ctx, q, []int64{id}, cond, args, today, true)
	return theOne(by, id, err)
}

// FileWith says what HouseholdFile reads with the household's row.
type FileWith struct {
	// Ledger is how many of its latest ledger events (1–500).
	Ledger int
	// Member is the team member of FileBlocks.Member, if not 0.
	Member int64
	// Due: its visit state (DueState), for who records visits.
	Due bool
}

// FileExtras is what HouseholdFile read with the household.
type FileExtras struct {
	Ledger []LedgerEvent
	Blocks FileBlocks
	Due    DueState
}

// DueState is a household's visit state as its row keeps it, which the
// visit store makes a schedule of (visit.Store.DueSchedule).
type DueState struct {
	LastVisitAt          *time.Time
	LastMetOn, NextDueOn calendar.Date
	Misses               int
	Offpeak              bool
}

// dueColumns are DueState's columns of household h.
const dueColumns = `h.last_visit_at, h.last_met_on, h.next_due_on, h.misses, h.offpeak`

func (d *DueState) dest() []any {
	return []any{&d.LastVisitAt, &d.LastMetOn, &d.NextDueOn, &d.Misses, &d.Offpeak}
}

// HouseholdFile is HouseholdByID with what the file page shows beside it,
// read in the same statement as columns of the household's row: its
// latest ledger events as Ledger reads them for one household without a
// total (LedgerFilter{HouseholdID: id, PerPage: with.Ledger, NoTotal:
// true}; ledgerList), its FileBlocks as FileBlocksOf reads them, and its
// visit state if with.Due. Each of them is a query fewer a page, whose
// scope is the household's.
func (s *Store) HouseholdFile(ctx context.Context, id int64, with FileWith) (*Household, FileExtras, error) {
	var x FileExtras
	_, n := pageOf(1, with.Ledger)
	cols, margs := FileBlocksColumns(with.Member)
	dest := x.Blocks.Dest(with.Member)
	if with.Due {
		cols, dest = cols+`, `+dueColumns, append(dest, x.Due.dest()...)
	}
	cond, args := WhereRow(s.scope)
	ledgers := map[int64][]LedgerEvent{}
	by, err := householdsRead(store.Brief(ctx), s.db, []int64{id}, cond, args, s.today(), n, ledgers,
		&selectMore{cols: cols, args: margs, dest: dest})
	h, err := theOne(by, id, err)
	if err != nil {
		return nil, x, err
	}
	x.Ledger = ledgers[id]
	if x.Ledger == nil {
		x.Ledger = []LedgerEvent{}
	}
	for i := range x.Ledger {
		showLedger(s.scope, &x.Ledger[i], true)
	}
	showHousehold(s.scope, h)
	return h, x, nil
}

// selectMore are more columns of the household's row for a read of one
// household (householdsRead): SQL expressions on h, comma-separated, the
// arguments of their parameters, and where to scan them.
type selectMore struct {
	cols string
	args []any
	dest []any
}

// householdCore reads what edits compare and colours follow: household
// id with its tags and members, unmasked, without its needs, plan and
// visitors.
func householdCore(ctx context.Context, q store.Querier, id int64, today calendar.Date) (*Household, error) {
	by, err := householdCores(ctx, q, []int64{id}, today)
	return theOne(by, id, err)
}

// theOne is household id of a batch read (by, err), or apperr.ErrNotFound.
func theOne(by map[int64]*Household, id int64, err error) (*Household, error) {
	if err != nil {
		return nil, err
	}
	h, ok := by[id]
	if !ok {
		return nil, apperr.ErrNotFound
	}
	return h, nil
}

// householdCores reads householdCore of each of the households ids that
// exist, by id, in two queries for every 500 households (the households
// with their tags, the members with theirs).
func householdCores(ctx context.Context, q store.Querier, ids []int64, today calendar.Date) (map[int64]*Household, error) {
	return householdCoresWhere(ctx, q, ids, "", nil, today)
}

// householdCoresWhere is householdCores of the households that also meet
// the condition cond on the alias h (with its arguments cargs; "" for
// none): the others are left out, their members unread.
func householdCoresWhere(ctx context.Context, q store.Querier, ids []int64, cond string, cargs []any, today calendar.Date) (map[int64]*Household, error) {
	return householdsWhere(ctx, q, ids, cond, cargs, today, false)
}

// householdsWhere is householdCoresWhere, and with file the households'
// needs, plans and visitors too, all read with their rows (memberList,
// needList, measureList, visitorList): a file is one query.
func householdsWhere(ctx context.Context, q store.Querier, ids []int64, cond string, cargs []any, today calendar.Date, file bool) (map[int64]*Household, error) {
	if !file {
		return householdsRead(ctx, q, ids, cond, cargs, today, -1, nil, nil)
	}
	return householdsRead(ctx, q, ids, cond, cargs, today, 0, nil, nil)
}

// householdsRead is householdsWhere, with file if ledger ≥ 0, that also
// reads, if ledger > 0, each household's latest ledger events (at most
// ledger of them; as Ledger reads them, unmasked) into ledgers, and the
// columns of extra (if not nil; one household only) after the others.
func householdsRead(ctx context.Context, q store.Querier, ids []int64, cond string, cargs []any, today calendar.Date, ledger int, ledgers map[int64][]LedgerEvent, extra *selectMore) (map[int64]*Household, error) {
	out := map[int64]*Household{}
	if cond != "" {
		cond = " AND " + cond
	}
	file := ledger >= 0
	var margs []any
	extraCols := ""
	if extra != nil {
		if len(ids) != 1 {
			return nil, fmt.Errorf("household: more columns read for %d households", len(ids))
		}
		extraCols, margs = extra.cols, extra.args
	}
	var found []int64
	for part := range slices.Chunk(ids, 500) {
		args := make([]any, 0, len(margs)+len(part)+len(cargs))
		args = append(args, margs...)
		for _, id := range part {
			args = append(args, id)
		}
		args = append(args, cargs...)
		rows, err := q.QueryContext(ctx, householdQuery(q, file, max(ledger, 0), extraCols, len(part), cond), args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var tags, members, needs, plan, visitors, events string
			more := []any{&tags}
			if file {
				more = append(more, &members, &needs, &plan, &visitors)
			}
			if ledger > 0 {
				more = append(more, &events)
			}
			if extra != nil {
				more = append(more, extra.dest...)
			}
			var h Household
			if q.Dialect() == store.SQLite {
				var row string
				more[0] = &row
				if err = rows.Scan(more...); err == nil {
					h, tags, err = decodeHousehold(store.KeysOf(q), row)
				}
			} else {
				h, err = scanHousehold(store.KeysOf(q), rows, true, more...)
			}
			if err == nil && file {
				err = h.decodeLists(store.KeysOf(q), q.Dialect(), today, members, needs, plan, visitors)
			}
			if err == nil && ledger > 0 {
				ledgers[h.ID], err = decodeLedger(store.KeysOf(q), q.Dialect(), events)
			}
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("household %d: %w", h.ID, err)
			}
			h.Tags = tagCodes(q.Dialect(), tags)
			out[h.ID] = &h
			found = append(found, h.ID)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	if len(found) == 0 || file {
		return out, nil
	}
	ms, err := membersOf(ctx, q, found, today)
	if err != nil {
		return nil, err
	}
	for id, h := range out {
		h.Members = ms[id]
	}
	return out, nil
}

// householdSelect is the SELECT … FROM of householdsRead, with file or
// not and the latest ledger events (ledger > 0), on q's dialect: built
// once per dialect, as its text is long and building it at every read
// showed in profiles; extra are more columns, after the others.
func householdSelect(q store.Querier, file bool, ledger int, extra string) string {
	key := selectKey{q.Dialect(), file, ledger, extra}
	if sel, ok := householdSelects.Load(key); ok {
		return sel.(string)
	}
	// Every column of an expression is named (AS): unnamed, its name is
	// its text, which SQLite's driver copies into Go at every run of the
	// statement, some 2 KB a file (issue 15).
	cols := householdCols + `, ` + tagList(q, "household_tags", "household_id", "h.id")
	if q.Dialect() == store.SQLite {
		cols = `json_array(` + cols + `) AS household_row` // one column (see decodeHousehold)
	} else {
		cols += ` AS tag_list`
	}
	if file {
		cols += `, ` + memberList(q, "h.id") + ` AS member_list, ` + needList(q, "h.id") + ` AS need_list, ` +
			measureList(q, "h.id") + ` AS measure_list, ` + visitorList(q, "h.id") + ` AS visitor_list`
	}
	if ledger > 0 {
		cols += `, ` + ledgerList(q, ledger) + ` AS ledger_list`
	}
	if extra != "" {
		cols += `, ` + extra
	}
	sel := `SELECT ` + cols + householdFrom
	householdSelects.Store(key, sel)
	return sel
}

// householdValues is how many values the household's row of
// householdSelect has on SQLite: householdCols and its tagList.
const householdValues = 30

// decodeHousehold reads the household's row of householdSelect on SQLite
// (householdCols and the tagList, as one JSON array) as scanHousehold
// scans them, and returns the tagList apart. On SQLite every column the
// driver hands over costs about a microsecond of CPU (see
// store.JSONArray); one column of 30 values costs a fraction of that.
// Every value is NOT NULL, as scanning them into strings and numbers
// requires.
func decodeHousehold(k *secret.Keyring, row string) (Household, string, error) {
	var h Household
	var buf [householdValues]store.JSONValue
	vs, err := store.JSONArrayInto(buf[:0], row, householdValues)
	if err != nil {
		return h, "", err
	}
	r := jsonRow(vs)
	for i, v := range r {
		if v.Null {
			return h, "", fmt.Errorf("household's value %d is null", i)
		}
	}
	h.GridName, h.CompoundName, h.BuildingName, h.Unit = r.str(2), r.str(4), r.str(6), r.str(7)
	h.Room, h.Address, h.Kind, h.ShopName, h.BusinessType = r.str(9), r.str(10), Kind(r.str(11)), r.str(12), r.str(13)
	h.Occupancy, h.Phone, h.ContactNote, h.Language, h.Notes = r.str(14), r.str(15), r.str(17), r.str(18), r.str(19)
	h.Householder, h.Colour, h.ColourOverride, h.OverrideReason = r.str(20), Colour(r.str(22)), Colour(r.str(24)), r.str(25)
	err = first(r.int64To(0, &h.ID), r.int64To(1, &h.GridID), r.int64To(3, &h.CompoundID), r.int64To(5, &h.BuildingID),
		r.intTo(8, &h.Floor), r.intTo(21, &h.MemberCount), r.intTo(26, &h.Version),
		storedTimes(store.SQLite, r.str(27), &h.CreatedAt, r.str(28), &h.UpdatedAt))
	if err == nil {
		err = openHousehold(k, &h)
	}
	h.ContactTimes = splitList(r.str(16))
	h.ColourReasons = decodeReasons(r.str(23))
	h.Tags = []string{}
	return h, r.str(29), err
}

type selectKey struct {
	dialect store.Dialect
	file    bool
	ledger  int
	extra   string
}

var householdSelects sync.Map // selectKey → string

// householdQuery is the query of householdsRead: householdSelect of q,
// file, ledger and extra, for n ids, with the condition cond (" AND …", or ""). The
// texts of up to 16 ids are kept, by their shape (the condition's text,
// not its arguments): a file's query is some 3 KB, and building it anew
// at every read of a file showed in profiles (issue 15). The shapes are
// few (a scope's condition differs only by how many paths, grids and
// team members it names), and maxHouseholdQueries bounds them.
func householdQuery(q store.Querier, file bool, ledger int, extra string, n int, cond string) string {
	key := queryKey{selectKey{q.Dialect(), file, ledger, extra}, n, cond}
	householdQueries.RLock()
	text, ok := householdQueries.m[key]
	householdQueries.RUnlock()
	if ok {
		return text
	}
	in, _ := inList(make([]struct{}, n))
	text = householdSelect(q, file, ledger, extra) + ` WHERE h.id IN ` + in + cond
	if n > 16 {
		return text
	}
	householdQueries.Lock()
	if len(householdQueries.m) < maxHouseholdQueries {
		householdQueries.m[key] = text
	}
	householdQueries.Unlock()
	return text
}

type queryKey struct {
	selectKey
	n    int
	cond string
}

// maxHouseholdQueries bounds the texts householdQuery keeps.
const maxHouseholdQueries = 200

var householdQueries = struct {
	sync.RWMutex
	m map[queryKey]string
}{m: map[queryKey]string{}}

// decodeLists sets h's members, needs, plan and visitors from their JSON
// lists (memberList, needList, measureList, visitorList) of dialect d,
// opening sealed fields with k.
func (h *Household) decodeLists(k *secret.Keyring, d store.Dialect, today calendar.Date, members, needs, plan, visitors string) (err error) {
	if h.Members, err = decodeMembers(k, d, members, today); err != nil {
		return err
	}
	if h.Needs, err = decodeNeeds(d, needs); err != nil {
		return err
	}
	if h.Measures, err = decodeMeasures(d, plan); err != nil {
		return err
	}
	h.Visitors, err = decodeVisitors(visitors)
	return err
}

// storedTime reads a timestamp of a jsonList of dialect d as the driver
// reads the column: the same instant in the same location (PostgreSQL's
// pgx gives time.Local; SQLite's driver what time.Parse gives, see
// store.SQLiteTime).
func storedTime(d store.Dialect, s string) (time.Time, error) {
	if d == store.Postgres {
		t, err := time.Parse(time.RFC3339Nano, s)
		return t.In(time.Local), err
	}
	return store.SQLiteTime(s)
}

// storedTimes sets *a and *b to the storedTime of sa and sb.
func storedTimes(d store.Dialect, sa string, a *time.Time, sb string, b *time.Time) (err error) {
	if *a, err = storedTime(d, sa); err != nil {
		return err
	}
	*b, err = storedTime(d, sb)
	return err
}

// tagList is a subquery of the codes of the tags of owner (an SQL
// expression) in table (household_tags or person_tags, owner column col),
// comma-separated ("" for none): a file's tags come with its rows, not in
// a query of their own. Tag codes have no commas (tagCode). tagCodes
// reads it as the codes in the tags' order (by sort, then code).
//
// On PostgreSQL the codes come in that order. On SQLite each comes as
// "sort:code", in no order, and tagCodes sorts them: an aggregate's ORDER
// BY opens and closes a temporary B-tree at every run, once for the
// household and once for each member of a file (see jsonList).
func tagList(q store.Querier, table, col, owner string) string {
	agg := "group_concat(t.sort || ':' || t.code, ',')"
	if q.Dialect() == store.Postgres {
		agg = "string_agg(t.code, ',' ORDER BY t.sort, t.code)"
	}
	return `(SELECT COALESCE(` + agg + `, '') FROM ` + table + ` x JOIN tags t ON t.code = x.tag WHERE x.` + col + ` = ` + owner + `)`
}

// tagCodes reads a tagList of dialect d: the codes, by the tags' sort,
// then code (compared byte by byte, as SQLite's BINARY collation does).
func tagCodes(d store.Dialect, s string) []string {
	codes := splitList(s)
	if d == store.Postgres || len(codes) == 0 {
		return codes
	}
	type tag struct {
		sort int64
		code string
	}
	tags := make([]tag, len(codes))
	for i, c := range codes {
		sort, code, _ := strings.Cut(c, ":")
		n, _ := strconv.ParseInt(sort, 10, 64)
		tags[i] = tag{n, code}
	}
	slices.SortFunc(tags, func(a, b tag) int { return cmp.Or(cmp.Compare(a.sort, b.sort), strings.Compare(a.code, b.code)) })
	for i, t := range tags {
		codes[i] = t.code
	}
	return codes
}

// inList is "(?, ?, …)" for ids, with ids as arguments.
func inList[T any](ids []T) (string, []any) {
	return "(?" + strings.Repeat(", ?", len(ids)-1) + ")", anys(ids)
}

// idsIn is the condition that col is one of ids (not empty). On
// PostgreSQL it is one array parameter, "col = ANY(?)", so its text and
// prepared statement are the same for any number of ids: a city
// administrator's search checked the 2,000 households a name found as
// 2,000 parameters, a statement parsed and planned anew for each length,
// which cost PostgreSQL more CPU than the 2,000 lookups (issue 15). On
// SQLite, a list (inList).
func idsIn(d store.Dialect, col string, ids []int64) (string, []any) {
	if d == store.Postgres {
		return col + " = ANY(?)", []any{ids}
	}
	in, args := inList(ids)
	return col + " IN " + in, args
}
