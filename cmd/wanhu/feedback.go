package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"text/tabwriter"

	"wanhu/internal/feedback"
)

const feedbackUsage = `usage: wanhu feedback list --db … [--kind praise|complaint] [--status open|looked_into|closed]
           [--member N] [--format text|json]
           residents' thanks (表扬/感谢) and complaints (投诉) about named team
           members and staff, the latest first (at most 1000). JSON is what
           GET /api/v1/feedback answers to an administrator of the whole tree.`

// runFeedback is `wanhu feedback`: the thanks and complaints of the whole
// database.
func runFeedback(ctx context.Context, args []string, out io.Writer) error {
	sub, args := subcommand(args)
	fs := newFlags("feedback " + sub)
	dsn := fs.String("db", "wanhu.db", "database: a SQLite file path or a postgres:// URL")
	kind := fs.String("kind", "", "praise or complaint")
	status := fs.String("status", "", "a complaint's status: open, looked_into or closed")
	member := fs.Int64("member", 0, "only about this team member (its id)")
	format := fs.String("format", "text", "text or json")
	if err := parse(fs, args); err != nil {
		return err
	}
	switch {
	case sub != "list":
		return errors.New(feedbackUsage)
	case *kind != "" && !slices.Contains(feedback.Kinds, *kind):
		return fmt.Errorf("--kind %q: give praise or complaint", *kind)
	case *status != "" && !slices.Contains(feedback.Statuses, *status):
		return fmt.Errorf("--status %q: give open, looked_into or closed", *status)
	case *format != "text" && *format != "json":
		return fmt.Errorf("--format %q: give text or json", *format)
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	items, err := feedback.NewStore(db).List(ctx, feedback.Filter{Kind: *kind, Status: *status, MemberID: *member})
	if err != nil {
		return err
	}
	if *format == "json" {
		b, err := json.Marshal(struct {
			Items []feedback.Feedback `json:"items"`
			Total int                 `json:"total"`
		}{items, len(items)})
		if err != nil {
			return err
		}
		_, err = out.Write(append(b, '\n'))
		return err
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tAT\tKIND\tABOUT\tFROM\tSOURCE\tSTATUS\tWORDS")
	for _, f := range items {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", f.ID, f.At.Format("2006-01-02 15:04Z"), f.Kind, f.Subject, f.FromName, f.Source,
			f.Status, f.Body)
	}
	return tw.Flush()
}
