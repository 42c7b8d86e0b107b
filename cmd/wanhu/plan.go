package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/visit"
)

// runPlan is `wanhu plan week`: generate (and save, replacing any) the
// weekly visit plan of a grid, or of every grid, and print it.
func runPlan(ctx context.Context, args []string, out io.Writer) error {
	sub, args := subcommand(args)
	fs := newFlags("plan " + sub)
	dsn := fs.String("db", "", "database: a SQLite file path or a postgres:// URL")
	grid := fs.Int64("grid", 0, "grid id (as in GET /api/v1/grids); 0: every grid, printing a summary")
	week := fs.String("week", "", "ISO week, e.g. 2026-W49 (default: next week)")
	format := fs.String("format", "json", "output: json or csv")
	if err := parse(fs, args); err != nil {
		return err
	}
	if sub != "week" {
		return fmt.Errorf("usage: wanhu plan week --db … --grid N [--week YYYY-Www] [--format json|csv]")
	}
	w := visit.WeekOf(calendar.Today()).Next()
	if *week != "" {
		var err error
		if w, err = visit.ParseWeek("week", *week); err != nil {
			return fmt.Errorf("--week: %w", err)
		}
	}
	if *format != "json" && *format != "csv" {
		return fmt.Errorf("--format must be json or csv")
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	vs := visit.NewStore(db, household.NewStore(db))
	if *grid == 0 {
		return planAll(ctx, vs, db, w, out)
	}
	p, err := vs.GeneratePlan(ctx, "wanhu plan", *grid, w)
	if err != nil {
		return fmt.Errorf("grid %d: %w", *grid, err)
	}
	if *format == "csv" {
		return writePlanCSV(out, p)
	}
	return writeJSON(out, p)
}

// planAll generates every grid's plan for w and prints how many and how long.
func planAll(ctx context.Context, vs *visit.Store, db *store.DB, w visit.Week, out io.Writer) error {
	gs, err := org.Grids(ctx, db)
	if err != nil {
		return err
	}
	start, n, households := time.Now(), 0, 0
	for _, g := range gs {
		p, err := vs.GeneratePlan(ctx, "wanhu plan", g.ID, w)
		if err != nil {
			fmt.Fprintf(out, "grid %d %s: %v\n", g.ID, g.Name, err)
			continue
		}
		n, households = n+1, households+p.Total
	}
	fmt.Fprintf(out, "%d plans for %s, %d households, in %s\n", n, w, households, time.Since(start).Round(time.Millisecond))
	return nil
}

// writePlanCSV writes a plan one household a line, with a byte-order mark
// so Excel opens it; the columns are the JSON keys.
func writePlanCSV(out io.Writer, p *visit.Plan) error {
	io.WriteString(out, "\ufeff")
	w := csv.NewWriter(out)
	w.Write([]string{"grid", "week", "team_member_id", "user", "role", "position", "household_id", "colour", "priority", "reason", "address", "householder"})
	for _, v := range p.Visitors {
		for _, h := range v.Households {
			w.Write([]string{strconv.FormatInt(p.GridID, 10), p.Week, strconv.FormatInt(v.TeamMemberID, 10), v.User, string(v.Role),
				strconv.Itoa(h.Position), strconv.FormatInt(h.HouseholdID, 10), string(h.Colour), strconv.Itoa(h.Priority), h.Reason, h.Address, h.Householder})
		}
	}
	w.Flush()
	return w.Error()
}
