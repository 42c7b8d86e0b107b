package web

import (
	"fmt"
	"net/http"

	"wanhu/internal/access"
	"wanhu/internal/audit"
	"wanhu/internal/export"
)

// statsColumns are the columns of a statistics download: one figure a row,
// named by its table, row and column, so that every table of a page fits
// one sheet and a pivot table can rebuild them.
var statsColumns = []export.Column{{Header: "表", Width: 24}, {Header: "项目", Width: 28}, {Header: "指标", Width: 16}, {Header: "数值", Width: 12}}

// statsDownload answers ?format=csv or xlsx with the tables of v, and
// reports whether it did: false for the page itself (no format, or json).
// It needs access.Export and writes the audit entry before the file.
func (h *handler) statsDownload(w http.ResponseWriter, r *http.Request, v *statsView) bool {
	f, err := export.FormatOf(r)
	if err == nil && f == export.JSON {
		return false
	}
	if err != nil {
		h.showError(w, r, err)
		return true
	}
	if !can(r, access.Export) {
		h.forbidden(w, r)
		return true
	}
	rows := 0
	for _, t := range v.Tables {
		for _, row := range t.Rows {
			for _, c := range row.Cells {
				if c.Text != "" {
					rows++
				}
			}
		}
	}
	if err := h.auditing().Export(w, r, audit.Download{Object: "stats:" + v.Section, Detail: fmt.Sprintf("%s %d rows %s", f, rows, r.URL.RawQuery),
		Format: f, Name: "统计-" + v.Title, ASCIIName: "stats-" + v.Section, Day: h.currentDay().String(), Columns: statsColumns,
		Write: func(out export.Writer) error { return writeStatTables(out, v.Tables) }}); err != nil {
		h.showError(w, r, err)
	}
	return true
}

// writeStatTables writes every figure of tables as a row.
func writeStatTables(out export.Writer, tables []statTable) error {
	for _, t := range tables {
		for _, row := range t.Rows {
			for i, c := range row.Cells {
				if c.Text == "" {
					continue // a blank cell of the page
				}
				head := ""
				if i < len(t.Head) {
					head = t.Head[i]
				}
				if err := out.Row(t.Title, row.Label, head, c.Value); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
