package gen

import (
	"context"
	"database/sql"

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
