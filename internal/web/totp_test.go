package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"wanhu/internal/auth"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

func TestTOTPFlow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		if code, body := e.signedIn("worker").get("/account/totp"); code != http.StatusOK || !strings.Contains(body, `id="totp-begin"`) {
			t.Errorf("worker GET /account/totp: %d, want the page to turn it on", code)
		}
		admin := e.signedIn("admin")
		code, body := admin.post("/account/totp/begin", url.Values{})
		if code != http.StatusOK {
			t.Fatalf("begin: %d", code)
		}
		m := regexp.MustCompile(`id="totp-secret">([A-Z2-7]+)<`).FindStringSubmatch(body)
		if m == nil || !strings.Contains(body, "otpauth://totp/Wanhu:admin?") {
			t.Fatalf("enrolment page shows no secret:\n%s", body)
		}
		secret := m[1]
		if code, _ := admin.post("/account/totp/confirm", url.Values{"code": {"000000"}}); code != http.StatusBadRequest {
			t.Errorf("wrong confirm code: %d", code)
		}
		otp, _ := auth.TOTPCode(secret, time.Now())
		if code, body := admin.post("/account/totp/confirm", url.Values{"code": {otp}}); code != http.StatusOK || !strings.Contains(body, `id="totp-on"`) {
			t.Fatalf("confirm: %d", code)
		}

		// Signing in now asks for the code after the password.
		c := e.client()
		_, lb := c.get("/login")
		res, body := c.postRaw("/login", url.Values{"csrf": {csrfOf(lb)}, "username": {"admin"}, "password": {testPassword}, "next": {"/users"}})
		if res.StatusCode != http.StatusOK || !strings.Contains(body, `id="login-code-form"`) {
			t.Fatalf("password step: %d", res.StatusCode)
		}
		if _, body := c.get("/users"); !strings.Contains(body, `id="login-form"`) {
			t.Fatal("signed in without the code")
		}
		_, lb = c.get("/login") // a fresh login token, as a browser that reloads would have
		res, body = c.postRaw("/login/code", url.Values{"csrf": {csrfOf(lb)}, "code": {"000000"}, "next": {"/users"}})
		if res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, `id="login-code-form"`) {
			t.Errorf("wrong code: %d", res.StatusCode)
		}
		// The confirming code was used; the next step's code signs in.
		otp, _ = auth.TOTPCode(secret, time.Now().Add(30*time.Second))
		res, _ = c.postRaw("/login/code", url.Values{"csrf": {csrfOf(body)}, "code": {otp}, "next": {"/users"}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/users" {
			t.Fatalf("right code: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		if code, body := c.get("/users"); code != http.StatusOK || !strings.Contains(body, `id="users"`) {
			t.Errorf("after the code: %d", code)
		}
		// Without the login token the code form is refused.
		if res, _ := c.postRaw("/login/code", url.Values{"code": {otp}}); res.StatusCode != http.StatusForbidden {
			t.Errorf("code without CSRF: %d", res.StatusCode)
		}
	})
}
