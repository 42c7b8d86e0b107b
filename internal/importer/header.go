package importer

import "strings"

// headerScan is how many rows at the top of a sheet may hold its header
// (title rows, blank rows, notes above it).
const headerScan = 30

// column is a column of a sheet: its header as read and the field it
// holds (Ignore for one not recognised or mapped to nothing).
type column struct {
	index int
	label string
	field Field
	known bool // recognised or mapped, even to nothing
	dup   bool // a second column of a field already held by an earlier one
}

// table is the header of a sheet: the columns and the row after it.
type table struct {
	sheet   string
	columns []column
	byField map[Field]int // field → index of its column
	rows    int           // header rows: 1, or 2 for a two-row header
	first   int           // number of the first row after the header
}

// has reports whether the sheet has a column of f.
func (t *table) has(f Field) bool {
	_, ok := t.byField[f]
	return ok
}

// detectHeader finds the header among the first rows of a sheet (rows[i]
// is row i+1): the row, or pair of rows, under which most fields are
// recognised, holding at least the name. A two-row header combines each
// upper cell with the one below it ("地址" over "小区", "楼栋", …); an
// upper cell left empty beside a group's title takes the title, as a
// merged cell would. A pair wins only when it recognises more than
// either of its rows alone.
func detectHeader(rows [][]string, m Mapping) (*table, bool) {
	return findHeader(rows, m.lookup, func(t *table) bool { return t.has(Name) })
}

// findHeader is detectHeader with the header cells read by lookup, and
// valid saying which tables may be the header (those holding the fields
// a sheet of the kind cannot do without).
func findHeader(rows [][]string, lookup func(string) (Field, bool), valid func(*table) bool) (*table, bool) {
	var best *table
	score := func(t *table) int {
		if t == nil || !valid(t) {
			return 0
		}
		return len(t.byField)
	}
	for r := range rows {
		one := makeTable(rows[r], nil, lookup)
		one.rows, one.first = 1, r+2
		cand := one
		if r+1 < len(rows) {
			two := makeTable(rows[r], rows[r+1], lookup)
			two.rows, two.first = 2, r+3
			below := makeTable(rows[r+1], nil, lookup)
			if score(two) > score(one) && score(two) > score(below) {
				cand = two
			}
		}
		if score(cand) >= 2 && score(cand) > score(best) {
			best = cand
		}
	}
	return best, best != nil
}

// makeTable reads the columns of a header of one row (lower nil) or two.
func makeTable(upper, lower []string, lookup func(string) (Field, bool)) *table {
	t := &table{byField: map[Field]int{}}
	n := max(len(upper), len(lower))
	group := ""
	for c := 0; c < n; c++ {
		u, l := cleanText(cell(upper, c)), cleanText(cell(lower, c))
		var cands []string
		label := u
		if lower != nil {
			switch {
			case u != "" && l != "":
				group = u
			case u != "":
				group = ""
			case l != "":
				u = group
			}
			switch {
			case u == l || u == "":
				label, cands = l, []string{l}
			case l == "":
				label, cands = u, []string{u}
			default:
				label, cands = u+"/"+l, []string{u + l, u + "/" + l, l, u}
			}
		} else {
			cands = []string{u}
		}
		col := column{index: c, label: label}
		for _, cand := range cands {
			if f, ok := lookup(cand); ok {
				col.field, col.known = f, true
				break
			}
		}
		if col.field != Ignore {
			if _, taken := t.byField[col.field]; taken {
				col.field, col.dup = Ignore, true
			} else {
				t.byField[col.field] = c
			}
		}
		if label != "" || col.known {
			t.columns = append(t.columns, col)
		}
	}
	return t
}

// cell returns row[c], or "" past its end.
func cell(row []string, c int) string {
	if c >= 0 && c < len(row) {
		return row[c]
	}
	return ""
}

// blank reports whether a row has no text at all.
func blank(row []string) bool {
	for _, c := range row {
		if strings.TrimSpace(cleanText(c)) != "" {
			return false
		}
	}
	return true
}
