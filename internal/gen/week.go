package gen

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/store"
	"wanhu/internal/visit"
)

// WeekSummary counts what Generate made of Dongxing's week.
type WeekSummary struct {
	Week           string // ISO week of Options.Today, e.g. "2026-W49"
	Plans, Planned int    // plans (one a grid) and the households in them
	Visits         int    // visits of the plans recorded before Today
}

// planMadeAt is when a week's plans were made: the Friday before, at
// 17:00 in China, as a grid leader makes next week's (wanhu plan).
func planMadeAt(w visit.Week) time.Time {
	fri := calendar.DateOf(w.Monday().Time().AddDate(0, 0, -3))
	return time.Date(fri.Y, fri.M, fri.D, 17, 0, 0, 0, calendar.China).UTC()
}

// dongxingWeek makes Dongxing's week as its team has it on Today: this ISO
// week's plan of every grid, made the Friday before through the visit
// store (households, visitors, route order: visit.Store.GeneratePlan), and
// the plan's visits of the days before Today, recorded through the visit
// store (so the households' schedule follows, as with real visits). Each
// visitor walks their list in route order, spread over the days of the
// week they are free (weekdays by day or in the evening, the weekend);
// a few households of the past days are left for later. On a Monday no
// visit is made yet; the whole route is ahead.
func (g *generator) dongxingWeek(ctx context.Context, db *store.DB, communityID int64) (WeekSummary, error) {
	r := rand.New(rand.NewPCG(uint64(g.o.Seed), 0x5745_454b)) // "WEEK"
	week := visit.WeekOf(g.today)
	sum := WeekSummary{Week: week.String()}
	grids, err := communityGrids(ctx, db, communityID)
	if err != nil {
		return sum, err
	}
	clock := planMadeAt(week)
	vs := visit.NewStore(db, household.NewStore(db))
	vs.SetClock(func() time.Time { return clock })
	var plans []*visit.Plan
	for _, gr := range grids {
		p, err := vs.GeneratePlan(ctx, gr.leader, gr.id, week)
		if err != nil {
			return sum, fmt.Errorf("plan of grid %d: %w", gr.id, err)
		}
		plans = append(plans, p)
		sum.Plans, sum.Planned = sum.Plans+1, sum.Planned+p.Total
	}
	met, err := firstMembers(ctx, db, communityID)
	if err != nil {
		return sum, err
	}
	today := visit.DaysBetween(week.Monday(), g.today) // days of the week before today
	for _, p := range plans {
		for _, v := range p.Visitors {
			for _, st := range g.route(r, v, today) {
				clock = st.at.Add(5 * time.Minute) // recorded on the doorstep
				if _, _, err := vs.Record(ctx, household.Actor{Name: v.User}, st.input(r, v.TeamMemberID, met)); err != nil {
					return sum, fmt.Errorf("visit of household %d: %w", st.item.HouseholdID, err)
				}
				sum.Visits++
			}
		}
	}
	return sum, nil
}

// gridLeader is a grid and the name its plans are made in.
type gridLeader struct {
	id     int64
	leader string
}

// communityGrids returns the grids of a community by number, with the
// name of their leader (the grid worker) or of the community.
func communityGrids(ctx context.Context, db *store.DB, communityID int64) ([]gridLeader, error) {
	rows, err := db.QueryContext(ctx, `SELECT g.id, COALESCE(t.name, c.name) FROM org_units g JOIN org_units c ON c.id = g.parent_id
		LEFT JOIN team_members t ON t.id = g.leader_id WHERE g.kind = 'grid' AND g.parent_id = ? AND g.retired_at IS NULL ORDER BY g.number`, communityID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []gridLeader
	for rows.Next() {
		var gl gridLeader
		if err := rows.Scan(&gl.id, &gl.leader); err != nil {
			return nil, err
		}
		out = append(out, gl)
	}
	return out, rows.Err()
}

// firstMembers returns a current member of each household of a community:
// who a visit meets.
func firstMembers(ctx context.Context, db *store.DB, communityID int64) (map[int64]int64, error) {
	rows, err := db.QueryContext(ctx, `SELECT p.household_id, MIN(p.id) FROM persons p JOIN households h ON h.id = p.household_id
		JOIN org_units g ON g.id = h.grid_id WHERE g.parent_id = ? AND p.active AND p.moved_out_on IS NULL AND p.deceased_on IS NULL
		GROUP BY p.household_id`, communityID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]int64{}
	for rows.Next() {
		var h, p int64
		if err := rows.Scan(&h, &p); err != nil {
			return nil, err
		}
		out[h] = p
	}
	return out, rows.Err()
}

// stop is a visit on a visitor's route: the plan's household and when.
type stop struct {
	item visit.PlanItem
	at   time.Time
}

// leftShare is the share of the past days' households left for later.
const leftShare = 0.04

// route returns the visits visitor v made of their list before day today
// of the week (0: Monday): the list, in route order, spread evenly over
// the days v is free, by day on weekdays (in the evening for a visitor
// free only then) and 9:30–17:00 at the weekend, in order through each day.
func (g *generator) route(r *rand.Rand, v visit.PlanVisitor, today int) []stop {
	var days []int
	for d := range 7 {
		weekend := d >= 5
		if weekend && slices.Contains(v.Availability, "weekend") ||
			!weekend && (slices.Contains(v.Availability, "daytime") || slices.Contains(v.Availability, "evening")) {
			days = append(days, d)
		}
	}
	n := len(v.Households)
	if len(days) == 0 || n == 0 {
		return nil
	}
	monday := visit.WeekOf(g.today).Monday()
	var out []stop
	for k := 0; k < n; {
		// The households of the k-th to the j-th place are for day days[di].
		di := k * len(days) / n
		j := k
		for j < n && j*len(days)/n == di {
			j++
		}
		d := days[di]
		if d >= today {
			break
		}
		from, span := 9*60, 510 // 9:00–17:30
		switch {
		case d >= 5:
			from, span = 9*60+30, 450
		case !slices.Contains(v.Availability, "daytime"):
			from, span = 18*60+30, 120
		}
		day := calendar.DateOf(monday.Time().AddDate(0, 0, d))
		for i := k; i < j; i++ {
			if chance(r, leftShare) {
				continue
			}
			minute := from + (i-k)*span/(j-k) + r.IntN(max(span/(j-k), 1))
			out = append(out, stop{item: v.Households[i], at: day.Time().Add(time.Duration(minute-8*60) * time.Minute).UTC()})
		}
		k = j
	}
	return out
}

// input is the visit of st by team member member: met mostly (a current
// member of the household, sometimes with a note), else not at home (a
// card left) or refused; households that asked not to be visited by day
// are more often out when visited by day.
func (st stop) input(r *rand.Rand, member int64, met map[int64]int64) visit.Input {
	at := st.at
	in := visit.Input{ClientID: fmt.Sprintf("gen-week-%d", st.item.HouseholdID), HouseholdID: st.item.HouseholdID, Channel: "door",
		At: &at, Visitors: []int64{member}, Outcome: "met"}
	local := at.In(calendar.China)
	byDay := local.Weekday() != time.Saturday && local.Weekday() != time.Sunday && local.Hour() < 18
	out := 0.06
	if byDay && len(st.item.ContactTimes) > 0 && !slices.Contains(st.item.ContactTimes, "daytime") {
		out = 0.5
	}
	switch x := r.Float64(); {
	case x < out:
		in.Outcome, in.CardLeft, in.Notes = "not_home", true, "家中无人，已留联系卡"
	case x < out+0.02:
		in.Outcome, in.Notes = "refused", "住户不愿接受走访"
	default:
		if p := met[st.item.HouseholdID]; p != 0 {
			in.Met = []int64{p}
		}
		if chance(r, 0.2) {
			in.Notes = one(r, metNotes)
		}
	}
	return in
}
