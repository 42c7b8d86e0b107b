package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/audit"
	"wanhu/internal/household"
)

// runAudit is `wanhu audit verify|export|purge`.
func runAudit(ctx context.Context, args []string, out io.Writer) error {
	sub, args := subcommand(args)
	switch sub {
	case "verify":
		return auditVerify(ctx, args, out)
	case "export":
		return auditExport(ctx, args, out)
	case "purge":
		return auditPurge(ctx, args, out)
	}
	return fmt.Errorf("audit: say verify, export or purge (got %q)", sub)
}

// auditVerify walks the hash chain. It prints how many entries it checked
// when the chain is intact, and otherwise fails naming the first bad one.
func auditVerify(ctx context.Context, args []string, out io.Writer) error {
	fs := newFlags("audit verify")
	dsn := fs.String("db", "", "database: a SQLite file path or a postgres:// URL")
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	rep, err := audit.New(db).Check(ctx)
	if err != nil {
		return err
	}
	if b := rep.Break; b != nil {
		return fmt.Errorf("audit log broken at entry #%d (%s, %s): %s; %d entries before it verified",
			b.Record.ID, b.Record.At.In(cst).Format(time.RFC3339), b.Record.Action, b.Reason, rep.Checked)
	}
	from := ""
	if rep.Start > 0 {
		from = fmt.Sprintf(" (after the purge checkpoint at entry #%d)", rep.Start)
	}
	fmt.Fprintf(out, "audit log intact: %d entries checked%s\n", rep.Checked, from)
	return nil
}

// auditExport writes the entries the flags select as CSV to out.
func auditExport(ctx context.Context, args []string, out io.Writer) error {
	fs := newFlags("audit export")
	dsn := fs.String("db", "", "database: a SQLite file path or a postgres:// URL")
	from := fs.String("from", "", "first day, YYYY-MM-DD (China time)")
	to := fs.String("to", "", "last day, YYYY-MM-DD (China time), inclusive")
	user := fs.String("user", "", "only this username")
	action := fs.String("action", "", "only this action and its sub-actions (login, write, reveal …)")
	object := fs.String("object", "", "only this object (household:42), or a kind (household:)")
	if err := parse(fs, args); err != nil {
		return err
	}
	f := audit.Filter{User: *user, Action: *action, Object: *object}
	var err error
	if f.From, err = cliDay("--from", *from, false); err != nil {
		return err
	}
	if f.To, err = cliDay("--to", *to, true); err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	l := audit.New(db)
	if err := l.Record(ctx, audit.Entry{Username: "cli", Action: "export.csv", Object: "audit_log",
		Detail: fmt.Sprintf("wanhu audit export user=%s action=%s object=%s from=%s to=%s", *user, *action, *object, *from, *to)}); err != nil {
		return err
	}
	return l.ExportCSV(ctx, out, f)
}

// auditPurge removes entries older than --before, never within the
// retention period.
func auditPurge(ctx context.Context, args []string, out io.Writer) error {
	fs := newFlags("audit purge")
	dsn := fs.String("db", "", "database: a SQLite file path or a postgres:// URL")
	before := fs.String("before", "", "remove entries before this day, YYYY-MM-DD (China time)")
	months := fs.Int("retention-months", audit.DefaultRetentionMonths, "keep entries at least this many months (6 at least: Cybersecurity Law Art. 21)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *before == "" {
		return fmt.Errorf("--before is required")
	}
	t, err := cliDay("--before", *before, false)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	l := audit.New(db)
	l.RetentionMonths = *months
	n, err := l.Purge(ctx, t)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "purged %d audit entries before %s; the chain still verifies from the checkpoint\n", n, *before)
	return nil
}

var cst = func() *time.Location {
	if loc, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return loc
	}
	return time.FixedZone("CST", 8*60*60)
}()

// cliDay parses a day in China's time (household.ParseInstant); as an
// upper bound, its end.
func cliDay(flag, s string, end bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	d, err := household.ParseInstant(strings.TrimPrefix(flag, "--"), s, end)
	if fe, ok := apperr.AsField(err); ok {
		return d, fmt.Errorf("%s: %s", flag, fe.Msg)
	}
	return d, err
}
