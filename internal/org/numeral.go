package org

import (
	"strconv"
	"strings"
)

// GridName is the usual name of grid number n: "第一网格", "第十二网格",
// "第一百零五网格". wanhu init, the first-run page and the generator name
// grids with it, and a grid renumbered under its usual name takes the new
// one.
func GridName(n int) string { return "第" + Numeral(n) + "网格" }

// Numeral writes n (1–9999) in Chinese numerals as they are read: 十 for
// 10, 十二 for 12, 二十 for 20, 一百零五 for 105, 一千零一十 for 1010. Other
// numbers are written in digits.
func Numeral(n int) string {
	const digits = "零一二三四五六七八九"
	d := []rune(digits)
	if n < 1 || n > 9999 {
		return strconv.Itoa(n)
	}
	if n >= 10 && n < 20 {
		if n == 10 {
			return "十"
		}
		return "十" + string(d[n-10])
	}
	var b strings.Builder
	units := []string{"千", "百", "十", ""}
	zero := false
	for i, p := range []int{1000, 100, 10, 1} {
		k := n / p % 10
		switch {
		case k == 0:
			zero = b.Len() > 0
		default:
			if zero {
				b.WriteRune(d[0])
				zero = false
			}
			b.WriteRune(d[k])
			b.WriteString(units[i])
		}
	}
	return b.String()
}
