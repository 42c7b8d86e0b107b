package store

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
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
	return JSONArrayInto(make([]JSONValue, 0, n), s, n)
}

// JSONArrayInto is JSONArray appending the values to buf: with an array
// of the caller's as buf (var a [n]JSONValue; JSONArrayInto(a[:0], …)),
// a row read and used in one function allocates nothing of its own (a
// household's row of 30 values took 720 bytes at every read; issue 15).
func JSONArrayInto(buf []JSONValue, s string, n int) ([]JSONValue, error) {
	p := JSONParser{s: s}
	row, err := p.appendArray(buf, n)
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
	return p.appendArray(make([]JSONValue, 0, n), n)
}

// appendArray reads an array of n values, appended to row (empty).
func (p *JSONParser) appendArray(row []JSONValue, n int) ([]JSONValue, error) {
	if err := p.Want('['); err != nil {
		return nil, err
	}
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
				if s, ok := unquote(raw); ok {
					return JSONValue{S: s}, nil
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

// unquote decodes the JSON string raw (its quotes included) as
// encoding/json does, when raw is plain: valid UTF-8, no control
// character, escapes of one character or \uXXXX outside the surrogates.
// Otherwise it returns false and encoding/json decides (it replaces
// invalid UTF-8 and lone surrogates, and refuses control characters).
// A household's colour reasons, themselves JSON, come escaped in its
// row: encoding/json on each showed in profiles (issue 15).
func unquote(raw string) (string, bool) {
	body := raw[1 : len(raw)-1]
	if !utf8.ValidString(body) {
		return "", false
	}
	b := make([]byte, 0, len(body))
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c < 0x20 {
			return "", false
		}
		if c != '\\' {
			b = append(b, c)
			continue
		}
		if i++; i == len(body) {
			return "", false
		}
		switch body[i] {
		case '"', '\\', '/':
			b = append(b, body[i])
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			if i+4 >= len(body) {
				return "", false
			}
			r, err := strconv.ParseUint(body[i+1:i+5], 16, 32)
			if err != nil || utf16.IsSurrogate(rune(r)) {
				return "", false
			}
			b = utf8.AppendRune(b, rune(r))
			i += 4
		default:
			return "", false
		}
	}
	return string(b), true
}
