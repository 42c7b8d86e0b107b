package stats

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/store"
)

// The snapshot (issue 15). Counting a city of a million households reads
// every person and takes seconds on either engine: the aggregate itself
// is the wall. So the counts the population and household statistics sum
// up are kept per grid in the stats_snapshot_* tables, rewritten by
// RefreshSnapshot (daily, after imports, `wanhu stats refresh`), and a
// street, a district or the city is counted from them: a few hundred
// thousand rows instead of millions of persons.
//
// People are kept by grid, sex and age in whole years on the snapshot's
// day, so any band (the presets, the user's own) and the pyramid are sums
// of ages, exact for that day. Birth years or months would serve other
// days but not exactly (a band turns on the birthday), and birth dates
// would be nearly a row per person; so a count for another day than the
// snapshot's is counted live. A grid or a community is counted live too:
// it reads few people, and a leader who has just changed a file sees it
// counted.

// Snapshot says when the snapshot was taken and the China day its ages
// are counted on; Taken is zero when it never was.
type Snapshot struct {
	Taken time.Time
	On    calendar.Date
}

// SnapshotOf returns the snapshot's time and day.
func SnapshotOf(ctx context.Context, q store.Querier) (Snapshot, error) {
	var s Snapshot
	var taken sql.NullTime
	var on string
	err := q.QueryRowContext(ctx, `SELECT taken_at, on_day FROM stats_snapshot WHERE id = 1`).Scan(&taken, &on)
	if errors.Is(err, sql.ErrNoRows) || err == nil && !taken.Valid {
		return s, nil
	}
	if err != nil {
		return s, err
	}
	if s.On, err = calendar.ParseDate("on_day", on); err != nil {
		return s, err
	}
	s.Taken = taken.Time.UTC()
	return s, nil
}

// RefreshSnapshot counts the people and households of every grid on the
// China day of now and replaces the snapshot with them in one
// transaction. It is the daily job's and runs after each import. The
// counts, and the snapshot they replace, are read first, outside the
// transaction, and only the rows that differ are written (from one day to
// the next, the ages of the people whose birthday it is and the files
// changed): on SQLite writers wait for a few thousand rows to be written,
// not for the count nor for the whole snapshot. When another refresh
// committed in between, the whole snapshot is rewritten.
func RefreshSnapshot(ctx context.Context, db *store.DB, now time.Time) (Snapshot, error) {
	on := calendar.DayOf(now)
	before, err := SnapshotOf(ctx, db)
	if err != nil {
		return Snapshot{}, fmt.Errorf("stats snapshot: %w", err)
	}
	c, err := countGrids(ctx, db, on)
	if err != nil {
		return Snapshot{}, fmt.Errorf("stats snapshot: %w", err)
	}
	var changes []snapChanges
	for _, t := range c {
		old, err := scanRows(ctx, db, len(t.cols), `SELECT `+strings.Join(t.cols, ", ")+` FROM `+t.table)
		if err != nil {
			return Snapshot{}, fmt.Errorf("stats snapshot: %s: %w", t.table, err)
		}
		changes = append(changes, t.diff(old))
	}
	s := Snapshot{Taken: now.UTC().Truncate(time.Second), On: on}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		// The row lock makes two refreshes (the daily job on one
		// server, an import on another) write one after the other.
		lock := ""
		if tx.Dialect() == store.Postgres {
			lock = " FOR UPDATE"
		}
		var taken sql.NullTime
		if err := tx.QueryRowContext(ctx, `SELECT taken_at FROM stats_snapshot WHERE id = 1`+lock).Scan(&taken); err != nil {
			return err
		}
		same := taken.Valid == !before.Taken.IsZero() && (!taken.Valid || taken.Time.Equal(before.Taken))
		for i, t := range c {
			if same {
				if err := changes[i].write(ctx, tx, t); err != nil {
					return fmt.Errorf("%s: %w", t.table, err)
				}
				continue
			}
			if err := t.rewrite(ctx, tx); err != nil {
				return fmt.Errorf("%s: %w", t.table, err)
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE stats_snapshot SET taken_at = ?, on_day = ? WHERE id = 1`, s.Taken, on.String())
		return err
	})
	if err != nil {
		return Snapshot{}, fmt.Errorf("stats snapshot: %w", err)
	}
	return s, nil
}

// snapTable is the rows of one snapshot table: its first keys columns
// identify a row, the others are its counts.
type snapTable struct {
	table string
	cols  []string
	keys  int
	rows  [][]any
}

// rewrite replaces the table's rows with t's.
func (t snapTable) rewrite(ctx context.Context, tx *store.Tx) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM `+t.table); err != nil {
		return err
	}
	return snapChanges{insert: t.rows}.write(ctx, tx, t)
}

// snapChanges is what turns a snapshot table's rows into new ones: rows
// to insert, rows whose counts change (counts then keys), and the keys
// of rows to delete.
type snapChanges struct {
	insert, update, remove [][]any
}

// diff returns the changes from old, the table's rows, to t's rows.
func (t snapTable) diff(old [][]any) snapChanges {
	key := func(r []any) string { return fmt.Sprintf("%#v", r[:t.keys]) }
	was := make(map[string][]any, len(old))
	for _, r := range old {
		was[key(r)] = r
	}
	var c snapChanges
	for _, r := range t.rows {
		k := key(r)
		o, ok := was[k]
		delete(was, k)
		switch {
		case !ok:
			c.insert = append(c.insert, r)
		case fmt.Sprintf("%#v", o[t.keys:]) != fmt.Sprintf("%#v", r[t.keys:]):
			c.update = append(c.update, append(slices.Clone(r[t.keys:]), r[:t.keys]...))
		}
	}
	for _, r := range was {
		c.remove = append(c.remove, r[:t.keys])
	}
	return c
}

// write applies c to table t.
func (c snapChanges) write(ctx context.Context, tx *store.Tx, t snapTable) error {
	// A row is found by its grid (every table's first column, indexed)
	// and the rest of its key, NULLs equal.
	same := " IS NOT DISTINCT FROM ?"
	if tx.Dialect() == store.SQLite {
		same = " IS ?"
	}
	where := " WHERE " + t.cols[0] + " = ?"
	for _, col := range t.cols[1:t.keys] {
		where += " AND " + col + same
	}
	set := strings.Join(t.cols[t.keys:], " = ?, ") + " = ?"
	for _, r := range c.remove {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+t.table+where, r...); err != nil {
			return err
		}
	}
	for _, r := range c.update {
		if _, err := tx.ExecContext(ctx, `UPDATE `+t.table+` SET `+set+where, r...); err != nil {
			return err
		}
	}
	in := store.NewInserter(ctx, tx, t.table, t.cols...)
	for _, r := range c.insert {
		if err := in.Add(r...); err != nil {
			return err
		}
	}
	return in.Flush()
}

// countGrids reads the counts of every grid on day on, one snapTable
// per snapshot table, with the same conditions as the live counts.
func countGrids(ctx context.Context, q store.Querier, on calendar.Date) ([]snapTable, error) {
	// As in Population: on SQLite the whole city's people are read in
	// one pass, not fetched one by one through the birth-date index.
	people := "persons p JOIN households h ON h.id = p.household_id"
	if q.Dialect() == store.SQLite {
		people = "persons p NOT INDEXED CROSS JOIN households h ON h.id = p.household_id"
	}
	// Age in whole years as calendar.AgeOn counts it (birth_date is
	// YYYY-MM-DD text on both engines): the years between, less one
	// before the birthday. A 29 February birthday turns on 1 March in a
	// common year, as bornBy has it.
	age := `? - CAST(substr(p.birth_date, 1, 4) AS INTEGER) - CASE WHEN substr(p.birth_date, 6, 5) > ? THEN 1 ELSE 0 END`
	mmdd := on.String()[5:]
	tables := []struct {
		snapTable
		sql  string
		args []any
	}{
		{snapTable{table: "stats_snapshot_ages", cols: []string{"grid_id", "gender", "age", "n"}, keys: 3},
			`SELECT h.grid_id, p.gender, ` + age + `, COUNT(*) FROM ` + people + `
			WHERE ` + current + ` AND p.birth_date <= ? GROUP BY 1, 2, 3`, []any{on.Y, mmdd, on}},
		{snapTable{table: "stats_snapshot_places", cols: []string{"grid_id", "compound_id", "building_id", "n"}, keys: 3},
			`SELECT h.grid_id, h.compound_id, h.building_id, COUNT(*) FROM ` + people + `
			WHERE ` + current + ` AND p.birth_date <= ? GROUP BY h.grid_id, h.compound_id, h.building_id`, []any{on}},
		{snapTable{table: "stats_snapshot_ethnicities", cols: []string{"grid_id", "ethnicity", "n"}, keys: 2},
			`SELECT h.grid_id, p.ethnicity, COUNT(*) FROM ` + people + `
			WHERE ` + current + ` AND p.birth_date <= ? GROUP BY h.grid_id, p.ethnicity`, []any{on}},
		{snapTable{table: "stats_snapshot_households", cols: []string{"grid_id", "kind", "occupancy", "colour", "n"}, keys: 4},
			`SELECT h.grid_id, h.kind, h.occupancy, h.colour, COUNT(*) FROM households h GROUP BY h.grid_id, h.kind, h.occupancy, h.colour`, nil},
		{snapTable{table: "stats_snapshot_key_tags", cols: []string{"grid_id", "tag", "n"}, keys: 2},
			`SELECT h.grid_id, t.code, COUNT(*) FROM tags t JOIN person_tags pt ON pt.tag = t.code JOIN persons p ON p.id = pt.person_id
			JOIN households h ON h.id = p.household_id WHERE t.key_person AND p.active GROUP BY h.grid_id, t.code`, nil},
	}
	var out []snapTable
	for _, t := range tables {
		rows, err := scanRows(ctx, q, len(t.cols), t.sql, t.args...)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", t.table, err)
		}
		t.rows = rows
		out = append(out, t.snapTable)
	}
	grids, err := gridFigures(ctx, q)
	if err != nil {
		return nil, err
	}
	return append(out, grids), nil
}

// gridFigures counts each grid's key persons (each person once) and
// special-difficulty households, as keyPersons does.
func gridFigures(ctx context.Context, q store.Querier) (snapTable, error) {
	t := snapTable{table: "stats_snapshot_grids", cols: []string{"grid_id", "key_persons", "special_difficulty"}, keys: 1}
	keys, err := scanRows(ctx, q, 2, `SELECT h.grid_id, COUNT(*) FROM persons p JOIN households h ON h.id = p.household_id
		WHERE p.active AND p.id IN (SELECT pt.person_id FROM person_tags pt JOIN tags t ON t.code = pt.tag WHERE t.key_person)
		GROUP BY h.grid_id`)
	if err != nil {
		return t, fmt.Errorf("key persons: %w", err)
	}
	special, err := scanRows(ctx, q, 2, `SELECT h.grid_id, COUNT(*) FROM households h
		WHERE h.id IN (SELECT household_id FROM household_tags WHERE tag = ?) GROUP BY h.grid_id`, household.SpecialDifficulty)
	if err != nil {
		return t, fmt.Errorf("special-difficulty households: %w", err)
	}
	byGrid := map[int64][]any{}
	for _, r := range keys {
		byGrid[r[0].(int64)] = []any{r[0], r[1], int64(0)}
	}
	for _, r := range special {
		g := r[0].(int64)
		if byGrid[g] == nil {
			byGrid[g] = []any{r[0], int64(0), int64(0)}
		}
		byGrid[g][2] = r[1]
	}
	for _, r := range byGrid {
		t.rows = append(t.rows, r)
	}
	return t, nil
}

// scanRows runs query and returns its rows of n columns, integers as
// int64 and text as string (NULL as nil).
func scanRows(ctx context.Context, q store.Querier, n int, query string, args ...any) ([][]any, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][]any
	for rows.Next() {
		vals := make([]any, n)
		dest := make([]any, n)
		for i := range vals {
			dest[i] = &vals[i]
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		for i, v := range vals {
			switch x := v.(type) {
			case []byte:
				vals[i] = string(x)
			case int32:
				vals[i] = int64(x)
			case int:
				vals[i] = int64(x)
			}
		}
		out = append(out, vals)
	}
	return out, rows.Err()
}

// snapshotServes reports whether a count of scope (grid gridID, if not
// 0) is answered from the snapshot: a scope of more than one community
// (the system's whole scope, an administrator of a street, a district or
// the city). A grid, a grid leader's grids and a single community are
// counted live, so an office running one community, whose first
// administrator is an administrator of everything, sees today's counts.
func snapshotServes(ctx context.Context, q store.Querier, scope org.Scope, gridID int64) (bool, error) {
	if gridID != 0 || scope.MemberID != 0 {
		return false, nil
	}
	if !scope.All && len(scope.Paths) == 0 {
		return false, nil
	}
	where, args := "", []any(nil)
	if !scope.All {
		where = " AND (" + strings.TrimSuffix(strings.Repeat("path LIKE ? OR ", len(scope.Paths)), " OR ") + ")"
		for _, p := range scope.Paths {
			args = append(args, p+"%")
		}
	}
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM org_units WHERE kind = 'community'`+where+` LIMIT 2) c`, args...).Scan(&n)
	return n > 1, err
}
