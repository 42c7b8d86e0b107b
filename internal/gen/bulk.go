package gen

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"wanhu/internal/store"
)

// bulkRows is how many rows one multi-row INSERT carries. Both engines
// accept far more placeholders than rows×columns here (SQLite 32,766,
// PostgreSQL 65,535); a few hundred rows per statement is where the cost per
// row stops falling.
const bulkRows = 256

// inserter buffers rows of one table and writes them with a prepared
// multi-row INSERT, so a million rows cost a few thousand statements.
type inserter struct {
	ctx   context.Context
	tx    *store.Tx
	table string
	cols  []string
	stmt  *sql.Stmt // bulkRows rows, prepared on first use
	buf   []any
	rows  int
	total int
}

func newInserter(ctx context.Context, tx *store.Tx, table string, cols ...string) *inserter {
	return &inserter{ctx: ctx, tx: tx, table: table, cols: cols, buf: make([]any, 0, bulkRows*len(cols))}
}

// insertSQL is the INSERT of n rows.
func (in *inserter) insertSQL(n int) string {
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

// add buffers one row; its values follow the columns given to newInserter.
func (in *inserter) add(vals ...any) error {
	if len(vals) != len(in.cols) {
		return fmt.Errorf("insert into %s: %d values for %d columns", in.table, len(vals), len(in.cols))
	}
	in.buf = append(in.buf, vals...)
	in.rows++
	in.total++
	if in.rows < bulkRows {
		return nil
	}
	if in.stmt == nil {
		st, err := in.tx.Prepare(in.ctx, in.insertSQL(bulkRows))
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

// flush writes the buffered rows and releases the prepared statement.
func (in *inserter) flush() error {
	if in.stmt != nil {
		defer in.stmt.Close()
	}
	if in.rows == 0 {
		return nil
	}
	if _, err := in.tx.ExecContext(in.ctx, in.insertSQL(in.rows), in.buf...); err != nil {
		return fmt.Errorf("insert into %s: %w", in.table, err)
	}
	in.buf, in.rows = in.buf[:0], 0
	return nil
}

// nullID stores a zero id as NULL.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
