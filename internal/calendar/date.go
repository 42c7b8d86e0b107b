package calendar

import (
	"cmp"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // so Today works on hosts without a zoneinfo database

	"wanhu/internal/apperr"
)

// Date is a calendar day with no time zone, stored and sent as "YYYY-MM-DD".
// The zero Date means "no date": it prints as "", is sent as JSON null and is
// stored as NULL.
type Date struct {
	Y int
	M time.Month
	D int
}

// FirstDate and LastDate bound the days Wanhu takes as input, in every face:
// wide enough for the birth date of anyone alive and for any plan or
// report, and far inside the years time.Time can encode as JSON (0–9999),
// so a report over a far period cannot fail to encode (issue 11).
var (
	FirstDate = Date{Y: 1900, M: time.January, D: 1}
	LastDate  = Date{Y: 2199, M: time.December, D: 31}
)

// ParseDate parses s, which must be exactly "YYYY-MM-DD", a real calendar
// day and within FirstDate…LastDate. field is the JSON field name used in
// errors. Errors are *apperr.FieldError with code "date_format" (wrong
// shape), "date_invalid" (no such day, e.g. 2023-02-29) or "date_range".
// Every date the faces read goes through it, or through ParseInstant or
// CheckDate.
func ParseDate(field, s string) (Date, error) {
	d, err := parseDate(field, s)
	if err != nil {
		return d, err
	}
	return d, CheckDate(field, d)
}

// CheckDate returns a *apperr.FieldError with code "date_range" naming
// field when d is outside FirstDate…LastDate.
func CheckDate(field string, d Date) error {
	if d.Before(FirstDate) || d.After(LastDate) {
		return apperr.Field(field, "date_range", "must be a day from %s to %s", FirstDate, LastDate)
	}
	return nil
}

// CheckTime is CheckDate for the day of instant t in China.
func CheckTime(field string, t time.Time) error {
	return CheckDate(field, DayOf(t))
}

// ParseInstant reads an instant given as a day "YYYY-MM-DD" in China (the
// moment it begins, or with end the moment the next day begins, for an
// upper bound) or as an RFC 3339 time, checked as ParseDate checks a day.
// An empty s is no bound: the zero time.
func ParseInstant(field, s string, end bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	switch len(s) {
	case 0:
		return time.Time{}, nil
	case 10:
		d, err := ParseDate(field, s)
		if err != nil {
			return time.Time{}, err
		}
		if end {
			return d.Midnight().AddDate(0, 0, 1), nil
		}
		return d.Midnight(), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, apperr.Field(field, "date_format", "must be a date YYYY-MM-DD or an RFC 3339 time (got %q)", s)
	}
	return t, CheckTime(field, t)
}

// parseDate is ParseDate without the range: stored days are read as they
// are.
func parseDate(field, s string) (Date, error) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return Date{}, apperr.Field(field, "date_format", "must be a date in the form YYYY-MM-DD (got %q)", s)
	}
	y, okY := dateDigits(s[0:4])
	m, okM := dateDigits(s[5:7])
	d, okD := dateDigits(s[8:10])
	if !okY || !okM || !okD {
		return Date{}, apperr.Field(field, "date_format", "must be a date in the form YYYY-MM-DD (got %q)", s)
	}
	date, ok := civilDate(y, m, d)
	if !ok {
		return Date{}, apperr.Field(field, "date_invalid", "%s is not a real date", s)
	}
	return date, nil
}

// Compact returns the day s writes as YYYYMMDD (as an ID number does), if
// it is a real one.
func Compact(s string) (Date, bool) {
	if len(s) != 8 {
		return Date{}, false
	}
	y, okY := dateDigits(s[0:4])
	m, okM := dateDigits(s[4:6])
	d, okD := dateDigits(s[6:8])
	if !okY || !okM || !okD {
		return Date{}, false
	}
	return civilDate(y, m, d)
}

// dateDigits parses a string of ASCII digits (no sign, no spaces).
func dateDigits(s string) (int, bool) {
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

// civilDate returns the Date y-m-d if it is a real day of the proleptic
// Gregorian calendar with a year from 1 to 9999.
func civilDate(y, m, d int) (Date, bool) {
	if y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 {
		return Date{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d { // time.Date normalised an overflowing day, e.g. 30 Feb
		return Date{}, false
	}
	return Date{Y: y, M: time.Month(m), D: d}, true
}

// DateOf returns the day of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Y: y, M: m, D: d}
}

// China is China Standard Time (Asia/Shanghai), the zone of every day and
// time Wanhu shows or reckons with. The fixed +08:00 fallback is exact:
// China has not observed daylight saving time since 1991.
var China = func() *time.Location {
	if loc, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return loc
	}
	return time.FixedZone("CST", 8*60*60)
}()

// DayOf returns the day in China of the instant t.
func DayOf(t time.Time) Date {
	return DateOf(t.In(China))
}

// Today returns the current day in China. Code that serves requests takes
// the day from its injected clock (DayOf(now())) instead, so it can be
// tested on any day.
func Today() Date {
	return DayOf(time.Now())
}

// String returns d as "YYYY-MM-DD", or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Y, int(d.M), d.D)
}

// MonthDay returns d as "MM-DD" (a birthday without its year), or "" for
// the zero Date.
func (d Date) MonthDay() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%02d-%02d", int(d.M), d.D)
}

// IsZero reports whether d is the zero Date (no date).
func (d Date) IsZero() bool {
	return d == Date{}
}

// Before reports whether d is an earlier day than o.
func (d Date) Before(o Date) bool {
	return d.compare(o) < 0
}

// After reports whether d is a later day than o.
func (d Date) After(o Date) bool {
	return d.compare(o) > 0
}

// compare returns -1, 0 or +1 as d is before, equal to or after o.
func (d Date) compare(o Date) int {
	if c := cmp.Compare(d.Y, o.Y); c != 0 {
		return c
	}
	if c := cmp.Compare(d.M, o.M); c != 0 {
		return c
	}
	return cmp.Compare(d.D, o.D)
}

// AddYears returns the same month and day n years later (earlier if n is
// negative), normalised like time.Date: 29 Feb plus one year is 1 Mar.
func (d Date) AddYears(n int) Date {
	return DateOf(time.Date(d.Y+n, d.M, d.D, 0, 0, 0, 0, time.UTC))
}

// Time returns midnight UTC at the start of d.
func (d Date) Time() time.Time {
	return time.Date(d.Y, d.M, d.D, 0, 0, 0, 0, time.UTC)
}

// Midnight returns the instant day d begins in China (Asia/Shanghai).
func (d Date) Midnight() time.Time {
	return time.Date(d.Y, d.M, d.D, 0, 0, 0, 0, China)
}

// Days reads a period of China days, from and to both included, as
// YYYY-MM-DD; an empty bound is first or last. Errors are field errors on
// "from" or "to", also when to is before from.
func Days(from, to string, first, last Date) (Date, Date, error) {
	var err error
	if from = strings.TrimSpace(from); from != "" {
		if first, err = ParseDate("from", from); err != nil {
			return first, last, err
		}
	}
	if to = strings.TrimSpace(to); to != "" {
		if last, err = ParseDate("to", to); err != nil {
			return first, last, err
		}
	}
	if last.Before(first) {
		return first, last, apperr.Field("to", "before_from", "must not be before from (%s)", first)
	}
	return first, last, nil
}

// DayRange reads a period of China days as Days does: the instant it
// begins and the one it ends (exclusive). Without from it begins with
// 1970, without to it ends with today.
func DayRange(from, to string, today Date) (start, end time.Time, err error) {
	first, last, err := Days(from, to, Date{Y: 1970, M: time.January, D: 1}, today)
	return first.Midnight(), last.Midnight().AddDate(0, 0, 1), err
}

// AgeOn returns the number of completed years between birth and on. A person
// turns N on their birthday; someone born on 29 February turns a year older
// on 1 March in common years. The result is negative when on is before birth.
func AgeOn(birth, on Date) int {
	age := on.Y - birth.Y
	if on.M < birth.M || (on.M == birth.M && on.D < birth.D) {
		age--
	}
	return age
}

// MarshalJSON encodes d as "YYYY-MM-DD", or null for the zero Date.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + d.String() + `"`), nil
}

// UnmarshalJSON decodes "YYYY-MM-DD"; null and "" decode to the zero Date.
// Errors are *apperr.FieldError with an empty field name: the caller, which
// knows the field, can rename it with apperr.InField.
func (d *Date) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		*d = Date{}
		return nil
	}
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return apperr.Field("", "date_format", "must be a date in the form YYYY-MM-DD (got %s)", string(data))
	}
	if s == "" {
		*d = Date{}
		return nil
	}
	v, err := ParseDate("", s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Value implements driver.Valuer: d is stored as TEXT "YYYY-MM-DD", and the
// zero Date as NULL.
func (d Date) Value() (driver.Value, error) {
	if d.IsZero() {
		return nil, nil
	}
	return d.String(), nil
}

// Scan implements sql.Scanner. It accepts a "YYYY-MM-DD" string or []byte,
// a time.Time (taking its day in its own location), and nil or "" (the zero
// Date).
// Errors here mean bad stored data, not bad input, so they are plain errors
// rather than *apperr.FieldError.
func (d *Date) Scan(src any) error {
	var s string
	switch v := src.(type) {
	case nil:
		*d = Date{}
		return nil
	case time.Time:
		*d = DateOf(v)
		return nil
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		return fmt.Errorf("Date: cannot scan %T", src)
	}
	if s == "" {
		*d = Date{}
		return nil
	}
	v, err := parseDate("", s)
	if err != nil {
		return fmt.Errorf("Date: cannot scan %q: not a YYYY-MM-DD date", s)
	}
	*d = v
	return nil
}
