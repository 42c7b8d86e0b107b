package calendar

import (
	"context"
	"strings"
	"testing"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

func date(t *testing.T, s string) Date {
	t.Helper()
	d, err := ParseDate("", s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestIsWorkdayBuiltin(t *testing.T) {
	c := Builtin()
	for _, tc := range []struct {
		day         string
		work, known bool
	}{
		{"2026-09-18", true, true},  // Friday
		{"2026-09-19", false, true}, // Saturday
		{"2026-09-20", true, true},  // Sunday, made up for National Day
		{"2026-09-25", false, true}, // Friday, Mid-Autumn Festival
		{"2026-09-28", true, true},  // Monday
		{"2026-10-01", false, true}, // Thursday, National Day
		{"2026-10-05", false, true}, // Monday, golden week
		{"2026-10-07", false, true}, // Wednesday, golden week
		{"2026-10-08", true, true},  // Thursday
		{"2026-10-10", true, true},  // Saturday, made up for National Day
		{"2026-10-11", false, true}, // Sunday
		{"2027-01-31", true, true},  // Sunday, made up for Spring Festival
		{"2027-02-05", false, true}, // Friday, Spring Festival eve
		{"2027-02-10", false, true}, // Wednesday, Spring Festival
		{"2027-02-14", true, true},  // Sunday, made up for Spring Festival
		{"2027-02-15", true, true},  // Monday
		{"2027-12-31", true, true},  // Friday
		{"2028-01-03", true, false}, // Monday, no data: plain weekdays
		{"2028-01-01", false, false},
		{"2001-06-01", true, false},
	} {
		work, known := c.IsWorkday(date(t, tc.day))
		if work != tc.work || known != tc.known {
			t.Errorf("IsWorkday(%s) = %v, %v; want %v, %v", tc.day, work, known, tc.work, tc.known)
		}
	}
}

func TestAddWorkingDaysBuiltin(t *testing.T) {
	c := Builtin()
	for _, tc := range []struct {
		from  string
		n     int
		due   string
		known bool
	}{
		// A general request submitted the day before National Day: the
		// golden week is skipped and the make-up Saturday 10-10 counts.
		{"2026-09-30", 5, "2026-10-13", true},
		{"2026-09-30", 3, "2026-10-10", true},
		{"2026-09-30", 1, "2026-10-08", true},
		// Mid-Autumn: Friday 09-25 off, back on Monday 09-28.
		{"2026-09-24", 1, "2026-09-28", true},
		// Through the make-up Sunday 09-20.
		{"2026-09-18", 1, "2026-09-20", true},
		// Spring Festival 2027: 02-05 to 02-13 off, Sunday 02-14 works.
		{"2027-02-04", 1, "2027-02-14", true},
		{"2027-02-04", 2, "2027-02-15", true},
		// Plain weeks.
		{"2026-03-06", 5, "2026-03-13", true},
		{"2026-03-06", 0, "2026-03-06", true},
		// Into a year without data: plain weekdays, flagged.
		{"2027-12-30", 1, "2027-12-31", true},
		{"2027-12-30", 3, "2028-01-04", false},
		{"2028-03-03", 5, "2028-03-10", false},
	} {
		due, known := c.AddWorkingDays(date(t, tc.from), tc.n)
		if due.String() != tc.due || known != tc.known {
			t.Errorf("AddWorkingDays(%s, %d) = %s, %v; want %s, %v", tc.from, tc.n, due, known, tc.due, tc.known)
		}
	}
}

func TestYearBuiltin(t *testing.T) {
	days, src := Builtin().Year(2026)
	if src != Official {
		t.Errorf("source of 2026 = %s, want official", src)
	}
	text := Format(days)
	for _, want := range []string{"2026-09-20,work,国庆节\n", "2026-10-01,off,国庆节\n", "2026-10-10,work,国庆节\n", "2026-02-14,work,春节\n"} {
		// 10-03 is a Saturday of the golden week: off anyway, not listed.
		if !strings.Contains(text, want) {
			t.Errorf("2026 lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "2026-10-03") {
		t.Errorf("2026 lists the Saturday 10-03:\n%s", text)
	}
	if days, src := Builtin().Year(2028); len(days) != 0 || src != Estimated {
		t.Errorf("2028 = %d days, %s; want none, estimated", len(days), src)
	}
}

func TestParse(t *testing.T) {
	days, err := Parse("\uFEFF# 2028\n2028-01-01,off,元旦\n\n2028-02-05 ， 班 ， 春节调休\n2028-02-07\tOFF\n", 0)
	if err != nil {
		t.Fatal(err)
	}
	want := "2028-01-01,off,元旦\n2028-02-05,work,春节调休\n2028-02-07,off,\n"
	if got := Format(days); got != want {
		t.Errorf("Parse → %q, want %q", got, want)
	}
	for _, tc := range []struct{ text, field, code string }{
		{"2028-01-01,off\n2028-13-01,off", "line 2", "date_invalid"},
		{"2028-01-01", "line 1", "calendar_line"},
		{"\n2028-1-1,off", "line 2", "date_format"},
		{"2028-01-01,holiday", "line 1", "calendar_kind"},
		{"2028-01-01,off\n#\n2028-01-01,work", "line 3", "calendar_duplicate"},
		{"2028-01-01,off," + strings.Repeat("节", 41), "line 1", "calendar_name"},
		{"2028-12-31,off\n2029-01-01,off", "line 2", "calendar_year"},
	} {
		_, err := Parse(tc.text, 2028)
		fe, ok := apperr.AsField(err)
		if !ok || fe.Field != tc.field || fe.Code != tc.code {
			t.Errorf("Parse(%q) = %v; want %s %s", tc.text, err, tc.field, tc.code)
		}
	}
}

func TestCorrections(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2027, 11, 20, 2, 0, 0, 0, time.UTC)
		load := func() *Calendar {
			t.Helper()
			c, err := Load(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		if _, known := load().IsWorkday(date(t, "2028-01-03")); known {
			t.Fatal("2028 known before loading")
		}

		// The 2028 schedule is published: load it.
		days, err := Parse("2028-01-03,off,元旦\n2028-01-29,work,春节调休\n2028-01-31,off,春节\n", 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := SaveYears(ctx, db, YearsOf(days), days, "admin", now, nil); err != nil {
			t.Fatal(err)
		}
		c := load()
		for _, tc := range []struct {
			day         string
			work, known bool
		}{
			{"2028-01-03", false, true}, // Monday, loaded holiday
			{"2028-01-29", true, true},  // Saturday, loaded make-up day
			{"2028-02-01", true, true},  // Tuesday, not listed: weekday rule
			{"2028-02-05", false, true}, // Saturday, not listed
			{"2026-10-01", false, true}, // built-in data untouched
		} {
			if work, known := c.IsWorkday(date(t, tc.day)); work != tc.work || known != tc.known {
				t.Errorf("after load: IsWorkday(%s) = %v, %v; want %v, %v", tc.day, work, known, tc.work, tc.known)
			}
		}
		if due, known := c.AddWorkingDays(date(t, "2027-12-30"), 3); due.String() != "2028-01-05" || !known {
			// 12-31 Friday, 01-03 the loaded holiday, 01-04, 01-05.
			t.Errorf("AddWorkingDays over new year = %s, %v; want 2028-01-05, true", due, known)
		}
		if _, src := c.Year(2028); src != Loaded {
			t.Errorf("source of 2028 = %s, want loaded", src)
		}

		// Loading 2026 replaces the built-in data of the whole year.
		if err := SaveYears(ctx, db, []int{2026}, []Day{{Day: date(t, "2026-10-01"), Name: "国庆节"}}, "admin", now, nil); err != nil {
			t.Fatal(err)
		}
		c = load()
		if work, _ := c.IsWorkday(date(t, "2026-10-10")); work {
			t.Error("2026-10-10 still a make-up day after 2026 was replaced")
		}
		if work, _ := c.IsWorkday(date(t, "2026-10-02")); !work {
			t.Error("2026-10-02 still a holiday after 2026 was replaced")
		}
		if days, src := c.Year(2026); len(days) != 1 || src != Loaded {
			t.Errorf("2026 after replace = %v, %s; want one day, loaded", days, src)
		}

		// Reloading 2028 drops the days of the earlier load.
		if err := SaveYears(ctx, db, []int{2028}, nil, "admin", now, nil); err != nil {
			t.Fatal(err)
		}
		if work, known := load().IsWorkday(date(t, "2028-01-03")); !work || !known {
			t.Errorf("2028-01-03 after empty reload = %v, %v; want a known working day", work, known)
		}

		// A single day corrected in a built-in year: the rest stays.
		if err := SetDay(ctx, db, Day{Day: date(t, "2027-10-09"), Workday: false, Name: "更正"}, now); err != nil {
			t.Fatal(err)
		}
		c = load()
		if work, known := c.IsWorkday(date(t, "2027-10-09")); work || !known {
			t.Errorf("corrected 2027-10-09 = %v, %v; want off, known", work, known)
		}
		if work, _ := c.IsWorkday(date(t, "2027-10-04")); work {
			t.Error("2027-10-04 lost its built-in holiday")
		}
		if _, src := c.Year(2027); src != Official {
			t.Errorf("source of 2027 = %s, want official", src)
		}

		// Bad input changes nothing.
		bad := []Day{{Day: date(t, "2029-01-01")}, {Day: date(t, "2030-01-01")}}
		err = SaveYears(ctx, db, []int{2029}, bad, "admin", now, nil)
		if fe, ok := apperr.AsField(err); !ok || fe.Field != "days[1].day" {
			t.Errorf("day outside the year: %v", err)
		}
		if _, known := load().IsWorkday(date(t, "2029-01-01")); known {
			t.Error("2029 became known after a failed load")
		}
	})
}
