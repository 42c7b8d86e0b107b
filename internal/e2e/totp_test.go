package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"wanhu/internal/auth"
)

// TestTOTPEnrolmentInTheBrowser: with two-step sign-in required of
// administrators (the default), the clerk's password leads to the
// enrolment page instead of the households, and any other page leads back
// there; with the key shown and a code from it, the clerk turns it on and
// goes on where they were going; the next sign-in asks for the code.
func TestTOTPEnrolmentInTheBrowser(t *testing.T) {
	s := newSite(t, twoFamilies(t))
	if err := auth.NewStore(s.db).SetTOTPRoles(t.Context(), auth.DefaultTOTPRoles); err != nil {
		t.Fatal(err)
	}
	s.do(t, "sign in with the password",
		chromedp.Navigate(s.url+"/households"),
		chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), "clerk"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), password),
		chromedp.Submit(chromedp.CSS(`input[name="password"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#totp-must`)),
	)
	s.do(t, "open the users page", chromedp.Navigate(s.url+"/users"), chromedp.WaitVisible(chromedp.CSS(`#totp-begin`)))
	if body := s.text(t, "main"); strings.Contains(body, "王秀兰") {
		t.Error("the enrolment page shows household data")
	}
	s.do(t, "begin", chromedp.Click(chromedp.CSS(`#totp-begin`)), chromedp.WaitVisible(chromedp.CSS(`#totp-secret`)))
	code, err := auth.TOTPCode(s.text(t, "#totp-secret"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	s.do(t, "confirm", chromedp.SendKeys(chromedp.CSS(`#code`), code), chromedp.Click(chromedp.CSS(`#totp-confirm`)))
	s.waitFor(t, "the users page", func(loc string) bool { return strings.HasSuffix(loc, "/users") })
	s.do(t, "read the users page", chromedp.WaitVisible(chromedp.CSS(`#users`)))
	// (Sign out from a page without a username field, which the users page has.)
	s.do(t, "open the households", chromedp.Navigate(s.url+"/households"), chromedp.WaitVisible(chromedp.CSS(`input[name="q"]`)))
	s.logout(t)
	s.do(t, "sign in again",
		chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), "clerk"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), password),
		chromedp.Submit(chromedp.CSS(`input[name="password"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#login-code-form`)),
	)
}
