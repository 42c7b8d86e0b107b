package store

import (
	"encoding/json"
	"fmt"
	"strings"
)

// A query can hand several values over as one column: a flat JSON array
// of them (SQLite's json_array, PostgreSQL's json_build_array). On SQLite
// every column the driver hands over costs about a microsecond of CPU
// (modernc.org/sqlite takes the connection's mutex for its name, its
// declared type and its value, and copies each into Go), so a row of 16
// or 30 columns costs more than the array of the same values and its
// decoding here (bench/README.md, "The household JSON (h2, stop 29)").

// JSONValue is one value of such an array: a string, the text of a
// number, or null.
type JSONValue struct {
	S    string
	Null bool
}

// JSONArray decodes a flat JSON array of n values (strings, numbers and
// nulls: what json_array makes of columns), faster than encoding/json.
func JSONArray(s string, n int) ([]JSONValue, error) {
	p := JSONParser{s: s}
	row, err := p.Array(n)
	if err != nil {
		return nil, err
	}
	return row, p.End()
}

// JSONParser reads flat JSON arrays of strings, numbers and nulls, and
// arrays of them (household lists: internal/household's jsonRows).
type JSONParser struct {
	s string
	i int
}

// NewJSONParser returns a parser of s.
func NewJSONParser(s string) *JSONParser { return &JSONParser{s: s} }

// Peek skips white space and returns the next byte (0 at the end).
func (p *JSONParser) Peek() byte {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\n' || p.s[p.i] == '\t' || p.s[p.i] == '\r') {
		p.i++
	}
	if p.i == len(p.s) {
		return 0
	}
	return p.s[p.i]
}

// Skip passes over the byte Peek returned.
func (p *JSONParser) Skip() { p.i++ }

// Want reads byte c, or fails.
func (p *JSONParser) Want(c byte) error {
	if p.Peek() != c {
		return fmt.Errorf("a list: want %q at %d of %q", c, p.i, p.s)
	}
	p.i++
	return nil
}

// End fails unless only white space is left.
func (p *JSONParser) End() error {
	if p.Peek() != 0 {
		return fmt.Errorf("a list: text after its end at %d of %q", p.i, p.s)
	}
	return nil
}

// Array reads an array of n values.
func (p *JSONParser) Array(n int) ([]JSONValue, error) {
	if err := p.Want('['); err != nil {
		return nil, err
	}
	row := make([]JSONValue, 0, n)
	for {
		v, err := p.Value()
		if err != nil {
			return nil, err
		}
		row = append(row, v)
		if p.Peek() == ',' {
			p.i++
			continue
		}
		if err := p.Want(']'); err != nil {
			return nil, err
		}
		break
	}
	if len(row) != n {
		return nil, fmt.Errorf("a list's row of %d values, want %d", len(row), n)
	}
	return row, nil
}

// Value reads a string, a number or null.
func (p *JSONParser) Value() (JSONValue, error) {
	switch c := p.Peek(); {
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
					return JSONValue{S: raw[1 : len(raw)-1]}, nil
				}
				var s string
				if err := json.Unmarshal([]byte(raw), &s); err != nil {
					return JSONValue{}, fmt.Errorf("a list's string %s: %w", raw, err)
				}
				return JSONValue{S: s}, nil
			}
		}
		return JSONValue{}, fmt.Errorf("a list: unterminated string in %q", p.s)
	case c == 'n' && strings.HasPrefix(p.s[p.i:], "null"):
		p.i += 4
		return JSONValue{Null: true}, nil
	case c == '-' || c >= '0' && c <= '9':
		start := p.i
		for p.i < len(p.s) && strings.IndexByte("+-.0123456789eE", p.s[p.i]) >= 0 {
			p.i++
		}
		return JSONValue{S: p.s[start:p.i]}, nil
	default:
		return JSONValue{}, fmt.Errorf("a list: unexpected %q at %d of %q", c, p.i, p.s)
	}
}
