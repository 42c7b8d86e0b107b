package importer

import (
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/xuri/excelize/v2"
)

// WriteReport writes to w an .xlsx copy of the imported file at path with
// the cell of each of rep's problems highlighted and a comment on it
// saying what is wrong, so the clerk fixes the cells in Excel and imports
// the file again. comment gives a problem's text in the clerk's language
// (nil: its English message). A CSV file becomes a workbook of one sheet.
func WriteReport(path string, rep *Report, comment func(Problem) string, w io.Writer) error {
	if comment == nil {
		comment = func(p Problem) string { return p.Message }
	}
	src, err := openSource(path)
	if err != nil {
		return err
	}
	src.Close()
	var f *excelize.File
	rename := map[string]string{}
	if x, ok := src.(*xlsxSource); ok {
		x.f.Close()
		if f, err = excelize.OpenFile(path); err != nil {
			return err
		}
	} else {
		f, rename, err = csvWorkbook(src.(*csvSource))
		if err != nil {
			return err
		}
	}
	defer f.Close()
	if err := mark(f, rep, rename, comment); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}

// csvWorkbook copies a CSV file into a new workbook.
func csvWorkbook(s *csvSource) (*excelize.File, map[string]string, error) {
	f := excelize.NewFile()
	name := sheetName(strings.TrimSuffix(s.name, filepath.Ext(s.name)))
	if err := f.SetSheetName("Sheet1", name); err != nil {
		return nil, nil, err
	}
	it, err := s.rows(s.name)
	if err != nil {
		return nil, nil, err
	}
	defer it.close()
	for n := 1; ; n++ {
		row, ok := it.next()
		if !ok {
			break
		}
		cells := make([]any, len(row))
		for i, c := range row {
			cells[i] = c
		}
		if err := f.SetSheetRow(name, cellName(0, n), &cells); err != nil {
			return nil, nil, err
		}
	}
	return f, map[string]string{s.name: name}, it.err()
}

var badSheetChars = regexp.MustCompile(`[\[\]:*?/\\]`)

// sheetName makes s a valid sheet name (at most 31 characters, none of
// []:*?/\).
func sheetName(s string) string {
	s = badSheetChars.ReplaceAllString(s, "_")
	if r := []rune(s); len(r) > 31 {
		s = string(r[:31])
	}
	if s == "" {
		s = "Sheet1"
	}
	return s
}

// mark highlights the cell of each problem and comments on it; the
// problems of one cell share one comment.
func mark(f *excelize.File, rep *Report, rename map[string]string, comment func(Problem) string) error {
	type key struct {
		sheet string
		cell  string
	}
	texts := map[key][]string{}
	var keys []key
	for _, p := range rep.Errors {
		cell := p.Cell
		if cell == "" {
			cell = cellName(0, max(p.Row, 1))
		}
		sheet := p.Sheet
		if s, ok := rename[sheet]; ok {
			sheet = s
		}
		k := key{sheet, cell}
		if _, seen := texts[k]; !seen {
			keys = append(keys, k)
		}
		texts[k] = append(texts[k], comment(p))
	}
	sort.Slice(keys, func(i, j int) bool {
		return keys[i].sheet < keys[j].sheet || keys[i].sheet == keys[j].sheet && keys[i].cell < keys[j].cell
	})
	styles := map[int]int{}
	for _, k := range keys {
		old, err := f.GetCellStyle(k.sheet, k.cell)
		if err != nil {
			return fmt.Errorf("report: %s!%s: %w", k.sheet, k.cell, err)
		}
		id, ok := styles[old]
		if !ok {
			if id, err = highlighted(f, old); err != nil {
				return err
			}
			styles[old] = id
		}
		if err := f.SetCellStyle(k.sheet, k.cell, k.cell, id); err != nil {
			return err
		}
		text := strings.Join(texts[k], "\n")
		if err := f.AddComment(k.sheet, excelize.Comment{Cell: k.cell, Author: "万户", Text: text, Width: 300, Height: 80}); err != nil {
			return fmt.Errorf("report: comment on %s!%s: %w", k.sheet, k.cell, err)
		}
	}
	return nil
}

// highlighted returns a style like style id old (its number format and
// font kept) with a light red fill and a red border.
func highlighted(f *excelize.File, old int) (int, error) {
	s, err := f.GetStyle(old)
	if err != nil || s == nil {
		s = &excelize.Style{}
	}
	s.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFC7CE"}}
	s.Border = []excelize.Border{{Type: "left", Color: "C00000", Style: 2}, {Type: "right", Color: "C00000", Style: 2},
		{Type: "top", Color: "C00000", Style: 2}, {Type: "bottom", Color: "C00000", Style: 2}}
	return f.NewStyle(s)
}
