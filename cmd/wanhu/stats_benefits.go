package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/household"
)

const statsBenefitsUsage = `usage: wanhu stats benefits --db … [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--format text|json]
           benefits granted (issue 17): the approved cases decided from
           --from to --to (China days, both included; default 1 January of
           this year to today) by kind, as households, persons and
           person-times (an ended case too: it was granted); and the cases
           paid in the months of --from through --to, whenever granted,
           from their decision's month to their end, as households,
           persons and person-months; JSON is exactly what
           GET /api/v1/stats/benefits answers`

// statsBenefits is `wanhu stats benefits`.
func statsBenefits(ctx context.Context, args []string, out io.Writer) error {
	fs := newFlags("stats benefits")
	dsn := fs.String("db", "wanhu.db", "database: a SQLite file path or a postgres:// URL")
	fromFlag := fs.String("from", "", "first day, YYYY-MM-DD (default 1 January of this year)")
	toFlag := fs.String("to", "", "last day, YYYY-MM-DD (default today in China)")
	format := fs.String("format", "text", "text or json")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *format != "json" && *format != "text" {
		return fmt.Errorf("--format %q: give json or text", *format)
	}
	today := calendar.Today()
	from, to, err := calendar.Days(*fromFlag, *toFlag, calendar.Date{Y: today.Y, M: time.January, D: 1}, today)
	if err != nil {
		return flagError(err)
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	rep, err := household.NewStore(db).BenefitReport(ctx, from, to)
	if err != nil {
		return err
	}
	if *format == "json" { // compact, byte for byte the API's answer
		b, err := json.Marshal(rep)
		if err != nil {
			return err
		}
		_, err = out.Write(append(b, '\n'))
		return err
	}
	fmt.Fprintf(out, "benefits granted %s to %s\n", rep.From, rep.To)
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "kind\thouseholds\tpersons\tperson-times\tpaid households\tpaid persons\tperson-months")
	for _, c := range rep.Items {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\n", c.Kind, c.Households, c.Persons, c.PersonTimes, c.PaidHouseholds, c.PaidPersons, c.PersonMonths)
	}
	return tw.Flush()
}
