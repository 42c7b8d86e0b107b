package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/request"
	"wanhu/internal/store"
)

// stderr is where warnings go, apart from a command's output.
var stderr io.Writer = os.Stderr

const calendarUsage = `usage: wanhu calendar add [--db …] --from YYYY-MM-DD --working-days N
           prints the date of the Nth working day after --from (a warning on
           stderr when a year on the way has no official data); without --db
           only the schedules built into the program are used
       wanhu calendar show [--db …] [--year Y]
           the year's holidays on weekdays and working weekend days, and
           whether its schedule is official, loaded or estimated
       wanhu calendar load --db … FILE
           loads whole years from FILE (replacing what was known of them)
       wanhu calendar set --db … LINE…
           corrects single days, e.g. "2027-10-09,off,国庆节"

`

// runCalendar is `wanhu calendar`: the working-day calendar (official
// holidays and make-up working days) that request deadlines count on.
func runCalendar(ctx context.Context, args []string, out io.Writer) error {
	sub, args := subcommand(args)
	fs := newFlags("calendar " + sub)
	dsn := fs.String("db", "", "database: a SQLite file path or a postgres:// URL (optional for add and show)")
	from := fs.String("from", "", "add: the day to count from (not counted itself), YYYY-MM-DD")
	n := fs.Int("working-days", -1, "add: how many working days to add")
	year := fs.Int("year", calendar.Today().Y, "show: the year")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), calendarUsage+"File and line format:\n"+calendar.FormatHelp+"\n\nFlags (each also as WANHU_<FLAG>):\n")
		fs.PrintDefaults()
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	switch sub {
	case "add", "show", "load", "set":
	default:
		return fmt.Errorf("%s(wanhu calendar -h for the file format)", calendarUsage)
	}
	cal := calendar.Builtin()
	if *dsn != "" || sub == "load" || sub == "set" {
		db, err := openDB(ctx, *dsn)
		if err != nil {
			return err
		}
		defer db.Close()
		switch sub {
		case "load":
			return loadCalendar(ctx, db, fs.Args(), out)
		case "set":
			return setCalendarDays(ctx, db, fs.Args(), out)
		}
		if cal, err = calendar.Load(ctx, db); err != nil {
			return err
		}
	}
	if sub == "show" {
		days, src := cal.Year(*year)
		fmt.Fprintf(out, "%d: %s\n", *year, src)
		for _, d := range days {
			kind := "off"
			if d.Workday {
				kind = "work"
			}
			fmt.Fprintf(out, "%s %s %-4s %s\n", d.Day, d.Day.Time().Weekday().String()[:3], kind, d.Name)
		}
		return nil
	}
	d, err := calendar.ParseDate("from", *from)
	if err != nil {
		return fmt.Errorf("--from: %w", err)
	}
	if *n < 0 {
		return fmt.Errorf("--working-days must be given, 0 or more")
	}
	due, known := cal.AddWorkingDays(d, *n)
	if !known {
		fmt.Fprintf(stderr, "wanhu: warning: estimated: no official calendar for part of %s–%s, counted Monday to Friday there (load the year's schedule with wanhu calendar load)\n", d, due)
	}
	fmt.Fprintln(out, due)
	return nil
}

// loadCalendar loads whole years from the one file in args.
func loadCalendar(ctx context.Context, db *store.DB, args []string, out io.Writer) error {
	if len(args) != 1 {
		return fmt.Errorf("give one FILE to load (wanhu calendar -h for the format)")
	}
	b, err := os.ReadFile(args[0])
	if err != nil {
		return err
	}
	days, err := calendar.Parse(string(b), 0)
	if err != nil {
		return fmt.Errorf("%s: %w", args[0], err)
	}
	years := calendar.YearsOf(days)
	recounted := 0
	if err := calendar.SaveYears(ctx, db, years, days, "cli", time.Now(), request.Recount(ctx, household.Actor{Name: "cli"}, time.Now(), &recounted)); err != nil {
		return err
	}
	defer fmt.Fprintf(out, "%d deadlines of requests being handled counted again with the new schedule\n", recounted)
	for _, y := range years {
		c := 0
		for _, d := range days {
			if d.Day.Y == y {
				c++
			}
		}
		fmt.Fprintf(out, "%d loaded: %d days listed, the others Monday to Friday\n", y, c)
	}
	return nil
}

// setCalendarDays corrects the single days given as lines in args.
func setCalendarDays(ctx context.Context, db *store.DB, args []string, out io.Writer) error {
	days, err := calendar.Parse(strings.Join(args, "\n"), 0)
	if err != nil {
		return err
	}
	if len(days) == 0 {
		return fmt.Errorf("give the days to correct, e.g. \"2027-10-09,off,国庆节\"")
	}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		for _, d := range days {
			if err := calendar.SetDay(ctx, tx, d, time.Now()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%d days corrected\n", len(days))
	return nil
}
