package household

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

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
type jsonValue struct {
	s    string
	null bool
}

// jsonRow is a row of a jsonList, its values in the order of its columns.
type jsonRow []jsonValue

// jsonRows decodes a jsonList whose rows have n values each. It reads
// only what jsonList makes (arrays of strings, numbers and nulls), faster
// than encoding/json decodes into structs (it showed in profiles).
func jsonRows(list string, n int) ([]jsonRow, error) {
	p := jsonParser{s: list}
	var out []jsonRow
	if err := p.want('['); err != nil {
		return nil, err
	}
	if p.peek() == ']' {
		p.i++
		return out, p.end()
	}
	for {
		if err := p.want('['); err != nil {
			return nil, err
		}
		row := make(jsonRow, 0, n)
		for {
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			row = append(row, v)
			if p.peek() == ',' {
				p.i++
				continue
			}
			if err := p.want(']'); err != nil {
				return nil, err
			}
			break
		}
		if len(row) != n {
			return nil, fmt.Errorf("a list's row of %d values, want %d", len(row), n)
		}
		out = append(out, row)
		if p.peek() == ',' {
			p.i++
			continue
		}
		if err := p.want(']'); err != nil {
			return nil, err
		}
		return out, p.end()
	}
}

type jsonParser struct {
	s string
	i int
}

// peek skips white space and returns the next byte (0 at the end).
func (p *jsonParser) peek() byte {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\n' || p.s[p.i] == '\t' || p.s[p.i] == '\r') {
		p.i++
	}
	if p.i == len(p.s) {
		return 0
	}
	return p.s[p.i]
}

func (p *jsonParser) want(c byte) error {
	if p.peek() != c {
		return fmt.Errorf("a list: want %q at %d of %q", c, p.i, p.s)
	}
	p.i++
	return nil
}

func (p *jsonParser) end() error {
	if p.peek() != 0 {
		return fmt.Errorf("a list: text after its end at %d of %q", p.i, p.s)
	}
	return nil
}

// value reads a string, a number or null.
func (p *jsonParser) value() (jsonValue, error) {
	switch c := p.peek(); {
	case c == '"':
		start, escaped := p.i, false
		for p.i++; p.i < len(p.s); p.i++ {
			switch p.s[p.i] {
			case '\\':
				escaped = true
				p.i++
			case '"':
				p.i++
				raw := p.s[start:p.i]
				if !escaped {
					return jsonValue{s: raw[1 : len(raw)-1]}, nil
				}
				var s string
				if err := json.Unmarshal([]byte(raw), &s); err != nil {
					return jsonValue{}, fmt.Errorf("a list's string %s: %w", raw, err)
				}
				return jsonValue{s: s}, nil
			}
		}
		return jsonValue{}, fmt.Errorf("a list: unterminated string in %q", p.s)
	case c == 'n' && strings.HasPrefix(p.s[p.i:], "null"):
		p.i += 4
		return jsonValue{null: true}, nil
	case c == '-' || c >= '0' && c <= '9':
		start := p.i
		for p.i < len(p.s) && strings.IndexByte("+-.0123456789eE", p.s[p.i]) >= 0 {
			p.i++
		}
		return jsonValue{s: p.s[start:p.i]}, nil
	default:
		return jsonValue{}, fmt.Errorf("a list: unexpected %q at %d of %q", c, p.i, p.s)
	}
}

// id is value i as an integer, for sorting rows by their ids (0 for
// null or anything else).
func (r jsonRow) id(i int) int64 {
	n, _ := strconv.ParseInt(r[i].s, 10, 64)
	return n
}

// str is value i as a string ("" for null).
func (r jsonRow) str(i int) string { return r[i].s }

// int64To sets *n to value i as an integer (0 for null).
func (r jsonRow) int64To(i int, n *int64) error {
	if r[i].null {
		*n = 0
		return nil
	}
	v, err := strconv.ParseInt(r[i].s, 10, 64)
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
	if r[i].null {
		return nil
	}
	return r[i].s
}
