package importer

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
)

// A file is read as sheets of rows, streamed: never the whole file in
// memory. An .xlsx file goes through excelize's streaming row iterator,
// sheet by sheet; a CSV file is one sheet named after the file, in UTF-8
// (with or without a byte-order mark) or, as Chinese Excel saves it, GBK
// or GB18030, told apart by whether its bytes are valid UTF-8.

// source is an opened file.
type source interface {
	sheets() []string
	rows(sheet string) (rowIter, error)
	// progress is how much of the file has been read when rows rows
	// have, from 0 to 1 (0 when unknown).
	progress(rows int) float64
	// serial says numeric cells are raw numbers, so a date column may hold
	// Excel serials.
	serial() bool
	encoding() string
	Close() error
}

// rowIter gives the rows of one sheet; each next is the following row
// number (empty rows too, as empty slices).
type rowIter interface {
	next() ([]string, bool)
	err() error
	close() error
}

// openSource opens path as .xlsx (or .xlsm) or CSV, by its first bytes.
func openSource(path string) (source, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	head := make([]byte, 4)
	n, _ := io.ReadFull(f, head)
	f.Close()
	if n == 4 && bytes.Equal(head, []byte("PK\x03\x04")) {
		return openXLSX(path)
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".xlsx", ".xlsm":
		return nil, fmt.Errorf("%s is not an .xlsx workbook", filepath.Base(path))
	case ".xls":
		return nil, fmt.Errorf("%s is an old .xls workbook: save it as .xlsx (Excel: 另存为 → Excel 工作簿)", filepath.Base(path))
	}
	return openCSV(path)
}

// mergeLimit is the largest workbook whose merged cells are read: excelize
// reads them by loading a whole sheet, and a community's workbook of a few
// thousand households is far smaller. Larger files (a city's export) have
// a one-row header without merges; a merged header there is still read,
// as a two-row header's upper cells are carried over the columns below
// them (see detectHeader).
const mergeLimit = 8 << 20

type xlsxSource struct {
	f      *excelize.File
	merges bool
	rowsIn int // the rows of all sheets, from their dimensions
}

func openXLSX(path string) (*xlsxSource, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", filepath.Base(path), err)
	}
	x := &xlsxSource{f: f, merges: fi.Size() <= mergeLimit}
	x.rowsIn = x.total()
	return x, nil
}

func (x *xlsxSource) sheets() []string { return x.f.GetSheetList() }
func (x *xlsxSource) serial() bool     { return true }
func (x *xlsxSource) encoding() string { return "" }
func (x *xlsxSource) Close() error     { return x.f.Close() }

func (x *xlsxSource) progress(rows int) float64 {
	if x.rowsIn == 0 {
		return 0
	}
	return min(float64(rows)/float64(x.rowsIn), 1)
}

// total is how many rows the sheets have, as their dimensions say. A
// dimension of one cell ("A1") is an empty sheet's, or that of a sheet
// written by a program that leaves it so (excelize does): it counts for
// nothing, and a workbook of such sheets only has an unknown total (0).
func (x *xlsxSource) total() int {
	n := 0
	for _, s := range x.sheets() {
		ref, err := x.f.GetSheetDimension(s)
		if err != nil || !strings.Contains(ref, ":") {
			continue
		}
		last := ref[strings.LastIndex(ref, ":")+1:]
		if _, row, err := excelize.CellNameToCoordinates(last); err == nil {
			n += row
		}
	}
	return n
}

// xlsxRows iterates a sheet's rows with raw cell values (numbers as
// stored, not as formatted), each merged range's value in all its cells.
type xlsxRows struct {
	rows  *excelize.Rows
	row   int
	fills map[int][]fill
}

// fill is a merged range's value over columns from–to of a row.
type fill struct {
	from, to int
	value    string
}

func (x *xlsxSource) rows(sheet string) (rowIter, error) {
	rows, err := x.f.Rows(sheet)
	if err != nil {
		return nil, err
	}
	it := &xlsxRows{rows: rows, fills: map[int][]fill{}}
	if !x.merges {
		return it, nil
	}
	merged, err := x.f.GetMergeCells(sheet)
	if err != nil {
		rows.Close()
		return nil, err
	}
	for _, m := range merged {
		c1, r1, err1 := excelize.CellNameToCoordinates(m.GetStartAxis())
		c2, r2, err2 := excelize.CellNameToCoordinates(m.GetEndAxis())
		if err1 != nil || err2 != nil || m.GetCellValue() == "" {
			continue
		}
		for r := r1; r <= r2; r++ {
			it.fills[r] = append(it.fills[r], fill{c1 - 1, c2 - 1, m.GetCellValue()})
		}
	}
	return it, nil
}

func (it *xlsxRows) next() ([]string, bool) {
	if !it.rows.Next() {
		return nil, false
	}
	it.row++
	cells, err := it.rows.Columns(excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, false
	}
	for _, f := range it.fills[it.row] {
		for len(cells) <= f.to {
			cells = append(cells, "")
		}
		for c := f.from; c <= f.to; c++ {
			if cells[c] == "" {
				cells[c] = f.value
			}
		}
	}
	return cells, true
}

func (it *xlsxRows) err() error   { return it.rows.Error() }
func (it *xlsxRows) close() error { return it.rows.Close() }

// csvSource is a CSV file: one sheet named after it.
type csvSource struct {
	path, name, enc string
	size            int64
	sep             rune
	counted         *countingReader
}

func openCSV(path string) (*csvSource, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	head := make([]byte, 64<<10)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	s := &csvSource{path: path, name: filepath.Base(path), size: fi.Size(), enc: detectEncoding(head), sep: ','}
	line := head
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	if bytes.Count(line, []byte("\t")) > bytes.Count(line, []byte(",")) {
		s.sep = '\t'
	}
	return s, nil
}

// detectEncoding names the encoding of a file that begins with head:
// "utf-8" when it has a UTF-8 byte-order mark or its bytes are valid
// UTF-8 (a character cut at the end of head aside), else "gb18030", which
// reads GBK too.
func detectEncoding(head []byte) string {
	if bytes.HasPrefix(head, []byte("\xef\xbb\xbf")) {
		return "utf-8"
	}
	for cut := 0; cut < 4 && cut <= len(head); cut++ {
		if utf8.Valid(head[:len(head)-cut]) {
			return "utf-8"
		}
	}
	return "gb18030"
}

func (s *csvSource) sheets() []string { return []string{s.name} }
func (s *csvSource) serial() bool     { return false }
func (s *csvSource) encoding() string { return s.enc }
func (s *csvSource) Close() error     { return nil }

func (s *csvSource) rows(string) (rowIter, error) {
	f, err := os.Open(s.path)
	if err != nil {
		return nil, err
	}
	s.counted = &countingReader{r: f}
	var r io.Reader = bufio.NewReaderSize(s.counted, 256<<10)
	if s.enc == "gb18030" {
		r = transform.NewReader(r, simplifiedchinese.GB18030.NewDecoder())
	}
	cr := csv.NewReader(r)
	cr.Comma, cr.FieldsPerRecord, cr.LazyQuotes, cr.ReuseRecord = s.sep, -1, true, false
	return &csvRows{f: f, r: cr}, nil
}

// progress is how much of the file has been read, by its bytes.
func (s *csvSource) progress(int) float64 {
	if s.counted == nil || s.size == 0 {
		return 0
	}
	return min(float64(s.counted.n)/float64(s.size), 1)
}

type csvRows struct {
	f     *os.File
	r     *csv.Reader
	e     error
	first bool
}

func (it *csvRows) next() ([]string, bool) {
	rec, err := it.r.Read()
	if err == io.EOF {
		return nil, false
	}
	if err != nil {
		it.e = err
		return nil, false
	}
	if !it.first && len(rec) > 0 {
		rec[0] = strings.TrimPrefix(rec[0], "\ufeff")
		it.first = true
	}
	return rec, true
}

func (it *csvRows) err() error   { return it.e }
func (it *csvRows) close() error { return it.f.Close() }

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
