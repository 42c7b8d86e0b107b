package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// bulkRows is how many rows one multi-row INSERT carries. Both engines
// accept far more placeholders than rows×columns here (SQLite 32,766,
// PostgreSQL 65,535); a few hundred rows per statement is where the cost per
// row stops falling.
const bulkRows = 256

// Inserter buffers rows of one table and writes them with a prepared
// multi-row INSERT, so a million rows cost a few thousand statements. It is
// for bulk loads (internal/gen, household.SyncBatch) that assign the ids
// themselves (Tx.NextIDs).

type Inserter struct {
	ctx   context.Context
	tx    *Tx
	table string
	cols  []string
	stmt  *sql.Stmt // bulkRows rows, prepared on first use (Tx.Prepared)
	buf   []any
	rows  int
}

// NewInserter returns an inserter of rows of cols into table in tx.
func NewInserter(ctx context.Context, tx *Tx, table string, cols ...string) *Inserter {
	return &Inserter{ctx: ctx, tx: tx, table: table, cols: cols, buf: make([]any, 0, bulkRows*len(cols))}
}

// insertSQL is the INSERT of n rows.
func (in *Inserter) insertSQL(n int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO " + in.table + "(" + strings.Join(in.cols, ", ") + ") VALUES ")
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(in.cols)), ", ") + ")"
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	return b.String()
}

// Add buffers one row; its values follow the columns given to NewInserter.
func (in *Inserter) Add(vals ...any) error {
	if len(vals) != len(in.cols) {
		return fmt.Errorf("insert into %s: %d values for %d columns", in.table, len(vals), len(in.cols))
	}
	in.buf = append(in.buf, vals...)
	in.rows++
	if in.rows < bulkRows {
		return nil
	}
	if in.stmt == nil {
		st, err := in.tx.Prepared(in.ctx, in.insertSQL(bulkRows))
		if err != nil {
			return fmt.Errorf("prepare insert into %s: %w", in.table, err)
		}
		in.stmt = st
	}
	if _, err := in.stmt.ExecContext(in.ctx, in.buf...); err != nil {
		return fmt.Errorf("insert into %s: %w", in.table, err)
	}
	in.buf, in.rows = in.buf[:0], 0
	return nil
}

// Flush writes the buffered rows.
func (in *Inserter) Flush() error {
	if in.rows == 0 {
		return nil
	}
	if _, err := in.tx.ExecContext(in.ctx, in.insertSQL(in.rows), in.buf...); err != nil {
		return fmt.Errorf("insert into %s: %w", in.table, err)
	}
	in.buf, in.rows = in.buf[:0], 0
	return nil
}

// NextIDs reserves n new ids of table (whose key is an integer column
// "id") for rows inserted with explicit ids. On PostgreSQL they come from
// the table's identity sequence, so other writers never get them; on
// SQLite they follow the largest id, which no one else can take while tx,
// a write transaction (BEGIN IMMEDIATE), holds the database's write lock.
// The ids are used before the transaction ends.
func (tx *Tx) NextIDs(ctx context.Context, table string, n int) ([]int64, error) {
	ids := make([]int64, 0, n)
	if n == 0 {
		return ids, nil
	}
	if tx.dialect == Postgres {
		rows, err := tx.QueryContext(ctx, `SELECT nextval(pg_get_serial_sequence('`+table+`', 'id')) FROM generate_series(1, ?)`, n)
		if err != nil {
			return nil, fmt.Errorf("ids of %s: %w", table, err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return nil, err
			}
			ids = append(ids, id)
		}
		return ids, rows.Err()
	}
	var last int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM `+table).Scan(&last); err != nil {
		return nil, fmt.Errorf("ids of %s: %w", table, err)
	}
	for i := range n {
		ids = append(ids, last+1+int64(i))
	}
	return ids, nil
}

// Bulk readies tx's connection, on SQLite, for a bulk load: a page cache
// of cacheMB megabytes, so the indexes being written stay in memory
// instead of spilling to the write-ahead log in the middle of the
// transaction. It returns the function that puts the cache back as it
// was, to call before tx ends; the pooled connection would otherwise keep
// a cache that size.
func (tx *Tx) Bulk(ctx context.Context, cacheMB int) (restore func() error, err error) {
	if tx.dialect != SQLite {
		return func() error { return nil }, nil
	}
	var cache int64
	if err := tx.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&cache); err != nil {
		return nil, err
	}
	set := func(n int64) error {
		_, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA cache_size = %d`, n))
		return err
	}
	if err := set(-int64(cacheMB) << 10); err != nil {
		return nil, err
	}
	return func() error { return set(cache) }, nil
}
