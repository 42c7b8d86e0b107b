package importer

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/width"

	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
)

// What community workbooks hold is messy: numbers typed with a Chinese
// input method (full-width digits, 〇 for zero), stray and non-breaking
// spaces, dates in half a dozen forms, ID numbers that Excel turned into
// numbers. These functions read one cell each; what they cannot read they
// report as an *apperr.FieldError, never guessing.

// cleanText trims s and removes what no one typed on purpose: zero-width
// characters, byte-order marks, and non-breaking or ideographic spaces
// (made plain). The spreadsheet guard a CSV export adds before text that
// starts like a formula (a leading apostrophe) is removed too. Free text
// keeps its full-width punctuation.
func cleanText(s string) string {
	s = strings.TrimPrefix(s, "'")
	s = strings.Map(func(r rune) rune {
		switch r {
		case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff':
			return -1
		case '\u00a0', '\u3000', '\u2002', '\u2003', '\u2009':
			return ' '
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// cleanCode is cleanText for a code, number or name: full-width forms
// made half-width and runs of spaces made one, with no space left between
// two Chinese characters ("王 秀兰").
func cleanCode(s string) string {
	if plain(s) {
		return s
	}
	return foldCode(s)
}

// foldCode is cleanCode the slow way.
func foldCode(s string) string {
	s = width.Fold.String(cleanText(s))
	var b strings.Builder
	rs := []rune(s)
	for i, r := range rs {
		if unicode.IsSpace(r) {
			if i > 0 && unicode.IsSpace(rs[i-1]) {
				continue
			}
			if i > 0 && i+1 < len(rs) && unicode.Is(unicode.Han, rs[i-1]) && unicode.Is(unicode.Han, rs[i+1]) {
				continue
			}
			r = ' '
		}
		b.WriteRune(r)
	}
	return b.String()
}

// plain reports whether cleanCode would return s as it is: no quote
// first, no space of any kind, no character that width.Fold or cleanText
// changes (those of U+2000–U+303F and U+FE00 on are looked at the slow
// way). Most cells are plain: digits, letters, Chinese.
func plain(s string) bool {
	if s == "" || s[0] == '\'' {
		return s == ""
	}
	for _, r := range s {
		if r <= ' ' || r >= 0x7f && r < 0x100 || r >= 0x2000 && r < 0x3040 || r >= 0xfe00 || unicode.IsSpace(r) {
			return false
		}
	}
	return true
}

// cleanDigits is cleanCode for a number: 〇, O and o are read as 0 when
// the rest is digits, and spaces are dropped.
func cleanDigits(s string) string {
	return zeros(strings.ReplaceAll(cleanCode(s), " ", ""))
}

// zeros reads 〇, O, o and 零 in a number as 0.
func zeros(s string) string {
	fixed := strings.Map(func(r rune) rune {
		switch r {
		case '〇', 'O', 'o', '零':
			return '0'
		}
		return r
	}, s)
	if fixed != s && strings.IndexFunc(s, func(r rune) bool { return r >= '0' && r <= '9' }) >= 0 {
		return fixed
	}
	return s
}

// scientific matches a number Excel wrote in scientific form (1.30105E+17).
var scientific = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?[eE]\+?[0-9]+$`)

// readIDNumber reads an ID number cell. Excel keeps 15 significant digits
// of a number, so an 18-digit number it holds as a number shows in
// scientific form or ends in 000: its last digits are lost, and the cell
// is reported (code "id_digits_lost"), never guessed. Scientific form is
// caught here, 000 by the importer (see run.idNumber). A 15-digit number
// survives and is upgraded, as household.ParseIDNumber does; the rest is
// checked there (check digit, region, birth date).
func readIDNumber(s string) (string, error) {
	s = strings.ToUpper(cleanDigits(s))
	if s == "" {
		return "", nil
	}
	if scientific.MatchString(s) || strings.HasSuffix(s, ".0") && len(s) > 17 {
		return "", apperr.Field("id_number", "id_digits_lost",
			"Excel turned the ID number into a number and lost its last digits; type it again as text")
	}
	return s, nil
}

// errDigitsLost reports an ID number that ends in 000 and whose check
// digit fails, or that stands among such numbers: Excel turned it into a
// number, which keeps 15 digits and makes the last three 000.
var errDigitsLost = apperr.Field("id_number", "id_digits_lost",
	"ends in 000, as an ID number does that Excel turned into a number and whose last digits it lost; check it and type it as text")

// readPhone reads a phone number cell: digits, + and -, as typed;
// scientific notation means Excel lost digits.
func readPhone(field, s string) (string, error) {
	s = cleanDigits(s)
	if scientific.MatchString(s) {
		return "", apperr.Field(field, "phone_digits_lost", "Excel turned the phone number into a number in scientific form; type it again as text")
	}
	return strings.TrimSuffix(s, ".0"), nil
}

// datePattern matches 1990-01-02, 1990/1/2, 1990.1.2 and 1990年1月2日,
// with an optional time after it (Excel's text of a date and time).
var datePattern = regexp.MustCompile(`^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$`)

// readDate reads a date cell: an Excel serial number (when the cell is a
// number, serial is true), 1990-01-02, 1990/1/2, 1990.1.2, 19900102 or
// 1990年1月2日, then checked as calendar.ParseDate checks a date (a real
// day, 1900–2199).
func readDate(field, s string, serial bool) (calendar.Date, error) {
	s = zeros(cleanCode(s))
	if s == "" {
		return calendar.Date{}, nil
	}
	d, err := parseDay(field, s, serial)
	if err != nil {
		return calendar.Date{}, err
	}
	return d, nil
}

func parseDay(field, s string, serial bool) (calendar.Date, error) {
	var y, m, d int
	if m := datePattern.FindStringSubmatch(s); m != nil {
		y, _ = strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		dd, _ := strconv.Atoi(m[3])
		return calendar.ParseDate(field, fmt.Sprintf("%04d-%02d-%02d", y, mo, dd))
	}
	switch {
	case len(s) == 8 && isDigits(s):
		y, _ = strconv.Atoi(s[:4])
		m, _ = strconv.Atoi(s[4:6])
		d, _ = strconv.Atoi(s[6:])
		return calendar.ParseDate(field, fmt.Sprintf("%04d-%02d-%02d", y, m, d))
	case serial:
		if v, err := strconv.ParseFloat(s, 64); err == nil && v >= 1 && v < 2958466 {
			return calendar.ParseDate(field, excelDate(v).Format("2006-01-02"))
		}
	}
	return calendar.Date{}, apperr.Field(field, "date_format", "%q is not a date (1990-01-02, 1990/1/2, 1990.1.2, 19900102 or 1990年1月2日)", s)
}

// excelDate is the day of an Excel serial date (the 1900 date system,
// with its fictitious 29 February 1900).
func excelDate(serial float64) time.Time {
	days := int(math.Floor(serial))
	if days > 59 {
		days-- // Excel counts 1900-02-29, which did not exist
	}
	return time.Date(1899, 12, 31, 0, 0, 0, 0, time.UTC).AddDate(0, 0, days)
}

// readInt reads a whole number, with a unit after it allowed ("5层",
// "二级") and Chinese numerals read.
func readInt(field, s string, suffixes ...string) (int, error) {
	s = cleanDigits(s)
	if s == "" {
		return 0, nil
	}
	for _, suf := range suffixes {
		s = strings.TrimSuffix(s, suf)
	}
	s = strings.TrimSuffix(s, ".0")
	if n, ok := chineseNumber(s); ok {
		return n, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, apperr.Field(field, "number", "%q is not a whole number", s)
	}
	return n, nil
}

// chineseNumber reads 一 to 九十九 (and 负 before them).
func chineseNumber(s string) (int, bool) {
	neg := strings.HasPrefix(s, "负")
	s = strings.TrimPrefix(s, "负")
	digit := map[rune]int{'零': 0, '一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}
	rs := []rune(s)
	n, ok := 0, false
	switch {
	case len(rs) == 1 && rs[0] == '十':
		n, ok = 10, true
	case len(rs) == 1:
		n, ok = digit[rs[0]]
	case len(rs) == 2 && rs[0] == '十':
		d, okd := digit[rs[1]]
		n, ok = 10+d, okd
	case len(rs) == 2 && rs[1] == '十':
		d, okd := digit[rs[0]]
		n, ok = 10*d, okd
	case len(rs) == 3 && rs[1] == '十':
		a, oka := digit[rs[0]]
		b, okb := digit[rs[2]]
		n, ok = 10*a+b, oka && okb
	}
	if neg {
		n = -n
	}
	return n, ok
}

// readYesNo reads a yes/no cell: 是, √, ✓, 有, Y, yes, 1, true, or 否, ×,
// 无, N, no, 0, false; empty is no.
func readYesNo(field, s string) (bool, error) {
	switch strings.ToLower(cleanCode(s)) {
	case "是", "√", "✓", "✔", "有", "y", "yes", "1", "true", "独居":
		return true, nil
	case "", "否", "×", "✗", "x", "无", "n", "no", "0", "false", "不是", "非独居":
		return false, nil
	}
	return false, apperr.Field(field, "yes_no", "%q is neither yes (是, √) nor no (否)", cleanText(s))
}

// readGrid reads a grid by number (3, 第3网格, 第三网格) or name: the number
// when there is one, and the name as given.
func readGrid(s string) (number int, name string) {
	name = cleanCode(s)
	t := strings.TrimSuffix(strings.TrimPrefix(strings.ReplaceAll(name, " ", ""), "第"), "网格")
	t = strings.TrimSuffix(t, "号")
	if n, err := strconv.Atoi(strings.TrimSuffix(t, ".0")); err == nil {
		return n, name
	}
	if n, ok := chineseNumber(t); ok {
		return n, name
	}
	return 0, name
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
