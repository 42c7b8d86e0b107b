package visit

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/org"
)

// candidate is a household of the grid as the generator sees it.
type candidate struct {
	id           int64
	colour       household.Colour
	due          calendar.Date // zero: never computed, due at once
	lastVisit    *time.Time
	offpeak      bool
	contactTimes []string
	language     string
	openNeeds    int
	appointment  int64 // the visitor of a booked appointment in the week
	compound     string
	building     string
	unit         string
	floor        int
	room         string

	// set by the generator
	priority    int
	daysOverdue int
	isDue       bool
	pairing     string
	member      int64
}

// visitor is a team member who may be given households: one of the grid
// (own) or of its community without a grid (helpers, drawn on for what the
// grid's members cannot do: a language, an evening).
type visitor struct {
	m        org.TeamMember
	own      bool
	capacity int
	load     int
}

// score sets c's priority and whether it is due in the week from monday to
// sunday. Due households score 1000 and more: colour, days overdue (capped
// at a year), open needs and an off-peak flag add to it; the rest score by
// how long ago they were last visited (never: 999). A booked appointment in
// the week adds appointmentBonus, above any other household.
func (c *candidate) score(today, monday, sunday calendar.Date) {
	c.priority = c.base(today, monday, sunday)
	if c.appointment != 0 {
		c.priority += appointmentBonus
	}
}

func (c *candidate) base(today, monday, sunday calendar.Date) int {
	due := c.due
	if due.IsZero() {
		due = today
	}
	c.isDue = !due.After(sunday)
	if !c.isDue {
		if c.lastVisit == nil {
			return 999
		}
		days := int(monday.Time().Sub(calendar.DayOf(*c.lastVisit).Time()).Hours() / 24)
		return min(max(days, 0), 998)
	}
	c.daysOverdue = max(DaysBetween(due, monday), 0)
	p := 1000 + min(c.daysOverdue, 365)
	switch c.colour {
	case household.Red:
		p += 400
	case household.Yellow:
		p += 200
	}
	p += 50 * min(c.openNeeds, 3)
	if c.offpeak {
		p += 100
	}
	return p
}

// reason says why c is in the plan and how it was paired.
func (c *candidate) reason() string {
	r := "round"
	if c.isDue {
		r = "due"
		if c.daysOverdue > 0 {
			r = "overdue"
		}
	}
	if c.pairing != "" {
		r += "," + c.pairing
	}
	return r
}

// urgent households (red and overdue) lead each visitor's list.
func (c *candidate) urgent() bool { return c.colour == household.Red && c.daysOverdue > 0 }

// needsOffpeak reports whether c is to be visited in the evening or at the
// weekend: an appointment after missed visits, or contact times without
// daytime.
func (c *candidate) needsOffpeak() bool {
	return c.offpeak || (len(c.contactTimes) > 0 && !slices.Contains(c.contactTimes, "daytime"))
}

// selectHouseholds picks the plan's households from cs, highest priority
// first: every due household up to the capacity of the grid's own members,
// and at least quota (then the households visited longest ago).
func selectHouseholds(cs []*candidate, quota, capacity int) []*candidate {
	slices.SortFunc(cs, func(a, b *candidate) int {
		if c := cmp.Compare(b.priority, a.priority); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
	due, booked := 0, 0
	for _, c := range cs {
		if c.isDue {
			due++
		}
		if c.appointment != 0 {
			booked++
		}
	}
	n := min(max(quota, min(due, capacity), booked), len(cs))
	return cs[:n]
}

// assign gives each household a visitor: a booked appointment's household
// to the appointment's visitor, then the households that need a language
// or an off-peak visit, to a visitor who speaks it or is free then,
// then the rest, each to the grid member least loaded against capacity.
// Ties go to the lower team member id, so the result is deterministic.
func assign(cs []*candidate, vs []*visitor) {
	var rest []*candidate
	for _, c := range cs {
		if c.appointment != 0 {
			if i := slices.IndexFunc(vs, func(v *visitor) bool { return v.m.ID == c.appointment }); i >= 0 {
				c.pairing = "appointment"
				give(c, vs[i])
				continue
			}
		}
		if c.language != "" {
			if v := pick(vs, func(v *visitor) bool { return slices.Contains(v.m.Languages, c.language) }, true); v != nil {
				c.pairing = "language:" + c.language
				give(c, v)
				continue
			}
		}
		if c.needsOffpeak() {
			if v, when := offpeakVisitor(c, vs); v != nil {
				c.pairing = when
				give(c, v)
				continue
			}
		}
		rest = append(rest, c)
	}
	for _, c := range rest {
		v := pick(vs, func(v *visitor) bool { return v.own }, true)
		if v == nil {
			v = pick(vs, func(v *visitor) bool { return true }, true)
		}
		if v == nil { // everyone is full: the least loaded grid member takes it
			v = pick(vs, func(v *visitor) bool { return v.own }, false)
		}
		if v == nil {
			v = pick(vs, func(v *visitor) bool { return true }, false)
		}
		give(c, v)
	}
}

// offpeakVisitor returns a visitor free when c can be met (the grid's own
// members first) and the slot.
func offpeakVisitor(c *candidate, vs []*visitor) (*visitor, string) {
	slots := []string{"evening", "weekend"}
	if !c.offpeak {
		slots = slices.DeleteFunc(slices.Clone(c.contactTimes), func(s string) bool { return s != "evening" && s != "weekend" })
	}
	for _, own := range []bool{true, false} {
		for _, s := range slots {
			if v := pick(vs, func(v *visitor) bool { return v.own == own && slices.Contains(v.m.Availability, s) }, true); v != nil {
				if c.offpeak {
					return v, "offpeak"
				}
				return v, s
			}
		}
	}
	return nil, ""
}

// pick returns the visitor satisfying ok with the lowest load against
// capacity (only those with room when roomy), or nil.
func pick(vs []*visitor, ok func(*visitor) bool, roomy bool) *visitor {
	var best *visitor
	for _, v := range vs {
		if !ok(v) || (roomy && v.load >= v.capacity) {
			continue
		}
		if best == nil || (v.load+1)*best.capacity < (best.load+1)*v.capacity {
			best = v
		}
	}
	return best
}

func give(c *candidate, v *visitor) {
	c.member = v.m.ID
	v.load++
}

// routeOrder sorts one visitor's households: red overdue ones first, then
// each part in walking order, compound → building → unit → floor → room,
// with numbers in names compared as numbers ("2号楼" before "10号楼").
func routeOrder(cs []*candidate) {
	slices.SortFunc(cs, func(a, b *candidate) int {
		if a.urgent() != b.urgent() {
			if a.urgent() {
				return -1
			}
			return 1
		}
		if c := naturalCompare(a.compound, b.compound); c != 0 {
			return c
		}
		if c := naturalCompare(a.building, b.building); c != 0 {
			return c
		}
		if c := naturalCompare(a.unit, b.unit); c != 0 {
			return c
		}
		if c := cmp.Compare(a.floor, b.floor); c != 0 {
			return c
		}
		if c := naturalCompare(a.room, b.room); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
}

// naturalCompare compares strings with runs of ASCII digits compared by
// value.
func naturalCompare(a, b string) int {
	for a != "" && b != "" {
		da, db := digits(a), digits(b)
		if da > 0 && db > 0 {
			na, nb := strings.TrimLeft(a[:da], "0"), strings.TrimLeft(b[:db], "0")
			if c := cmp.Compare(len(na), len(nb)); c != 0 {
				return c
			}
			if c := strings.Compare(na, nb); c != 0 {
				return c
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return cmp.Compare(a[0], b[0])
		}
		a, b = a[1:], b[1:]
	}
	return cmp.Compare(len(a), len(b))
}

func digits(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}
