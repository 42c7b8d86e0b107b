package household

import (
	"fmt"
	"strconv"

	"wanhu/internal/store"
)

// jsonList is a subquery of the rows of from (tables and condition) as a
// JSON array of arrays (one a row: the values of cols, comma-separated SQL
// expressions, in their order): a household file reads its short lists
// with its row, not in queries of their own (each query costs more than
// the little it reads). Timestamps come as the text the database keeps
// (SQLite) or writes (PostgreSQL); storedTime reads them. jsonRows
// decodes the list.
//
// The rows come in the order order on PostgreSQL only: on SQLite an
// aggregate's ORDER BY opens and closes a temporary B-tree at every run
// (a tenth of a household file's CPU in the profiles, stop 28), so each
// list's decoder sorts its rows in Go by the same keys, which order the
// rows totally (the last key is an id), and SQLite's order of the rows
// does not matter.
func jsonList(q store.Querier, cols, from, order string) string {
	if q.Dialect() == store.Postgres {
		return `(SELECT COALESCE(json_agg(json_build_array(` + cols + `) ORDER BY ` + order + `), '[]'::json)::text FROM ` + from + `)`
	}
	return `(SELECT json_group_array(json_array(` + cols + `)) FROM ` + from + `)`
}

// jsonValue is one value of a jsonList row: a string, the text of a
// number, or null.
type jsonValue = store.JSONValue

// jsonRow is a row of a jsonList, its values in the order of its columns.
type jsonRow []jsonValue

// jsonRows decodes a jsonList whose rows have n values each. It reads
// only what jsonList makes (arrays of strings, numbers and nulls), faster
// than encoding/json decodes into structs (it showed in profiles).
func jsonRows(list string, n int) ([]jsonRow, error) {
	p := store.NewJSONParser(list)
	var out []jsonRow
	if err := p.Want('['); err != nil {
		return nil, err
	}
	if p.Peek() == ']' {
		p.Skip()
		return out, p.End()
	}
	for {
		row, err := p.Array(n)
		if err != nil {
			return nil, err
		}
		out = append(out, row)
		if p.Peek() == ',' {
			p.Skip()
			continue
		}
		if err := p.Want(']'); err != nil {
			return nil, err
		}
		return out, p.End()
	}
}

// id is value i as an integer, for sorting rows by their ids (0 for
// null or anything else).
func (r jsonRow) id(i int) int64 {
	n, _ := strconv.ParseInt(r[i].S, 10, 64)
	return n
}

// str is value i as a string ("" for null).
func (r jsonRow) str(i int) string { return r[i].S }

// int64To sets *n to value i as an integer (0 for null).
func (r jsonRow) int64To(i int, n *int64) error {
	if r[i].Null {
		*n = 0
		return nil
	}
	v, err := strconv.ParseInt(r[i].S, 10, 64)
	if err != nil {
		return fmt.Errorf("a list's integer: %w", err)
	}
	*n = v
	return nil
}

// intTo sets *n to value i as an int (0 for null).
func (r jsonRow) intTo(i int, n *int) error {
	var v int64
	err := r.int64To(i, &v)
	*n = int(v)
	return err
}

// scan is value i as the database driver hands it to a sql.Scanner: nil
// for null, else its text.
func (r jsonRow) scan(i int) any {
	if r[i].Null {
		return nil
	}
	return r[i].S
}
