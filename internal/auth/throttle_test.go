package auth

import (
	"context"
	"errors"
	"testing"
	"time"

	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// clock is a settable time for tests.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestThrottle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := NewStore(db)
		c := &clock{time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)}
		s.now = c.now
		if _, err := s.CreateUser(ctx, "clerk", "", "dongxing-2025"); err != nil {
			t.Fatal(err)
		}
		try := func(pw, addr string) error {
			_, _, err := s.SignIn(ctx, Attempt{Username: "clerk", Password: pw, Addr: addr, Kind: API})
			return err
		}
		for i := 1; i <= 4; i++ {
			if err := try("wrong password", "10.0.0.1"); !errors.Is(err, ErrBadCredentials) {
				t.Fatalf("failure %d: %v", i, err)
			}
		}
		var le *LockedError
		if err := try("wrong password", "10.0.0.1"); !errors.As(err, &le) || !le.Until.Equal(c.t.Add(15*time.Minute)) {
			t.Fatalf("fifth failure: %v, want locked for 15 minutes", err)
		}
		// Locked: even the right password from another address is refused.
		if err := try("dongxing-2025", "10.0.0.2"); !errors.As(err, &le) {
			t.Fatalf("right password while locked: %v", err)
		}
		if locked, _ := s.LockedUsers(ctx); locked["clerk"].IsZero() {
			t.Error("LockedUsers does not list clerk")
		}
		// After the lock the right password works and clears the count.
		c.t = c.t.Add(16 * time.Minute)
		if err := try("dongxing-2025", "10.0.0.2"); err != nil {
			t.Fatalf("after the lock: %v", err)
		}
		// The address 10.0.0.1 is locked for any account name.
		c.t = c.t.Add(time.Minute)
		for i := 0; i < 5; i++ {
			try("wrong password", "10.0.0.1")
		}
		if _, _, err := s.SignIn(ctx, Attempt{Username: "nobody", Password: "x", Addr: "10.0.0.1", Kind: API}); !errors.As(err, &le) {
			t.Errorf("locked address tried another name: %v", err)
		}
		// The account was locked a second time: the lock doubles.
		c.t = c.t.Add(20 * time.Minute)
		for i := 0; i < 4; i++ {
			try("wrong password", "10.0.0.3")
		}
		if err := try("wrong password", "10.0.0.3"); !errors.As(err, &le) || !le.Until.Equal(c.t.Add(30*time.Minute)) {
			t.Errorf("second lockout: %v, want 30 minutes", err)
		}
		// An admin unlocks the account.
		if err := s.Unlock(ctx, "clerk"); err != nil {
			t.Fatal(err)
		}
		if err := try("dongxing-2025", "10.0.0.4"); err != nil {
			t.Errorf("after unlock: %v", err)
		}
		if err := s.Unlock(ctx, "nobody"); err == nil {
			t.Error("unlock of a missing account succeeded")
		}
		// Failures spread beyond the window do not lock.
		for i := 0; i < 8; i++ {
			c.t = c.t.Add(10 * time.Minute)
			if err := try("wrong password", ""); !errors.Is(err, ErrBadCredentials) {
				t.Fatalf("spread failure %d: %v", i, err)
			}
		}
	})
}
