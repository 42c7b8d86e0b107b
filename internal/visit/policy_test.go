package visit

import (
	"testing"

	"wanhu/internal/calendar"
)

func day(s string) calendar.Date {
	d, err := calendar.ParseDate("d", s)
	if err != nil {
		panic(err)
	}
	return d
}

// TestPolicy: each colour, tag and plan → frequency → next due date.
func TestPolicy(t *testing.T) {
	met := day("2026-01-31")
	for _, c := range []struct {
		name   string
		f      Facts
		freq   string
		reason string
		due    string
	}{
		{"living-alone elderly", Facts{Colour: "red", Tags: []string{"living_alone_elderly"}}, "weekly", "tag:living_alone_elderly", "2026-02-07"},
		{"other red", Facts{Colour: "red", Tags: []string{"disabled"}}, "monthly", "colour:red", "2026-02-28"},
		{"yellow", Facts{Colour: "yellow"}, "quarterly", "colour:yellow", "2026-04-30"},
		{"green", Facts{Colour: "green"}, "half_yearly", "colour:green", "2026-07-31"},
		{"no colour rule: the yearly floor", Facts{Colour: "purple"}, "yearly", "floor", "2027-01-31"},
		{"plan more frequent wins", Facts{Colour: "green", Plan: []string{"weekly"}}, "weekly", "plan", "2026-02-07"},
		{"biweekly plan over red", Facts{Colour: "red", Plan: []string{"biweekly"}}, "biweekly", "plan", "2026-02-14"},
		{"less frequent plan loses", Facts{Colour: "red", Plan: []string{"yearly", "once"}}, "monthly", "colour:red", "2026-02-28"},
		{"tag beats plan", Facts{Colour: "yellow", Tags: []string{"living_alone_elderly"}, Plan: []string{"monthly"}}, "weekly", "tag:living_alone_elderly", "2026-02-07"},
	} {
		t.Run(c.name, func(t *testing.T) {
			freq, reason := DefaultPolicy.Frequency(c.f)
			if freq != c.freq || reason != c.reason {
				t.Errorf("frequency %s (%s), want %s (%s)", freq, reason, c.freq, c.reason)
			}
			if due := NextDue(met, calendar.Date{}, day("2026-03-01"), freq); due.String() != c.due {
				t.Errorf("next due %s, want %s", due, c.due)
			}
		})
	}
	today := day("2026-03-01")
	if got := NextDue(calendar.Date{}, calendar.Date{}, today, "monthly"); got != today {
		t.Errorf("never visited: due %s, want today", got)
	}
	if got := NextDue(calendar.Date{}, day("2026-02-01"), today, "monthly"); got != day("2026-02-01") {
		t.Errorf("never visited, already due: %s, want the date it had", got)
	}
	if n := DaysBetween(day("2026-02-27"), day("2026-03-01")); n != 2 {
		t.Errorf("days between: %d", n)
	}
}

func TestPolicyValidate(t *testing.T) {
	p := DefaultPolicy
	p.Colours = map[string]string{"red": "daily"}
	if err := p.Validate(); err == nil {
		t.Error("a daily red frequency was accepted")
	}
	if err := DefaultPolicy.Validate(); err != nil {
		t.Error(err)
	}
}
