package store

import (
	"context"
	"fmt"
	"slices"
)

// DropIndexes drops, on SQLite, the secondary indexes of tables except
// those named in keep, and returns the statements that create them again,
// exactly as the migrations defined them (CreateIndexes). A bulk load into
// empty tables runs many times faster so: building an index once from the
// loaded rows beats updating it row by row with random keys once it no
// longer fits in the page cache. In a transaction, a rollback puts the
// indexes back. On PostgreSQL it does nothing.
func DropIndexes(ctx context.Context, q Querier, tables []string, keep ...string) ([]string, error) {
	if q.Dialect() != SQLite {
		return nil, nil
	}
	var creates, names []string
	for _, t := range tables {
		rows, err := q.QueryContext(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name`, t)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var name, sql string
			if err := rows.Scan(&name, &sql); err != nil {
				rows.Close()
				return nil, err
			}
			if !slices.Contains(keep, name) {
				names, creates = append(names, name), append(creates, sql)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	for _, n := range names {
		if _, err := q.ExecContext(ctx, `DROP INDEX `+n); err != nil {
			return nil, fmt.Errorf("drop index %s: %w", n, err)
		}
	}
	return creates, nil
}

// CreateIndexes runs the statements DropIndexes returned.
func CreateIndexes(ctx context.Context, q Querier, creates []string) error {
	for _, c := range creates {
		if _, err := q.ExecContext(ctx, c); err != nil {
			return fmt.Errorf("%s: %w", c, err)
		}
	}
	return nil
}
