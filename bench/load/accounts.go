package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"wanhu/internal/apperr"
	"wanhu/internal/auth"
	"wanhu/internal/gen"
	"wanhu/internal/secret"
	"wanhu/internal/store"
)

// password is the demo accounts' password (gen.DemoAccounts).
const password = "demo-pass-2026"

// accounts makes sure a database made by `wanhu gen` has the accounts the
// run signs in as: the demo's (admin of the first community, leader1 and
// leader3, visitor1, ...) and cityadmin, an administrator of the whole
// city, all with the demo's password.
func accounts(args []string) error {
	fs := flag.NewFlagSet("accounts", flag.ExitOnError)
	dsn := fs.String("db", "", "SQLite file or postgres:// URL made by wanhu gen")
	keyFile := fs.String("key", "", "its key file")
	fs.Parse(args)
	ctx := context.Background()
	keys, err := secret.Load(*keyFile)
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetKeys(keys)
	if _, err := gen.DemoAccounts(ctx, db, password); err != nil {
		return err
	}
	var root int64
	if err := db.QueryRowContext(ctx, `SELECT id FROM org_units WHERE parent_id IS NULL ORDER BY id LIMIT 1`).Scan(&root); err != nil {
		return fmt.Errorf("the root of the org tree: %w", err)
	}
	as := auth.NewStore(db)
	_, err = as.UserByUsername(ctx, "cityadmin")
	switch {
	case errors.Is(err, apperr.ErrNotFound):
		_, err = as.CreateUser(ctx, "cityadmin", "市管理员", password, auth.Grant{Role: auth.Admin, OrgUnitID: root})
	case err == nil:
		err = as.SetPassword(ctx, "cityadmin", password)
	}
	return err
}
