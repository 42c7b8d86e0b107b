package auth_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"wanhu/internal/auth"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
)

// TestSessionReadsGrantsAndPolicyAtOnce checks that a session is read
// with its account, every grant and the two-step sign-in policy as they
// are now, by any server: two stores stand for two servers on one
// database, and what one changes counts at the other's next request.
func TestSessionReadsGrantsAndPolicyAtOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f, err := testworld.NewOrg(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		one, two := auth.NewStore(db), auth.NewStore(db)
		g1, g2 := f.Grids[0].ID, f.Grids[1].ID
		worker, err := one.CreateUser(ctx, "worker", "走访员", "dongxing-2025-c",
			auth.Grant{Role: auth.Visitor, OrgUnitID: g2}, auth.Grant{Role: auth.Visitor, OrgUnitID: g1})
		if err != nil {
			t.Fatal(err)
		}
		pat, _, err := one.CreateToken(ctx, worker.ID, "脚本", []string{auth.ScopeRead}, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		tok, _, err := one.Login(ctx, "worker", "dongxing-2025-c", auth.API)
		if err != nil {
			t.Fatal(err)
		}
		// The login token and the personal token read the same account.
		grants := func() []auth.Grant {
			t.Helper()
			s, err := two.Authenticate(ctx, tok, auth.API)
			if err != nil {
				t.Fatalf("authenticate: %v", err)
			}
			if s.User.Username != "worker" || s.User.DisplayName != "走访员" {
				t.Fatalf("the session is %q (%q), want worker", s.User.Username, s.User.DisplayName)
			}
			p, err := two.Authenticate(ctx, pat, auth.API)
			if err != nil {
				t.Fatalf("authenticate the personal token: %v", err)
			}
			if p.User.ID != worker.ID || !slices.Equal(p.Scopes, []string{auth.ScopeRead}) || p.MayWrite() || !slices.Equal(p.User.Grants, s.User.Grants) {
				t.Fatalf("the personal token's session is %+v with grants %+v, want worker's read-only with %+v", p, p.User.Grants, s.User.Grants)
			}
			return s.User.Grants
		}
		got := grants()
		if len(got) != 2 || got[0].Path == "" || got[1].Path == "" || got[0].OrgUnitID > got[1].OrgUnitID {
			t.Fatalf("grants = %+v, want both grids in order, each with its path", got)
		}
		if err := one.Revoke(ctx, "worker", auth.Grant{Role: auth.Visitor, OrgUnitID: g1}); err != nil {
			t.Fatal(err)
		}
		if got := grants(); len(got) != 1 || got[0].OrgUnitID != g2 {
			t.Fatalf("after revoking grid %d, grants = %+v", g1, got)
		}
		// Requiring TOTP of visitors refuses the API token at once.
		if err := one.SetTOTPRoles(ctx, []auth.Role{auth.Visitor}); err != nil {
			t.Fatal(err)
		}
		if _, err := two.Authenticate(ctx, tok, auth.API); !errors.Is(err, auth.ErrEnrolTOTP) {
			t.Errorf("visitors must use TOTP, the API answered %v, want ErrEnrolTOTP", err)
		}
		if _, err := two.Authenticate(ctx, pat, auth.API); !errors.Is(err, auth.ErrEnrolTOTP) {
			t.Errorf("visitors must use TOTP, the personal token answered %v, want ErrEnrolTOTP", err)
		}
		web, _, err := one.Login(ctx, "worker", "dongxing-2025-c", auth.Web)
		if err != nil {
			t.Fatal(err)
		}
		if s, err := two.Authenticate(ctx, web, auth.Web); err != nil || !s.EnrolTOTP {
			t.Errorf("the web session is not led to enrol: %+v, %v", s, err)
		}
		if err := one.SetTOTPRoles(ctx, nil); err != nil {
			t.Fatal(err)
		}
		if s, err := two.Authenticate(ctx, web, auth.Web); err != nil || s.EnrolTOTP {
			t.Errorf("TOTP no longer required, the web session: %+v, %v", s, err)
		}
		// Signing out and disabling end the session at the other server.
		if err := one.Logout(ctx, web); err != nil {
			t.Fatal(err)
		}
		if _, err := two.Authenticate(ctx, web, auth.Web); !errors.Is(err, auth.ErrBadCredentials) {
			t.Errorf("signed out, the web session answered %v", err)
		}
		if err := one.SetDisabled(ctx, "worker", true); err != nil {
			t.Fatal(err)
		}
		if _, err := two.Authenticate(ctx, tok, auth.API); !errors.Is(err, auth.ErrBadCredentials) {
			t.Errorf("disabled, the API token answered %v", err)
		}
		if _, err := two.Authenticate(ctx, pat, auth.API); !errors.Is(err, auth.ErrBadCredentials) {
			t.Errorf("disabled, the personal token answered %v", err)
		}
		// A user with no grant at all signs in with none.
		if _, err := one.CreateUser(ctx, "nobody", "", "dongxing-2025-d"); err != nil {
			t.Fatal(err)
		}
		tok, _, err = one.Login(ctx, "nobody", "dongxing-2025-d", auth.Web)
		if err != nil {
			t.Fatal(err)
		}
		if s, err := two.Authenticate(ctx, tok, auth.Web); err != nil || s.User.Grants == nil || len(s.User.Grants) != 0 || slices.ContainsFunc(auth.Roles, s.User.Has) {
			t.Errorf("a user with no grant: %+v, %v", s, err)
		}
	})
}
