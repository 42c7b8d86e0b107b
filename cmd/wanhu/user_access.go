package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"wanhu/internal/audit"
	"wanhu/internal/auth"
	"wanhu/internal/store"
)

// userAccess runs `wanhu user unlock|grant|revoke` and writes the change
// to the audit log as done from the command line.
func userAccess(ctx context.Context, db *store.DB, as *auth.Store, sub, username string, g auth.Grant, out io.Writer) error {
	e := audit.Entry{Username: "cli", Role: "cli", Action: "user." + sub, Object: "user:" + username, Result: audit.OK}
	var err error
	switch sub {
	case "unlock":
		err = as.Unlock(ctx, username)
	case "grant", "revoke":
		if g.OrgUnitID == 0 {
			return fmt.Errorf("--org is required")
		}
		e.Action, e.Detail = sub, fmt.Sprintf("role=%s org=%d", g.Role, g.OrgUnitID)
		if sub == "grant" {
			err = as.Grant(ctx, username, g)
		} else {
			err = as.Revoke(ctx, username, g)
		}
	}
	if err != nil {
		return err
	}
	if err := audit.New(db).Record(ctx, e); err != nil {
		return fmt.Errorf("%s done, but the audit log refused it: %w", sub, err)
	}
	switch sub {
	case "unlock":
		fmt.Fprintf(out, "unlocked %s\n", username)
	case "grant":
		fmt.Fprintf(out, "granted %s on org unit %d to %s\n", g.Role, g.OrgUnitID, username)
	default:
		fmt.Fprintf(out, "revoked %s on org unit %d from %s\n", g.Role, g.OrgUnitID, username)
	}
	return nil
}

// flagSet reports whether the flag name was given, on the command line or
// in the environment.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// unlockAddr runs `wanhu user unlock --addr A`: it lifts the lock of a
// source address after failed logins.
func unlockAddr(ctx context.Context, db *store.DB, as *auth.Store, addr string, out io.Writer) error {
	if err := as.UnlockAddr(ctx, addr); err != nil {
		return err
	}
	e := audit.Entry{Username: "cli", Role: "cli", Action: "login.unlock_addr", Object: "addr:" + addr, Result: audit.OK}
	if err := audit.New(db).Record(ctx, e); err != nil {
		return fmt.Errorf("unlocked, but the audit log refused it: %w", err)
	}
	fmt.Fprintf(out, "unlocked address %s\n", addr)
	return nil
}
