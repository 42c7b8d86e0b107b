package pii

import (
	"strings"
	"testing"
)

func TestMaskIDNumber(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"63010219800101123X", "63****************"},
		{"11010519491231002X", "11****************"},
		{"810000199001011234", "******************"},
		{"830000199001011234", "******************"},
		{"630102800101123", "***************"},
		{"12345678901", "***********"},
		{"", ""},
	} {
		if got := MaskIDNumber(tt.in); got != tt.want {
			t.Errorf("MaskIDNumber(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestMaskIDNumberHidesEnough is issue 11's rule: with the birth date and
// the sex known, what the mask leaves must fit at least 1,000 numbers, and
// at least 4 digits outside the birth date (the check digit aside) stay
// hidden. The usual 6+4 mask, which gave the whole number, fails it.
func TestMaskIDNumberHidesEnough(t *testing.T) {
	const id = "630105198708027278"
	if n := candidates(id[:6] + "********" + id[14:]); n >= 1000 {
		t.Fatalf("the 6+4 mask leaves %d candidates by this count, want it to fail the rule", n)
	}
	m := MaskIDNumber(id)
	if n := strings.Count(m[:6], "*") + strings.Count(m[14:17], "*"); n < 4 {
		t.Errorf("MaskIDNumber(%s) = %s hides %d digits outside the birth date, want at least 4", id, m, n)
	}
	if n := candidates(m); n < 1000 {
		t.Errorf("MaskIDNumber(%s) = %s leaves %d candidates with birth date and sex known, want at least 1,000", id, m, n)
	}
}

// candidates counts the ID numbers a mask leaves once the birth date and
// the sex are known: the region codes its hidden region digits allow,
// counted as no more than 16 (the counties of the smallest province), times
// the sequence numbers (the parity of the 17th digit is the sex), over 11
// when the check character is shown (it rules out ten in eleven).
func candidates(mask string) int {
	n := 1
	if strings.Contains(mask[:6], "*") {
		n = 16
	}
	for i := 14; i < 16; i++ {
		if mask[i] == '*' {
			n *= 10
		}
	}
	if mask[16] == '*' {
		n *= 5
	}
	if mask[17] != '*' {
		n /= 11
	}
	return n
}

func TestMaskPhone(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"13912345678", "139****5678"},
		{"139 1234 5678", "139****5678"},
		{"+86 139-1234-5678", "139****5678"},
		{"18600001111", "186****1111"},
		{"09718123456", "097******56"},
		{"0971-8123456", "097*******56"},
		{"81234567", "********"},
		{"812345678", "812****78"},
		{"8123456", "*******"},
		{"12", "**"},
		{"", ""},
		{"电话号码一二三四", "********"},
	} {
		if got := MaskPhone(tt.in); got != tt.want {
			t.Errorf("MaskPhone(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRedact(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"login failed for 63010219800101123X", "login failed for 63****************"},
		{"login failed for 63010219800101123x", "login failed for 63****************"},
		{"sms to 13912345678: ok", "sms to 139****5678: ok"},
		{"old 630102800101123", "old ***************"},
		{"household 1263", "household 1263"},
		{"无数字", "无数字"},
	} {
		if got := Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
