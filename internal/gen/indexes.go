package gen

import (
	"context"
	"fmt"

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

// dropIndexes drops the secondary indexes of bulkTables and returns the
// statements that create them again, exactly as the migrations defined them.
func dropIndexes(ctx context.Context, db *store.DB) ([]string, error) {
	var creates, names []string
	for _, t := range bulkTables {
		rows, err := db.QueryContext(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name`, t)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var name, sql string
			if err := rows.Scan(&name, &sql); err != nil {
				rows.Close()
				return nil, err
			}
			names, creates = append(names, name), append(creates, sql)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	for _, n := range names {
		if _, err := db.ExecContext(ctx, `DROP INDEX `+n); err != nil {
			return nil, fmt.Errorf("drop index %s: %w", n, err)
		}
	}
	return creates, nil
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
	for _, c := range creates {
		if _, err := conn.ExecContext(ctx, c); err != nil {
			return fmt.Errorf("%s: %w", c, err)
		}
	}
	_, err = conn.ExecContext(ctx, `ANALYZE`)
	return err
}
