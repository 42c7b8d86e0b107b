package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"wanhu/internal/audit"
	"wanhu/internal/export"
	"wanhu/internal/importer"
)

const exportUsage = `usage: wanhu export households --db … [--key-file K] [--community NAME|ID] --format xlsx|csv --out FILE
       every household (of the community), a row per member, in the layout wanhu import reads: export,
       edit in Excel, import, and exactly the edits arrive. ID and phone numbers are written in full (the
       import finds households by them): the export is recorded in the audit log with its row count.`

// runExport is `wanhu export households`.
func runExport(ctx context.Context, args []string, out io.Writer) error {
	sub, args := subcommand(args)
	fs := newFlags("export " + sub)
	dsn := fs.String("db", "", "database: a SQLite file path or a postgres:// URL")
	keyFile := keyFileFlag(fs)
	community := fs.String("community", "", "only this community (name or id)")
	format := fs.String("format", "xlsx", "xlsx or csv (UTF-8 with a byte-order mark)")
	outFile := fs.String("out", "", "file to write")
	if err := parse(fs, args); err != nil {
		return err
	}
	if sub != "households" || *outFile == "" {
		return errors.New(exportUsage)
	}
	if *format != "xlsx" && *format != "csv" {
		return fmt.Errorf("--format %q: give xlsx or csv", *format)
	}
	db, err := openSealedDB(ctx, *dsn, *keyFile)
	if err != nil {
		return err
	}
	defer db.Close()
	if db.Keys() == nil {
		return errors.New("--key-file is required: the key file that encrypts ID and phone numbers")
	}
	scope, _, err := communityScope(ctx, db, *community)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(*outFile, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	e := audit.Entry{Username: cliUser(), Role: "cli", Detail: "wanhu export households --format " + *format + ":"}
	households, persons, err := importer.Export(ctx, db, scope, audit.New(db), e, export.Format(*format), f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(*outFile)
		return err
	}
	fmt.Fprintf(out, "Exported %d households, %d persons to %s (with full ID and phone numbers: keep the file safe).\n", households, persons, *outFile)
	return nil
}
