package auth_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/auth"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

func TestPasswordRules(t *testing.T) {
	for pw, code := range map[string]string{"short": "password_short", "Password123": "password_common", "1234567890": "password_common", "长城长城长城长城长城长": ""} {
		err := auth.CheckPassword(pw)
		fe, _ := apperr.AsField(err)
		if (code == "" && err != nil) || (code != "" && (fe == nil || fe.Code != code)) {
			t.Errorf("CheckPassword(%q) = %v, want code %q", pw, err, code)
		}
	}
	h := auth.HashPassword("correct horse battery")
	if !auth.VerifyPassword(h, "correct horse battery") || auth.VerifyPassword(h, "correct horse battery!") {
		t.Error("VerifyPassword does not tell right from wrong")
	}
}

func TestSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := auth.NewStore(db)
		if _, err := s.CreateUser(ctx, "clerk", "社区文员", "dongxing-2025"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateUser(ctx, "clerk", "", "dongxing-2025"); err == nil {
			t.Error("duplicate username accepted")
		}
		if _, _, err := s.Login(ctx, "clerk", "wrong password", auth.Web); !errors.Is(err, auth.ErrBadCredentials) {
			t.Errorf("wrong password: %v", err)
		}
		tok, sess, err := s.Login(ctx, "clerk", "dongxing-2025", auth.Web)
		if err != nil || sess.CSRF == "" {
			t.Fatal(err)
		}
		if got, err := s.Authenticate(ctx, tok, auth.Web); err != nil || got.User.Username != "clerk" {
			t.Fatalf("authenticate: %v", err)
		}
		if _, err := s.Authenticate(ctx, tok, auth.API); err == nil {
			t.Error("a web cookie worked as an API token")
		}
		// Idle past the timeout: the session ends.
		s.IdleTimeout = -time.Second
		if _, err := s.Authenticate(ctx, tok, auth.Web); !errors.Is(err, auth.ErrBadCredentials) {
			t.Errorf("idle session still valid: %v", err)
		}
		s.IdleTimeout = time.Hour
		tok, _, _ = s.Login(ctx, "clerk", "dongxing-2025", auth.API)
		if err := s.SetPassword(ctx, "clerk", "a-new-long-password"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, tok, auth.API); err == nil {
			t.Error("token survived a password change")
		}
		tok, _, _ = s.Login(ctx, "clerk", "a-new-long-password", auth.API)
		s.SetDisabled(ctx, "clerk", true)
		if _, err := s.Authenticate(ctx, tok, auth.API); err == nil {
			t.Error("token survived disabling")
		}
		if _, _, err := s.Login(ctx, "clerk", "a-new-long-password", auth.API); err == nil {
			t.Error("disabled account logged in")
		}
	})
}
