package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"wanhu/internal/audit"
	"wanhu/internal/calendar"
	"wanhu/internal/notify"
	"wanhu/internal/store"
)

// runAudit is `wanhu audit verify|anchor|export|purge`.
func runAudit(ctx context.Context, args []string, out io.Writer) error {
	sub, args := subcommand(args)
	switch sub {
	case "verify":
		return auditVerify(ctx, args, out)
	case "anchor":
		return auditAnchor(ctx, args, out)
	case "export":
		return auditExport(ctx, args, out)
	case "purge":
		return auditPurge(ctx, args, out)
	}
	return fmt.Errorf("audit: say verify, anchor, export or purge (got %q)", sub)
}

// openAuditDB opens the database with the key file the audit log is
// chained with (see keyFileFor), which it requires.
func openAuditDB(ctx context.Context, dsn, keyFile string) (*store.DB, error) {
	if dsn == "" {
		return nil, errors.New("--db is required: a SQLite file path or a postgres:// URL")
	}
	if keyFileFor(dsn, keyFile) == "" {
		return nil, errors.New("no key file: the audit log is chained with the key of the key file; give --key-file PATH (or WANHU_KEY_FILE)")
	}
	return openSealedDB(ctx, dsn, keyFile)
}

// auditVerify walks the hash chain, and with --anchor holds it against an
// anchor kept elsewhere. It prints how many entries it checked when the
// chain is intact, and otherwise fails naming the first bad one.
func auditVerify(ctx context.Context, args []string, out io.Writer) error {
	fs := newFlags("audit verify")
	dsn := fs.String("db", "", "database: a SQLite file path or a postgres:// URL")
	keyFile := keyFileFlag(fs)
	anchorFile := fs.String("anchor", "", "anchor file written by wanhu audit anchor (- for standard input): fail if anything up to it was changed, removed or re-chained")
	if err := parse(fs, args); err != nil {
		return err
	}
	var anchor *audit.Anchor
	if *anchorFile != "" {
		a, err := readAnchorFile(*anchorFile)
		if err != nil {
			return err
		}
		anchor = &a
	}
	db, err := openAuditDB(ctx, *dsn, *keyFile)
	if err != nil {
		return err
	}
	defer db.Close()
	l := audit.New(db)
	var rep audit.Report
	if anchor != nil {
		rep, err = l.CheckAnchor(ctx, *anchor)
	} else {
		rep, err = l.Check(ctx)
	}
	if err != nil {
		return err
	}
	if b := rep.Break; b != nil {
		at := ""
		if b.Record.Action != "" {
			at = fmt.Sprintf(" (%s, %s)", b.Record.At.In(calendar.China).Format(time.RFC3339), b.Record.Action)
		}
		checked := fmt.Sprintf("%d entries before it verified", rep.Checked)
		if b.Anchored {
			checked = fmt.Sprintf("the chain of %d entries holds in itself, but not against the anchor", rep.Checked)
		}
		return fmt.Errorf("audit log broken at entry #%d%s: %s; %s", b.Record.ID, at, b.Reason, checked)
	}
	from := ""
	if rep.Start > 0 {
		from = fmt.Sprintf(" (after the purge checkpoint at entry #%d)", rep.Start)
	}
	fmt.Fprintf(out, "audit log intact: %d entries checked%s\n", rep.Checked, from)
	if rk, _, err := l.Search(ctx, audit.Filter{Action: "audit.rekey", PerPage: 1}); err == nil && len(rk) > 0 {
		fmt.Fprintf(out, "keyed since %s (entry #%d): entries older than that were chained with plain SHA-256 until then\n",
			rk[0].At.In(calendar.China).Format(time.RFC3339), rk[0].ID)
	}
	if a := rep.Anchor; a != nil {
		which := "the newest anchor stored in the database"
		if anchor != nil {
			which = "the anchor " + *anchorFile
		}
		if rep.AnchorPurged {
			fmt.Fprintf(out, "%s (entry #%d, %s) lies before the purge checkpoint; the checkpoint is signed\n", which, a.ID, a.At.In(calendar.China).Format(time.RFC3339))
		} else {
			fmt.Fprintf(out, "it matches %s: entry #%d of %s\n", which, a.ID, a.At.In(calendar.China).Format(time.RFC3339))
		}
	}
	return nil
}

// readAnchorFile reads the anchor in path, or on standard input for "-".
func readAnchorFile(path string) (audit.Anchor, error) {
	r := io.Reader(os.Stdin)
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return audit.Anchor{}, fmt.Errorf("--anchor: %w", err)
		}
		defer f.Close()
		r = f
	}
	a, err := audit.ReadAnchor(r)
	if err != nil {
		return a, fmt.Errorf("--anchor %s: %w", path, err)
	}
	return a, nil
}

// auditAnchor takes an anchor of the log and writes it as JSON to out or
// --out, and posts it to --anchor-webhook if given.
func auditAnchor(ctx context.Context, args []string, out io.Writer) error {
	fs := newFlags("audit anchor")
	dsn := fs.String("db", "", "database: a SQLite file path or a postgres:// URL")
	keyFile := keyFileFlag(fs)
	outFile := fs.String("out", "", "write the anchor to this file (default: standard output)")
	hookOf := anchorFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	hook, err := hookOf()
	if err != nil {
		return err
	}
	db, err := openAuditDB(ctx, *dsn, *keyFile)
	if err != nil {
		return err
	}
	defer db.Close()
	a, err := audit.New(db).Anchor(ctx)
	if err != nil {
		return err
	}
	b, err := json.Marshal(a)
	if err != nil {
		return err
	}
	b = append(b, '\n')
	if *outFile != "" {
		err = writeFileAtomic(*outFile, b)
	} else {
		_, err = out.Write(b)
	}
	if err != nil {
		return err
	}
	if hook != nil {
		return hook.SendAnchor(ctx, a)
	}
	return nil
}

// writeFileAtomic writes b to path through a temporary file beside it, so
// a reader never sees half an anchor.
func writeFileAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".wanhu-anchor-*")
	if err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("--out: %w", err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("--out: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	return os.Rename(tmp.Name(), path)
}

// anchorFlags adds --anchor-webhook and --anchor-webhook-secret and returns
// the sender they configure, nil without a webhook.
func anchorFlags(fs *flag.FlagSet) func() (*audit.AnchorSender, error) {
	url := fs.String("anchor-webhook", "", "post the anchors of the audit log as signed JSON to this address, off the database's machine")
	secret := fs.String("anchor-webhook-secret", "", "key of the HMAC-SHA256 signature (X-Wanhu-Signature) of --anchor-webhook")
	return func() (*audit.AnchorSender, error) {
		if *url == "" {
			return nil, nil
		}
		if *secret == "" {
			return nil, errors.New("--anchor-webhook needs --anchor-webhook-secret (or WANHU_ANCHOR_WEBHOOK_SECRET) to sign the anchors")
		}
		return &audit.AnchorSender{URL: *url, Secret: *secret}, nil
	}
}

// startAnchors anchors the audit log today and then daily
// (audit.StartAnchors), keying it first if an older Wanhu chained it; with
// hook, the anchors go to it through the outbox, so it returns the sender
// to give notify.Run. Call stop before closing db.
func startAnchors(ctx context.Context, db *store.DB, hook *audit.AnchorSender, log *slog.Logger) (senders []notify.Sender, stop func(), err error) {
	stop, err = audit.StartAnchors(ctx, audit.New(db), audit.AnchorOptions{Send: hook != nil, Log: log})
	if err != nil {
		return nil, nil, err
	}
	if hook != nil {
		senders = append(senders, *hook)
	}
	return senders, stop, nil
}

// auditExport writes the entries the flags select as CSV to out.
func auditExport(ctx context.Context, args []string, out io.Writer) error {
	fs := newFlags("audit export")
	dsn := fs.String("db", "", "database: a SQLite file path or a postgres:// URL")
	keyFile := keyFileFlag(fs)
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
	if f.From, err = calendar.ParseInstant("from", *from, false); err != nil {
		return flagError(err)
	}
	if f.To, err = calendar.ParseInstant("to", *to, true); err != nil {
		return flagError(err)
	}
	db, err := openAuditDB(ctx, *dsn, *keyFile)
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
	keyFile := keyFileFlag(fs)
	before := fs.String("before", "", "remove entries before this day, YYYY-MM-DD (China time)")
	months := fs.Int("retention-months", audit.DefaultRetentionMonths, "keep entries at least this many months (6 at least: Cybersecurity Law Art. 21)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *before == "" {
		return fmt.Errorf("--before is required")
	}
	t, err := calendar.ParseInstant("before", *before, false)
	if err != nil {
		return flagError(err)
	}
	db, err := openAuditDB(ctx, *dsn, *keyFile)
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
