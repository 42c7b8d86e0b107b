package auth

import (
	"encoding/base32"
	"testing"
	"time"
)

// TestTOTPVectors checks the SHA-1 test vectors of RFC 6238, appendix B
// (the last six digits of the eight-digit codes).
func TestTOTPVectors(t *testing.T) {
	secret := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString([]byte("12345678901234567890"))
	for unix, want := range map[int64]string{
		59: "287082", 1111111109: "081804", 1111111111: "050471", 1234567890: "005924", 2000000000: "279037", 20000000000: "353130",
	} {
		got, err := TOTPCode(secret, time.Unix(unix, 0))
		if err != nil || got != want {
			t.Errorf("TOTP at %d = %q, %v; want %s", unix, got, err, want)
		}
	}
	at := time.Unix(1111111111, 0)
	for _, c := range []struct {
		at   time.Time
		last int64
		ok   bool
	}{
		{at, 0, true},
		{at.Add(30 * time.Second), 0, true},   // one step late
		{at.Add(-30 * time.Second), 0, true},  // one step early
		{at.Add(90 * time.Second), 0, false},  // too late
		{at, 1111111111 / 30, false},          // used already
		{at.Add(-60 * time.Second), 0, false}, // too early
	} {
		if _, ok := checkTOTP(secret, "050471", c.at, c.last); ok != c.ok {
			t.Errorf("checkTOTP at %v last %d = %v, want %v", c.at.Unix(), c.last, ok, c.ok)
		}
	}
}
