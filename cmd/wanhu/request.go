package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/org"
	"wanhu/internal/request"
)

const requestUsage = `usage: wanhu request report --db … [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--format json|text]
           the figures of the requests submitted from --from to --to (China
           days, both included; default: all until today): response and
           resolution times, rates, by category, grid and department`

// runRequest is `wanhu request`: reports on resident requests.
func runRequest(ctx context.Context, args []string, out io.Writer) error {
	sub, args := subcommand(args)
	fs := newFlags("request " + sub)
	dsn := fs.String("db", "wanhu.db", "database: a SQLite file path or a postgres:// URL")
	from := fs.String("from", "", "first day, YYYY-MM-DD")
	to := fs.String("to", "", "last day, YYYY-MM-DD (default today)")
	within := fs.Duration("response-within", request.DefaultResponseWithin, "how soon after submission a request must be accepted")
	format := fs.String("format", "text", "json or text")
	if err := parse(fs, args); err != nil {
		return err
	}
	if sub != "report" {
		return fmt.Errorf("%s", requestUsage)
	}
	if *format != "json" && *format != "text" {
		return fmt.Errorf("--format %q: give json or text", *format)
	}
	now := time.Now()
	start, end := time.Unix(0, 0), dayStart(calendar.DayOf(now), 1)
	for _, p := range []struct {
		name, s string
		at      *time.Time
		add     int
	}{{"from", *from, &start, 0}, {"to", *to, &end, 1}} {
		if p.s != "" {
			d, err := calendar.ParseDate(p.name, p.s)
			if err != nil {
				return fmt.Errorf("--%s: %w", p.name, err)
			}
			*p.at = dayStart(d, p.add)
		}
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	s, err := request.Report(ctx, db, org.Everything, start, end, now, *within)
	if err != nil {
		return err
	}
	if *format == "json" {
		e := json.NewEncoder(out)
		e.SetIndent("", "  ")
		return e.Encode(s)
	}
	if s.From.IsZero() || s.From.Year() < 2000 {
		fmt.Fprintf(out, "Requests submitted until %s\n", s.To.Add(-time.Second).Format("2006-01-02"))
	} else {
		fmt.Fprintf(out, "Requests submitted %s – %s\n", s.From.Format("2006-01-02"), s.To.Add(-time.Second).Format("2006-01-02"))
	}
	printFigures(out, "  ", s.Figures)
	for _, g := range []struct {
		title  string
		groups []request.Group
	}{{"By category", s.ByCategory}, {"By grid", s.ByGrid}, {"By department (referred)", s.ByDepartment}} {
		fmt.Fprintf(out, "\n%s:\n", g.title)
		for _, x := range g.groups {
			fmt.Fprintf(out, "  %s\n", x.Name)
			printFigures(out, "    ", x.Figures)
		}
	}
	if len(s.Arrivals) > 0 {
		fmt.Fprintf(out, "\nUrgent requests: arrival on site beside the 24-hour deadline:\n")
		for _, a := range s.Arrivals {
			arrived, due := "not recorded", "–"
			if a.ArrivedAt != nil && a.ArrivalSeconds != nil {
				arrived = fmt.Sprintf("arrived %s (%d min)", a.ArrivedAt.Format("2006-01-02 15:04"), *a.ArrivalSeconds/60)
			}
			if a.DueAt != nil {
				due = a.DueAt.Format("2006-01-02 15:04")
			}
			fmt.Fprintf(out, "  #%d %s, submitted %s, %s, due %s\n", a.RequestID, a.Name, a.SubmittedAt.Format("2006-01-02 15:04"), arrived, due)
		}
	}
	return nil
}

// dayStart is midnight in China at the start of the day n days after d.
func dayStart(d calendar.Date, n int) time.Time {
	return time.Date(d.Y, d.M, d.D+n, 0, 0, 0, 0, calendar.China)
}

func printFigures(out io.Writer, indent string, f request.Figures) {
	rate := func(r *float64) string {
		if r == nil {
			return "–"
		}
		return fmt.Sprintf("%.1f%%", *r*100)
	}
	hours := func(s *int64) string {
		if s == nil {
			return "–"
		}
		return fmt.Sprintf("%.1f h", float64(*s)/3600)
	}
	fmt.Fprintf(out, "%s%d requests, %d accepted, %d resolved, %d closed\n", indent, f.Total, f.Accepted, f.Resolved, f.Closed)
	fmt.Fprintf(out, "%sresponse %s, resolution %s (%d due), on time %s, satisfaction %s (%d of %d rated)\n", indent,
		rate(f.ResponseRate), rate(f.ResolutionRate), f.Due, rate(f.OnTimeRate), rate(f.SatisfactionRate), f.Satisfied, f.Rated)
	fmt.Fprintf(out, "%sresponse time median %s mean %s; resolution time median %s mean %s\n", indent,
		hours(f.Response.MedianSeconds), hours(f.Response.MeanSeconds), hours(f.Resolution.MedianSeconds), hours(f.Resolution.MeanSeconds))
	if f.Urgent > 0 {
		minutes := func(s *int64) string {
			if s == nil {
				return "–"
			}
			return fmt.Sprintf("%d min", *s/60)
		}
		fmt.Fprintf(out, "%s%d urgent, %d with the arrival on site recorded: median %s, mean %s after the call\n", indent,
			f.Urgent, f.Arrived, minutes(f.Arrival.MedianSeconds), minutes(f.Arrival.MeanSeconds))
	}
}
