package gen

import (
	"context"
	"database/sql"
	"slices"
	"strings"

	"wanhu/internal/store"
)

// bulkIndexThreshold is the size from which Generate drops the secondary
// indexes of the big tables on SQLite and builds them again at the end:
// building an index once from sorted data is many times faster than
// updating it row by row with random keys, once the indexes no longer fit
// in the page cache.
const bulkIndexThreshold = 50_000

// bulkTables are the tables whose secondary indexes are rebuilt.
var bulkTables = []string{"households", "persons", "person_tags", "household_tags", "needs", "plan_measures", "ledger_events", "visits"}

// analyzeThreshold is the size from which Generate, on PostgreSQL, also
// analyzes the tables not in bulkTables (org_units, buildings, compounds,
// ...). Without their statistics the planner takes them for a row or two
// (autovacuum may be off, or come later): it then joined the 315 grids of
// a scope as the outer side of a nested loop over a search's thousand
// households, reading each household 315 times (0.7 s instead of 12 ms
// for one count; seconds under load, on a city of 200,000 households).
var analyzeThreshold = bulkIndexThreshold

// analyzeOthers analyzes the tables of the database's schema that are not
// in bulkTables (those get VACUUM ANALYZE).
func analyzeOthers(ctx context.Context, db *store.DB) error {
	rows, err := db.QueryContext(ctx, `SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename`)
	if err != nil {
		return err
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return err
		}
		if !slices.Contains(bulkTables, t) {
			tables = append(tables, `"`+strings.ReplaceAll(t, `"`, `""`)+`"`)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(tables) == 0 {
		return err
	}
	_, err = db.ExecContext(ctx, `ANALYZE `+strings.Join(tables, ", "))
	return err
}

// dropIndexes drops the secondary indexes of bulkTables and returns the
// statements that create them again.
func dropIndexes(ctx context.Context, db *store.DB) ([]string, error) {
	return store.DropIndexes(ctx, db, bulkTables)
}

// createIndexes runs the statements dropIndexes returned, then ANALYZE so
// the planner knows the new data.
func createIndexes(ctx context.Context, db *store.DB, creates []string) error {
	conn, err := db.SQL().Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	for _, p := range []string{`PRAGMA cache_size = -524288`, `PRAGMA temp_store = MEMORY`, `PRAGMA analysis_limit = 1000`} {
		if _, err := conn.ExecContext(ctx, p); err != nil {
			return err
		}
	}
	if err := store.CreateIndexes(ctx, sqliteConn{conn}, creates); err != nil {
		return err
	}
	_, err = conn.ExecContext(ctx, `ANALYZE`)
	return err
}

// sqliteConn is a connection of a SQLite database as a store.Querier.
type sqliteConn struct{ *sql.Conn }

func (sqliteConn) Dialect() store.Dialect { return store.SQLite }
