package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"wanhu/internal/apperr"
	"wanhu/internal/audit"
	"wanhu/internal/household"
	"wanhu/internal/importer"
	"wanhu/internal/org"
)

const importStructureUsage = `wanhu import structure FILE --db … [--key-file K] [--community NAME|ID] [--accounts]
           [--passwords-out F.xlsx] [--dry-run] [--format json|text]
       FILE is a workbook of grids (and the buildings each covers), team members and departments,
       each sheet recognised by its header. Applied whole in one transaction, or nothing of it when
       it has errors; exit 0 when applied. --accounts makes an account for each grid worker and
       grid leader without one, with a one-time password printed once (or written to --passwords-out).`

// runImportStructure is `wanhu import structure FILE`: the structure
// workbook (importer.RunStructure), as the system, into one community.
func runImportStructure(ctx context.Context, file string, args []string, out io.Writer) error {
	fs := newFlags("import structure")
	dsn := fs.String("db", "", "database: a SQLite file path or a postgres:// URL")
	keyFile := keyFileFlag(fs)
	community := fs.String("community", "", "the community (name or id) of the workbook; default: the only one")
	accounts := fs.Bool("accounts", false, "make accounts for the grid workers and grid leaders that have none, with one-time passwords")
	passwordsOut := fs.String("passwords-out", "", "write the one-time passwords to this .xlsx (mode 0600, to print as slips) instead of standard output")
	dryRun := fs.Bool("dry-run", false, "check everything and write nothing")
	format := fs.String("format", "json", "output: json or text")
	if err := parse(fs, args); err != nil {
		return err
	}
	if file == "" && fs.NArg() > 0 {
		file = fs.Arg(0)
	}
	if file == "" {
		return errors.New("usage: " + importStructureUsage)
	}
	if *format != "json" && *format != "text" {
		return fmt.Errorf("--format %q: give json or text", *format)
	}
	db, err := openSealedDB(ctx, *dsn, *keyFile)
	if err != nil {
		return err
	}
	defer db.Close()
	if db.Keys() == nil && !*dryRun {
		return errors.New("--key-file is required: the audit log, which records the import, is keyed by it")
	}
	o := importer.StructureOptions{Path: file, Scope: org.Everything, Accounts: *accounts, DryRun: *dryRun,
		Actor: household.Actor{Name: cliUser()}, Log: audit.New(db), Entry: audit.Entry{Username: cliUser(), Role: "cli"}}
	if *community != "" {
		if _, o.Community, err = communityScope(ctx, db, *community); err != nil {
			return err
		}
	}
	rep, err := importer.RunStructure(ctx, db, o)
	if fe, ok := apperr.AsField(err); ok && fe.Field == "community" {
		return fmt.Errorf("--community: %s", fe.Msg)
	}
	if err != nil {
		return err
	}
	if *passwordsOut != "" && rep.Applied {
		if err := writePasswords(*passwordsOut, rep.Accounts); err != nil {
			return fmt.Errorf("--passwords-out: %w", err)
		}
		for i := range rep.Accounts {
			rep.Accounts[i].Password = ""
		}
	}
	if *format == "json" {
		err = writeJSON(out, rep)
	} else {
		err = writeStructureText(out, rep, *passwordsOut)
	}
	if err != nil {
		return err
	}
	if !rep.Applied && !(*dryRun && rep.ErrorsTotal == 0) {
		return fmt.Errorf("%w: %d errors, nothing was written", errRefused, rep.ErrorsTotal)
	}
	return nil
}

// writePasswords writes the one-time passwords to path, mode 0600.
func writePasswords(path string, accounts []importer.Account) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	err = importer.WritePasswords(f, accounts)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// writeStructureText writes a structure report for people, with the
// table of accounts and their one-time passwords.
func writeStructureText(out io.Writer, rep *importer.StructureReport, passwordsOut string) error {
	fmt.Fprintf(out, "%s: grids %s; compounds %s; buildings %s; team %s; departments %s; %d households moved\n",
		rep.Community, rep.Grids, rep.Compounds, rep.Buildings, rep.Team, rep.Departments, rep.HouseholdsMoved)
	switch {
	case rep.Applied:
		fmt.Fprintln(out, "Applied.")
	case rep.DryRun:
		fmt.Fprintf(out, "Dry run: nothing was written (%d errors).\n", rep.ErrorsTotal)
	default:
		fmt.Fprintf(out, "Refused: nothing was written; fix the %d errors below and import again.\n", rep.ErrorsTotal)
	}
	for _, p := range rep.Errors {
		where := strings.TrimSpace(p.Column + " " + p.Cell)
		fmt.Fprintf(out, "  %s row %d %s %q: %s (%s)\n", p.Sheet, p.Row, where, p.Value, p.Message, p.Code)
	}
	if len(rep.Accounts) > 0 {
		fmt.Fprintf(out, "\n%-16s %-12s %-12s %-16s %s\n", "username", "name", "role", "password", "grids")
		for _, a := range rep.Accounts {
			pw := a.Password
			switch {
			case a.Existing:
				pw = "(existing)"
			case pw == "" && passwordsOut != "" && rep.Applied:
				pw = "(in " + passwordsOut + ")"
			case pw == "":
				pw = "-"
			}
			fmt.Fprintf(out, "%-16s %-12s %-12s %-16s %s\n", a.Username, a.DisplayName, a.Role, pw, strings.Join(a.Grids, ", "))
		}
		if rep.Applied && passwordsOut == "" && madeAccounts(rep.Accounts) > 0 {
			fmt.Fprintln(out, "The passwords are shown once: hand each to its owner, who must change it at the first sign-in.")
		}
	}
	if len(rep.SkippedSheets) > 0 {
		fmt.Fprintf(out, "Sheets without a recognisable header, skipped: %s\n", strings.Join(rep.SkippedSheets, ", "))
	}
	return nil
}

// madeAccounts counts the accounts made (not those that existed).
func madeAccounts(as []importer.Account) int {
	n := 0
	for _, a := range as {
		if !a.Existing {
			n++
		}
	}
	return n
}
