package importer

import (
	"context"
	"fmt"
	"hash/maphash"
	"strings"

	"wanhu/internal/pii"
)

// record is one person's row.
type record struct {
	t     *table
	row   int
	cells []string
}

// raw returns the cell of f's column on the row ("" without one).
func (rec *record) raw(f Field) string {
	i, ok := rec.t.byField[f]
	if !ok {
		return ""
	}
	return cell(rec.cells, i)
}

// group is the rows of one household.
type group struct {
	key     string
	rows    []*record
	members []*record // the rows that name a person
}

// sheet reads one sheet: its header, then its rows, household by
// household.
func (r *run) sheet(ctx context.Context, name string) error {
	it, err := r.src.rows(name)
	if err != nil {
		return fmt.Errorf("sheet %s: %w", name, err)
	}
	defer it.close()
	var head [][]string
	for len(head) < headerScan {
		row, ok := it.next()
		if !ok {
			break
		}
		head = append(head, row)
	}
	t, ok := detectHeader(head, r.mapping)
	if !ok {
		for _, row := range head {
			if !blank(row) {
				r.rep.SkippedSheets = append(r.rep.SkippedSheets, name)
				break
			}
		}
		return it.err()
	}
	t.sheet = name
	for _, c := range t.columns {
		r.rep.Columns = append(r.rep.Columns, Column{Sheet: name, Header: c.label, Field: string(c.field)})
	}
	for i := t.first - 1; i < len(head); i++ {
		if err := r.row(ctx, t, i+1, head[i]); err != nil {
			return err
		}
	}
	for n := len(head) + 1; ; n++ {
		row, ok := it.next()
		if !ok {
			break
		}
		if err := r.row(ctx, t, n, row); err != nil {
			return err
		}
	}
	if err := it.err(); err != nil {
		return fmt.Errorf("sheet %s: %w", name, err)
	}
	if err := r.flush(ctx); err != nil {
		return err
	}
	if err := r.applyBatch(ctx); err != nil {
		return err
	}
	r.suspects()
	return nil
}

// suspects reports, in a sheet where Excel turned ID numbers into numbers
// and lost their last digits, the other numbers of the sheet that end in
// 000 too: their check digit holds, as it does for one in eleven numbers
// cut so, and they cannot be told from a true number ending in 000. In a
// sheet without such numbers they are taken as they are.
func (r *run) suspects() {
	if r.lost {
		for _, rec := range r.zeros {
			r.cellError(rec, IDNumber, errDigitsLost)
		}
	}
	r.zeros, r.lost = nil, false
}

// row takes row n of a sheet: a person of the current household, or the
// first of the next one.
func (r *run) row(ctx context.Context, t *table, n int, cells []string) error {
	if blank(cells) {
		return nil
	}
	rec := &record{t: t, row: n, cells: cells}
	if rec.nobody() && rec.filled() <= 1 {
		return nil // a note or signature under the table
	}
	r.progress()
	key, cont := r.key(rec)
	if cont && r.cur != nil {
		r.cur.rows = append(r.cur.rows, rec)
		return nil
	}
	if r.cur != nil && key == r.cur.key {
		r.cur.rows = append(r.cur.rows, rec)
		return nil
	}
	if err := r.flush(ctx); err != nil {
		return err
	}
	r.cur = &group{key: key, rows: []*record{rec}}
	return nil
}

// nobody reports whether the row names no person: a household without
// members (a vacant flat, a shop), or a note under the table.
func (rec *record) nobody() bool {
	return cleanText(rec.raw(Name)) == "" && cleanText(rec.raw(IDNumber)) == ""
}

// filled counts the cells of known columns that hold text.
func (rec *record) filled() int {
	n := 0
	for _, i := range rec.t.byField {
		if cleanText(cell(rec.cells, i)) != "" {
			n++
		}
	}
	return n
}

// index returns the column of f, or -1.
func (t *table) index(f Field) int {
	if i, ok := t.byField[f]; ok {
		return i
	}
	return -1
}

// key returns the household a row belongs to: its household number, or
// else its address. cont says the row names none (a member under the
// row of its household, the household cells left empty or merged).
func (r *run) key(rec *record) (key string, cont bool) {
	if rec.t.has(HouseholdNo) {
		v := cleanCode(rec.raw(HouseholdNo))
		return rec.t.sheet + "\x00" + v, v == ""
	}
	own := cleanCode(rec.raw(Room)) + cleanCode(rec.raw(Address)) + cleanCode(cell(rec.cells, rec.t.index(Unit)))
	var parts []string
	for _, f := range []Field{Community, Grid, Compound, Building, Unit, Room, Address} {
		parts = append(parts, strings.ReplaceAll(cleanCode(rec.raw(f)), " ", ""))
	}
	if !rec.t.has(Building) && !rec.t.has(Address) {
		parts = append(parts, rec.t.sheet)
	}
	return "\x01" + strings.Join(parts, "\x00"), own == ""
}

// flush applies the household whose rows have all been read.
func (r *run) flush(ctx context.Context) error {
	g := r.cur
	r.cur = nil
	if g == nil {
		return nil
	}
	h := r.hash(g.key)
	if r.closed[h] {
		first := g.rows[0]
		r.problem(r.at(first, []Field{HouseholdNo, Room, Address}, "household_split",
			"the rows of this household are not together: keep each household's rows one under the other"))
		r.rep.Households++
		return nil
	}
	r.closed[h] = true
	return r.apply(ctx, g)
}

func (r *run) hash(s string) uint64 { return maphash.String(r.seed, s) }

// at returns a problem on rec in the column of the first of fields the
// sheet has, with the cell's value (masked for ID and phone numbers).
func (r *run) at(rec *record, fields []Field, code, msg string, args ...any) Problem {
	p := Problem{Sheet: rec.t.sheet, Row: rec.row, Code: code, Message: msg, Args: args, col: -1}
	for _, f := range fields {
		if i, ok := rec.t.byField[f]; ok {
			p.col, p.Column, p.Value = i, rec.t.label(i), shown(f, cleanText(rec.raw(f)))
			p.Cell = cellName(i, rec.row)
			break
		}
	}
	return p
}

// label returns the header of column i.
func (t *table) label(i int) string {
	for _, c := range t.columns {
		if c.index == i {
			return c.label
		}
	}
	return ""
}

// shown is a cell's value as a report shows it: ID and phone numbers
// masked.
func shown(f Field, v string) string {
	switch f {
	case IDNumber:
		return pii.MaskIDNumber(v)
	case Phone, HouseholdPhone:
		return pii.MaskPhone(v)
	}
	return v
}

// cellName is the name of the cell of column i (0-based) in row n ("C5").
func cellName(i, n int) string {
	col := ""
	for i++; i > 0; i = (i - 1) / 26 {
		col = string(rune('A'+(i-1)%26)) + col
	}
	return fmt.Sprintf("%s%d", col, n)
}
