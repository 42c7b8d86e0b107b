package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/term"

	"wanhu/internal/apperr"
	"wanhu/internal/audit"
	"wanhu/internal/importer"
	"wanhu/internal/org"
	"wanhu/internal/stats"
	"wanhu/internal/store"
	"wanhu/internal/web"
)

const importUsage = `usage: wanhu import households FILE --db … [--key-file K] [--community NAME|ID] [--mapping M.json]
           [--create-places] [--partial] [--dry-run] [--report OUT.xlsx] [--format json|text]
       FILE is an .xlsx workbook or a CSV file (UTF-8, GBK or GB18030). The whole file is applied
       in one transaction, or nothing of it when it has errors (unless --partial); exit 0 when applied.
   or: ` + importStructureUsage

// errRefused is the exit of an import that was not applied.
var errRefused = errors.New("import refused")

// runImport is `wanhu import households FILE` (and `wanhu import
// structure FILE`, import_structure.go).
func runImport(ctx context.Context, args []string, out io.Writer) error {
	sub, args := subcommand(args)
	file, args := subcommand(args)
	if sub == "structure" {
		return runImportStructure(ctx, file, args, out)
	}
	fs := newFlags("import " + sub)
	dsn := fs.String("db", "", "database: a SQLite file path or a postgres:// URL")
	keyFile := keyFileFlag(fs)
	community := fs.String("community", "", "community (name or id) of the rows; the import's scope. Default: the only community, or every one with a 社区 column")
	mappingFile := fs.String("mapping", "", "JSON file mapping headers to fields ({\"户主电话\": \"phone\", \"序号\": \"\"}), saved for the community when applied")
	createPlaces := fs.Bool("create-places", false, "create the compounds and buildings not yet known, in the household's grid")
	partial := fs.Bool("partial", false, "apply the valid households of a file with errors")
	dryRun := fs.Bool("dry-run", false, "check everything and write nothing")
	reportFile := fs.String("report", "", "write an .xlsx copy of FILE with the bad cells highlighted and commented")
	format := fs.String("format", "json", "output: json or text")
	progress := fs.String("progress", "auto", "progress bar on standard error: auto (when it is a terminal), always or never")
	if err := parse(fs, args); err != nil {
		return err
	}
	if file == "" && fs.NArg() > 0 {
		file = fs.Arg(0)
	}
	if sub != "households" || file == "" {
		return errors.New(importUsage)
	}
	if *format != "json" && *format != "text" {
		return fmt.Errorf("--format %q: give json or text", *format)
	}
	o := importer.Options{Path: file, CreatePlaces: *createPlaces, Partial: *partial, DryRun: *dryRun}
	if *mappingFile != "" {
		f, err := os.Open(*mappingFile)
		if err != nil {
			return fmt.Errorf("--mapping: %w", err)
		}
		o.Mapping, err = importer.ReadMapping(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("--mapping: %w", err)
		}
	}
	db, err := openSealedDB(ctx, *dsn, *keyFile)
	if err != nil {
		return err
	}
	defer db.Close()
	if db.Keys() == nil {
		return errors.New("--key-file is required: the key file that encrypts ID and phone numbers")
	}
	if o.Scope, o.Community, err = communityScope(ctx, db, *community); err != nil {
		return err
	}
	o.Log, o.Entry = audit.New(db), audit.Entry{Username: cliUser(), Role: "cli"}
	if *progress == "always" || *progress == "auto" && term.IsTerminal(int(os.Stderr.Fd())) {
		o.Progress = progressBar(os.Stderr)
	}
	rep, err := importer.Run(ctx, db, o)
	if o.Progress != nil {
		fmt.Fprintln(os.Stderr)
	}
	if err != nil {
		return err
	}
	if rep.Applied {
		// The city's statistics are summed from a snapshot: take it
		// again, so that they include what was imported.
		if _, err := stats.RefreshSnapshot(ctx, db, time.Now()); err != nil {
			return fmt.Errorf("imported, but the statistics snapshot was not refreshed (run wanhu stats refresh): %w", err)
		}
	}
	if *reportFile != "" {
		if err := writeImportReport(file, *reportFile, rep); err != nil {
			return fmt.Errorf("--report: %w", err)
		}
	}
	if *format == "json" {
		err = writeJSON(out, rep)
	} else {
		err = writeImportText(out, rep)
	}
	if err != nil {
		return err
	}
	if !rep.Applied && !(*dryRun && rep.ErrorsTotal == 0) {
		return fmt.Errorf("%w: %d errors, nothing was written", errRefused, rep.ErrorsTotal)
	}
	return nil
}

// communityScope returns the scope of an import or export of community
// (a name or id): the system's, limited to that community, with its id;
// the whole database for "".
func communityScope(ctx context.Context, db *store.DB, community string) (org.Scope, int64, error) {
	if community == "" {
		return org.Everything, 0, nil
	}
	units, err := org.Units(ctx, db, org.Community)
	if err != nil {
		return org.Scope{}, 0, err
	}
	var found []org.Unit
	for _, u := range units {
		if u.Name == community || strconv.FormatInt(u.ID, 10) == community {
			found = append(found, u)
		}
	}
	switch len(found) {
	case 0:
		return org.Scope{}, 0, fmt.Errorf("--community: no community %q", community)
	case 1:
		return org.Scope{Paths: []string{found[0].Path}, Reveal: true}, found[0].ID, nil
	}
	return org.Scope{}, 0, fmt.Errorf("--community: %d communities are named %q; give its id", len(found), community)
}

// writeImportReport writes the .xlsx copy of file with its problems
// marked, commented in Chinese.
func writeImportReport(file, path string, rep *importer.Report) error {
	cat, err := web.LoadCatalog()
	if err != nil {
		return err
	}
	zh := cat.Locale("zh-CN")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	err = importer.WriteReport(file, rep, func(p importer.Problem) string {
		return zh.Err(&apperr.FieldError{Code: p.Code, Args: p.Args, Msg: p.Message})
	}, f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// writeImportText writes a report for people.
func writeImportText(out io.Writer, rep *importer.Report) error {
	fmt.Fprintf(out, "%d households, %d persons: %d created, %d updated, %d unchanged\n",
		rep.Households, rep.Persons, rep.Created, rep.Updated, rep.Unchanged)
	switch {
	case rep.Applied && rep.ErrorsTotal > 0:
		fmt.Fprintf(out, "Applied in part: the households with the %d errors below were left out.\n", rep.ErrorsTotal)
	case rep.Applied:
		fmt.Fprintln(out, "Applied.")
	case rep.DryRun:
		fmt.Fprintf(out, "Dry run: nothing was written (%d errors).\n", rep.ErrorsTotal)
	default:
		fmt.Fprintf(out, "Refused: nothing was written; fix the %d errors below and import again (or give --partial).\n", rep.ErrorsTotal)
	}
	for _, p := range rep.Errors {
		where := p.Column
		if p.Cell != "" {
			where += " " + p.Cell
		}
		fmt.Fprintf(out, "  %s row %d %s %q: %s (%s)\n", p.Sheet, p.Row, strings.TrimSpace(where), p.Value, p.Message, p.Code)
	}
	if len(rep.NewPlaces) > 0 {
		fmt.Fprintf(out, "New places: %s\n", strings.Join(rep.NewPlaces, ", "))
	}
	for _, o := range rep.MovedOutOffered {
		fmt.Fprintf(out, "  not in the file, still a member (record moved out if they left): household %d, %s\n", o.HouseholdID, o.Name)
	}
	if len(rep.SkippedSheets) > 0 {
		fmt.Fprintf(out, "Sheets without a recognisable header, skipped: %s\n", strings.Join(rep.SkippedSheets, ", "))
	}
	return nil
}

// progressBar draws an import's progress on w: a bar, rows, rows per
// second and the time left, at most five times a second.
func progressBar(w io.Writer) func(importer.Progress) {
	start, last := time.Now(), time.Time{}
	return func(p importer.Progress) {
		now := time.Now()
		if now.Sub(last) < 200*time.Millisecond && p.Fraction < 1 {
			return
		}
		last = now
		secs := max(now.Sub(start).Seconds(), 0.001)
		left := "? left"
		switch {
		case p.Fraction >= 1:
			// The rest of the work (a first import's indexes, the commit)
			// can take a while at city scale: say so rather than "0s".
			left = "all read, writing…"
		case p.Fraction > 0:
			left = (time.Duration(secs*(1-p.Fraction)/p.Fraction) * time.Second).Round(time.Second).String() + " left"
		}
		n := int(p.Fraction * 30)
		fmt.Fprintf(w, "\r[%s%s] %3.0f%%  %d rows  %.0f rows/s  %s ", strings.Repeat("#", n), strings.Repeat(".", 30-n),
			p.Fraction*100, p.Rows, float64(p.Rows)/secs, left)
	}
}
