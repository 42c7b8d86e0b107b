package auth

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// clock is a settable time for tests.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// throttleStore returns a Store on db with a settable clock and the account
// "clerk".
func throttleStore(t *testing.T, db *store.DB) (*Store, *clock) {
	t.Helper()
	s := NewStore(db)
	c := &clock{time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)}
	s.now = c.now
	if _, err := s.CreateUser(context.Background(), "clerk", "", "dongxing-2025"); err != nil {
		t.Fatal(err)
	}
	return s, c
}

// TestThrottleAccount: five wrong passwords lock the account name, from
// any address, for 15 minutes, doubling; an admin unlocks it.
func TestThrottleAccount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, c := throttleStore(t, db)
		try := func(pw, addr string) error {
			_, _, err := s.SignIn(ctx, Attempt{Username: "clerk", Password: pw, Addr: addr, Kind: API})
			return err
		}
		for i := 1; i <= 4; i++ {
			if err := try("wrong password", fmt.Sprintf("10.0.0.%d", i)); !errors.Is(err, ErrBadCredentials) {
				t.Fatalf("failure %d: %v", i, err)
			}
		}
		var le *LockedError
		if err := try("wrong password", "10.0.0.5"); !errors.As(err, &le) || !le.Until.Equal(c.t.Add(15*time.Minute)) || le.Address {
			t.Fatalf("fifth failure: %v, want the account locked for 15 minutes", err)
		}
		// Locked: even the right password from another address is refused.
		if err := try("dongxing-2025", "10.0.0.9"); !errors.As(err, &le) || le.RetryAfter(c.t) != 900 {
			t.Fatalf("right password while locked: %v", err)
		}
		if locked, _ := s.LockedUsers(ctx); locked["clerk"].IsZero() {
			t.Error("LockedUsers does not list clerk")
		}
		// After the lock the right password works and clears the count.
		c.t = c.t.Add(16 * time.Minute)
		if err := try("dongxing-2025", "10.0.0.9"); err != nil {
			t.Fatalf("after the lock: %v", err)
		}
		// Locked again: for 15 minutes (the success forgave), then 30.
		for i := 0; i < 4; i++ {
			try("wrong password", "10.0.1.1")
		}
		if err := try("wrong password", "10.0.1.2"); !errors.As(err, &le) || !le.Until.Equal(c.t.Add(15*time.Minute)) {
			t.Errorf("lock after a success: %v, want 15 minutes", err)
		}
		c.t = c.t.Add(20 * time.Minute)
		for i := 0; i < 4; i++ {
			try("wrong password", "10.0.2.1")
		}
		if err := try("wrong password", "10.0.2.2"); !errors.As(err, &le) || !le.Until.Equal(c.t.Add(30*time.Minute)) {
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

// TestThrottleAddressWaits: an address is never locked by five failures;
// after the fifth each failure makes it wait, 30 s, then 60 s, and so on,
// answering how long; the wait holds for any account name from an
// unknown browser, and ends by itself or by UnlockAddr.
func TestThrottleAddressWaits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, c := throttleStore(t, db)
		const office = "203.0.113.7"
		try := func(name, pw string) error {
			_, _, err := s.SignIn(ctx, Attempt{Username: name, Password: pw, Addr: office, Kind: Web})
			return err
		}
		for i := 1; i <= 5; i++ {
			if err := try(fmt.Sprintf("guess%d", i), "wrong password"); !errors.Is(err, ErrBadCredentials) {
				t.Fatalf("failure %d: %v", i, err)
			}
		}
		// Five failures: the address does not wait; the right password gets in.
		if err := try("clerk", "dongxing-2025"); err != nil {
			t.Fatalf("right password after five failures at the address: %v", err)
		}
		var le *LockedError
		if err := try("guess6", "wrong password"); !errors.As(err, &le) || !le.Address || le.RetryAfter(c.t) != 30 {
			t.Fatalf("sixth failure: %v, want the address to wait 30 s", err)
		}
		if err := try("clerk", "dongxing-2025"); !errors.As(err, &le) || !le.Address {
			t.Fatalf("right password from an unknown browser while the address waits: %v", err)
		}
		if locked, _ := s.LockedAddrs(ctx); locked[office].IsZero() {
			t.Error("LockedAddrs does not list the waiting address")
		}
		c.t = le.Until
		if err := try("guess7", "wrong password"); !errors.As(err, &le) || le.RetryAfter(c.t) != 60 {
			t.Fatalf("seventh failure: %v, want 60 s", err)
		}
		c.t = le.Until
		if err := try("clerk", "dongxing-2025"); err != nil {
			t.Fatalf("right password after the wait: %v", err)
		}
		if err := try("guess8", "wrong password"); !errors.As(err, &le) || le.RetryAfter(c.t) != 120 {
			t.Fatalf("eighth failure: %v, want 120 s (a success does not forgive the address)", err)
		}
		if err := s.UnlockAddr(ctx, office); err != nil {
			t.Fatal(err)
		}
		if err := try("clerk", "dongxing-2025"); err != nil {
			t.Errorf("after UnlockAddr: %v", err)
		}
		// A quiet day forgives: five failures are free again.
		c.t = c.t.Add(25 * time.Hour)
		for i := range 6 {
			try(fmt.Sprintf("quiet%d", i), "wrong password")
		}
		c.t = c.t.Add(48 * time.Hour)
		for i := 1; i <= 5; i++ {
			if err := try(fmt.Sprintf("again%d", i), "wrong password"); !errors.Is(err, ErrBadCredentials) {
				t.Fatalf("failure %d after a quiet day: %v", i, err)
			}
		}
	})
}

// TestOfficeNAT is the office of issue 11: behind one NAT address, a
// wrong password typed five times, and then a stranger guessing at many
// names, lock out no one else. The staff sign in at once from the
// browsers they used before; even the owner of the guessed account does.
func TestOfficeNAT(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, c := throttleStore(t, db)
		const office = "203.0.113.7"
		staff := []string{"clerk", "leader", "worker"}
		for _, u := range staff[1:] {
			if _, err := s.CreateUser(ctx, u, "", "dongxing-"+u+"-25"); err != nil {
				t.Fatal(err)
			}
		}
		pw := func(u string) string {
			if u == "clerk" {
				return "dongxing-2025"
			}
			return "dongxing-" + u + "-25"
		}
		// Yesterday each signed in from their own browser.
		device := map[string]string{}
		for _, u := range staff {
			_, sess, err := s.SignIn(ctx, Attempt{Username: u, Password: pw(u), Addr: office, Kind: Web})
			if err != nil || sess.Device == "" {
				t.Fatalf("%s's first sign-in: %v", u, err)
			}
			device[u] = sess.Device
		}
		c.t = c.t.Add(20 * time.Hour)

		// Today someone types clerk's password wrong five times on a new phone.
		for range 5 {
			s.SignIn(ctx, Attempt{Username: "clerk", Password: "dongxing-2024", Addr: office, Kind: Web})
		}
		for _, u := range staff {
			if _, _, err := s.SignIn(ctx, Attempt{Username: u, Password: pw(u), Addr: office, Device: device[u], Kind: Web}); err != nil {
				t.Errorf("%s from their browser after five wrong passwords at the office: %v", u, err)
			}
		}
		// The others would get in even from a browser they never used.
		if _, _, err := s.SignIn(ctx, Attempt{Username: "worker", Password: pw("worker"), Addr: office, Kind: Web}); err != nil {
			t.Errorf("worker from a new browser: %v", err)
		}

		// A stranger in the office guesses at twenty names.
		for i := range 20 {
			s.SignIn(ctx, Attempt{Username: fmt.Sprintf("name%d", i), Password: "123456789a", Addr: office, Kind: Web})
		}
		var le *LockedError
		if _, _, err := s.SignIn(ctx, Attempt{Username: "leader", Password: pw("leader"), Addr: office, Kind: Web}); !errors.As(err, &le) || !le.Address {
			t.Errorf("new browser while the stranger makes the address wait: %v", err)
		}
		for _, u := range staff {
			_, sess, err := s.SignIn(ctx, Attempt{Username: u, Password: pw(u), Addr: office, Device: device[u], Kind: Web})
			if err != nil || sess.Device != device[u] {
				t.Errorf("%s from their browser while the address waits: %v", u, err)
			}
		}
		// A browser known to one account is unknown to the others.
		if _, _, err := s.SignIn(ctx, Attempt{Username: "leader", Password: pw("leader"), Addr: office, Device: device["worker"], Kind: Web}); !errors.As(err, &le) {
			t.Errorf("leader with worker's browser cookie: %v, want the address's wait", err)
		}
	})
}

// TestKnownDeviceAccount: whoever guesses clerk's password elsewhere locks
// the account, but not clerk's own browser; that browser locks after its
// own five failures, and its success gives the guesser no fresh start.
func TestKnownDeviceAccount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, c := throttleStore(t, db)
		_, sess, err := s.SignIn(ctx, Attempt{Username: "clerk", Password: "dongxing-2025", Addr: "10.0.0.1", Kind: Web})
		if err != nil {
			t.Fatal(err)
		}
		mine := sess.Device
		var clear, hashed int
		storetest.Scan(t, db.QueryRowContext(ctx, `SELECT COUNT(*) FROM known_devices WHERE id = ?`, mine), &clear)
		storetest.Scan(t, db.QueryRowContext(ctx, `SELECT COUNT(*) FROM known_devices WHERE id = ?`, tokenID(mine)), &hashed)
		if mine == "" || clear != 0 || hashed != 1 {
			t.Fatalf("device token %q: %d rows in the clear, %d hashed", mine, clear, hashed)
		}
		var le *LockedError
		for i := range 5 {
			_, _, err = s.SignIn(ctx, Attempt{Username: "clerk", Password: "wrong password", Addr: fmt.Sprintf("198.51.100.%d", i), Kind: API})
		}
		if !errors.As(err, &le) {
			t.Fatalf("five guesses: %v, want the account locked", err)
		}
		if _, _, err := s.SignIn(ctx, Attempt{Username: "clerk", Password: "dongxing-2025", Addr: "10.0.0.2", Kind: Web}); !errors.As(err, &le) {
			t.Fatalf("right password from another browser: %v, want locked", err)
		}
		if _, _, err := s.SignIn(ctx, Attempt{Username: "clerk", Password: "dongxing-2025", Addr: "10.0.0.2", Device: mine, Kind: Web}); err != nil {
			t.Fatalf("right password from clerk's own browser while the account is locked: %v", err)
		}
		if _, _, err := s.SignIn(ctx, Attempt{Username: "clerk", Password: "dongxing-2025", Addr: "10.0.0.3", Device: "made-up", Kind: Web}); !errors.As(err, &le) {
			t.Errorf("a made-up device cookie: %v, want locked", err)
		}
		// The owner's success left the account locked for everyone else.
		if err := s.locked(ctx, origin{username: "clerk"}); err == nil {
			t.Error("the owner's sign-in unlocked the account for the guesser")
		}
		// Clerk's own browser locks after its own five failures.
		for i := 1; i <= 4; i++ {
			if _, _, err := s.SignIn(ctx, Attempt{Username: "clerk", Password: "wrong password", Device: mine, Kind: Web}); !errors.Is(err, ErrBadCredentials) {
				t.Fatalf("device failure %d: %v", i, err)
			}
		}
		if _, _, err := s.SignIn(ctx, Attempt{Username: "clerk", Password: "wrong password", Device: mine, Kind: Web}); !errors.As(err, &le) || le.Address || !le.Device {
			t.Fatalf("fifth failure of the device: %v, want it locked", err)
		}
		if _, _, err := s.SignIn(ctx, Attempt{Username: "clerk", Password: "dongxing-2025", Device: mine, Kind: Web}); !errors.As(err, &le) {
			t.Errorf("right password from the locked device: %v", err)
		}
		// Unlock frees the account and its devices; a new password forgets them.
		if err := s.Unlock(ctx, "clerk"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.SignIn(ctx, Attempt{Username: "clerk", Password: "dongxing-2025", Device: mine, Kind: Web}); err != nil {
			t.Errorf("device after Unlock: %v", err)
		}
		if err := s.SetPassword(ctx, "clerk", "a-new-long-password"); err != nil {
			t.Fatal(err)
		}
		if dev, _ := s.knownDevice(ctx, "clerk", mine); dev != "" {
			t.Error("a password reset kept the known devices")
		}
		// A device is forgotten KnownDeviceLifetime after its last sign-in.
		_, sess, _ = s.SignIn(ctx, Attempt{Username: "clerk", Password: "a-new-long-password", Device: mine, Kind: Web})
		if sess.Device == mine {
			t.Error("a forgotten device's token was taken again")
		}
		c.t = c.t.Add(KnownDeviceLifetime + time.Hour)
		if dev, _ := s.knownDevice(ctx, "clerk", sess.Device); dev != "" {
			t.Error("a device stayed known past its lifetime")
		}
	})
}

// oldGuesses is how many passwords the throttle before issue 11 let an
// attacker try against one account, or from one address, within d of a
// quiet start: five, then a lock of 15 minutes doubling up to a day, after
// each of which five more.
func oldGuesses(d time.Duration) int {
	n, lock := 0, 15*time.Minute
	for at := time.Duration(0); at <= d; at += lock {
		n += 5
		if at > 0 {
			lock = min(2*lock, 24*time.Hour)
		}
	}
	return n
}

// attack tries the attempts of next as fast as the throttle lets it for d
// (moving the clock to the end of each lock or wait) and returns how many
// passwords it had checked.
func attack(t *testing.T, s *Store, c *clock, d time.Duration, next func(i int) Attempt) int {
	t.Helper()
	ctx := context.Background()
	end, guesses := c.t.Add(d), 0
	for i := 0; !c.t.After(end); i++ {
		a := next(i)
		dev, err := s.knownDevice(ctx, a.Username, a.Device)
		if err != nil {
			t.Fatal(err)
		}
		var le *LockedError
		if err := s.locked(ctx, origin{username: a.Username, addr: a.Addr, device: dev}); errors.As(err, &le) {
			c.t = le.Until
			continue
		} else if err != nil {
			t.Fatal(err)
		}
		guesses++
		if _, _, err := s.SignIn(ctx, a); err == nil || !errors.Is(err, ErrBadCredentials) && !errors.As(err, &le) {
			t.Fatalf("guess %d: %v", i, err)
		}
	}
	return guesses
}

// TestBruteForceAsStrongAsBefore: guessing one account's password from
// many addresses (with a made-up device cookie, too), or many accounts'
// from one address, gets no more guesses by 15 minutes, an hour or a day
// than the throttle before issue 11 allowed.
func TestBruteForceAsStrongAsBefore(t *testing.T) {
	if oldGuesses(15*time.Minute) != 10 || oldGuesses(time.Hour) != 15 || oldGuesses(24*time.Hour) != 35 {
		t.Fatalf("oldGuesses: %d %d %d", oldGuesses(15*time.Minute), oldGuesses(time.Hour), oldGuesses(24*time.Hour))
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, c := throttleStore(t, db)
		forget := func() {
			if _, err := db.ExecContext(context.Background(), `DELETE FROM login_throttle`); err != nil {
				t.Fatal(err)
			}
		}
		for _, d := range []time.Duration{15 * time.Minute, time.Hour, 24 * time.Hour} {
			forget()
			oneAccount := attack(t, s, c, d, func(i int) Attempt {
				return Attempt{Username: "clerk", Password: fmt.Sprintf("guess-%06d", i), Addr: fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255),
					Device: "made-up-device", Kind: API}
			})
			forget()
			oneAddr := attack(t, s, c, d, func(i int) Attempt {
				return Attempt{Username: fmt.Sprintf("user%d", i), Password: "dongxing-2025", Addr: "203.0.113.7", Kind: Web}
			})
			if old := oldGuesses(d); oneAccount > old || oneAddr > old {
				t.Errorf("within %s: %d guesses at one account from many addresses, %d at many accounts from one address; before, at most %d",
					d, oneAccount, oneAddr, old)
			}
			t.Logf("within %s: one account %d, one address %d guesses (before: %d)", d, oneAccount, oneAddr, oldGuesses(d))
		}
	})
}
