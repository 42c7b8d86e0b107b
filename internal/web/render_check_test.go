package web

import "testing"

// TestPageCheckOff: tests render every page unfolded too (pages.check),
// unless WANHU_PAGE_CHECK is "off", as the page benchmarks set it.
func TestPageCheckOff(t *testing.T) {
	c, err := LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		env   string
		check bool
	}{{"", true}, {"on", true}, {"off", false}} {
		t.Setenv("WANHU_PAGE_CHECK", tc.env)
		p, err := loadPages(c)
		if err != nil {
			t.Fatal(err)
		}
		if p.check != tc.check {
			t.Errorf("WANHU_PAGE_CHECK=%q: check %v, want %v", tc.env, p.check, tc.check)
		}
	}
}
