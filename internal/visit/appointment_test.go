package visit

import (
	"testing"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/org"
)

func cst(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, calendar.China)
}

// TestSlotsBetween: weekday evenings and weekend blocks for 14 days, only
// the kinds someone is free for, none starting within the lead time.
func TestSlotsBetween(t *testing.T) {
	thu := cst(2026, 11, 26, 18, 0) // Thursday 18:00 China time
	c := DefaultSlotConfig
	for _, tc := range []struct {
		name             string
		now              time.Time
		evening, weekend bool
		n                int
		first            time.Time
		firstKind        string
	}{
		// 14 days from Thursday: 10 weekdays minus today's evening (within
		// 2 hours), 4 weekend days of 2 blocks.
		{"both", thu, true, true, 9 + 8, cst(2026, 11, 27, 19, 0), SlotEvening},
		{"evening only", thu, true, false, 9, cst(2026, 11, 27, 19, 0), SlotEvening},
		{"weekend only", thu, false, true, 8, cst(2026, 11, 28, 9, 30), SlotWeekend},
		{"nobody", thu, false, false, 0, time.Time{}, ""},
		{"morning: tonight offered", cst(2026, 11, 26, 9, 0), true, false, 10, cst(2026, 11, 26, 19, 0), SlotEvening},
		{"saturday noon: afternoon block", cst(2026, 11, 28, 12, 0), false, true, 7, cst(2026, 11, 28, 15, 0), SlotWeekend},
	} {
		got := slotsBetween(tc.now, c, tc.evening, tc.weekend)
		if len(got) != tc.n {
			t.Errorf("%s: %d slots, want %d", tc.name, len(got), tc.n)
			continue
		}
		if tc.n == 0 {
			continue
		}
		if !got[0].Start.Equal(tc.first) || got[0].Kind != tc.firstKind || got[0].End.Sub(got[0].Start) != 2*time.Hour {
			t.Errorf("%s: first slot %+v, want %s %s", tc.name, got[0], tc.first, tc.firstKind)
		}
		for _, s := range got {
			wd := s.Start.In(calendar.China).Weekday()
			if weekend := wd == time.Saturday || wd == time.Sunday; weekend != (s.Kind == SlotWeekend) {
				t.Errorf("%s: %s slot on %s", tc.name, s.Kind, wd)
			}
		}
	}
}

// TestPickVisitor: the language first, then fewest bookings, then the
// grid's own member; nobody without room.
func TestPickVisitor(t *testing.T) {
	v := func(id int64, own bool, open, free int, langs ...string) slotVisitor {
		return slotVisitor{m: org.TeamMember{ID: id, Languages: langs}, own: own, open: open, free: free}
	}
	for _, tc := range []struct {
		name string
		vs   []slotVisitor
		lang string
		want int64
	}{
		{"language wins over load", []slotVisitor{v(1, true, 0, 1), v(2, false, 5, 1, "bo")}, "bo", 2},
		{"language but full", []slotVisitor{v(1, true, 3, 1), v(2, false, 0, 0, "bo")}, "bo", 1},
		{"fewest bookings", []slotVisitor{v(1, true, 4, 1), v(2, true, 2, 1), v(3, false, 3, 1)}, "", 2},
		{"own member on a tie", []slotVisitor{v(1, false, 1, 1), v(2, true, 1, 1)}, "", 2},
		{"lower id on a tie", []slotVisitor{v(3, true, 1, 1), v(2, true, 1, 1)}, "mn", 2},
		{"nobody has room", []slotVisitor{v(1, true, 0, 0)}, "", 0},
	} {
		got := pickVisitor(tc.vs, tc.lang)
		if id := int64(0); got != nil {
			id = got.m.ID
			if id != tc.want {
				t.Errorf("%s: picked %d, want %d", tc.name, id, tc.want)
			}
		} else if tc.want != 0 {
			t.Errorf("%s: picked nobody, want %d", tc.name, tc.want)
		}
	}
}

// TestReminderAt: the evening before, else two hours before, else none.
func TestReminderAt(t *testing.T) {
	slot := cst(2026, 11, 27, 19, 0)
	for _, tc := range []struct {
		now  time.Time
		want time.Time
	}{
		{cst(2026, 11, 25, 10, 0), cst(2026, 11, 26, 20, 0)},
		{cst(2026, 11, 26, 21, 0), cst(2026, 11, 27, 17, 0)},
		{cst(2026, 11, 27, 17, 30), time.Time{}},
	} {
		got, ok := reminderAt(slot, tc.now)
		if ok != !tc.want.IsZero() || (ok && !got.Equal(tc.want)) {
			t.Errorf("booked at %s: reminder %s %v, want %s", tc.now, got, ok, tc.want)
		}
	}
}

// TestCheckPhone: digits with the usual separators.
func TestCheckPhone(t *testing.T) {
	for _, tc := range []struct {
		in       string
		required bool
		ok       bool
	}{
		{"13912345678", true, true},
		{" 0971-8123456 ", true, true},
		{"+86 139 1234 5678", false, true},
		{"", false, true},
		{"", true, false},
		{"12345", false, false},
		{"139abc45678", false, false},
		{"1+3912345678", false, false},
	} {
		if _, err := checkPhone(tc.in, tc.required); (err == nil) != tc.ok {
			t.Errorf("%q required %v: %v", tc.in, tc.required, err)
		}
	}
}
