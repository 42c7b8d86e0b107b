package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"text/tabwriter"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/store"
	"wanhu/internal/visit"
)

// runVisit is `wanhu visit recompute`: every household's next due visit,
// recomputed from the visit policy (colours, tags and plans change; the
// server does it daily, see dailyJobs); `wanhu visit coverage`: the share of each grid's
// households visited this week, month, quarter and year; and `wanhu visit
// policy`: the visit policy as JSON, or set from a file.
func runVisit(ctx context.Context, args []string, out io.Writer) error {
	sub, args := subcommand(args)
	fs := newFlags("visit " + sub)
	dsn := fs.String("db", "", "database: a SQLite file path or a postgres:// URL")
	format := fs.String("format", "text", "coverage output: text, json or csv")
	set := fs.String("set", "", "policy: a JSON file with the new visit policy (as PUT /api/v1/visit-policy takes it)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if sub != "recompute" && sub != "coverage" && sub != "policy" {
		return fmt.Errorf("usage: wanhu visit recompute --db … (recomputes when each household is next due; wanhu serve does it daily, see --daily-at)\n" +
			"       wanhu visit coverage --db … [--format text|json|csv] (coverage by grid)\n" +
			"       wanhu visit policy --db … [--set FILE.json] (prints the visit policy, or sets it and recomputes the due dates)")
	}
	if sub == "coverage" && !slices.Contains([]string{"text", "json", "csv"}, *format) {
		return fmt.Errorf("--format must be text, json or csv")
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if sub == "coverage" {
		return writeCoverage(ctx, db, *format, out)
	}
	if sub == "policy" && *set == "" {
		p, err := visit.LoadPolicy(ctx, db)
		if err != nil {
			return err
		}
		return writeJSON(out, p)
	}
	var n int
	if sub == "policy" {
		n, err = setPolicy(ctx, db, *set)
	} else {
		n, err = visit.RecomputeDue(ctx, db, calendar.Today())
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%d households have a new due date\n", n)
	if sub == "recompute" {
		if n, err = visit.CloseMissed(ctx, db, time.Now()); err != nil {
			return err
		}
		fmt.Fprintf(out, "%d appointments passed without a visit: recorded as missed\n", n)
	}
	return nil
}

// setPolicy applies the visit policy of a JSON file, once it is valid and
// names only tags on the list, and returns how many households have a new
// due date.
func setPolicy(ctx context.Context, db *store.DB, file string) (int, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return 0, err
	}
	var p visit.Policy
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return 0, fmt.Errorf("%s: %w", file, err)
	}
	n, err := visit.ApplyPolicy(ctx, db, p, time.Now())
	if err != nil {
		return 0, fmt.Errorf("%s: %w", file, err)
	}
	return n, nil
}

// writeCoverage prints the coverage of every grid and their total: as
// JSON like GET /api/v1/visits/coverage, as CSV (with a byte-order mark,
// for Excel) or as a text table.
func writeCoverage(ctx context.Context, db *store.DB, format string, out io.Writer) error {
	cs, err := visit.NewStore(db, household.NewStore(db)).CoverageByGrid(ctx, 0)
	if err != nil {
		return err
	}
	total := visit.CoverageTotal(cs)
	if format == "json" {
		return writeJSON(out, map[string]any{"items": cs, "total": len(cs), "overall": total})
	}
	total.GridName = "total"
	rows := append(cs, total)
	id := func(c visit.GridCoverage) string { // none for the total
		if c.GridID == 0 {
			return ""
		}
		return strconv.FormatInt(c.GridID, 10)
	}
	if format == "csv" {
		io.WriteString(out, "\ufeff")
		w := csv.NewWriter(out)
		w.Write([]string{"grid", "grid_name", "households", "visited_week", "week", "visited_month", "month", "visited_quarter", "quarter", "visited_year", "year"})
		for _, c := range rows {
			w.Write([]string{id(c), c.GridName, strconv.Itoa(c.Households),
				strconv.Itoa(c.Visited.Week), fmt.Sprint(c.Week), strconv.Itoa(c.Visited.Month), fmt.Sprint(c.Month),
				strconv.Itoa(c.Visited.Quarter), fmt.Sprint(c.Quarter), strconv.Itoa(c.Visited.Year), fmt.Sprint(c.Year)})
		}
		w.Flush()
		return w.Error()
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "grid\thouseholds\tweek\tmonth\tquarter\tyear\t  name")
	cell := func(n int, share float64) string { return fmt.Sprintf("%d (%.1f%%)", n, share*100) }
	for _, c := range rows {
		// The name goes last: tabwriter counts a Chinese character as one column.
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t  %s\n", id(c), c.Households, cell(c.Visited.Week, c.Week),
			cell(c.Visited.Month, c.Month), cell(c.Visited.Quarter, c.Quarter), cell(c.Visited.Year, c.Year), c.GridName)
	}
	return tw.Flush()
}
