package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// TestPhoneMenuOneRow: on a phone the menu of an administrator (every
// item) is one row that scrolls sideways, not rows of buttons above every
// page, and the current page's item is scrolled into sight.
func TestPhoneMenuOneRow(t *testing.T) {
	s := newSite(t, twoFamilies(t))
	s.login(t)
	s.do(t, "open the settings", chromedp.Navigate(s.url+"/settings"), chromedp.WaitVisible(chromedp.CSS(`#nav-settings`)))
	type menu struct {
		Items, Height, Tap   float64
		Scrolls, CurrentSeen bool
	}
	m, err := chromedp.Run(s.browser, chromedp.Evaluate[menu](`(() => {
		const nav = document.querySelector(".nav"), cur = nav.querySelector("[aria-current]");
		const n = nav.getBoundingClientRect(), c = cur.getBoundingClientRect();
		return {Items: nav.querySelectorAll("a").length, Height: n.height, Tap: cur.getBoundingClientRect().height,
			Scrolls: nav.scrollWidth > nav.clientWidth, CurrentSeen: c.left >= n.left - 1 && c.right <= n.right + 1};
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	if m.Items < 12 {
		t.Fatalf("the administrator's menu has %v items; the test wants a long one", m.Items)
	}
	if m.Height > 1.5*m.Tap {
		t.Errorf("the menu is %v px high for items of %v px: it wraps into rows", m.Height, m.Tap)
	}
	if !m.Scrolls || !m.CurrentSeen {
		t.Errorf("the menu scrolls sideways: %v; the current page's item in sight: %v", m.Scrolls, m.CurrentSeen)
	}
}
