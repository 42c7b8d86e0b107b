// Package export writes tables for people who open them in Excel: real
// .xlsx files (streamed, so a 100,000-row roster does not sit in memory)
// with Chinese headers, a frozen header row and column widths, and CSV in
// UTF-8 with a byte-order mark so that Excel reads the Chinese correctly.
//
// What goes into a table (the scope, the masking by role) is the caller's
// business, and so is the audit entry of the download.
package export

import (
	"bufio"
	"encoding/binary"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

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
		return "", apperr.Field("format", "one_of", "must be one of %s", strings.Join(Formats, ", "))
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
// name-day.csv or name-day.xlsx, and returns the writer of its table; an
// xlsx file's sheet is named name too. name is in the office's language
// (四点半课堂名单): the header gives it as RFC 5987's filename*, and
// ascii-day.csv (roster-four_thirty; "download" when ascii is empty) as
// the plain filename, for clients that do not read filename*.
func Download(w http.ResponseWriter, f Format, name, ascii, day string, cols []Column) (Writer, error) {
	if f != CSV && f != XLSX {
		return nil, fmt.Errorf("export: %q is not a download format", f)
	}
	ext := "-" + day + "." + string(f)
	if ascii == "" {
		ascii = "download"
	}
	w.Header().Set("Content-Disposition", Disposition(FileName(name)+ext, ascii+ext))
	w.Header().Set("Cache-Control", "no-store")
	if f == CSV {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		return NewCSV(w, cols)
	}
	w.Header().Set("Content-Type", xlsxType)
	return NewXLSX(w, name, cols)
}

// Disposition is the Content-Disposition of an attachment named name,
// with fallback as the plain filename for clients that do not read RFC
// 5987 (6266) filename*, as in
//
//	attachment; filename="roster-four_thirty-2026-12-05.xlsx"; filename*=UTF-8''%E5%9B%9B…xlsx
//
// The fallback keeps printable ASCII only; an empty one is "download".
func Disposition(name, fallback string) string {
	var plain strings.Builder
	for _, r := range fallback {
		if r >= 0x20 && r < 0x7f && r != '"' && r != '\\' {
			plain.WriteRune(r)
		}
	}
	if plain.Len() == 0 || strings.HasPrefix(plain.String(), ".") {
		plain.Reset()
		plain.WriteString("download")
	}
	return `attachment; filename="` + plain.String() + `"; filename*=UTF-8''` + rfc5987(name)
}

// rfc5987 percent-encodes s as an RFC 5987 value: every byte but
// attr-char.
func rfc5987(s string) string {
	const attrChar = "!#$&+-.^_`|~"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(attrChar, c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// FileName makes name fit a file's name on every system: a slash (低保/低保
// 边缘) becomes 、, the other characters Windows refuses and control
// characters become _.
func FileName(name string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '/' || r == '\\':
			return '、'
		case r < 0x20 || r == 0x7f || strings.ContainsRune(`:*?"<>|`, r):
			return '_'
		}
		return r
	}, name)
}

// SheetName makes name fit an xlsx sheet's name: without the characters
// Excel refuses (: \ / ? * [ ]), without apostrophes at either end, at most
// 31 characters; "Sheet1" when nothing is left.
func SheetName(name string) string {
	name = strings.Map(func(r rune) rune {
		switch {
		case r == '/' || r == '\\':
			return '、'
		case r < 0x20 || strings.ContainsRune(`:?*[]`, r):
			return '_'
		}
		return r
	}, name)
	name = strings.Trim(name, "'")
	if utf8.RuneCountInString(name) > 31 {
		name = string([]rune(name)[:31])
	}
	if strings.TrimSpace(name) == "" {
		return "Sheet1"
	}
	return name
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

// xlsxWriter streams one sheet of an .xlsx file. The sheet's dimension
// (its used range, <dimension ref="A1:I38">) comes before its rows in the
// file, and readers such as openpyxl's read-only mode trust it, so the rows
// are spooled to a temporary file as they come and handed to excelize's
// stream writer by Close, when the extent is known. Memory stays flat
// however many rows there are, as excelize spools its part too. The spool
// is unlinked as soon as it is made, so it vanishes with its descriptor
// even when a writer is dropped without Close after an error.
type xlsxWriter struct {
	out     io.Writer
	sheet   string
	cols    []Column
	spool   *os.File
	removed bool // the spool is unlinked already
	buf     *bufio.Writer
	rows    int // data rows spooled
	width   int // the most cells of a row, the header's included
	err     error
}

// NewXLSX starts an .xlsx file of one sheet named sheet (see SheetName) on
// w: widths, a bold header row that stays frozen when scrolling. The file
// is written by Close.
func NewXLSX(w io.Writer, sheet string, cols []Column) (Writer, error) {
	f, err := os.CreateTemp("", "wanhu-xlsx-*")
	if err != nil {
		return nil, err
	}
	removed := os.Remove(f.Name()) == nil // an open file stays readable
	return &xlsxWriter{out: w, sheet: SheetName(sheet), cols: cols, spool: f, removed: removed, buf: bufio.NewWriter(f),
		width: max(len(cols), 1)}, nil
}

// The kinds of cell in the spool.
const (
	spoolNil byte = iota
	spoolInt
	spoolFloat
	spoolText
)

func (x *xlsxWriter) Row(cells ...any) error {
	if x.err != nil {
		return x.err
	}
	var b []byte
	b = binary.AppendUvarint(b, uint64(len(cells)))
	for _, c := range cells {
		switch v := c.(type) {
		case nil:
			b = append(b, spoolNil)
		case int:
			b = binary.AppendVarint(append(b, spoolInt), int64(v))
		case int64:
			b = binary.AppendVarint(append(b, spoolInt), v)
		case float64:
			b = binary.LittleEndian.AppendUint64(append(b, spoolFloat), math.Float64bits(v))
		default:
			// A string cell is never read as a formula in xlsx; times are
			// Beijing wall-clock text, as Excel has no time zones.
			t := Plain(v)
			b = binary.AppendUvarint(append(b, spoolText), uint64(len(t)))
			b = append(b, t...)
		}
	}
	if _, err := x.buf.Write(b); err != nil {
		x.err = err
		return err
	}
	x.rows++
	x.width = max(x.width, len(cells))
	return nil
}

// readRow reads back a row Row spooled.
func readRow(r *bufio.Reader) ([]any, error) {
	n, err := binary.ReadUvarint(r)
	if err != nil {
		return nil, err
	}
	row := make([]any, n)
	for i := range row {
		kind, err := r.ReadByte()
		if err != nil {
			return nil, err
		}
		switch kind {
		case spoolNil:
		case spoolInt:
			v, err := binary.ReadVarint(r)
			if err != nil {
				return nil, err
			}
			row[i] = v
		case spoolFloat:
			var b [8]byte
			if _, err := io.ReadFull(r, b[:]); err != nil {
				return nil, err
			}
			row[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[:]))
		case spoolText:
			l, err := binary.ReadUvarint(r)
			if err != nil {
				return nil, err
			}
			b := make([]byte, l)
			if _, err := io.ReadFull(r, b); err != nil {
				return nil, err
			}
			row[i] = string(b)
		default:
			return nil, fmt.Errorf("export: spooled cell of unknown kind %d", kind)
		}
	}
	return row, nil
}

// Close writes the file: the sheet with its real dimension, the header
// and the spooled rows. It closes the spool.
func (x *xlsxWriter) Close() error {
	if !x.removed {
		defer os.Remove(x.spool.Name())
	}
	defer x.spool.Close()
	if x.err != nil {
		return x.err
	}
	if err := x.buf.Flush(); err != nil {
		return err
	}
	if _, err := x.spool.Seek(0, io.SeekStart); err != nil {
		return err
	}
	f := excelize.NewFile()
	defer f.Close()
	if x.sheet != "Sheet1" {
		if err := f.SetSheetName("Sheet1", x.sheet); err != nil {
			return err
		}
	}
	last, err := excelize.CoordinatesToCellName(x.width, x.rows+1)
	if err != nil {
		return err
	}
	if err := f.SetSheetDimension(x.sheet, "A1:"+last); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(x.sheet)
	if err != nil {
		return err
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	for i, c := range x.cols {
		width := c.Width
		if width == 0 {
			width = 12
		}
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return err
		}
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E8EEF4"}}})
	if err != nil {
		return err
	}
	head := make([]any, len(x.cols))
	for i, c := range x.cols {
		head[i] = excelize.Cell{StyleID: bold, Value: c.Header}
	}
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	r := bufio.NewReader(x.spool)
	for n := 2; n <= x.rows+1; n++ {
		row, err := readRow(r)
		if err != nil {
			return err
		}
		cell, err := excelize.CoordinatesToCellName(1, n)
		if err != nil {
			return err
		}
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	_, err = f.WriteTo(x.out)
	return err
}
