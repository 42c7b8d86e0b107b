package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/daily"
	"wanhu/internal/proactive"
	"wanhu/internal/store"
)

const proactiveUsage = `usage: wanhu proactive run --db … [--on YYYY-MM-DD] [--format text|json]
           apply the proactive rules (未诉先办) on a day (default today in
           China) and make the tasks they find that are not there yet; the
           server does it daily (see --daily-at), and a second run on the
           same day makes none. JSON: {"created","existing","tasks":[…]}`

// runProactive is `wanhu proactive run`.
func runProactive(ctx context.Context, args []string, out io.Writer) error {
	sub, args := subcommand(args)
	fs := newFlags("proactive " + sub)
	dsn := fs.String("db", "", "database: a SQLite file path or a postgres:// URL")
	keyFile := keyFileFlag(fs)
	onFlag := fs.String("on", "", "the day the rules look at, YYYY-MM-DD (default today in China)")
	format := fs.String("format", "text", "text or json")
	if err := parse(fs, args); err != nil {
		return err
	}
	if sub != "run" {
		return errors.New(proactiveUsage)
	}
	if *format != "json" && *format != "text" {
		return fmt.Errorf("--format %q: give json or text", *format)
	}
	now := time.Now()
	on := calendar.DayOf(now)
	if *onFlag != "" {
		var err error
		if on, err = calendar.ParseDate("on", *onFlag); err != nil {
			return flagError(err)
		}
	}
	db, err := openSealedDB(ctx, *dsn, *keyFile)
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := proactive.Run(ctx, db, on, now)
	if err != nil {
		return err
	}
	if *format == "json" {
		return writeJSON(out, res)
	}
	fmt.Fprintf(out, "%s: %d tasks made, %d there already\n", on, res.Created, res.Existing)
	return nil
}

// proactiveJob applies the proactive rules of the day (wanhu proactive
// run), after the colours and due dates of the day are set.
func proactiveJob(log *slog.Logger) daily.Func {
	return func(ctx context.Context, db *store.DB, now time.Time) error {
		res, err := proactive.Run(ctx, db, calendar.DayOf(now), now)
		if err == nil {
			log.Info("daily: proactive tasks made", "created", res.Created, "existing", res.Existing)
		}
		return err
	}
}
