package e2e

import (
	"strings"
	"testing"
)

// TestSearchBox types into the households' search box what people type
// (issue 14): an address without spaces, building-unit-room, pinyin
// initials and whole pinyin with spaces, and opens the household found.
func TestSearchBox(t *testing.T) {
	s := newSite(t, twoFamilies(t))
	s.login(t)
	for q, want := range map[string]string{
		"一化小区1号楼2单元302": "1号楼 2单元 302室",
		"2-1-101":       "2号楼 1单元 101室",
		"wxl":           "1号楼 2单元 302室",
		"li jian guo":   "2号楼 1单元 101室",
	} {
		s.open(t, q)
		if addr := s.text(t, "#household-address"); !strings.Contains(addr, want) {
			t.Errorf("search %q opened %q, want %q", q, addr, want)
		}
	}
}
