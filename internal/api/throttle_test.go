package api

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"wanhu/internal/auth"

	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestLoginThrottle: the fifth wrong password locks the account; the API
// then answers 429 with Retry-After, even to the right password.
func TestLoginThrottle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		login := func(pw string) (*http.Response, string) {
			res, b := fx.do(t, "", "POST", "/auth/login", `{"username":"clerk","password":"`+pw+`"}`, nil)
			return res, string(b)
		}
		for i := 0; i < 4; i++ {
			if res, body := login("wrong-password"); res.StatusCode != http.StatusUnauthorized {
				t.Fatalf("failure %d: %d %s", i+1, res.StatusCode, body)
			}
		}
		for _, pw := range []string{"wrong-password", "dongxing-clerk-2025"} {
			res, body := login(pw)
			if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" || !strings.Contains(body, "too_many_attempts") {
				t.Errorf("locked login with %q: %d %q %s", pw, res.StatusCode, res.Header.Get("Retry-After"), body)
			}
		}
		if err := fx.d.Auth.Unlock(t.Context(), "clerk"); err != nil {
			t.Fatal(err)
		}
		// Five failures do not lock the test's address: the right password
		// gets in at once.
		if res, body := login("dongxing-clerk-2025"); res.StatusCode != http.StatusOK {
			t.Errorf("after unlock: %d %s", res.StatusCode, body)
		}
		// A sixth failure at the address makes it wait 30 seconds, whatever
		// the name; 429 with Retry-After, not a slow answer.
		res, b := fx.do(t, "", "POST", "/auth/login", `{"username":"nobody","password":"wrong-password"}`, nil)
		if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") != "30" || !strings.Contains(string(b), "from this address; try again in 30 s") {
			t.Errorf("sixth failure at the address: %d %q %s", res.StatusCode, res.Header.Get("Retry-After"), b)
		}
		if res, _ := login("dongxing-clerk-2025"); res.StatusCode != http.StatusTooManyRequests {
			t.Errorf("right password while the address waits: %d, want 429", res.StatusCode)
		}
		if err := fx.d.Auth.UnlockAddr(t.Context(), "127.0.0.1"); err != nil {
			t.Fatal(err)
		}
		if res, body := login("dongxing-clerk-2025"); res.StatusCode != http.StatusOK {
			t.Errorf("after the address was unlocked: %d %s", res.StatusCode, body)
		}
	})
}

// TestLoginTOTPRequired: with the default requirement, an administrator or
// grid leader who has not turned TOTP on gets 403 totp_enrolment_required
// at login, and so do their earlier tokens, until they enrol on the web; a
// visitor is not asked.
func TestLoginTOTPRequired(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		ctx := t.Context()
		if err := fx.d.Auth.SetTOTPRoles(ctx, auth.DefaultTOTPRoles); err != nil {
			t.Fatal(err)
		}
		for _, u := range []string{"admin", "leader1"} {
			res, b := fx.do(t, "", "POST", "/auth/login", `{"username":"`+u+`","password":"dongxing-`+u+`-2025"}`, nil)
			if res.StatusCode != http.StatusForbidden || !strings.Contains(string(b), `"code":"totp_enrolment_required"`) || !strings.Contains(string(b), "/account/totp") {
				t.Errorf("%s's login: %d %s", u, res.StatusCode, b)
			}
			res, b = fx.do(t, u, "GET", "/me", "", nil)
			if res.StatusCode != http.StatusForbidden || !strings.Contains(string(b), "totp_enrolment_required") {
				t.Errorf("%s's earlier token: %d %s", u, res.StatusCode, b)
			}
		}
		if res, b := fx.do(t, "", "POST", "/auth/login", `{"username":"admin","password":"wrong"}`, nil); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("wrong password: %d %s", res.StatusCode, b)
		}
		if res, b := fx.do(t, "visitor", "GET", "/me", "", nil); res.StatusCode != http.StatusOK {
			t.Errorf("visitor: %d %s", res.StatusCode, b)
		}
		// Enrolled, the admin signs in with the code and the old token works.
		u, _ := fx.d.Auth.UserByUsername(ctx, "admin")
		secret, err := fx.d.Auth.BeginTOTP(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		code, _ := auth.TOTPCode(secret, time.Now().Add(-30*time.Second))
		if err := fx.d.Auth.ConfirmTOTP(ctx, u.ID, code); err != nil {
			t.Fatal(err)
		}
		if res, b := fx.do(t, "admin", "GET", "/me", "", nil); res.StatusCode != http.StatusOK {
			t.Errorf("admin's token after enrolment: %d %s", res.StatusCode, b)
		}
		code, _ = auth.TOTPCode(secret, time.Now())
		if res, b := fx.do(t, "", "POST", "/auth/login", `{"username":"admin","password":"dongxing-admin-2025","code":"`+code+`"}`, nil); res.StatusCode != http.StatusOK {
			t.Errorf("admin's login with the code: %d %s", res.StatusCode, b)
		}
	})
}

// TestLoginTOTP: an account with TOTP needs "code" along with the password.
func TestLoginTOTP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		ctx := t.Context()
		u, err := fx.d.Auth.UserByUsername(ctx, "admin")
		if err != nil {
			t.Fatal(err)
		}
		secret, err := fx.d.Auth.BeginTOTP(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		code, _ := auth.TOTPCode(secret, time.Now().Add(-30*time.Second))
		if err := fx.d.Auth.ConfirmTOTP(ctx, u.ID, code); err != nil {
			t.Fatal(err)
		}
		res, b := fx.do(t, "", "POST", "/auth/login", `{"username":"admin","password":"dongxing-admin-2025"}`, nil)
		if res.StatusCode != http.StatusUnauthorized || !strings.Contains(string(b), "code_required") {
			t.Errorf("without code: %d %s", res.StatusCode, b)
		}
		res, b = fx.do(t, "", "POST", "/auth/login", `{"username":"admin","password":"dongxing-admin-2025","code":"000000"}`, nil)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), `"field":"code"`) {
			t.Errorf("wrong code: %d %s", res.StatusCode, b)
		}
		code, _ = auth.TOTPCode(secret, time.Now().Add(30*time.Second))
		res, b = fx.do(t, "", "POST", "/auth/login", `{"username":"admin","password":"dongxing-admin-2025","code":"`+code+`"}`, nil)
		if res.StatusCode != http.StatusOK || !strings.Contains(string(b), `"token"`) {
			t.Errorf("with code: %d %s", res.StatusCode, b)
		}
	})
}
