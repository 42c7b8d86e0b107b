package gen

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/proactive"
	"wanhu/internal/visit"
)

// visitRow is a row of visits with its visitors, the first of whom
// recorded it.
type visitRow struct {
	id, household, grid int64
	outcome, channel    string
	at                  time.Time
	met, notes          string
	followUp            calendar.Date
	visitors            []*org.TeamMember
}

// visitState is what the visit store keeps on a household (see
// visit.Store.schedule).
type visitState struct {
	lastVisitAt      *time.Time
	lastMet, nextDue calendar.Date
	misses           int
	offpeak          bool
}

// The shape of the visit history: the rotation's weekly extra visits and
// the chances of a household being passed over, never visited, or late on
// its own cycle.
const (
	weeklyExtra  = 15    // each week the rotation visits 100 + up to this many more
	skippedShare = 0.055 // passed over by the rotation: last met more than a cycle ago
	neverShare   = 0.003 // green households never visited at all
	overdueShare = 0.08  // households visited on their own cycle whose visit slipped
)

// vslot is when a visit happens: a day (days from today, negative in the
// past) and a minute of that day in China time.
type vslot struct {
	day, minute int
	when        string // daytime, evening or weekend
}

// visits makes community c's visit history up to yesterday (Dongxing's up
// to last Sunday: its team's visits of this week follow this week's plans,
// see week.go), as the article's team makes it (R6, R7): each grid's team
// walks its occupied households in address order, at least 100 a week, so
// the whole grid is visited every few weeks; households that the policy
// wants visited more often (living-alone elderly weekly, red monthly, plan
// measures) are visited on their own cycle. A few households were passed
// over and are overdue, some since last year; a few were not at home at
// their last one or two visits and have a card and a follow-up, flagged
// for an off-peak visit after proactive.DefaultOffpeakMisses misses. Evening and
// weekend visits go to households that asked for them.
//
// Only the last weeks are kept in full (about two rounds of the grid, at
// most 13 weeks); a household not met in them keeps its last meeting
// before. The households' schedule (last visit, last met, next due, misses,
// off-peak) is computed here as visit.Store.schedule would have.
func (g *generator) visits(c *community) {
	plans := map[int64][]string{}
	for _, m := range c.measures {
		if m.Status == "active" {
			plans[m.HouseholdID] = append(plans[m.HouseholdID], m.Frequency)
		}
	}
	byGrid := map[int64][]int{}
	for i, h := range c.households {
		byGrid[h.GridID] = append(byGrid[h.GridID], i)
	}
	c.schedule = make([]visitState, len(c.households))
	for _, grid := range c.grids {
		g.gridVisits(c, grid, byGrid[grid], plans)
	}
}

// gridVisits makes the visit history of one grid's households (indexes
// into c.households, in address order).
func (g *generator) gridVisits(c *community, grid int64, hs []int, plans map[int64][]string) {
	r := g.r
	t := visitTeam{free: map[string][]*org.TeamMember{}}
	for i := range c.team {
		m := &c.team[i]
		switch {
		case m.GridID == grid && m.Role == org.RoleGridWorker:
			t.worker = m
			continue
		case m.GridID != grid && m.GridID != 0:
			continue
		}
		for _, w := range m.Availability {
			t.free[w] = append(t.free[w], m)
		}
	}
	monday := -((int(g.today.Time().Weekday()) + 6) % 7) // this week's Monday, in days from today
	end := 0                                             // the history's visits are before this day
	if c.index == 0 {
		end = monday
	}

	// Each household is visited in the grid's rotation, on its own cycle
	// (more often than the rotation comes round), was passed over, is
	// vacant or was never visited.
	freqs := make([]string, len(hs))
	kinds := make([]byte, len(hs))
	var rot []int // positions in hs
	for k, i := range hs {
		h := c.households[i]
		f := visit.Facts{Colour: h.Colour, Tags: h.Tags, Plan: plans[h.ID]}
		for _, p := range h.Members {
			if p.Current() {
				f.Tags = append(f.Tags, p.Tags...)
			}
		}
		freqs[k], _ = g.policy.Frequency(f)
		switch {
		case h.Occupancy == "vacant":
			kinds[k] = 'v'
		case periodDays(freqs[k]) <= 31:
			kinds[k] = 'c'
		case h.Colour == household.Green && chance(r, neverShare):
			kinds[k] = 'n'
		case chance(r, skippedShare):
			kinds[k] = 's'
		default:
			kinds[k] = 'r'
			rot = append(rot, k)
		}
	}
	quota := max(100, (len(rot)+8)/9) // a full round takes at most nine weeks
	weeks := min(max((2*len(rot)+quota-1)/quota, 4), 13)
	start := monday - 7*weeks
	round := 7 * max(len(rot), 1) / quota // days a round of the rotation takes
	days := make([][]vslot, len(hs))

	// The rotation, week by week, up to the history's end: this week up
	// to yesterday, or last week.
	if len(rot) > 0 {
		cursor := r.IntN(len(rot))
		for w := start; w < end; w += 7 {
			n := quota + r.IntN(weeklyExtra+1)
			if w == monday {
				n = n * min(-monday, 5) / 5
			}
			for range min(n, len(rot)) {
				k := rot[cursor]
				cursor = (cursor + 1) % len(rot)
				days[k] = append(days[k], g.slotIn(c.households[hs[k]], w, min(w+7, end)))
			}
		}
	}
	for k, i := range hs {
		h := c.households[i]
		created := -visit.DaysBetween(calendar.DayOf(h.CreatedAt), g.today) + 1
		period := periodDays(freqs[k])
		switch kinds[k] {
		case 'c':
			last := end - 1 - r.IntN(max(period/2, 1))
			if chance(r, overdueShare) {
				last = end - period - 1 - r.IntN(6)
				if period >= 28 {
					last = end - period - 7 - r.IntN(15) // one to three weeks late
				}
			}
			for d := last; d >= start; d -= period {
				days[k] = append(days[k], g.slotBefore(h, d))
			}
			slices.Reverse(days[k])
		case 's':
			// Last met more than a cycle ago, often last year.
			hi, lo := -period-7, max(created, -period-150)
			if jan1 := -visit.DaysBetween(calendar.Date{Y: g.today.Y, M: time.January, D: 1}, g.today); created < jan1 && chance(r, 0.65) {
				hi, lo = min(hi, jan1-1), created
			}
			if lo <= hi {
				days[k] = []vslot{g.slotBefore(h, hi-r.IntN(hi-lo+1))}
			}
		case 'v':
			days[k] = []vslot{g.slotBefore(h, end-1-r.IntN(max(end-created-1, 1)))}
		}
		g.householdVisits(c, i, freqs[k], kinds[k], days[k], t, max(created, days0(days[k])-round), end)
	}
}

// days0 is the day of the first of vs, or 0.
func days0(vs []vslot) int {
	if len(vs) == 0 {
		return 0
	}
	return vs[0].day
}

// visitTeam is who visits a grid's households: its grid worker and, by
// time of day, the other team members of the grid and the community's
// helpers available then.
type visitTeam struct {
	worker *org.TeamMember
	free   map[string][]*org.TeamMember
}

// householdVisits gives household c.households[i] outcomes for its visit
// slots: met but for a few not-at-home or refused visits, a not-at-home
// streak at the end of some (its follow-up before day end), a meeting
// before the kept weeks (from day before on) when none in them met; then
// it writes the visits and the household's schedule.
func (g *generator) householdVisits(c *community, i int, freq string, kind byte, slots []vslot, t visitTeam, before, end int) {
	r := g.r
	h := c.households[i]
	outcomes := make([]string, len(slots))
	for j := range slots {
		switch x := r.IntN(100); {
		case kind == 'v':
			outcomes[j] = "vacant"
		case j < len(slots)-1 && x < 3:
			outcomes[j] = "not_home"
		case x < 4 && (j < len(slots)-1 || r.IntN(8) == 0):
			outcomes[j] = "refused"
		default:
			outcomes[j] = "met"
		}
	}
	if (kind == 'r' || kind == 'c') && len(slots) > 0 {
		// Not at home at the last visit or two: likelier for those who
		// work by day.
		p, two := 0.008, 0.5
		if len(h.ContactTimes) > 0 && !slices.Contains(h.ContactTimes, "daytime") {
			p, two = 0.15, 0.7
		}
		if chance(r, p) {
			last := len(slots) - 1
			slots[last].minute, slots[last].when = 540+r.IntN(510), "daytime" // by day, when nobody is in
			outcomes[last] = "not_home"
			if chance(r, two) {
				if d := slots[last].day + visit.FollowUpDays + r.IntN(3); d < end {
					slots, outcomes = append(slots, vslot{d, 540 + r.IntN(510), "daytime"}), append(outcomes, "not_home")
				} else if last > 0 {
					outcomes[last-1] = "not_home"
				}
			}
		}
		if !slices.Contains(outcomes, "met") {
			d := min(before+r.IntN(max(slots[0].day-before, 1)), slots[0].day-1)
			slots, outcomes = append([]vslot{g.slotBefore(h, d)}, slots...), append([]string{"met"}, outcomes...)
		}
	}
	s := &c.schedule[i]
	for j, sl := range slots {
		v := visitRow{id: next(&g.ids.visit), household: h.ID, grid: h.GridID, outcome: outcomes[j], channel: "door",
			at: g.today.Time().Add(time.Duration(sl.day*24*60+sl.minute-8*60) * time.Minute)}
		day := g.dayOf(sl.day)
		v.visitors = t.pick(r, h, sl)
		switch v.outcome {
		case "met":
			switch x := r.IntN(100); {
			case x < 7:
				v.channel = "phone"
			case x < 11:
				v.channel = "wechat"
			case x < 13:
				v.channel = "talk_room"
			}
			for _, p := range h.Members {
				if p.Current() {
					v.met = itoa(p.ID)
					break
				}
			}
			if chance(r, 0.2) {
				v.notes = one(r, metNotes)
			}
			s.lastMet, s.misses, s.offpeak = day, 0, false
		case "not_home":
			v.notes, v.followUp = "家中无人，已留联系卡", calendar.DateOf(day.Time().AddDate(0, 0, visit.FollowUpDays))
			s.misses++
			s.offpeak = s.misses >= proactive.DefaultOffpeakMisses
		case "refused":
			v.notes = "住户不愿接受走访"
			s.misses = 0
		case "vacant":
			v.notes = "房屋空置，无人居住"
			s.misses = 0
		}
		s.lastVisitAt = &v.at
		c.visits = append(c.visits, v)
	}
	// Never met: due since the household was created, as the daily
	// recomputation would have left it.
	s.nextDue = visit.NextDue(s.lastMet, calendar.DayOf(h.CreatedAt), g.today, freq)
}

// metNotes are notes a visitor leaves after a meeting.
var metNotes = []string{"一切正常", "身体状况良好", "反映楼道灯不亮，已报物业", "了解了低保政策", "希望社区多组织老年活动",
	"孩子上学情况良好", "留下了网格员联系方式", "提醒注意防范电信诈骗"}

// pick chooses who makes a visit in slot sl: the grid worker mostly, or
// another team member of the grid or a community helper available then,
// and sometimes a helper along (one who speaks the household's language if
// there is one).
func (t visitTeam) pick(r *rand.Rand, h *household.Household, sl vslot) []*org.TeamMember {
	free := t.free[sl.when]
	lead := t.worker
	if len(free) > 0 && (lead == nil || r.IntN(100) < 25) {
		lead = one(r, free)
	}
	if lead == nil {
		return nil
	}
	out := []*org.TeamMember{lead}
	if h.Language != "" {
		for _, m := range free {
			if m != lead && slices.Contains(m.Languages, h.Language) && chance(r, 0.8) {
				return append(out, m)
			}
		}
	}
	if len(free) > 0 && chance(r, 0.3) {
		if m := one(r, free); m != lead {
			out = append(out, m)
		}
	}
	return out
}

// periodDays is about how many days a visit period of freq lasts.
func periodDays(freq string) int {
	switch freq {
	case "weekly":
		return 7
	case "biweekly":
		return 14
	case "monthly":
		return 30
	case "quarterly":
		return 91
	case "half_yearly":
		return 182
	}
	return 365
}

// weekday returns the day of the week of day d (days from today), Monday 0.
func (g *generator) weekday(d int) int {
	return ((int(g.today.Time().Weekday())+6+d)%7 + 7) % 7
}

// dayOf returns the date of day d (days from today).
func (g *generator) dayOf(d int) calendar.Date {
	return calendar.DateOf(g.today.Time().AddDate(0, 0, d))
}

// when is the time of day household h is visited at: by day, or in the
// evening or at the weekend when it asked for that.
func when(r *rand.Rand, h *household.Household) string {
	if len(h.ContactTimes) == 0 || slices.Contains(h.ContactTimes, "daytime") {
		return "daytime"
	}
	return one(r, h.ContactTimes)
}

// fits says whether day d suits a visit at time w.
func (g *generator) fits(d int, w string) bool {
	return (g.weekday(d) >= 5) == (w == "weekend")
}

// minute returns a minute of the day for a visit at time w: 9:00–17:30 by
// day, 18:30–20:30 in the evening, 9:30–17:00 at the weekend.
func minute(r *rand.Rand, w string) int {
	switch w {
	case "evening":
		return 18*60 + 30 + r.IntN(120)
	case "weekend":
		return 9*60 + 30 + r.IntN(450)
	}
	return 9*60 + r.IntN(510)
}

// slotIn returns a slot for household h between day from and day to
// (excluded), on a day that suits it if there is one.
func (g *generator) slotIn(h *household.Household, from, to int) vslot {
	r := g.r
	w := when(r, h)
	var ds []int
	for d := from; d < to; d++ {
		if g.fits(d, w) {
			ds = append(ds, d)
		}
	}
	if len(ds) == 0 { // this week's Saturday has not come yet
		w = "evening"
		for d := from; d < to; d++ {
			ds = append(ds, d)
		}
	}
	return vslot{one(r, ds), minute(r, w), w}
}

// slotBefore returns a slot for household h on the last day up to day d
// that suits it.
func (g *generator) slotBefore(h *household.Household, d int) vslot {
	w := when(g.r, h)
	for !g.fits(d, w) {
		d--
	}
	return vslot{d, minute(g.r, w), w}
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }
