package roster

import (
	"context"
	"fmt"

	"wanhu/internal/audit"
	"wanhu/internal/calendar"
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

// IndexCap is where the index of the rosters stops counting for a scope
// bigger than a community's (household.SmallScope): a roster with more
// rows shows "more than IndexCap" there, and its total on its own page. A
// community's rosters (a few hundred people each) are counted in full;
// the city's hold a hundred thousand or more, and counting the eight of
// them read every person of a million households (over 20 s on SQLite;
// issue 15). The index is where one picks a roster; its own page counts
// it in full.
const IndexCap = 2000

// Counted is a built-in roster with how many rows it has today.
type Counted struct {
	Def
	// Count is the number of rows, or when AtLeast the cap it was counted
	// up to: the roster has more rows than Count.
	Count   int    `json:"count"`
	AtLeast bool   `json:"at_least"`
	Path    string `json:"path"`
}

// Counts returns the built-in rosters with their counts on day on: in
// full in a small scope (household.SmallScope), else each up to IndexCap.
func (s *Store) Counts(ctx context.Context, on calendar.Date) ([]Counted, error) {
	small, err := household.SmallScope(ctx, s.db, s.scope)
	if err != nil {
		return nil, err
	}
	if small {
		c := *s
		c.small = true
		return c.CountsUpTo(ctx, on, 0)
	}
	return s.CountsUpTo(ctx, on, IndexCap)
}

// CountsUpTo is Counts with the cap max (0: none): a roster with more
// rows than max is Counted as max, AtLeast. It reads up to max+1 rows of
// each roster, whatever the scope's size.
func (s *Store) CountsUpTo(ctx context.Context, on calendar.Date, max int) ([]Counted, error) {
	c, err := s.counting(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Counted, 0, len(Builtins))
	for _, d := range Builtins {
		n, more, err := c.countUpTo(ctx, Query{Def: d, On: on, AgeFrom: 60}, max)
		if err != nil {
			return nil, fmt.Errorf("roster %s: count: %w", d.Name, err)
		}
		out = append(out, Counted{Def: d, Count: n, AtLeast: more, Path: "/rosters/" + d.Name})
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
