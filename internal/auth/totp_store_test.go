package auth

import (
	"context"
	"errors"
	"testing"
	"time"

	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

func TestTOTPSignIn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := NewStore(db)
		c := &clock{time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)}
		s.now = c.now
		u, err := s.CreateUser(ctx, "boss", "", "dongxing-2025")
		if err != nil {
			t.Fatal(err)
		}
		secret, err := s.BeginTOTP(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		var stored string
		storetest.Scan(t, db.QueryRowContext(ctx, `SELECT secret FROM user_totp WHERE user_id = ?`, u.ID), &stored)
		if stored == secret || stored == "" {
			t.Error("the TOTP secret is stored in the clear")
		}
		if again, err := s.PendingTOTP(ctx, u.ID); err != nil || again != secret {
			t.Errorf("pending secret: %v", err)
		}
		// Not enabled until confirmed: the password alone still signs in.
		if _, _, err := s.SignIn(ctx, Attempt{Username: "boss", Password: "dongxing-2025", Kind: Web}); err != nil {
			t.Fatal(err)
		}
		if err := s.ConfirmTOTP(ctx, u.ID, "000000"); err == nil {
			t.Error("a wrong code confirmed TOTP")
		}
		code, _ := TOTPCode(secret, c.t)
		if err := s.ConfirmTOTP(ctx, u.ID, code); err != nil {
			t.Fatal(err)
		}
		// Now the password answers with a challenge.
		_, _, err = s.SignIn(ctx, Attempt{Username: "boss", Password: "dongxing-2025", Addr: "10.0.0.1", Kind: Web})
		var sf *SecondFactorError
		if !errors.As(err, &sf) {
			t.Fatalf("password of a TOTP account: %v", err)
		}
		// The code used to confirm cannot be used again.
		if _, _, err := s.SignInCode(ctx, sf.Challenge, code, "10.0.0.1", ""); err == nil {
			t.Error("a code was accepted twice")
		}
		c.t = c.t.Add(30 * time.Second)
		code, _ = TOTPCode(secret, c.t)
		tok, sess, err := s.SignInCode(ctx, sf.Challenge, code, "10.0.0.1", "")
		if err != nil || sess.User.Username != "boss" {
			t.Fatalf("sign in with the code: %v", err)
		}
		if _, err := s.Authenticate(ctx, tok, Web); err != nil {
			t.Errorf("session after TOTP: %v", err)
		}
		if _, _, err := s.SignInCode(ctx, sf.Challenge, code, "10.0.0.1", ""); err == nil {
			t.Error("a challenge was used twice")
		}
		// The API sends the code with the password.
		c.t = c.t.Add(30 * time.Second)
		code, _ = TOTPCode(secret, c.t)
		if _, _, err := s.SignIn(ctx, Attempt{Username: "boss", Password: "dongxing-2025", Code: code, Kind: API}); err != nil {
			t.Errorf("API sign-in with a code: %v", err)
		}
		// Wrong codes count as failed logins and lock.
		_, _, err = s.SignIn(ctx, Attempt{Username: "boss", Password: "dongxing-2025", Addr: "10.0.0.2", Kind: Web})
		errors.As(err, &sf)
		for i := 0; i < 5; i++ {
			_, _, err = s.SignInCode(ctx, sf.Challenge, "123456", "10.0.0.2", "")
		}
		var le *LockedError
		if !errors.As(err, &le) {
			t.Errorf("five wrong codes: %v, want locked", err)
		}
		// An expired challenge is refused.
		s.Unlock(ctx, "boss")
		s.UnlockAddr(ctx, "10.0.0.2")
		_, _, err = s.SignIn(ctx, Attempt{Username: "boss", Password: "dongxing-2025", Kind: Web})
		errors.As(err, &sf)
		c.t = c.t.Add(ChallengeLifetime + time.Minute)
		code, _ = TOTPCode(secret, c.t)
		if _, _, err := s.SignInCode(ctx, sf.Challenge, code, "", ""); !errors.Is(err, ErrBadCredentials) {
			t.Errorf("expired challenge: %v", err)
		}
		// Turning it off takes a current code.
		if err := s.DisableTOTP(ctx, u.ID, "000000"); err == nil {
			t.Error("TOTP disabled with a wrong code")
		}
		if err := s.DisableTOTP(ctx, u.ID, code); err != nil {
			t.Fatal(err)
		}
		if on, _ := s.TOTPEnabled(ctx, u.ID); on {
			t.Error("TOTP still on")
		}
	})
}
