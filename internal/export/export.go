// Package export writes tables for people who open them in Excel: real
// .xlsx files (streamed, so a 100,000-row roster does not sit in memory)
// with Chinese headers, a frozen header row and column widths, and CSV in
// UTF-8 with a byte-order mark so that Excel reads the Chinese correctly.
//
// What goes into a table (the scope, the masking by role) is the caller's
// business, and so is the audit entry of the download.
package export

import (
	"encoding/csv"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
)

// Format is the form of an answer: JSON, or a download.
type Format string

const (
	JSON Format = "json"
	CSV  Format = "csv"
	XLSX Format = "xlsx"
)

// Formats lists the formats, for ?format= errors.
var Formats = []string{string(JSON), string(CSV), string(XLSX)}

// xlsxType is the media type of an .xlsx file.
const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// FormatOf reads the format r asks for: ?format=json|csv|xlsx, or else an
// Accept header naming CSV or xlsx; JSON by default. An unknown ?format=
// is a field error on "format".
func FormatOf(r *http.Request) (Format, error) {
	switch f := r.URL.Query().Get("format"); f {
	case "":
	case string(JSON), string(CSV), string(XLSX):
		return Format(f), nil
	default:
		return "", apperr.Field("format", "one_of", "must be one of %v", Formats)
	}
	accept := r.Header.Get("Accept")
	switch {
	case strings.Contains(accept, xlsxType):
		return XLSX, nil
	case strings.Contains(accept, "text/csv"):
		return CSV, nil
	}
	return JSON, nil
}

// Column is a column of a table: its header and its width in Excel's
// character units (0 for 12; a Chinese character is about 2).
type Column struct {
	Header string
	Width  float64
}

// Writer writes the rows of one table. A cell is a string, an integer, a
// float, a bool, a time.Time (written as Beijing time), nil (empty) or a
// fmt.Stringer. Close finishes the file; nothing is complete before it.
type Writer interface {
	Row(cells ...any) error
	Close() error
}

// Download starts an attachment answer in format f (CSV or XLSX) named
// name-day.csv or name-day.xlsx, and returns the writer of its table.
// name may be Chinese: the header carries an ASCII fallback too.
func Download(w http.ResponseWriter, f Format, name, day string, cols []Column) (Writer, error) {
	file := name + "-" + day + "." + string(f)
	disposition := mime.FormatMediaType("attachment", map[string]string{"filename": file})
	if disposition == "" { // not ASCII: RFC 2231 is not accepted by every browser in filename
		disposition = mime.FormatMediaType("attachment", map[string]string{"filename*": file})
	}
	w.Header().Set("Content-Disposition", disposition)
	w.Header().Set("Cache-Control", "no-store")
	switch f {
	case CSV:
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		return NewCSV(w, cols)
	case XLSX:
		w.Header().Set("Content-Type", xlsxType)
		return NewXLSX(w, "Sheet1", cols)
	}
	return nil, fmt.Errorf("export: %q is not a download format", f)
}

// text writes a cell as CSV text.
func text(c any) string {
	switch c.(type) {
	case string, fmt.Stringer:
		return safe(Plain(c))
	}
	return Plain(c)
}

// Plain writes a cell as text, as the xlsx file shows it (CSV adds
// the formula guard).
func Plain(c any) string {
	switch v := c.(type) {
	case nil:
		return ""
	case string:
		return v
	case int:
		return strconv.Itoa(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		if v {
			return "是"
		}
		return "否"
	case time.Time:
		if v.IsZero() {
			return ""
		}
		return v.In(calendar.China).Format("2006-01-02 15:04")
	case fmt.Stringer:
		return v.String()
	}
	return fmt.Sprint(c)
}

// safe keeps a spreadsheet from reading text as a formula (CSV
// injection): text that starts with = + - @ or a tab gets a leading
// apostrophe, which Excel hides.
func safe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// csvWriter writes CSV in UTF-8 with a byte-order mark.
type csvWriter struct{ w *csv.Writer }

// NewCSV starts a CSV table on w: the byte-order mark and the header row.
func NewCSV(w io.Writer, cols []Column) (Writer, error) {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return nil, err
	}
	c := &csvWriter{csv.NewWriter(w)}
	head := make([]string, len(cols))
	for i, col := range cols {
		head[i] = col.Header
	}
	return c, c.w.Write(head)
}

func (c *csvWriter) Row(cells ...any) error {
	rec := make([]string, len(cells))
	for i, v := range cells {
		rec[i] = text(v)
	}
	return c.w.Write(rec)
}

func (c *csvWriter) Close() error {
	c.w.Flush()
	return c.w.Error()
}

// xlsxWriter streams one sheet of an .xlsx file.
type xlsxWriter struct {
	out io.Writer
	f   *excelize.File
	sw  *excelize.StreamWriter
	row int
}

// NewXLSX starts an .xlsx file of one sheet on w: widths, a bold header
// row that stays frozen when scrolling. The file is written by Close.
func NewXLSX(w io.Writer, sheet string, cols []Column) (Writer, error) {
	f := excelize.NewFile()
	if sheet != "Sheet1" {
		if err := f.SetSheetName("Sheet1", sheet); err != nil {
			return nil, err
		}
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return nil, err
	}
	x := &xlsxWriter{out: w, f: f, sw: sw, row: 1}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	for i, c := range cols {
		width := c.Width
		if width == 0 {
			width = 12
		}
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return nil, err
		}
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E8EEF4"}}})
	if err != nil {
		return nil, err
	}
	head := make([]any, len(cols))
	for i, c := range cols {
		head[i] = excelize.Cell{StyleID: bold, Value: c.Header}
	}
	return x, x.write(head)
}

func (x *xlsxWriter) write(cells []any) error {
	cell, err := excelize.CoordinatesToCellName(1, x.row)
	if err != nil {
		return err
	}
	x.row++
	return x.sw.SetRow(cell, cells)
}

func (x *xlsxWriter) Row(cells ...any) error {
	row := make([]any, len(cells))
	for i, c := range cells {
		switch v := c.(type) {
		case nil, int, int64, float64:
			row[i] = v
		case string:
			row[i] = v // a string cell is never read as a formula in xlsx
		default:
			// Times as Beijing wall-clock text: Excel has no time zones.
			row[i] = Plain(v)
		}
	}
	return x.write(row)
}

func (x *xlsxWriter) Close() error {
	defer x.f.Close()
	if err := x.sw.Flush(); err != nil {
		return err
	}
	_, err := x.f.WriteTo(x.out)
	return err
}
