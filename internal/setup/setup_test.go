package setup_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"wanhu/internal/apperr"
	"wanhu/internal/audit"
	"wanhu/internal/auth"
	"wanhu/internal/org"
	"wanhu/internal/setup"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
)

var dongxing = setup.Plan{City: "西宁市", District: "城东区", Street: "韵家口镇", Community: "东兴社区", Grids: 7,
	AdminUsername: "zhang", AdminPassword: "dongxing-setup-2026", TOTPGrace: setup.DefaultTOTPGrace}

var cli = audit.Entry{Username: "cli:test", Role: "cli"}

// counts is the number of rows of the tables a set-up writes.
func counts(t *testing.T, db *store.DB) string {
	t.Helper()
	out := ""
	for _, table := range []string{"org_units", "users", "user_roles", "audit_log", "settings"} {
		var n int
		if err := db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out += fmt.Sprintf("%s=%d ", table, n)
	}
	return out
}

// TestRun: an empty database gets the places, grids 1–7 named 第一网格 …
// 第七网格 and an administrator over the city, audited; the administrator
// signs in to the API at once (the grace), and the web asks them to set up
// two-step sign-in. A second set-up changes nothing.
func TestRun(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if reason, err := setup.Initialised(ctx, db); err != nil || reason != "" {
			t.Fatalf("a new database: %q %v, want not initialised", reason, err)
		}
		res, err := setup.Run(ctx, db, dongxing, cli)
		if err != nil {
			t.Fatal(err)
		}
		grids, err := org.Grids(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for i, g := range grids {
			names = append(names, g.Name)
			if g.Number != i+1 || g.CommunityID != res.Community.ID {
				t.Errorf("grid %+v", g)
			}
		}
		if want := []string{"第一网格", "第二网格", "第三网格", "第四网格", "第五网格", "第六网格", "第七网格"}; !slices.Equal(names, want) {
			t.Errorf("grids %v, want %v", names, want)
		}
		tree, err := org.NewStructure(db).Tree(ctx, false)
		if err != nil || len(tree) != 11 || tree[0].Name != "西宁市" || tree[3].Name != "东兴社区" {
			t.Errorf("tree %+v %v", tree, err)
		}
		as := auth.NewStore(db)
		u, err := as.UserByUsername(ctx, "zhang")
		if err != nil || len(u.Grants) != 1 || u.Grants[0].Role != auth.Admin || u.Grants[0].OrgUnitID != res.City.ID {
			t.Fatalf("administrator %+v %v", u, err)
		}
		if _, _, err := as.Login(ctx, "zhang", dongxing.AdminPassword, auth.API); err != nil {
			t.Errorf("API sign-in of the new administrator: %v", err)
		}
		if _, sess, err := as.Login(ctx, "zhang", dongxing.AdminPassword, auth.Web); err != nil || !sess.EnrolTOTP {
			t.Errorf("web sign-in of the new administrator: %v, want to be led to two-step sign-in", err)
		}
		recs, _, err := audit.New(db).Search(ctx, audit.Filter{Action: "setup"})
		if err != nil || len(recs) != 1 || recs[0].Username != "cli:test" || recs[0].Detail != "西宁市 城东区 韵家口镇 东兴社区 with 7 grids; administrator zhang" {
			t.Errorf("audit %+v %v", recs, err)
		}

		before := counts(t, db)
		if reason, err := setup.Initialised(ctx, db); err != nil || reason == "" {
			t.Errorf("after the set-up: %q %v, want initialised", reason, err)
		}
		again := dongxing
		again.AdminUsername = "li"
		var ie *setup.InitialisedError
		if _, err := setup.Run(ctx, db, again, cli); !errors.As(err, &ie) {
			t.Errorf("second set-up: %v, want already initialised", err)
		}
		if after := counts(t, db); after != before {
			t.Errorf("the second set-up changed %s into %s", before, after)
		}
	})
}

// TestRunBadInput: bad input names its field and writes nothing.
func TestRunBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		before := counts(t, db)
		for field, edit := range map[string]func(p *setup.Plan){
			"city":           func(p *setup.Plan) { p.City = " " },
			"community":      func(p *setup.Plan) { p.Community = "" },
			"grids":          func(p *setup.Plan) { p.Grids = 0 },
			"admin_username": func(p *setup.Plan) { p.AdminUsername = "张 三" },
			"admin_password": func(p *setup.Plan) { p.AdminPassword = "short" },
		} {
			p := dongxing
			edit(&p)
			if _, err := setup.Run(ctx, db, p, cli); !isField(err, field) {
				t.Errorf("%s: %v, want an error on it", field, err)
			}
		}
		if after := counts(t, db); after != before {
			t.Errorf("bad input changed %s into %s", before, after)
		}
	})
}

func isField(err error, field string) bool {
	fe, ok := apperr.AsField(err)
	return ok && fe.Field == field
}

// TestRunAdminOnly: a database with an org tree and no administrator (made
// by wanhu gen) gets only the administrator, over its city; places are
// refused there.
func TestRunAdminOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx, err := testworld.NewOrg(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := setup.Run(ctx, db, dongxing, cli); !isField(err, "city") {
			t.Errorf("places on a database with a tree: %v, want an error on city", err)
		}
		p := setup.Plan{AdminUsername: "zhang", AdminPassword: "dongxing-setup-2026"}
		res, err := setup.Run(ctx, db, p, cli)
		if err != nil {
			t.Fatal(err)
		}
		if res.City.ID != fx.City.ID || res.Admin.Grants[0].OrgUnitID != fx.City.ID || !res.GraceUntil.IsZero() {
			t.Errorf("result %+v", res)
		}
		if _, _, err := auth.NewStore(db).Login(ctx, "zhang", p.AdminPassword, auth.API); !errors.Is(err, auth.ErrEnrolTOTP) {
			t.Errorf("API sign-in without a grace: %v, want ErrEnrolTOTP", err)
		}
	})
}

// TestToken: the first-run token is one for every server until the set-up
// takes it away.
func TestToken(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		tok, err := setup.Token(ctx, db)
		if err != nil || len(tok) < 30 {
			t.Fatalf("token %q %v", tok, err)
		}
		if again, err := setup.Token(ctx, db); err != nil || again != tok {
			t.Errorf("a second server's token %q %v, want the same", again, err)
		}
		for in, want := range map[string]bool{tok: true, "": false, tok[:len(tok)-1]: false, tok + "x": false} {
			if ok, err := setup.TokenValid(ctx, db, in); err != nil || ok != want {
				t.Errorf("TokenValid(%q) = %v %v, want %v", in, ok, err, want)
			}
		}
		if _, err := setup.Run(ctx, db, dongxing, audit.Entry{Username: "setup", IP: "127.0.0.1"}); err != nil {
			t.Fatal(err)
		}
		if ok, _ := setup.TokenValid(ctx, db, tok); ok {
			t.Error("the token still opens the page after the set-up")
		}
		if after, err := setup.Token(ctx, db); err != nil || after != "" {
			t.Errorf("token after the set-up %q %v, want none", after, err)
		}
	})
}
