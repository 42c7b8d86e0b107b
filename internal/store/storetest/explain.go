package storetest

import (
	"strings"
	"testing"

	"wanhu/internal/store"
)

// Explain returns the plan of query on db, one step a line. On
// PostgreSQL sequential scans are turned off for the question: its
// planner reads a test's small tables whole, and the plan then names an
// index if, and only if, the index can serve the statement. SQLite names
// the columns an index is searched by ("SEARCH b USING INDEX buildings_name
// (name=?)").
func Explain(t testing.TB, db *store.DB, query string, args ...any) string {
	t.Helper()
	ctx := t.Context()
	var lines []string
	err := db.InTx(ctx, func(tx *store.Tx) error {
		explain := "EXPLAIN QUERY PLAN "
		if db.Dialect() == store.Postgres {
			explain = "EXPLAIN "
			if _, err := tx.ExecContext(ctx, `SET LOCAL enable_seqscan = off`); err != nil {
				return err
			}
		}
		rows, err := tx.QueryContext(ctx, explain+query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			// SQLite: id, parent, notused, detail; PostgreSQL: a line.
			var id, parent, unused int
			var line string
			dst := []any{&line}
			if db.Dialect() == store.SQLite {
				dst = []any{&id, &parent, &unused, &line}
			}
			if err := rows.Scan(dst...); err != nil {
				return err
			}
			lines = append(lines, line)
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}
