package visit

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/org"
)

// Appointments (预约+错峰, R10): a resident who works by day books an
// evening or weekend slot of their grid, through the contact card's QR page
// or a staff member on the phone. This file holds the rules; the store
// methods are in appointment_store.go.

// Slot kinds, booking channels and appointment states.
const (
	SlotEvening = "evening"
	SlotWeekend = "weekend"
	ViaQR       = "qr"
	ViaStaff    = "staff"
)

// AppointmentStates are the states of an appointment: booked until a visit
// on the day closes it (done, or missed when nobody was home), missed when
// its slot ended more than a day before without a visit, cancelled when
// the household booked another slot or staff cancelled it.
var AppointmentStates = []string{"booked", "done", "missed", "cancelled"}

// SlotConfig holds the numbers slots are published with.
type SlotConfig struct {
	Days       int           // how many days ahead, today included (China time)
	PerVisitor int           // bookings one visitor takes in one slot
	Lead       time.Duration // a slot starting sooner than this is not offered
	// PerHouseholdDay and PerClientHour cap public bookings: per household
	// in 24 hours and per client address in an hour.
	PerHouseholdDay, PerClientHour int
}

// DefaultSlotConfig publishes two weeks of slots, one household per
// visitor and slot.
var DefaultSlotConfig = SlotConfig{Days: 14, PerVisitor: 1, Lead: 2 * time.Hour, PerHouseholdDay: 3, PerClientHour: 10}

// slotTimes are the slots of a day, in China time: weekday evenings, two
// blocks on Saturday and Sunday.
var slotTimes = map[string][][2]time.Duration{
	SlotEvening: {{19 * time.Hour, 21 * time.Hour}},
	SlotWeekend: {{9*time.Hour + 30*time.Minute, 11*time.Hour + 30*time.Minute}, {15 * time.Hour, 17 * time.Hour}},
}

// Slot is a time residents may book.
type Slot struct {
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	Kind     string    `json:"kind"`
	Capacity int       `json:"capacity"` // available visitors × PerVisitor
	Free     int       `json:"free"`     // places left
}

// slotsBetween returns the slots of the Days days from now's date (China
// time) that start at least Lead after now: weekday evening slots when
// evening, weekend slots when weekend. Capacity and Free are left zero.
func slotsBetween(now time.Time, c SlotConfig, evening, weekend bool) []Slot {
	local := now.In(calendar.China)
	day0 := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, calendar.China)
	var out []Slot
	for d := range c.Days {
		day := day0.AddDate(0, 0, d)
		kind, ok := SlotEvening, evening
		if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
			kind, ok = SlotWeekend, weekend
		}
		if !ok {
			continue
		}
		for _, t := range slotTimes[kind] {
			start := day.Add(t[0])
			if start.Before(now.Add(c.Lead)) {
				continue
			}
			out = append(out, Slot{Start: start.UTC(), End: day.Add(t[1]).UTC(), Kind: kind})
		}
	}
	return out
}

// slotVisitor is a team member as booking sees them.
type slotVisitor struct {
	m    org.TeamMember
	own  bool
	open int // open bookings, all slots
	free int // places left in the slot being booked
}

// pickVisitor returns who takes a booking: a visitor with room in the slot,
// preferring one who speaks the household's language, then the one with
// fewest open bookings, then the grid's own member, then the lower id; nil
// when nobody has room.
func pickVisitor(vs []slotVisitor, language string) *slotVisitor {
	var best *slotVisitor
	speaks := func(v *slotVisitor) bool { return language != "" && slices.Contains(v.m.Languages, language) }
	better := func(a, b *slotVisitor) bool {
		if speaks(a) != speaks(b) {
			return speaks(a)
		}
		if c := cmp.Compare(a.open, b.open); c != 0 {
			return c < 0
		}
		if a.own != b.own {
			return a.own
		}
		return a.m.ID < b.m.ID
	}
	for i := range vs {
		if v := &vs[i]; v.free > 0 && (best == nil || better(v, best)) {
			best = v
		}
	}
	return best
}

// reminderAt returns when to remind the resident of a slot starting at
// start: 20:00 China time the evening before, or two hours before when the
// booking comes later than that; false when even that has passed.
func reminderAt(start, now time.Time) (time.Time, bool) {
	d := start.In(calendar.China)
	eve := time.Date(d.Year(), d.Month(), d.Day()-1, 20, 0, 0, 0, calendar.China)
	if eve.After(now) {
		return eve.UTC(), true
	}
	if at := start.Add(-2 * time.Hour); at.After(now) {
		return at.UTC(), true
	}
	return time.Time{}, false
}

// missedAfter is how long after its slot ended a booked appointment
// without a visit counts as missed.
const missedAfter = 24 * time.Hour

// checkPhone returns the phone a resident left without its spaces and
// dashes, or a FieldError: 7 to 15 digits, with spaces, dashes and a
// leading + allowed.
func checkPhone(phone string, required bool) (string, error) {
	phone = strings.TrimSpace(phone)
	if phone == "" {
		if required {
			return "", apperr.Field("phone", "required", "is required")
		}
		return "", nil
	}
	var b strings.Builder
	digits := 0
	for i, r := range phone {
		switch {
		case r >= '0' && r <= '9':
			digits++
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == ' ' || r == '-':
		default:
			return "", apperr.Field("phone", "format", "must be a phone number")
		}
	}
	if digits < 7 || digits > 15 {
		return "", apperr.Field("phone", "format", "must be a phone number")
	}
	return b.String(), nil
}
