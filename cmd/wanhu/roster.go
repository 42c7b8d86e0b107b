package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"text/tabwriter"

	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/export"
	"wanhu/internal/org"
	"wanhu/internal/roster"
)

const rosterUsage = `usage: wanhu roster list --db … [--on YYYY-MM-DD] [--format text|json]
           the built-in service rosters and how many rows each has
       wanhu roster export NAME --db … [--on YYYY-MM-DD] [--grid N] [--filter 'age=60-&tag=disabled']
           [--format json|csv|xlsx] [--out FILE]
           every row of roster NAME (four_thirty, elderly_checkup, living_alone_elderly, dibao_review,
           fire_safety, school_start, key_persons, special_difficulty, or the filters people and
           households); phones masked. JSON is what GET /api/v1/rosters/NAME answers, with every row.`

// runRoster is `wanhu roster`: the service rosters of the whole database.
func runRoster(ctx context.Context, args []string, out io.Writer) error {
	sub, args := subcommand(args)
	name, args := subcommand(args)
	fs := newFlags("roster " + sub)
	dsn := fs.String("db", "", "database: a SQLite file path or a postgres:// URL")
	onFlag := fs.String("on", "", "reference day YYYY-MM-DD (default today in China)")
	grid := fs.Int64("grid", 0, "export: only this grid (its id)")
	filter := fs.String("filter", "", "export: more parameters of the roster as a query string, e.g. age=60-&sex=female")
	format := fs.String("format", "", "list: text (default) or json; export: json (default), csv or xlsx")
	outFile := fs.String("out", "", "export: write to this file instead of standard output")
	keyFile := keyFileFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if name == "" && fs.NArg() > 0 {
		name = fs.Arg(0)
	}
	if sub != "list" && (sub != "export" || name == "") {
		return errors.New(rosterUsage)
	}
	v, err := url.ParseQuery(*filter)
	if err != nil {
		return fmt.Errorf("--filter: %w", err)
	}
	if *onFlag != "" {
		v.Set("on", *onFlag)
	}
	if *grid != 0 {
		v.Set("grid", strconv.FormatInt(*grid, 10))
	}
	today := calendar.Today()
	if sub == "list" {
		if *format == "" {
			*format = "text"
		}
		on := today
		if *onFlag != "" {
			if on, err = calendar.ParseDate("on", *onFlag); err != nil {
				return flagError(err)
			}
		}
		if *format != "text" && *format != "json" {
			return fmt.Errorf("--format %q: give text or json", *format)
		}
		db, err := openSealedDB(ctx, *dsn, *keyFile)
		if err != nil {
			return err
		}
		defer db.Close()
		// Counted in full: the index pages stop at roster.IndexCap for a
		// big scope, the operator asking here waits for the exact numbers.
		counts, err := roster.New(db, org.Everything).CountsUpTo(ctx, on, 0)
		if err != nil {
			return err
		}
		return printRosters(out, counts, *format)
	}
	if *format == "" {
		*format = "json"
	}
	if *format != "json" && *format != "csv" && *format != "xlsx" {
		return fmt.Errorf("--format %q: give json, csv or xlsx", *format)
	}
	q, err := roster.Parse(name, v, today)
	if err != nil {
		if fe, ok := apperr.AsField(err); ok {
			return fmt.Errorf("roster %s: %s: %s", name, fe.Field, fe.Msg)
		}
		return fmt.Errorf("no roster %q:\n%s", name, rosterUsage)
	}
	db, err := openSealedDB(ctx, *dsn, *keyFile)
	if err != nil {
		return err
	}
	defer db.Close()
	rs := roster.New(db, org.Everything)
	if err := rs.Check(ctx, q); err != nil {
		if fe, ok := apperr.AsField(err); ok {
			return fmt.Errorf("roster %s: %s: %s", name, fe.Field, fe.Msg)
		}
		return err
	}
	w := out
	if *outFile != "" {
		f, err := os.Create(*outFile)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	if *format == "json" {
		return rosterJSON(ctx, rs, q, w)
	}
	labels, err := roster.Chinese(ctx, db)
	if err != nil {
		return err
	}
	var tw export.Writer
	if *format == "csv" {
		tw, err = export.NewCSV(w, q.Def.ExportColumns())
	} else {
		tw, err = export.NewXLSX(w, q.Def.FileName(), q.Def.ExportColumns())
	}
	if err != nil {
		return err
	}
	if _, err := rs.Write(ctx, q, tw, labels); err != nil {
		return err
	}
	return tw.Close()
}

// rosterJSON writes every row of q as the API's roster answer, one row at
// a time.
func rosterJSON(ctx context.Context, rs *roster.Store, q roster.Query, w io.Writer) error {
	total, err := rs.Count(ctx, q)
	if err != nil {
		return err
	}
	head, err := json.Marshal(map[string]any{"name": q.Def.Name, "title_zh": q.Def.TitleZH, "title_en": q.Def.TitleEN,
		"entity": q.Def.Entity, "on": q.On, "total": total, "page": 1, "per_page": total})
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(w, "%s,\"items\":[", head[:len(head)-1]); err != nil {
		return err
	}
	first := true
	err = rs.Each(ctx, q, func(it *roster.Item) error {
		b, err := json.Marshal(it)
		if err != nil {
			return err
		}
		if !first {
			w.Write([]byte(","))
		}
		first = false
		_, err = w.Write(b)
		return err
	})
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, "]}\n")
	return err
}

// printRosters writes the built-in rosters and their counts.
func printRosters(out io.Writer, counts []roster.Counted, format string) error {
	if format == "json" {
		b, err := json.Marshal(map[string]any{"items": counts, "total": len(counts)})
		if err != nil {
			return err
		}
		_, err = out.Write(append(b, '\n'))
		return err
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "roster\trows\ttitle")
	for _, c := range counts {
		fmt.Fprintf(tw, "%s\t%d\t%s\n", c.Name, c.Count, c.TitleZH)
	}
	return tw.Flush()
}
