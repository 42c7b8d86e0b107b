package visit

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/store"
)

// facts loads the policy facts of one household, in one statement: its
// colour, its tags and its current members' (each once, in the order of
// their codes, as a UNION of the two gave them) and the frequencies of its
// active plan measures. A household that does not exist is sql.ErrNoRows.
func facts(ctx context.Context, q store.Querier, id int64) (Facts, error) {
	var f Facts
	rows, err := q.QueryContext(ctx, `SELECT 0, colour FROM households WHERE id = ?
		UNION ALL SELECT 1, tag FROM household_tags WHERE household_id = ?
		UNION ALL SELECT 1, pt.tag FROM person_tags pt JOIN persons p ON p.id = pt.person_id
		WHERE p.household_id = ? AND p.active AND p.moved_out_on IS NULL AND p.deceased_on IS NULL
		UNION ALL SELECT 2, frequency FROM plan_measures WHERE household_id = ? AND status = 'active'`, id, id, id, id)
	if err != nil {
		return f, err
	}
	defer rows.Close()
	found := false
	for rows.Next() {
		var kind int
		var v string
		if err := rows.Scan(&kind, &v); err != nil {
			return f, err
		}
		switch kind {
		case 0:
			f.Colour, found = household.Colour(v), true
		case 1:
			f.Tags = append(f.Tags, v)
		case 2:
			f.Plan = append(f.Plan, v)
		}
	}
	if err := rows.Err(); err != nil {
		return f, err
	}
	if !found {
		return f, sql.ErrNoRows
	}
	slices.Sort(f.Tags)
	f.Tags = slices.Compact(f.Tags)
	return f, nil
}

// recompute sets the next due date of household id from the policy and
// its last met day, and reports whether it changed.
func recompute(ctx context.Context, q store.Querier, p Policy, id int64, today calendar.Date) (bool, error) {
	f, err := facts(ctx, q, id)
	if err != nil {
		return false, err
	}
	var lastMet, current calendar.Date
	if err := q.QueryRowContext(ctx, `SELECT last_met_on, next_due_on FROM households WHERE id = ?`, id).Scan(&lastMet, &current); err != nil {
		return false, err
	}
	freq, _ := p.Frequency(f)
	due := NextDue(lastMet, current, today, freq)
	if due == current {
		return false, nil
	}
	_, err = q.ExecContext(ctx, `UPDATE households SET next_due_on = ? WHERE id = ?`, due, id)
	return true, err
}

// RecomputeDue recomputes every household's next due date (colours, tags
// and plans change), in batches, and returns how many changed. Each batch
// is read outside any transaction and its changes, if any, written in one
// (each guarded, see dueChange), so writers wait only for the writes. Run
// it daily (the server does, see internal/daily).
func RecomputeDue(ctx context.Context, db *store.DB, today calendar.Date) (int, error) {
	p, err := LoadPolicy(ctx, db)
	if err != nil {
		return 0, err
	}
	tags, err := policyTags(ctx, db, p)
	if err != nil {
		return 0, err
	}
	changed := 0
	for last := int64(0); ; {
		cs, next, err := dueChanges(ctx, db, p, tags, today, last)
		if err != nil || next == last {
			return changed, err
		}
		last = next
		if len(cs) == 0 {
			continue
		}
		var n int
		err = db.InTx(ctx, func(tx *store.Tx) (err error) {
			n, err = applyDue(ctx, tx, cs)
			return err
		})
		if err != nil {
			return changed, err
		}
		changed += n
	}
}

// recomputeAll recomputes every household's due date under p in q (a
// transaction), as RecomputeDue does, and returns how many changed.
func recomputeAll(ctx context.Context, q store.Querier, p Policy, today calendar.Date) (int, error) {
	tags, err := policyTags(ctx, q, p)
	if err != nil {
		return 0, err
	}
	changed := 0
	for last := int64(0); ; {
		cs, next, err := dueChanges(ctx, q, p, tags, today, last)
		if err != nil || next == last {
			return changed, err
		}
		last = next
		n, err := applyDue(ctx, q, cs)
		if err != nil {
			return changed, err
		}
		changed += n
	}
}

// dueChange is a household whose due date changes: from what was read
// (current, with lastMet) to due.
type dueChange struct {
	id                    int64
	lastMet, current, due calendar.Date
}

// applyDue writes the changes cs and returns how many it made. A
// household whose due date or last meeting moved since cs was read (a
// visit recorded meanwhile) is left alone: that visit recomputed it.
func applyDue(ctx context.Context, q store.Querier, cs []dueChange) (int, error) {
	changed := 0
	for _, c := range cs {
		res, err := q.ExecContext(ctx, `UPDATE households SET next_due_on = ? WHERE id = ?
			AND next_due_on IS NOT DISTINCT FROM ? AND last_met_on IS NOT DISTINCT FROM ?`, c.due, c.id, c.current, c.lastMet)
		if err != nil {
			return changed, fmt.Errorf("household %d: %w", c.id, err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			changed++
		}
	}
	return changed, nil
}

// recomputeSize is how many households recomputeBatch reads at a time.
const recomputeSize = 5000

// policyTags returns the tags that p names of every household that has
// any: its own and its current members'. They are few (the tags of the
// policy are rare ones, such as living alone), so one query for all the
// households costs less than one per batch.
func policyTags(ctx context.Context, q store.Querier, p Policy) (map[int64][]string, error) {
	out := map[int64][]string{}
	if len(p.Tags) == 0 {
		return out, nil
	}
	var names []any
	for t := range p.Tags {
		names = append(names, t)
	}
	in := "(?" + strings.Repeat(", ?", len(names)-1) + ")"
	rows, err := q.QueryContext(ctx, `SELECT household_id, tag FROM household_tags WHERE tag IN `+in+`
		UNION SELECT p.household_id, pt.tag FROM person_tags pt JOIN persons p ON p.id = pt.person_id
		WHERE pt.tag IN `+in+` AND p.active AND p.moved_out_on IS NULL AND p.deceased_on IS NULL`, append(names, names...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var t string
		if err := rows.Scan(&id, &t); err != nil {
			return nil, err
		}
		out[id] = append(out[id], t)
	}
	return out, rows.Err()
}

// dueChanges reads the recomputeSize households after last and returns
// those whose due date changes, and the last household read (last when
// none was left). It reads the households and their active plan measures
// in two statements for the whole batch, takes their tags from tags
// (policyTags), and gives each the date recompute would (the same
// Policy.Frequency and NextDue).
func dueChanges(ctx context.Context, q store.Querier, p Policy, tags map[int64][]string, today calendar.Date, last int64) ([]dueChange, int64, error) {
	type row struct {
		id               int64
		lastMet, current calendar.Date
		f                Facts
	}
	rows, err := q.QueryContext(ctx, `SELECT id, colour, last_met_on, next_due_on FROM households WHERE id > ? ORDER BY id LIMIT ?`, last, recomputeSize)
	if err != nil {
		return nil, last, err
	}
	var hs []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.f.Colour, &r.lastMet, &r.current); err != nil {
			rows.Close()
			return nil, last, err
		}
		hs = append(hs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, last, err
	}
	if len(hs) == 0 {
		return nil, last, nil
	}
	from, to := last, hs[len(hs)-1].id
	at := make(map[int64]*Facts, len(hs))
	for i := range hs {
		hs[i].f.Tags = tags[hs[i].id]
		at[hs[i].id] = &hs[i].f
	}
	rows, err = q.QueryContext(ctx, `SELECT household_id, frequency FROM plan_measures WHERE household_id > ? AND household_id <= ? AND status = 'active'`, from, to)
	if err != nil {
		return nil, last, err
	}
	for rows.Next() {
		var id int64
		var fr string
		if err := rows.Scan(&id, &fr); err != nil {
			rows.Close()
			return nil, last, err
		}
		if f := at[id]; f != nil {
			f.Plan = append(f.Plan, fr)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, last, err
	}
	var cs []dueChange
	for _, h := range hs {
		freq, _ := p.Frequency(h.f)
		if due := NextDue(h.lastMet, h.current, today, freq); due != h.current {
			cs = append(cs, dueChange{id: h.id, lastMet: h.lastMet, current: h.current, due: due})
		}
	}
	return cs, to, nil
}

// Due is a household on the list of visits to make.
type Due struct {
	HouseholdID int64            `json:"household_id"`
	GridID      int64            `json:"grid_id"`
	GridName    string           `json:"grid_name"`
	Address     string           `json:"address"`
	Householder string           `json:"householder"`
	Colour      household.Colour `json:"colour"`
	NextDueOn   calendar.Date    `json:"next_due_on"`
	LastMetOn   calendar.Date    `json:"last_met_on"`
	Overdue     bool             `json:"overdue"`
	DaysOverdue int              `json:"days_overdue"`
	Misses      int              `json:"misses"`
	Offpeak     bool             `json:"offpeak"`
}

// DueFilter selects the list of due visits. Households without a computed
// date count as due today.
type DueFilter struct {
	GridID      int64
	OverdueOnly bool
	Page        int
	PerPage     int
}

// DueList returns the households of scope due on or before today (only
// those overdue with OverdueOnly): overdue red households first, then by
// days overdue, most first; among equally due, red before yellow before green.
//
// When the scope reaches every household (household.ReachesAll: a city's
// administrator) and no grid is chosen, the households due are counted
// and ordered from households_due (dueEverywhere). Other scopes keep
// their plans, which their condition leads.
func DueList(ctx context.Context, q store.Querier, scope org.Scope, f DueFilter, today calendar.Date) ([]Due, int, error) {
	where := []string{"h.occupancy <> 'vacant'"}
	var args []any
	all, err := household.ReachesAll(ctx, q, scope)
	if err != nil {
		return nil, 0, err
	}
	if all && f.GridID == 0 {
		return dueEverywhere(ctx, q, f, today)
	}
	if c, a := household.Where(scope); c != "" && !all {
		where, args = append(where, c), append(args, a...)
	}
	if f.GridID != 0 {
		where, args = append(where, "h.grid_id = ?"), append(args, f.GridID)
	}
	if f.OverdueOnly {
		where, args = append(where, "COALESCE(h.next_due_on, ?) < ?"), append(args, today, today)
	} else {
		where, args = append(where, "COALESCE(h.next_due_on, ?) <= ?"), append(args, today, today)
	}
	cond := " WHERE " + strings.Join(where, " AND ")
	// The page's rows carry the count of all (COUNT(*) OVER ()), so that
	// the scope's list is built once, not again for a count of its own;
	// a page past the end has no row to carry it and counts apart.
	page, per := pageOf(f.Page, f.PerPage)
	rows, err := q.QueryContext(ctx, `SELECT h.id, h.grid_id, g.name, h.address, h.householder, h.colour,
		COALESCE(h.next_due_on, ?), h.last_met_on, h.misses, h.offpeak, COUNT(*) OVER ()
		FROM households h JOIN org_units g ON g.id = h.grid_id`+cond+`
		ORDER BY `+dueOrder("h.")+` LIMIT ? OFFSET ?`,
		append(append([]any{today}, args...), today, today, today, per, (page-1)*per)...)
	if err != nil {
		return nil, 0, err
	}
	total := -1
	out, err := scanDue(rows, today, &total)
	if err != nil {
		return nil, 0, err
	}
	if total < 0 {
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM households h`+cond, args...).Scan(&total); err != nil {
			return nil, 0, err
		}
	}
	return out, total, nil
}

// dueOrder is the order of a due list, over the households' columns
// named with prefix, with three parameters: today, today, today.
func dueOrder(prefix string) string {
	return strings.NewReplacer("h.", prefix).Replace(`CASE WHEN h.colour = 'red' AND COALESCE(h.next_due_on, ?) < ? THEN 0 ELSE 1 END,
		COALESCE(h.next_due_on, ?), CASE h.colour WHEN 'red' THEN 0 WHEN 'yellow' THEN 1 ELSE 2 END, h.id`)
}

// scanDue reads a due list's rows and closes them; with total not nil,
// each row carries the count of the whole list last.
func scanDue(rows *sql.Rows, today calendar.Date, total *int) ([]Due, error) {
	defer rows.Close()
	out := []Due{}
	for rows.Next() {
		var d Due
		dest := []any{&d.HouseholdID, &d.GridID, &d.GridName, &d.Address, &d.Householder, &d.Colour,
			&d.NextDueOn, &d.LastMetOn, &d.Misses, &d.Offpeak}
		if total != nil {
			dest = append(dest, total)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		d.DaysOverdue = max(DaysBetween(d.NextDueOn, today), 0)
		d.Overdue = d.DaysOverdue > 0
		out = append(out, d)
	}
	return out, rows.Err()
}

// dueEverywhere is DueList over every household, no grid chosen: the
// households due (or overdue) are counted in households_due, the occupied
// households by due date and colour (migration 00054), and the page's
// ids are ordered there too; only the page's rows are read from the
// table. A household without a due date is due today (and not overdue):
// the dates are asked as ranges, one branch per range, each read from
// the index alone (an OR of the two read every due household's row:
// 56,086 of a million, 1.2 s to count, 1.9 s for the first page).
func dueEverywhere(ctx context.Context, q store.Querier, f DueFilter, today calendar.Date) ([]Due, int, error) {
	branches, args := []string{"next_due_on < ?"}, []any{today}
	if !f.OverdueOnly {
		branches, args = []string{"next_due_on IS NULL", "next_due_on <= ?"}, []any{today}
	}
	var counts, union []string
	for _, b := range branches {
		counts = append(counts, `(SELECT COUNT(*) FROM households WHERE occupancy <> 'vacant' AND `+b+`)`)
		union = append(union, `SELECT id, next_due_on, colour FROM households WHERE occupancy <> 'vacant' AND `+b)
	}
	var total int
	if err := q.QueryRowContext(ctx, `SELECT `+strings.Join(counts, " + "), args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	page, per := pageOf(f.Page, f.PerPage)
	rows, err := q.QueryContext(ctx, `SELECT h.id, h.grid_id, g.name, h.address, h.householder, h.colour,
		COALESCE(h.next_due_on, ?), h.last_met_on, h.misses, h.offpeak
		FROM (SELECT d.id FROM (`+strings.Join(union, " UNION ALL ")+`) d ORDER BY `+dueOrder("d.")+` LIMIT ? OFFSET ?) p
		JOIN households h ON h.id = p.id JOIN org_units g ON g.id = h.grid_id
		ORDER BY `+dueOrder("h."),
		append(append([]any{today}, args...), today, today, today, per, (page-1)*per, today, today, today)...)
	if err != nil {
		return nil, 0, err
	}
	out, err := scanDue(rows, today, nil)
	return out, total, err
}

// pageOf clamps a page number and size like the household lists.
func pageOf(page, per int) (int, int) {
	if page < 1 {
		page = 1
	}
	if per < 1 {
		per = 50
	}
	return page, min(per, 500)
}
