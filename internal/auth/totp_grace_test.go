package auth

import (
	"context"
	"errors"
	"testing"
	"time"

	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
)

// TestTOTPGrace: the first administrator, given a grace, signs in to the
// API with the password alone (issue 12's contract: wanhu init, then a
// script signs in), while the web still leads them to enrol; when the
// grace is over the API refuses them and their tokens until they enrol.
// An administrator without a grace is refused at once.
func TestTOTPGrace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := NewStore(db)
		c := &clock{time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)}
		s.now = c.now
		f, err := testworld.NewOrg(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		first, err := s.CreateUser(ctx, "first", "", "dongxing-2025", Grant{Role: Admin, OrgUnitID: f.City.ID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateUser(ctx, "second", "", "dongxing-2025", Grant{Role: Admin, OrgUnitID: f.City.ID}); err != nil {
			t.Fatal(err)
		}
		if err := s.SetTOTPGrace(ctx, first.ID, c.t.Add(24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		tok, sess, err := s.Login(ctx, "first", "dongxing-2025", API)
		if err != nil {
			t.Fatalf("API sign-in within the grace: %v", err)
		}
		if !sess.EnrolTOTP {
			t.Error("the session does not say the user must still enrol")
		}
		if _, err := s.Authenticate(ctx, tok, API); err != nil {
			t.Errorf("API token within the grace: %v", err)
		}
		pat, _, err := s.CreateToken(ctx, first.ID, "script", []string{ScopeRead}, 72*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, pat, API); err != nil {
			t.Errorf("personal token within the grace: %v", err)
		}
		if _, sess, err := s.Login(ctx, "first", "dongxing-2025", Web); err != nil || !sess.EnrolTOTP {
			t.Errorf("web sign-in within the grace: %v, want a session that must enrol", err)
		}
		if _, _, err := s.Login(ctx, "second", "dongxing-2025", API); !errors.Is(err, ErrEnrolTOTP) {
			t.Errorf("API sign-in of an administrator without a grace: %v, want ErrEnrolTOTP", err)
		}

		c.t = c.t.Add(24 * time.Hour)
		if _, _, err := s.Login(ctx, "first", "dongxing-2025", API); !errors.Is(err, ErrEnrolTOTP) {
			t.Errorf("API sign-in after the grace: %v, want ErrEnrolTOTP", err)
		}
		for _, tk := range []string{tok, pat} {
			if _, err := s.Authenticate(ctx, tk, API); !errors.Is(err, ErrEnrolTOTP) {
				t.Errorf("API token after the grace: %v, want ErrEnrolTOTP", err)
			}
		}
	})
}
