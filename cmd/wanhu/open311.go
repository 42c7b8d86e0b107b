package main

import (
	"context"
	"fmt"
	"io"

	"wanhu/internal/open311"
)

const open311Usage = `usage: wanhu open311 key add --db … --name NAME [--community NAME]
           creates an API key for the Open311 client NAME and prints it, once:
           only its hash is kept; the requests it submits belong to the
           community (needed when the database has several)
       wanhu open311 key list --db …
       wanhu open311 key revoke --db … --name NAME
`

// runOpen311 is `wanhu open311 key`: the API keys of Open311 clients.
func runOpen311(ctx context.Context, args []string, out io.Writer) error {
	noun, args := subcommand(args)
	sub, args := subcommand(args)
	fs := newFlags("open311 key " + sub)
	dsn := fs.String("db", "", "database: a SQLite file path or a postgres:// URL")
	name := fs.String("name", "", "add, revoke: the key's name (the client it is for)")
	community := fs.String("community", "", "add: the community its requests belong to (default: the only one)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), open311Usage+"\nFlags (each also as WANHU_<FLAG>):\n")
		fs.PrintDefaults()
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if noun != "key" || (sub != "add" && sub != "list" && sub != "revoke") {
		return fmt.Errorf("%s", open311Usage)
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	switch sub {
	case "add":
		key, err := open311.AddKey(ctx, db, *name, *community)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%s\n", key)
		fmt.Fprintf(stderr, "The API key of %q is above; it is not shown again.\n", *name)
		return nil
	case "revoke":
		if err := open311.RevokeKey(ctx, db, *name); err != nil {
			return err
		}
		fmt.Fprintf(out, "Revoked the key %q.\n", *name)
		return nil
	}
	keys, err := open311.Keys(ctx, db)
	if err != nil {
		return err
	}
	for _, k := range keys {
		state := "in use"
		if k.RevokedAt != nil {
			state = "revoked " + k.RevokedAt.Format("2006-01-02")
		}
		fmt.Fprintf(out, "%-20s %-12s created %s, %s\n", k.Name, k.OrgUnit, k.CreatedAt.Format("2006-01-02"), state)
	}
	return nil
}
