package auth_test

import (
	"context"
	"errors"
	"regexp"
	"testing"

	"wanhu/internal/auth"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestOneTimePassword: an account made with a one-time password signs in
// on the web with a session that must change it, and not at all through
// the API (a token it held is refused too), until the password is
// changed; the passwords are readable and pass the password rules.
func TestOneTimePassword(t *testing.T) {
	seen := map[string]bool{}
	for range 50 {
		pw := auth.OneTimePassword()
		if !regexp.MustCompile(`^[a-km-np-z2-9]{4}-[a-km-np-z2-9]{4}-[a-km-np-z2-9]{4}$`).MatchString(pw) || auth.CheckPassword(pw) != nil || seen[pw] {
			t.Fatalf("one-time password %q", pw)
		}
		seen[pw] = true
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := auth.NewStore(db)
		pw := auth.OneTimePassword()
		u, err := s.CreateAccount(ctx, auth.NewAccount{Username: "g3-01", DisplayName: "赵刚", Password: pw, OneTime: true})
		if err != nil || !u.MustChangePassword {
			t.Fatalf("%+v, %v", u, err)
		}
		if _, _, err := s.Login(ctx, "g3-01", pw, auth.API); !errors.Is(err, auth.ErrChangePassword) {
			t.Errorf("API sign-in with a one-time password: %v", err)
		}
		tok, sess, err := s.Login(ctx, "g3-01", pw, auth.Web)
		if err != nil || !sess.ChangePassword {
			t.Fatalf("web sign-in: %+v, %v", sess, err)
		}
		if sess, err := s.Authenticate(ctx, tok, auth.Web); err != nil || !sess.ChangePassword {
			t.Errorf("the web session: %+v, %v", sess, err)
		}
		if err := s.ChangePassword(ctx, "g3-01", pw, "zhao-gang-2026", ""); err != nil {
			t.Fatal(err)
		}
		if _, sess, err := s.Login(ctx, "g3-01", "zhao-gang-2026", auth.API); err != nil || sess.ChangePassword || sess.User.MustChangePassword {
			t.Errorf("after the change: %+v, %v", sess, err)
		}

		// A token of an account that gets a one-time password rests.
		if _, err := s.CreateUser(ctx, "clerk", "", "dongxing-2025"); err != nil {
			t.Fatal(err)
		}
		tok, _, err = s.Login(ctx, "clerk", "dongxing-2025", auth.API)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, `UPDATE users SET must_change_password = TRUE WHERE username = 'clerk'`); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, tok, auth.API); !errors.Is(err, auth.ErrChangePassword) {
			t.Errorf("an API token of an account with a one-time password: %v", err)
		}
		if err := s.SetPassword(ctx, "clerk", "reset-by-admin-2026"); err != nil {
			t.Fatal(err)
		}
		if u, err := s.UserByUsername(ctx, "clerk"); err != nil || u.MustChangePassword {
			t.Errorf("after a reset: %+v, %v", u, err)
		}
	})
}
