package visit

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/org"
)

// Visits per visitor: each team member's and each recording account's
// visits in each of the recent weeks or months.

// Periods of the visits-per-visitor report: the last 8 ISO weeks or the
// last 6 calendar months, this one included.
const (
	ByWeek       = "week"
	ByMonth      = "month"
	weeksShown   = 8
	monthsShown  = 6
	kindMember   = "team_member"
	kindRecorder = "user"
)

// VisitorCounts is one visitor's visits per period, oldest period first.
// Kind "team_member" counts the visits a team member made (visit_visitors),
// with the member's role; kind "user" those an account recorded.
type VisitorCounts struct {
	Kind   string   `json:"kind"`
	ID     int64    `json:"id"`
	Name   string   `json:"name"`
	Role   org.Role `json:"role,omitempty"`
	Counts []int    `json:"counts"`
	Total  int      `json:"total"`
}

// VisitorReport is the visits per visitor of the recent weeks or months.
type VisitorReport struct {
	Period   string          `json:"period"`
	Periods  []string        `json:"periods"` // "2026-W49" or "2026-12"
	Visitors []VisitorCounts `json:"visitors"`
}

// periodBounds returns the labels and the first days of the last n weeks
// or months up to today, oldest first, and the first day after them.
func periodBounds(period string, today calendar.Date) ([]string, []calendar.Date) {
	var labels []string
	var starts []calendar.Date
	if period == ByWeek {
		w := WeekOf(today)
		first := calendar.DateOf(w.Monday().Time().AddDate(0, 0, -7*(weeksShown-1)))
		for d := first; len(starts) < weeksShown; d = calendar.DateOf(d.Time().AddDate(0, 0, 7)) {
			labels, starts = append(labels, WeekOf(d).String()), append(starts, d)
		}
		return labels, append(starts, w.Next().Monday())
	}
	first := time.Date(today.Y, today.M-monthsShown+1, 1, 0, 0, 0, 0, time.UTC)
	for i := range monthsShown + 1 {
		d := calendar.DateOf(first.AddDate(0, i, 0))
		if i < monthsShown {
			labels = append(labels, fmt.Sprintf("%04d-%02d", d.Y, d.M))
		}
		starts = append(starts, d)
	}
	return labels, starts
}

// VisitsByVisitor counts the visits of the households of scope per team
// member and per recording account, in each of the last weeks (period
// ByWeek) or months (ByMonth). Active team members of the grids in scope
// are listed even without visits.
//
// When the scope reaches every household (household.ListScope: a city's
// administrator) the visits need no household and are counted per team
// member and per account (countEverywhere), each period one range of
// visit_visitors_member or visits_recorder_at (migrations 00050, 00053):
// grouping the period's visits read a city's 1.9 million visits of eight
// weeks, their visitors and the recording account of each, and sorted
// them (30 s). Other scopes start from their households (countInScope).
func (s *Store) VisitsByVisitor(ctx context.Context, period string) (*VisitorReport, error) {
	labels, starts := periodBounds(period, s.today())
	r := &VisitorReport{Period: period, Periods: labels, Visitors: []VisitorCounts{}}
	scope, err := household.ListScope(ctx, s.db, s.scope)
	if err != nil {
		return nil, err
	}
	index := map[string]int{}
	if cond, cargs := household.Where(scope); cond == "" {
		err = s.countEverywhere(ctx, r, index, starts)
	} else {
		err = s.countInScope(ctx, r, index, starts, cond, cargs)
	}
	if err != nil {
		return nil, err
	}
	if err := s.addIdleMembers(ctx, scope, r, index); err != nil {
		return nil, err
	}
	slices.SortFunc(r.Visitors, func(a, b VisitorCounts) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.ID, b.ID))
	})
	return r, nil
}

// countInScope adds to r the visits of the households of condition cond
// (household.Where) per visitor and period starts[i] to starts[i+1], in
// one grouped statement from the households.
func (s *Store) countInScope(ctx context.Context, r *VisitorReport, index map[string]int, starts []calendar.Date, cond string, cargs []any) error {
	// bucket: the index of the period of v.at, within [starts[0], starts[n]).
	var bucket strings.Builder
	var args []any
	bucket.WriteString("CASE")
	for i, d := range starts[1 : len(starts)-1] {
		fmt.Fprintf(&bucket, " WHEN vat < ? THEN %d", i)
		args = append(args, startOf(d))
	}
	fmt.Fprintf(&bucket, " ELSE %d END", len(starts)-2)
	households := " JOIN households h ON h.id = v.household_id"
	window := []any{startOf(starts[0]), startOf(starts[len(starts)-1])}
	legArgs := append(append([]any{}, window...), cargs...)
	args = append(append(args, legArgs...), legArgs...)
	rows, err := s.db.QueryContext(ctx, `SELECT kind, who, MAX(name), MAX(role), b, COUNT(*) FROM (
		SELECT kind, who, name, role, `+bucket.String()+` AS b FROM (
			SELECT '`+kindMember+`' AS kind, m.id AS who, m.name AS name, m.role AS role, v.at AS vat
			FROM visits v JOIN visit_visitors vv ON vv.visit_id = v.id JOIN team_members m ON m.id = vv.team_member_id`+households+`
			WHERE v.at >= ? AND v.at < ? AND `+cond+`
			UNION ALL
			SELECT '`+kindRecorder+`', v.recorded_by, COALESCE(NULLIF(u.display_name, ''), u.username), '', v.at
			FROM visits v JOIN users u ON u.id = v.recorded_by`+households+`
			WHERE v.at >= ? AND v.at < ? AND `+cond+`
		) x
	) y GROUP BY kind, who, b`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var c VisitorCounts
		var b, n int
		if err := rows.Scan(&c.Kind, &c.ID, &c.Name, &c.Role, &b, &n); err != nil {
			return err
		}
		r.add(index, c, b, n)
	}
	return rows.Err()
}

// countEverywhere adds to r every visit per visitor and period starts[i]
// to starts[i+1]: for each team member and each account, one count per
// period, each a range of the index of the member's visits by time
// (visit_visitors_member: a visitor's row carries its visit's time) or of
// the account's (visits_recorder_at). Those with no visit in any period
// are left out.
func (s *Store) countEverywhere(ctx context.Context, r *VisitorReport, index map[string]int, starts []calendar.Date) error {
	n := len(starts) - 1
	counts := func(from, who, at string) string {
		return strings.Repeat(", (SELECT COUNT(*) FROM "+from+" WHERE "+who+" AND "+at+" >= ? AND "+at+" < ?)", n)
	}
	var bounds []any
	for i := range n {
		bounds = append(bounds, startOf(starts[i]), startOf(starts[i+1]))
	}
	rows, err := s.db.QueryContext(ctx, `SELECT '`+kindMember+`', m.id, m.name, m.role`+
		counts("visit_visitors vv", "vv.team_member_id = m.id", "vv.at")+` FROM team_members m
		UNION ALL
		SELECT '`+kindRecorder+`', u.id, COALESCE(NULLIF(u.display_name, ''), u.username), ''`+
		counts("visits v", "v.recorded_by = u.id", "v.at")+` FROM users u`, append(bounds, bounds...)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	ns := make([]int, n)
	dest := make([]any, 4+n)
	for rows.Next() {
		var c VisitorCounts
		dest[0], dest[1], dest[2], dest[3] = &c.Kind, &c.ID, &c.Name, &c.Role
		for i := range ns {
			dest[4+i] = &ns[i]
		}
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		for b, k := range ns {
			if k > 0 {
				r.add(index, c, b, k)
			}
		}
	}
	return rows.Err()
}

// add counts n visits of visitor c in period b.
func (r *VisitorReport) add(index map[string]int, c VisitorCounts, b, n int) {
	key := fmt.Sprint(c.Kind, c.ID)
	i, ok := index[key]
	if !ok {
		c.Counts = make([]int, len(r.Periods))
		i, index[key] = len(r.Visitors), len(r.Visitors)
		r.Visitors = append(r.Visitors, c)
	}
	r.Visitors[i].Counts[b] += n
	r.Visitors[i].Total += n
}

// addIdleMembers lists the active team members of the grids of scope who
// made no visit in the report's periods, with zeros.
func (s *Store) addIdleMembers(ctx context.Context, scope org.Scope, r *VisitorReport, index map[string]int) error {
	cond, args := household.GridWhere(scope)
	rows, err := s.db.QueryContext(ctx, `SELECT m.id, m.name, m.role FROM team_members m JOIN org_units g ON g.id = m.grid_id
		WHERE m.active`+and(cond)+` ORDER BY m.id`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		c := VisitorCounts{Kind: kindMember}
		if err := rows.Scan(&c.ID, &c.Name, &c.Role); err != nil {
			return err
		}
		if _, ok := index[fmt.Sprint(c.Kind, c.ID)]; !ok {
			r.add(index, c, 0, 0)
		}
	}
	return rows.Err()
}
