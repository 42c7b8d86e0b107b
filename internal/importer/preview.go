package importer

import (
	"fmt"
	"regexp"
	"strings"

	"golang.org/x/text/width"

	"wanhu/internal/pii"
)

// Preview is the start of a file as Run reads it, for a person to check
// the columns before an import: each sheet's header, what each column is
// read as, and the first rows. ID and phone numbers are masked, and so is
// anything that looks like one in a column not recognised yet; health
// notes are hidden. A preview may be stored (internal/importjob): it
// holds nothing that is sealed at rest.
type Preview struct {
	Sheets   []PreviewSheet `json:"sheets"`
	Encoding string         `json:"encoding,omitempty"`
}

// PreviewSheet is one sheet of a Preview.
type PreviewSheet struct {
	Name string `json:"name"`
	// HeaderRow is the header's first row (from 1); 0 when no header was
	// found among the first rows, and the import skips the sheet.
	HeaderRow int             `json:"header_row"`
	Columns   []PreviewColumn `json:"columns"`
	// Rows are the first rows under the header, their cells in the order
	// of Columns; the first rows as they are in a sheet without a header.
	Rows []PreviewRow `json:"rows"`
}

// PreviewColumn is a column of a sheet and what it is read as.
type PreviewColumn struct {
	Letter string `json:"letter"`
	Header string `json:"header"`
	// Field is what the column holds; "" for a column not recognised (or
	// mapped to nothing).
	Field string `json:"field"`
	// Known says the header was recognised or mapped, even to nothing.
	Known bool `json:"known"`
	// Duplicate marks a second column of a field: it is not read.
	Duplicate bool `json:"duplicate,omitempty"`
}

// PreviewRow is a row of a sheet.
type PreviewRow struct {
	Row   int      `json:"row"`
	Cells []string `json:"cells"`
}

// ReadPreview reads the header and at most rows rows of each sheet of the
// file at path, with mapping m over the recognised headers. Its error
// says the file cannot be read at all (not a workbook, an old .xls).
func ReadPreview(path string, m Mapping, rows int) (*Preview, error) {
	src, err := openSource(path)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	p := &Preview{Sheets: []PreviewSheet{}, Encoding: src.encoding()}
	for _, name := range src.sheets() {
		s, err := previewSheet(src, name, m, rows)
		if err != nil {
			return nil, err
		}
		p.Sheets = append(p.Sheets, s)
	}
	return p, nil
}

// previewSheet reads the header and the first n rows of one sheet.
func previewSheet(src source, name string, m Mapping, n int) (PreviewSheet, error) {
	s := PreviewSheet{Name: name, Columns: []PreviewColumn{}, Rows: []PreviewRow{}}
	it, err := src.rows(name)
	if err != nil {
		return s, fmt.Errorf("sheet %s: %w", name, err)
	}
	defer it.close()
	var head [][]string
	for len(head) < headerScan+n {
		row, ok := it.next()
		if !ok {
			break
		}
		head = append(head, row)
	}
	if err := it.err(); err != nil {
		return s, fmt.Errorf("sheet %s: %w", name, err)
	}
	t, ok := detectHeader(head[:min(len(head), headerScan)], m)
	if !ok {
		for i, row := range head {
			if len(s.Rows) == n {
				break
			}
			if !blank(row) {
				s.Rows = append(s.Rows, PreviewRow{Row: i + 1, Cells: previewCells(row, nil)})
			}
		}
		return s, nil
	}
	s.HeaderRow = t.first - t.rows
	for _, c := range t.columns {
		s.Columns = append(s.Columns, PreviewColumn{Letter: strings.TrimSuffix(cellName(c.index, 1), "1"), Header: c.label,
			Field: string(c.field), Known: c.known, Duplicate: c.dup})
	}
	for i := t.first - 1; i < len(head) && len(s.Rows) < n; i++ {
		if !blank(head[i]) {
			s.Rows = append(s.Rows, PreviewRow{Row: i + 1, Cells: previewCells(head[i], t.columns)})
		}
	}
	return s, nil
}

// previewCells are the cells of row under cols (all of them for nil),
// masked as previewed.
func previewCells(row []string, cols []column) []string {
	if cols == nil {
		out := make([]string, len(row))
		for i, v := range row {
			out[i] = previewed(Ignore, v)
		}
		return out
	}
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = previewed(c.field, cell(row, c.index))
	}
	return out
}

// longNumber is a run of digits that may be an ID or phone number that
// pii.Redact does not take for one: a number Excel turned into
// 6.30105199001011E+17, or written with spaces.
var longNumber = regexp.MustCompile(`\d[\d. \-]{7,}\d(E\+\d+)?`)

// previewed is a cell as a preview shows it: ID and phone numbers masked
// as reports mask them, health notes hidden, and in other columns
// anything that looks like a number of either kind.
func previewed(f Field, v string) string {
	v = cleanText(v)
	switch f {
	case IDNumber, Phone, HouseholdPhone:
		return shown(f, width.Fold.String(v))
	case HealthNotes: // sealed at rest, shown only to who may reveal
		if v != "" {
			return "***"
		}
		return ""
	}
	v = pii.Redact(width.Fold.String(v))
	return longNumber.ReplaceAllStringFunc(v, func(s string) string {
		digits := 0
		for _, r := range s {
			if r >= '0' && r <= '9' {
				digits++
			}
		}
		if digits < 9 {
			return s
		}
		return s[:3] + strings.Repeat("*", len(s)-3)
	})
}

// Fields lists the fields a column may be mapped to, in the order the
// export writes them (the household's, then the person's), for a page's
// choice of a column's field.
func Fields() []Field {
	out := make([]Field, len(fields))
	for i, f := range fields {
		out[i] = f.field
	}
	return out
}
