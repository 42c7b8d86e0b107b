package roster

import (
	"context"

	"wanhu/internal/export"
	"wanhu/internal/household"
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
func (s *Store) Counts(ctx context.Context, on household.Date) ([]Counted, error) {
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

// FileName is the name of roster d's downloads, before the day and the
// extension: roster-four_thirty.
func (d Def) FileName() string { return "roster-" + d.Name }
