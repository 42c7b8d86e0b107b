package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"text/tabwriter"

	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/export"
	"wanhu/internal/org"
	"wanhu/internal/staff"
)

const staffUsage = `usage: wanhu staff scorecards --db … [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--grid N]
           [--format text|json|csv|xlsx] [--out FILE]
           every team member's and staff account's scorecard (考评): visits
           this week against the weekly target, requests handled and on
           time, callback satisfaction, complaints, training, and the score
           by the configured weights. Requests, complaints and training count
           from --from to --to (default this year until today), visits this
           ISO week unless a period is given. JSON is what GET
           /api/v1/scorecards answers to an administrator of the whole tree.
       wanhu staff hours --db … [--month YYYY-MM | --from … --to …] [--member N]
           [--format text|json|xlsx] [--out FILE]
           hours of service by month (visits, rounds, service entered by
           hand, programme sessions); with --member and --format xlsx the
           member's service record for their unit (报到服务记录).`

// runStaff is `wanhu staff`: the staff evaluation of the whole database.
func runStaff(ctx context.Context, args []string, out io.Writer) error {
	sub, args := subcommand(args)
	if sub == "hours" {
		return runStaffHours(ctx, args, out)
	}
	fs := newFlags("staff " + sub)
	dsn := fs.String("db", "wanhu.db", "database: a SQLite file path or a postgres:// URL")
	from := fs.String("from", "", "first day, YYYY-MM-DD")
	to := fs.String("to", "", "last day, YYYY-MM-DD (default today in China)")
	grid := fs.Int64("grid", 0, "only the members of this grid (its id)")
	format := fs.String("format", "text", "text, json, csv or xlsx")
	outFile := fs.String("out", "", "write to this file instead of standard output")
	if err := parse(fs, args); err != nil {
		return err
	}
	if sub != "scorecards" {
		return errors.New(staffUsage)
	}
	if !slices.Contains([]string{"text", "json", "csv", "xlsx"}, *format) {
		return fmt.Errorf("--format %q: give text, json, csv or xlsx", *format)
	}
	p, err := staff.PeriodOf(*from, *to, calendar.Today())
	if fe, ok := apperr.AsField(err); ok {
		return fmt.Errorf("--%s: %s", fe.Field, fe.Msg)
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	w, err := staff.LoadWeights(ctx, db)
	if err != nil {
		return err
	}
	rep, err := staff.Scorecards(ctx, db, org.Everything, p, w, *grid)
	if err != nil {
		return err
	}
	if *outFile != "" {
		f, err := os.Create(*outFile)
		if err != nil {
			return err
		}
		defer f.Close()
		out = f
	}
	switch *format {
	case "json": // compact, byte for byte the API's answer
		b, err := json.Marshal(rep)
		if err != nil {
			return err
		}
		_, err = out.Write(append(b, '\n'))
		return err
	case "csv", "xlsx":
		var tw export.Writer
		if *format == "csv" {
			tw, err = export.NewCSV(out, staff.ScorecardColumns)
		} else {
			tw, err = export.NewXLSX(out, "考评", staff.ScorecardColumns)
		}
		if err == nil {
			err = staff.WriteScorecards(tw, rep)
		}
		if err == nil {
			err = tw.Close()
		}
		return err
	}
	return printScorecards(out, rep)
}

// printScorecards writes the scorecards as a table.
func printScorecards(out io.Writer, rep *staff.Report) error {
	fmt.Fprintf(out, "period %s to %s, week %s (%s to %s), visits %s to %s\n", rep.Period.From, rep.Period.To, rep.Period.Week,
		rep.Period.WeekFrom, rep.Period.WeekTo, rep.Period.VisitsFrom, rep.Period.VisitsTo)
	names := map[string]string{"visits": "visits", "on_time": "on_time", "satisfaction": "satisfaction", "complaints": "complaints", "training": "training", "hours": "hours"}
	fmt.Fprintf(out, "score = %s\n", rep.Weights.Formula(func(k string) string { return names[k] }))
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KIND\tID\tNAME\tGRID\tWEEK\tVISITS\tHANDLED\tON TIME\tRATED\tSATISFIED\tCOMPLAINTS\tPRE-JOB\tHOURS\tSCORE")
	for _, c := range rep.Scorecards {
		id, score := c.MemberID, "-"
		if c.Kind == staff.KindUser {
			id = c.UserID
		}
		if c.Score != nil {
			score = strconv.FormatFloat(*c.Score, 'f', 1, 64)
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%d/%d\t%d\t%d\t%d\t%d\t%d\t%d\t%v\t%g\t%s\n", c.Kind, id, c.Name, c.GridName, c.WeekVisits, c.WeeklyTarget,
			c.Visits, c.Handled, c.OnTime, c.Rated, c.Satisfied, c.Complaints, c.PreJob, c.TrainingHours, score)
	}
	return tw.Flush()
}
