package gen_test

import (
	"context"
	"testing"

	"wanhu/internal/access"
	"wanhu/internal/auth"
	"wanhu/internal/gen"
	"wanhu/internal/household"
	"wanhu/internal/store/storetest"
)

// TestDemoAccounts checks the demo's one account per role and what each
// sees: the community, grid 3, the volunteer's assigned households, and
// nothing for the officer and the auditor.
func TestDemoAccounts(t *testing.T) {
	ctx := context.Background()
	db := generatedDongxing(t)
	const pw = "demo-password-2025"
	accounts, err := gen.DemoAccounts(ctx, db, pw)
	if err != nil {
		t.Fatal(err)
	}
	if len(accounts) != 6 {
		t.Fatalf("%d accounts", len(accounts))
	}
	// Running it again (the demo restarting) keeps them and resets passwords.
	if _, err := gen.DemoAccounts(ctx, db, pw+"!"); err != nil {
		t.Fatal(err)
	}
	as, hs := auth.NewStore(db), household.NewStore(db)
	sees := map[string]int{}
	for _, a := range accounts {
		_, sess, err := as.Login(ctx, a.Username, pw+"!", auth.Web)
		if err != nil {
			t.Fatalf("%s cannot log in: %v", a.Username, err)
		}
		if sess.EnrolTOTP {
			t.Errorf("%s must enrol in two-step sign-in before using the demo", a.Username)
		}
		_, total, err := hs.In(access.Scope(sess.User)).List(ctx, household.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		sees[a.Username] = total
	}
	if sees["admin"] != 4470 || sees["leader3"] < 500 || sees["leader3"] > 800 || sees["leader1"] < 500 || sees["leader1"] > 800 || sees["visitor1"] < 20 || sees["visitor1"] > 60 ||
		sees["dept1"] != 0 || sees["auditor1"] != 0 {
		t.Errorf("households seen: %v", sees)
	}
}

// TestDemoGridIDsAreNumbers: on an empty database, Dongxing's grids get the
// ids 1–7, so "grid 3" means the same by id and by number.
func TestDemoGridIDsAreNumbers(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t)
	if _, err := gen.Generate(ctx, db, gen.Options{Households: 600, Today: articleDay}); err != nil {
		t.Fatal(err)
	}
	gs, err := household.NewStore(db).Grids(ctx)
	if err != nil || len(gs) != 7 {
		t.Fatalf("%d grids, %v", len(gs), err)
	}
	for _, g := range gs {
		if g.ID != int64(g.Number) || g.CommunityName != "东兴社区" {
			t.Errorf("grid %d has id %d in %s", g.Number, g.ID, g.CommunityName)
		}
	}
}
