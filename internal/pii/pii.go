// Package pii masks personal numbers for display and scrubs them out of
// text that leaves the system (audit details, log lines). There is one mask
// per kind of number and every face uses it, so no two views of one number
// can be laid side by side to give more of it than either shows.
package pii

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// MaskIDNumber hides a resident identity number, keeping only its first two
// characters, the province: "63****************".
//
// What a mask leaves must not give the number back together with what is
// shown beside it. Pages show a person's birth date (or their age and
// birthday) and sex, so the eight birth-date digits and the parity of the
// seventeenth are known; a mask that kept the region (six digits) and the
// last four, as the usual 6+4 one does, hid nothing else. This one leaves
// the county (four digits) and the sequence number unknown: at least the 16
// counties of the smallest province times the 500 sequence numbers of one
// sex, 8,000 candidates, and the check character is hidden too. The
// numbers of Hong Kong, Macao and Taiwan residents, whose "province" is a
// single region code, and anything not 18 characters long or not
// starting with two ASCII digits are starred completely.
func MaskIDNumber(s string) string {
	n := utf8.RuneCountInString(s)
	if n != 18 || !isDigit(s[0]) || !isDigit(s[1]) {
		return strings.Repeat("*", n)
	}
	switch s[:2] {
	case "71", "81", "82", "83":
		return strings.Repeat("*", n)
	}
	return s[:2] + strings.Repeat("*", 16)
}

// MaskPhone hides the middle of a phone number. A mainland mobile number,
// however it is written ("139 1234 5678", "+86 139…"), becomes
// "139****5678": its network prefix and its last four digits, 10,000
// candidates. Any other number keeps its first 3 and last 2 characters when
// at least 4 digits stay hidden between them, and is starred completely
// otherwise.
func MaskPhone(s string) string {
	d := digits(s)
	if len(d) == 13 && strings.HasPrefix(d, "86") {
		d = d[2:]
	}
	if len(d) == 11 && d[0] == '1' {
		return d[:3] + "****" + d[7:]
	}
	r := []rune(s)
	if len(r) < 5 || len(digits(string(r[3:len(r)-2]))) < 4 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:3]) + strings.Repeat("*", len(r)-5) + string(r[len(r)-2:])
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// digits returns the ASCII digits of s.
func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

var (
	idNumberLike = regexp.MustCompile(`\d{17}[\dXx]|\d{15}`)
	phoneLike    = regexp.MustCompile(`1[3-9]\d{9}`)
)

// Redact masks anything in s that looks like a resident ID number or a
// mobile phone number, with the masks above: a last guard so that text
// which is stored or logged (audit details, a username typed as an ID
// number) never holds one.
func Redact(s string) string {
	if !strings.ContainsAny(s, "0123456789") {
		return s
	}
	s = idNumberLike.ReplaceAllStringFunc(s, func(m string) string {
		if len(m) == 15 {
			return strings.Repeat("*", 15)
		}
		return MaskIDNumber(strings.ToUpper(m))
	})
	return phoneLike.ReplaceAllStringFunc(s, MaskPhone)
}

// MaskCode hides a resident's tracking code (internal/request), which is a
// credential: whoever holds it reads the request's page and rates it. It
// keeps the first two characters, enough to tell lines apart in a log and
// far too few to guess the rest (40 bits): "7K********".
func MaskCode(s string) string {
	r := []rune(s)
	if len(r) <= 2 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:2]) + strings.Repeat("*", len(r)-2)
}

// codeLike matches a tracking code: ten characters of its alphabet (digits
// 2–9 and capital letters without I and O), standing alone. Keep in step
// with codeAlphabet in internal/request (a test there checks).
var codeLike = regexp.MustCompile(`\b[2-9A-HJ-NP-Z]{10}\b`)

// RedactCodes masks anything in s that looks like a tracking code, as in
// the text of a message to a resident ("查询码 7KXW2M9QHF", ".../r/7KXW2M9QHF"),
// before s is logged.
func RedactCodes(s string) string {
	return codeLike.ReplaceAllStringFunc(s, MaskCode)
}
