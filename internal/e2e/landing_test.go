package e2e

import (
	"context"
	"net/url"
	"testing"

	"github.com/chromedp/chromedp"

	"wanhu/internal/gen"
	"wanhu/internal/org"
	"wanhu/internal/store"
)

// TestLandingInTheBrowser signs in at /login as each account `wanhu demo`
// prints, on a small demo community, and checks that each lands on their
// own work: the visitor on 今日走访, the officer on the referred requests,
// the auditor on the audit log, the administrator and the grid leaders on
// the household list.
func TestLandingInTheBrowser(t *testing.T) {
	s := newSite(t, func(ctx context.Context, db *store.DB) int64 {
		if _, err := gen.Generate(ctx, db, gen.Options{Households: 300}); err != nil {
			t.Fatal(err)
		}
		if _, err := gen.DemoAccounts(ctx, db, password); err != nil {
			t.Fatal(err)
		}
		cs, err := org.Units(ctx, db, org.Community)
		if err != nil || len(cs) == 0 {
			t.Fatalf("no community: %v", err)
		}
		return cs[0].ID
	})
	s.do(t, "start the browser", chromedp.Navigate("about:blank"))
	for _, c := range []struct{ user, path, shows string }{
		{"admin", "/households", "#household-list"},
		{"leader1", "/households", "#household-list"},
		{"leader3", "/households", "#household-list"},
		{"visitor1", "/today", "#today-list"},
		{"dept1", "/requests", "#board-link"},
		{"auditor1", "/audit", "#audit-csv"},
	} {
		// Each account signs in on its own browser, as on its own phone or
		// PC: the visitor's service worker is not carried to the officer.
		bctx, cancel := chromedp.NewContext(s.browser, chromedp.WithNewBrowserContext())
		s := &site{url: s.url, browser: bctx, db: s.db}
		s.do(t, "sign in as "+c.user,
			chromedp.Navigate(s.url+"/login"),
			chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`)),
			chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), c.user),
			chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), password),
			chromedp.Submit(chromedp.CSS(`input[name="password"]`)),
		)
		s.waitFor(t, c.user+"'s landing", func(loc string) bool {
			u, err := url.Parse(loc)
			return err == nil && u.Path != "/login"
		})
		loc, _ := chromedp.Run(s.browser, chromedp.Location())
		if u, _ := url.Parse(loc); u == nil || u.Path != c.path {
			t.Errorf("%s landed on %s, want %s", c.user, loc, c.path)
		}
		s.do(t, c.user+"'s work", chromedp.WaitVisible(chromedp.CSS(c.shows)))
		s.logout(t)
		cancel()
	}
}
