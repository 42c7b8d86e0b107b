package web

import (
	"strings"
	"sync"

	"wanhu/internal/apperr"
	"wanhu/internal/importer"
)

// mapRow is one header of a file, in all the sheets that have it, with
// the field it is read as and the choice of another.
type mapRow struct {
	Index   int
	Header  string
	Sheets  string
	Known   bool
	Field   string // the field's name in the user's language, "" for none
	Options []Option
	Sample  string
}

// previewSheet is a sheet of the preview.
type previewSheet struct {
	Name      string
	HeaderRow int
	Columns   []previewColumn
	Rows      []importer.PreviewRow
}

// previewColumn is a column of a previewed sheet.
type previewColumn struct {
	Letter, Header, Field string
	Known                 bool
}

// maxProblems is how many problems the page lists; the highlighted copy
// has them all.
const maxProblems = 500

// reportView is a check's or an import's report.
type reportView struct {
	Households, Persons, Created, Updated, Unchanged, Errors int
	Applied, DryRun                                          bool
	Problems                                                 []problemView
	More                                                     int
	NewPlaces, Skipped                                       []string
	MovedOut                                                 []importer.Offer
}

// problemView is one problem of a report, in the user's language.
type problemView struct {
	Sheet, Column, Cell, Value, Message string
	Row                                 int
}

// fieldLabel is the name of an importer field in the user's language.
func fieldLabel(l *Locale, f string) string {
	if f == "" {
		return ""
	}
	return l.T("imports.field." + f)
}

// mapRows lists the headers of preview p once each, in order, with the
// field each is read as: the mapping m of the job where it names the
// header, else what the preview read.
func mapRows(l *Locale, p *importer.Preview, m importer.Mapping) []mapRow {
	var out []mapRow
	at := map[string]int{}
	for _, s := range p.Sheets {
		for ci, c := range s.Columns {
			if i, ok := at[c.Header]; ok {
				out[i].Sheets += "、" + s.Name
				continue
			}
			field, known := c.Field, c.Known
			if f, ok := m[c.Header]; ok {
				field, known = string(f), true
			}
			row := mapRow{Index: len(out), Header: c.Header, Sheets: s.Name, Known: known, Field: fieldLabel(l, field),
				Options: fieldOptions(l, field)}
			var samples []string
			for _, r := range s.Rows {
				if v := r.Cells[ci]; v != "" && len(samples) < 3 {
					samples = append(samples, v)
				}
			}
			row.Sample = strings.Join(samples, "、")
			at[c.Header] = len(out)
			out = append(out, row)
		}
	}
	return out
}

// fieldOptions is the choice of a column's field, cur chosen.
func fieldOptions(l *Locale, cur string) []Option {
	opts := []Option{{Value: "", Label: l.T("imports.field_none"), Selected: cur == ""}}
	for _, f := range importer.Fields() {
		opts = append(opts, Option{Value: string(f), Label: fieldLabel(l, string(f)), Selected: string(f) == cur})
	}
	return opts
}

// previewSheets shows the sheets of preview p.
func previewSheets(l *Locale, p *importer.Preview) []previewSheet {
	var out []previewSheet
	for _, s := range p.Sheets {
		v := previewSheet{Name: s.Name, HeaderRow: s.HeaderRow, Rows: s.Rows}
		for _, c := range s.Columns {
			v.Columns = append(v.Columns, previewColumn{Letter: c.Letter, Header: c.Header, Field: fieldLabel(l, c.Field), Known: c.Known})
		}
		out = append(out, v)
	}
	return out
}

// newReportView shows report rep, its problems in the user's language.
func newReportView(l *Locale, rep *importer.Report) *reportView {
	v := &reportView{Households: rep.Households, Persons: rep.Persons, Created: rep.Created, Updated: rep.Updated,
		Unchanged: rep.Unchanged, Errors: rep.ErrorsTotal, Applied: rep.Applied, DryRun: rep.DryRun,
		NewPlaces: rep.NewPlaces, Skipped: rep.SkippedSheets, MovedOut: rep.MovedOutOffered}
	for i, p := range rep.Errors {
		if i == maxProblems {
			break
		}
		v.Problems = append(v.Problems, problemView{Sheet: p.Sheet, Row: p.Row, Column: p.Column, Cell: p.Cell, Value: p.Value,
			Message: problemText(l, p)})
	}
	v.More = rep.ErrorsTotal - len(v.Problems)
	return v
}

// problemText says what is wrong in a problem of a report, in the
// user's language.
func problemText(l *Locale, p importer.Problem) string {
	return l.Err(&apperr.FieldError{Code: p.Code, Args: p.Args, Msg: p.Message})
}

// errCatalog is the catalogue ErrText reads, loaded once.
var errCatalog = sync.OnceValues(LoadCatalog)

// ErrText says what is wrong in fe in language lang (Chinese by
// default), for the API (server.Deps.ErrText).
func ErrText(lang string, fe *apperr.FieldError) string {
	cat, err := errCatalog()
	if err != nil {
		return fe.Msg
	}
	return cat.Locale(lang).Err(fe)
}
