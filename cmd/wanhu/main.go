// Command wanhu is the whole of Wanhu (万户): web app, JSON API and CLI.
//
//	wanhu demo        start on a demo community (Dongxing), creating it if absent
//	wanhu serve       serve the web app and API on a database
//	wanhu init        set up a community on an empty database: places, grids, first administrator
//	wanhu org         the org tree: list, add, rename, move, renumber, retire units
//	wanhu place       compounds and buildings: list, add, rename, move, retire
//	wanhu gen         fill an empty database with generated households
//	wanhu migrate     apply (or show) the database migrations
//	wanhu user        manage accounts
//	wanhu household   list, show and recolour households
//	wanhu visit       visits: recompute due dates, coverage, the visit policy
//	wanhu plan        generate the weekly visit plan of a grid
//	wanhu audit       verify, anchor, export or purge the audit log
//	wanhu key         create, rotate and retire the keys of ID and phone numbers
//	wanhu calendar    working days: add, show, load, set (holidays and 调休)
//	wanhu request     resident requests: report
//	wanhu stats       population by age band and household counts
//	wanhu staff       staff evaluation: scorecards (考评)
//	wanhu roster      service rosters: list, export
//	wanhu open311     Open311 API keys: add, list, revoke
//	wanhu backup      back a database up to a file, while it is in use
//	wanhu restore     restore a backup into a database
//	wanhu import      import households, or the structure (grids, team, departments), from a workbook or CSV
//	wanhu export      export households in the layout import reads
//
// Every flag can also be set in the environment as WANHU_<FLAG>, e.g.
// --db as WANHU_DB and --admin-password as WANHU_ADMIN_PASSWORD.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

type command struct {
	name, summary string
	run           func(ctx context.Context, args []string, out io.Writer) error
}

func commands() []command {
	return []command{
		{"demo", "start on the demo community, creating it if absent", runDemo},
		{"serve", "serve the web app and API", runServe},
		{"init", "set up a community on an empty database: places, grids, the first administrator", runInit},
		{"org", "the org tree: list, add, rename, move, renumber, retire (a grid's households move to --to)", runOrg},
		{"place", "compounds and buildings: list, add, rename, move (a building to another grid), retire", runPlace},
		{"gen", "fill an empty database with generated households", runGen},
		{"migrate", "apply the migrations (migrate status: show them)", runMigrate},
		{"user", "manage accounts: add, list, disable, enable, reset-password, reset-totp, unlock, grant, revoke, totp-roles", runUser},
		{"household", "households: list, show, recolour", runHousehold},
		{"visit", "visits: recompute (next due dates), coverage, policy (how often)", runVisit},
		{"proactive", "proactive service (未诉先办): run (the rules of a day make their tasks)", runProactive},
		{"plan", "weekly visit plans: week (generate a grid's plan)", runPlan},
		{"audit", "audit log: verify, anchor, export, purge", runAudit},
		{"key", "encryption keys: new, rotate, retire", runKey},
		{"calendar", "working days: add (Nth working day after a date), show, load, set", runCalendar},
		{"request", "resident requests: report (response and resolution times, rates)", runRequest},
		{"stats", "statistics: population (age bands and breakdowns), households (kind, colour)", runStats},
		{"roster", "service rosters: list (with counts), export NAME (json, csv, xlsx)", runRoster},
		{"staff", "staff evaluation: scorecards (text, json, csv, xlsx)", runStaff},
		{"feedback", "residents' thanks and complaints: list (text, json)", runFeedback},
		{"open311", "Open311 API keys: add (prints the key once), list, revoke", runOpen311},
		{"backup", "back the database up to a file (--to), while it is in use", runBackup},
		{"restore", "restore a backup (--from) into a database, checking the key file first", runRestore},
		{"import", "import households FILE (.xlsx or CSV), or structure FILE (grids, team, departments): check, apply, report", runImport},
		{"export", "export households (xlsx, csv) in the layout import reads", runExport},
		{"programme", "programmes (the four-thirty class, check-ups): list (json, text)", runProgramme},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	context.AfterFunc(ctx, stop) // a second signal ends the process at once
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "wanhu:", err)
		}
		os.Exit(2)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(out)
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], out)
		}
	}
	usage(os.Stderr)
	return fmt.Errorf("unknown command %q", args[0])
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "wanhu — 万户: household files, visits and resident requests for urban communities")
	fmt.Fprintln(w, "\nUsage: wanhu <command> [flags]   (wanhu <command> -h for its flags)")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nEvery flag may also be set as an environment variable WANHU_<FLAG> (e.g. WANHU_DB).")
}
