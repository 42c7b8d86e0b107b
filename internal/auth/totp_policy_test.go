package auth

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
)

// TestTOTPRequiredByRole: by default administrators and grid leaders must
// use TOTP. Until they enrol, the API refuses their sign-ins and their
// tokens (made before), and a web sign-in gets a session that may only
// enrol; once enrolled, the password asks for the code and the tokens
// work again. Other roles are not asked; the setting changes who is.
func TestTOTPRequiredByRole(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := NewStore(db)
		c := &clock{time.Now()}
		s.now = c.now
		f, err := testworld.NewOrg(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		grid := f.Grids[0].ID
		leader, err := s.CreateUser(ctx, "leader", "", "dongxing-2025", Grant{Role: GridLeader, OrgUnitID: grid})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateUser(ctx, "worker", "", "dongxing-2025", Grant{Role: Visitor, OrgUnitID: grid}); err != nil {
			t.Fatal(err)
		}
		if roles, err := s.TOTPRoles(ctx); err != nil || !slices.Equal(roles, []Role{Admin, GridLeader}) {
			t.Fatalf("default roles: %v %v", roles, err)
		}
		// A token made while TOTP was not required.
		if err := s.SetTOTPRoles(ctx, nil); err != nil {
			t.Fatal(err)
		}
		pat, _, err := s.CreateToken(ctx, leader.ID, "script", []string{ScopeRead}, 24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		apiTok, _, err := s.Login(ctx, "leader", "dongxing-2025", API)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetTOTPRoles(ctx, []Role{GridLeader, Admin}); err != nil {
			t.Fatal(err)
		}

		if _, _, err := s.Login(ctx, "leader", "dongxing-2025", API); !errors.Is(err, ErrEnrolTOTP) {
			t.Errorf("API sign-in of an unenrolled grid leader: %v, want ErrEnrolTOTP", err)
		}
		for _, tok := range []string{pat, apiTok} {
			if _, err := s.Authenticate(ctx, tok, API); !errors.Is(err, ErrEnrolTOTP) {
				t.Errorf("earlier API token of an unenrolled grid leader: %v, want ErrEnrolTOTP", err)
			}
		}
		webTok, sess, err := s.Login(ctx, "leader", "dongxing-2025", Web)
		if err != nil || !sess.EnrolTOTP {
			t.Fatalf("web sign-in of an unenrolled grid leader: %v, EnrolTOTP %v", err, sess != nil && sess.EnrolTOTP)
		}
		if got, err := s.Authenticate(ctx, webTok, Web); err != nil || !got.EnrolTOTP {
			t.Errorf("web session before enrolment: %v", err)
		}
		// A wrong password is still just that.
		if _, _, err := s.Login(ctx, "leader", "wrong password", API); !errors.Is(err, ErrBadCredentials) {
			t.Errorf("wrong password: %v", err)
		}
		// The visitor is not asked.
		if _, sess, err := s.Login(ctx, "worker", "dongxing-2025", API); err != nil || sess.EnrolTOTP {
			t.Errorf("visitor: %v", err)
		}

		// Enrol.
		secret, err := s.BeginTOTP(ctx, leader.ID)
		if err != nil {
			t.Fatal(err)
		}
		code, _ := TOTPCode(secret, c.t)
		if err := s.ConfirmTOTP(ctx, leader.ID, code); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Authenticate(ctx, webTok, Web); err != nil || got.EnrolTOTP {
			t.Errorf("web session after enrolment: %v, EnrolTOTP %v", err, got != nil && got.EnrolTOTP)
		}
		for _, tok := range []string{pat, apiTok} {
			if _, err := s.Authenticate(ctx, tok, API); err != nil {
				t.Errorf("API token after enrolment: %v", err)
			}
		}
		var sf *SecondFactorError
		if _, _, err := s.Login(ctx, "leader", "dongxing-2025", API); !errors.As(err, &sf) {
			t.Errorf("API sign-in after enrolment without a code: %v", err)
		}
		// Turning TOTP off is refused while the role requires it.
		c.t = c.t.Add(30 * time.Second)
		code, _ = TOTPCode(secret, c.t)
		if err := s.DisableTOTP(ctx, leader.ID, code); err == nil {
			t.Error("a grid leader turned TOTP off while required")
		} else if fe, ok := apperr.AsField(err); !ok || fe.Code != "totp_required" {
			t.Errorf("turning TOTP off while required: %v", err)
		}
		if on, _ := s.TOTPEnabled(ctx, leader.ID); !on {
			t.Error("TOTP went off")
		}

		// The setting: roles are checked; none requires it of no one.
		if err := s.SetTOTPRoles(ctx, []Role{"boss"}); err == nil {
			t.Error("an unknown role was accepted")
		} else if fe, ok := apperr.AsField(err); !ok || fe.Field != "roles" {
			t.Errorf("unknown role: %v, want a field error on roles", err)
		}
		if err := s.SetTOTPRoles(ctx, []Role{}); err != nil {
			t.Fatal(err)
		}
		if roles, _ := s.TOTPRoles(ctx); len(roles) != 0 {
			t.Errorf("roles after clearing: %v", roles)
		}
		if err := s.ResetTOTP(ctx, leader.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Login(ctx, "leader", "dongxing-2025", API); err != nil {
			t.Errorf("grid leader when no role requires TOTP: %v", err)
		}
	})
}

// TestChangePassword: changing one's own password takes the current one;
// a wrong one counts as a failed login and leaves the password as it was.
func TestChangePassword(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := throttleStore(t, db)
		tok, _, err := s.Login(ctx, "clerk", "dongxing-2025", API)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct{ current, next, field, code string }{
			{"wrong password", "a-new-long-password", "current_password", "wrong_password"},
			{"", "a-new-long-password", "current_password", "wrong_password"},
			{"dongxing-2025", "short", "password", "password_short"},
			{"dongxing-2025", "dongxing-2025", "password", "password_same"},
		} {
			err := s.ChangePassword(ctx, "clerk", c.current, c.next, "")
			if fe, ok := apperr.AsField(err); !ok || fe.Field != c.field || fe.Code != c.code {
				t.Errorf("ChangePassword(%q, %q) = %v, want %s on %s", c.current, c.next, err, c.code, c.field)
			}
		}
		if _, err := s.Authenticate(ctx, tok, API); err != nil {
			t.Errorf("a refused change ended the session: %v", err)
		}
		if _, _, err := s.Login(ctx, "clerk", "a-new-long-password", API); !errors.Is(err, ErrBadCredentials) {
			t.Errorf("a refused change changed the password: %v", err)
		}
		// Two wrong current passwords above and one wrong login: two more lock.
		s.ChangePassword(ctx, "clerk", "wrong again", "a-new-long-password", "")
		var le *LockedError
		if err := s.ChangePassword(ctx, "clerk", "wrong again", "a-new-long-password", ""); !errors.As(err, &le) {
			t.Fatalf("fifth wrong password: %v, want locked", err)
		}
		if err := s.ChangePassword(ctx, "clerk", "dongxing-2025", "a-new-long-password", ""); !errors.As(err, &le) {
			t.Errorf("right current password while locked: %v", err)
		}
		if err := s.Unlock(ctx, "clerk"); err != nil {
			t.Fatal(err)
		}
		if err := s.ChangePassword(ctx, "clerk", "dongxing-2025", "a-new-long-password", ""); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, tok, API); err == nil {
			t.Error("the session survived the change")
		}
		if _, _, err := s.Login(ctx, "clerk", "a-new-long-password", API); err != nil {
			t.Errorf("the new password: %v", err)
		}
		if err := s.ChangePassword(ctx, "nobody", "dongxing-2025", "a-new-long-password", ""); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("missing account: %v", err)
		}
		// Whoever locks the account elsewhere does not keep its owner, signed
		// in on their own browser, from changing the password.
		_, sess, err := s.SignIn(ctx, Attempt{Username: "clerk", Password: "a-new-long-password", Kind: Web})
		if err != nil {
			t.Fatal(err)
		}
		for range 5 {
			s.SignIn(ctx, Attempt{Username: "clerk", Password: "guess", Addr: "198.51.100.1", Kind: API})
		}
		if err := s.ChangePassword(ctx, "clerk", "a-new-long-password", "a-third-long-password", ""); err == nil {
			t.Error("changed while the account is locked, from a browser never used")
		}
		if err := s.ChangePassword(ctx, "clerk", "a-new-long-password", "a-third-long-password", sess.Device); err != nil {
			t.Errorf("the owner's own browser while the account is locked: %v", err)
		}
	})
}
