package calendar

import (
	"bufio"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"wanhu/internal/apperr"
	"wanhu/internal/store"
)

// FormatHelp describes the text format of Parse, for the command's help and
// the page.
const FormatHelp = `One day a line: DATE,KIND[,NAME]
  DATE  YYYY-MM-DD
  KIND  off (or 休): a holiday; work (or 班): a make-up working day
  NAME  optional, e.g. 春节 or 春节调休
Blank lines and lines starting with # are skipped; a Chinese comma (，) or a
tab may stand for the comma. Every year that appears is loaded as a whole:
it replaces what the program knew of that year, and its days not listed
follow Monday–Friday.
Example:
  2028-01-01,off,元旦
  2028-02-05,work,春节调休`

const maxName = 40 // runes

// Parse reads days in the text format of FormatHelp; with year not 0, every
// day must fall in that year. An error names the line and the reason (field
// "line N").
func Parse(text string, year int) ([]Day, error) {
	var days []Day
	seen := map[Date]int{}
	sc := bufio.NewScanner(strings.NewReader(strings.TrimPrefix(text, "\uFEFF")))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fail := func(code, format string, args ...any) error {
			return apperr.Field(fmt.Sprintf("line %d", n), code, format, args...)
		}
		line = strings.NewReplacer("，", ",", "\t", ",").Replace(line)
		f := strings.SplitN(line, ",", 3)
		for i := range f {
			f[i] = strings.TrimSpace(f[i])
		}
		if len(f) < 2 {
			return nil, fail("calendar_line", "want DATE,KIND[,NAME] (got %q)", line)
		}
		d, err := ParseDate("", f[0])
		if err != nil {
			return nil, apperr.InField(err, fmt.Sprintf("line %d", n))
		}
		if year != 0 && d.Y != year {
			return nil, fail("calendar_year", "%s is not in %d", d, year)
		}
		if prev, ok := seen[d]; ok {
			return nil, fail("calendar_duplicate", "%s is already on line %d", d, prev)
		}
		seen[d] = n
		e := Day{Day: d}
		switch strings.ToLower(f[1]) {
		case "off", "休":
		case "work", "班":
			e.Workday = true
		default:
			return nil, fail("calendar_kind", "kind must be off or work (got %q)", f[1])
		}
		if len(f) == 3 {
			e.Name = f[2]
		}
		if utf8.RuneCountInString(e.Name) > maxName {
			return nil, fail("calendar_name", "name longer than %d characters", maxName)
		}
		days = append(days, e)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return days, nil
}

// Format writes days in the text format of Parse.
func Format(days []Day) string {
	var b strings.Builder
	for _, d := range days {
		kind := "off"
		if d.Workday {
			kind = "work"
		}
		fmt.Fprintf(&b, "%s,%s,%s\n", d.Day, kind, d.Name)
	}
	return b.String()
}

// YearsOf returns the years days fall in, in order.
func YearsOf(days []Day) []int {
	var ys []int
	for _, d := range days {
		if !slices.Contains(ys, d.Day.Y) {
			ys = append(ys, d.Day.Y)
		}
	}
	slices.Sort(ys)
	return ys
}

// SaveYears replaces the whole schedule of each of years with days, in one
// transaction: those years become "loaded", their built-in data and earlier
// corrections are dropped, and their days not listed follow Monday–Friday.
// by names who loaded them. Every day must fall in one of years, once.
// then, if not nil, runs in the same transaction after the days are
// written: what the new schedule changes (the deadlines counted without
// it, request.RecountDue).
func SaveYears(ctx context.Context, db *store.DB, years []int, days []Day, by string, now time.Time, then func(*store.Tx) error) error {
	if len(years) == 0 {
		return apperr.Field("days", "calendar_empty", "no days given")
	}
	seen := map[Date]bool{}
	for i, d := range days {
		field := fmt.Sprintf("days[%d]", i)
		switch {
		case d.Day.IsZero():
			return apperr.Field(field+".day", "required", "a day is required")
		case !slices.Contains(years, d.Day.Y):
			return apperr.Field(field+".day", "calendar_year", "%s is not in %v", d.Day, years)
		case seen[d.Day]:
			return apperr.Field(field+".day", "calendar_duplicate", "%s is listed twice", d.Day)
		case utf8.RuneCountInString(d.Name) > maxName:
			return apperr.Field(field+".name", "calendar_name", "name longer than %d characters", maxName)
		}
		seen[d.Day] = true
	}
	for _, y := range years {
		if y < 1 || y > 9999 {
			return apperr.Field("year", "calendar_year", "no such year %d", y)
		}
	}
	return db.InTx(ctx, func(tx *store.Tx) error {
		for _, y := range years {
			if _, err := tx.ExecContext(ctx, `DELETE FROM calendar_days WHERE day >= ? AND day <= ?`,
				fmt.Sprintf("%04d-01-01", y), fmt.Sprintf("%04d-12-31", y)); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO calendar_years(year, loaded_at, loaded_by) VALUES (?, ?, ?)
				ON CONFLICT (year) DO UPDATE SET loaded_at = excluded.loaded_at, loaded_by = excluded.loaded_by`,
				y, now.UTC(), by); err != nil {
				return err
			}
		}
		for _, d := range days {
			if err := setDay(ctx, tx, d, now); err != nil {
				return err
			}
		}
		if then != nil {
			return then(tx)
		}
		return nil
	})
}

// SetDay corrects one day, whatever the year: it wins over the built-in
// data, and leaves the rest of the year as it was.
func SetDay(ctx context.Context, q store.Querier, d Day, now time.Time) error {
	if d.Day.IsZero() {
		return apperr.Field("day", "required", "a day is required")
	}
	if utf8.RuneCountInString(d.Name) > maxName {
		return apperr.Field("name", "calendar_name", "name longer than %d characters", maxName)
	}
	return setDay(ctx, q, d, now)
}

func setDay(ctx context.Context, q store.Querier, d Day, now time.Time) error {
	_, err := q.ExecContext(ctx, `INSERT INTO calendar_days(day, workday, name, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (day) DO UPDATE SET workday = excluded.workday, name = excluded.name, updated_at = excluded.updated_at`,
		d.Day, d.Workday, d.Name, now.UTC())
	return err
}
