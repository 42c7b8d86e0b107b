package roster

import (
	"context"
	"fmt"

	"wanhu/internal/audit"
	"wanhu/internal/calendar"
	"wanhu/internal/export"
)

// Write writes every row of roster q to w, in the roster's columns
// labelled by l, and returns how many it wrote. Rows are read one at a
// time (see Each). It does not close w.
func (s *Store) Write(ctx context.Context, q Query, w export.Writer, l Labels) (int, error) {
	cols := q.Def.Columns()
	cells := make([]any, len(cols))
	n := 0
	err := s.Each(ctx, q, func(it *Item) error {
		for i, c := range cols {
			cells[i] = c.Cell(it, l)
		}
		n++
		return w.Row(cells...)
	})
	return n, err
}

// Counted is a built-in roster with how many rows it has today.
type Counted struct {
	Def
	Count int    `json:"count"`
	Path  string `json:"path"`
}

// Counts returns the built-in rosters with their counts on day on.
func (s *Store) Counts(ctx context.Context, on calendar.Date) ([]Counted, error) {
	out := make([]Counted, 0, len(Builtins))
	for _, d := range Builtins {
		n, err := s.Count(ctx, Query{Def: d, On: on, AgeFrom: 60})
		if err != nil {
			return nil, err
		}
		out = append(out, Counted{Def: d, Count: n, Path: "/rosters/" + d.Name})
	}
	return out, nil
}

// Download is the export of every row of roster q (n rows, counted
// before) in format f, labelled by l, on day: its file, its rows and its
// audit entry ("roster:four_thirty", "xlsx 37 rows age=60-").
func Download(ctx context.Context, s *Store, q Query, f export.Format, n int, l Labels, day calendar.Date) audit.Download {
	detail := fmt.Sprintf("%s %d rows", f, n)
	if v := q.Values().Encode(); v != "" {
		detail += " " + v
	}
	return audit.Download{Object: "roster:" + q.Def.Name, Detail: detail, Format: f,
		Name: q.Def.FileName(), ASCIIName: "roster-" + q.Def.Name, Day: day.String(),
		Columns: q.Def.ExportColumns(), Write: func(w export.Writer) error {
			_, err := s.Write(ctx, q, w, l)
			return err
		}}
}
