package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"wanhu/internal/household"
	"wanhu/internal/programme"
)

// runProgramme is wanhu programme list: the programmes (the four-thirty
// class, free check-ups, …) as GET /api/v1/programmes shows them.
func runProgramme(ctx context.Context, args []string, out io.Writer) error {
	sub, args := subcommand(args)
	fs := newFlags("programme " + sub)
	dsn := fs.String("db", "", "database: a SQLite file path or a postgres:// URL")
	format := fs.String("format", "json", "output: json or text")
	keyFile := keyFileFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if sub != "list" {
		return fmt.Errorf("usage: wanhu programme list --db … [--format json|text]")
	}
	if *format != "json" && *format != "text" {
		return fmt.Errorf("--format must be json or text")
	}
	db, err := openSealedDB(ctx, *dsn, *keyFile)
	if err != nil {
		return err
	}
	defer db.Close()
	items, err := programme.NewStore(db, household.NewStore(db)).Summaries(ctx)
	if err != nil {
		return err
	}
	if *format == "json" { // compact, byte for byte the API's answer
		b, err := json.Marshal(struct {
			Items []programme.Summary `json:"items"`
			Total int                 `json:"total"`
		}{items, len(items)})
		if err != nil {
			return err
		}
		_, err = out.Write(append(b, '\n'))
		return err
	}
	fmt.Fprintf(out, "%-6s %8s %8s  %s\n", "id", "enrolled", "sessions", "name")
	for _, p := range items {
		fmt.Fprintf(out, "%-6d %8d %8d  %s\n", p.ID, p.Enrolled, p.Sessions, p.Name)
	}
	fmt.Fprintf(out, "%d programmes\n", len(items))
	return nil
}
