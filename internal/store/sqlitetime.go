package store

import (
	"fmt"
	"strings"
	"time"
)

// SQLite's driver (modernc.org/sqlite, with _time_format=sqlite) writes a
// time.Time as "2006-01-02 15:04:05.999999999-07:00" and reads the text
// of a TIMESTAMP column back with time.Parse, trying its formats in turn.
// A value that comes inside a JSON column (see JSONArray) is the same
// text, which SQLiteTime reads as the driver would.

// sqliteTimeFormats are the formats modernc.org/sqlite reads a stored
// timestamp in, in its order.
var sqliteTimeFormats = []string{
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02T15:04:05.999999999-07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04",
	"2006-01-02T15:04",
	"2006-01-02",
}

// SQLiteTime reads the text of a timestamp stored on SQLite as the driver
// reads the column: the same instant in the same location (what
// time.Parse gives).
func SQLiteTime(s string) (time.Time, error) {
	// How the driver writes a time.Time: no string read below in another
	// format reads in this one, so it can be tried first (a failed
	// time.Parse showed in profiles; issue 15), and read without
	// time.Parse when it has the driver's own shape.
	if t, ok := writtenTime(s); ok {
		return t, nil
	}
	if t, err := time.Parse(sqliteTimeFormats[0], s); err == nil {
		return t, nil
	}
	if x := strings.Index(s, "m="); x > 0 { // Go's time.Time.String()
		if t, err := time.Parse("2006-01-02 15:04:05.999999999 -0700 MST", strings.TrimSpace(s[:x])); err == nil {
			return t, nil
		}
	} else if t, err := time.Parse("2006-01-02 15:04:05.999999999 -0700 MST", strings.TrimSpace(s)); err == nil {
		return t, nil
	}
	ts, _ := strings.CutSuffix(s, "Z")
	for _, f := range sqliteTimeFormats {
		if t, err := time.Parse(f, ts); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("timestamp %q", s)
}

// writtenTime reads s if it is exactly what the driver writes,
// "2006-01-02 15:04:05-07:00" with 1 to 9 digits of a second or none,
// every field in its range, and returns what
// time.Parse(sqliteTimeFormats[0], s) returns for it, without its cost
// (a tenth of a file's CPU went to time.Parse; issue 15). Anything else
// is not ok, left to time.Parse.
func writtenTime(s string) (time.Time, bool) {
	if len(s) < len("2006-01-02 15:04:05-07:00") || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' || s[16] != ':' {
		return time.Time{}, false
	}
	year, ok1 := digits(s[0:4])
	month, ok2 := digits(s[5:7])
	day, ok3 := digits(s[8:10])
	hour, ok4 := digits(s[11:13])
	minute, ok5 := digits(s[14:16])
	sec, ok6 := digits(s[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || month < 1 || month > 12 || day < 1 ||
		day > daysIn(time.Month(month), year) || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	rest := s[19:]
	nsec := 0
	if rest[0] == '.' {
		n := 1
		for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
			n++
		}
		if n == 1 || n > 10 {
			return time.Time{}, false
		}
		nsec, _ = digits(rest[1:n])
		for i := n; i < 10; i++ {
			nsec *= 10
		}
		rest = rest[n:]
	}
	if len(rest) != len("-07:00") || (rest[0] != '+' && rest[0] != '-') || rest[3] != ':' {
		return time.Time{}, false
	}
	oh, ok1 := digits(rest[1:3])
	om, ok2 := digits(rest[4:6])
	if !ok1 || !ok2 || oh > 23 || om > 59 {
		return time.Time{}, false
	}
	offset := (oh*60 + om) * 60
	if rest[0] == '-' {
		offset = -offset
	}
	// As time.Parse: the instant, in Local if Local has that offset at
	// that instant, else in a zone fixed at the offset.
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC).Add(-time.Duration(offset) * time.Second)
	if local := t.In(time.Local); zoneOffset(local) == offset {
		return local, true
	}
	return t.In(time.FixedZone("", offset)), true
}

func zoneOffset(t time.Time) int {
	_, off := t.Zone()
	return off
}

// digits is the number written by s, decimal digits only.
func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// daysIn is the number of days of month m of year.
func daysIn(m time.Month, year int) int {
	if m == time.February {
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	}
	return 30 + int((m+m/8)%2)
}
