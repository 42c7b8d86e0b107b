package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"wanhu/internal/audit"
	"wanhu/internal/auth"
	"wanhu/internal/org"
)

func runUser(ctx context.Context, args []string, out io.Writer) error {
	sub, args := subcommand(args)
	fs := newFlags("user " + sub)
	dsn := fs.String("db", "", "database: a SQLite file path or a postgres:// URL")
	username := fs.String("username", "", "account name")
	display := fs.String("display-name", "", "name shown in the app and the ledger")
	password := fs.String("password", "", "password (at least 10 characters, not a common one)")
	role := fs.String("role", "admin", "role to grant on add, grant or revoke: "+fmt.Sprint(auth.Roles))
	unit := fs.Int64("org", 0, "org unit id the role applies to (default: the city at the root)")
	addr := fs.String("addr", "", "source address to unlock after failed logins (user unlock)")
	keyFile := keyFileFlag(fs)
	roles := fs.String("roles", "", "totp-roles: the roles that must use two-step sign-in, comma-separated, or none")
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := openSealedDB(ctx, *dsn, *keyFile)
	if err != nil {
		return err
	}
	defer db.Close()
	as := auth.NewStore(db)
	need := func() error {
		if *username == "" {
			return fmt.Errorf("--username is required")
		}
		return nil
	}
	switch sub {
	case "add":
		if err := need(); err != nil {
			return err
		}
		if *unit == 0 {
			cities, err := org.Units(ctx, db, org.City)
			if err != nil || len(cities) == 0 {
				return fmt.Errorf("no org tree yet: give --org")
			}
			*unit = cities[0].ID
		}
		u, err := as.CreateUser(ctx, *username, *display, *password, auth.Grant{Role: auth.Role(*role), OrgUnitID: *unit})
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "added %s (id %d)\n", u.Username, u.ID)
	case "list":
		users, err := as.Users(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "USERNAME\tNAME\tROLES\tDISABLED")
		for _, u := range users {
			var grants []string
			for _, g := range u.Grants {
				grants = append(grants, fmt.Sprintf("%s@%d", g.Role, g.OrgUnitID))
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%v\n", u.Username, u.DisplayName, strings.Join(grants, ","), u.Disabled)
		}
		return tw.Flush()
	case "disable", "enable":
		if err := need(); err != nil {
			return err
		}
		if err := as.SetDisabled(ctx, *username, sub == "disable"); err != nil {
			return err
		}
		fmt.Fprintf(out, "%sd %s\n", sub, *username)
	case "unlock", "grant", "revoke":
		if db.Keys() == nil { // the change goes to the audit log, which is keyed
			return audit.ErrNoKey
		}
		if sub == "unlock" && *addr != "" && *username == "" {
			return unlockAddr(ctx, db, as, *addr, out)
		}
		if err := need(); err != nil {
			return err
		}
		if sub != "unlock" && !flagSet(fs, "role") {
			return fmt.Errorf("--role is required")
		}
		return userAccess(ctx, db, as, sub, *username, auth.Grant{Role: auth.Role(*role), OrgUnitID: *unit}, out)
	case "reset-password":
		if err := need(); err != nil {
			return err
		}
		return resetPassword(ctx, db, as, *username, *password, out)
	case "reset-totp":
		if err := need(); err != nil {
			return err
		}
		return resetTOTP(ctx, db, as, *username, out)
	case "totp-roles":
		return totpRoles(ctx, db, as, *roles, flagSet(fs, "roles"), out)
	default:
		return fmt.Errorf("usage: wanhu user add|list|disable|enable|reset-password|reset-totp|unlock|grant|revoke --db … [--username …] [--role R --org ID] | wanhu user totp-roles --db … [--roles R,R|none]")
	}
	return nil
}
