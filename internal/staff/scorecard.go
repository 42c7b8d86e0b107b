package staff

import (
	"cmp"
	"context"
	"math"
	"slices"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/feedback"
	"wanhu/internal/org"
	"wanhu/internal/proactive"
	"wanhu/internal/request"
	"wanhu/internal/store"
)

// Kinds of scorecard: a member of the visiting team, or a staff account
// not linked to one that handled requests (a department officer, a
// community clerk).
const (
	KindMember = "member"
	KindUser   = "user"
)

// Scorecard is the evaluation of one team member or staff account in a
// period. Rates and component values are null when there was nothing to
// measure them on; such a component is left out of the score, and the
// others' weights are shared out over it.
type Scorecard struct {
	Kind     string `json:"kind"`
	MemberID int64  `json:"member_id,omitempty"`
	UserID   int64  `json:"user_id,omitempty"` // the staff account, or the member's linked account
	Name     string `json:"name"`
	Role     string `json:"role,omitempty"` // the team role (org.Role)
	GridID   int64  `json:"grid_id,omitempty"`
	GridName string `json:"grid_name,omitempty"`
	Active   bool   `json:"active"`

	WeekVisits   int `json:"week_visits"`   // visits of the current week (visit_visitors)
	WeeklyTarget int `json:"weekly_target"` // their role's weekly target (0: not judged on visits)
	Visits       int `json:"visits"`        // visits in the visit period

	// Hours of service in the period (visits, rounds, service entered by
	// hand, programme sessions) and month by month, against the role's
	// monthly target (0: not judged on hours).
	Hours        float64      `json:"hours"`
	MonthlyHours float64      `json:"monthly_hours_target"`
	HoursTarget  float64      `json:"hours_target"` // the monthly target times the months of the period
	HoursByMonth []MonthHours `json:"hours_by_month,omitempty"`
	// MinHandled is the number of handled requests below which the
	// request components are not judged; TooFew is true when there were
	// some, but fewer.
	MinHandled int  `json:"min_handled"`
	TooFew     bool `json:"too_few_requests"`

	Handled          int      `json:"handled"` // requests resolved in the period, the last resolve step theirs
	OnTime           int      `json:"on_time"` // of them, resolved by the deadline
	OnTimeRate       *float64 `json:"on_time_rate"`
	Rated            int      `json:"rated"`     // of them, with a callback result
	Satisfied        int      `json:"satisfied"` // satisfied or basically satisfied
	SatisfactionRate *float64 `json:"satisfaction_rate"`
	Complaints       int      `json:"complaints"` // dissatisfied callbacks for attitude (态度) on requests they handled
	// Proactive counts the proactive tasks (未诉先办) they did or turned
	// into a request in the period: work done before anyone asked.
	Proactive int `json:"proactive"`
	// Praise counts the thanks residents gave them in the period, with
	// the latest words (praise.go); named complaints count in Complaints.
	Praise       int    `json:"praise"`
	PraiseLatest string `json:"praise_latest,omitempty"`

	PreJob         bool    `json:"pre_job_done"`
	TrainingHours  float64 `json:"on_job_hours"` // on-the-job hours in the period
	TrainingTarget float64 `json:"on_job_hours_target"`

	Components []Component `json:"components"`
	Score      *float64    `json:"score"` // 0–100, one decimal
}

// Component is one part of the score, from 0 to 100 (null: not measured).
type Component struct {
	Key    string   `json:"key"`
	Value  *float64 `json:"value"`
	Weight float64  `json:"weight"`
}

// Report is the scorecards of a period with the weights they were scored
// by.
type Report struct {
	Period     Period      `json:"period"`
	Weights    Weights     `json:"weights"`
	Targets    Targets     `json:"targets"`
	Scorecards []Scorecard `json:"scorecards"`
}

// Scorecards returns the scorecards of the active team members in scope
// and, unless the scope is a visitor's own, of the staff accounts not
// linked to a member that handled requests in scope in the period; the
// best score first. gridID, when not 0, keeps the members of that grid.
//
// Each member is judged against their role's targets (LoadTargets); the
// hours of service add the hours of sources (see HourSource).
func Scorecards(ctx context.Context, q store.Querier, scope org.Scope, p Period, w Weights, gridID int64, sources ...HourSource) (*Report, error) {
	t, err := LoadTargets(ctx, q)
	if err != nil {
		return nil, err
	}
	cards, err := compute(ctx, q, scope, p, w, t, "m.active", nil, sources)
	if err != nil {
		return nil, err
	}
	if gridID != 0 {
		cards = slices.DeleteFunc(cards, func(c Scorecard) bool { return c.Kind != KindMember || c.GridID != gridID })
	}
	slices.SortStableFunc(cards, func(a, b Scorecard) int {
		return cmp.Or(cmp.Compare(score(b), score(a)), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.MemberID, b.MemberID), cmp.Compare(a.UserID, b.UserID))
	})
	return &Report{Period: p, Weights: w, Targets: t, Scorecards: cards}, nil
}

// score orders a missing score below every real one.
func score(c Scorecard) float64 {
	if c.Score == nil {
		return -1
	}
	return *c.Score
}

// ScorecardOf returns the scorecard of team member memberID, active or
// not, or apperr.ErrNotFound when the member is not in scope.
func ScorecardOf(ctx context.Context, q store.Querier, scope org.Scope, p Period, w Weights, memberID int64, sources ...HourSource) (*Scorecard, error) {
	t, err := LoadTargets(ctx, q)
	if err != nil {
		return nil, err
	}
	cards, err := compute(ctx, q, scope, p, w, t, "m.id = ?", []any{memberID}, sources)
	if err != nil {
		return nil, err
	}
	for _, c := range cards {
		if c.Kind == KindMember && c.MemberID == memberID {
			return &c, nil
		}
	}
	return nil, apperr.ErrNotFound
}

// compute builds the scorecards of the members in scope that match
// filter, and of the staff accounts when filter is on active members.
func compute(ctx context.Context, q store.Querier, scope org.Scope, p Period, w Weights, tg Targets, filter string, fargs []any, sources []HourSource) ([]Scorecard, error) {
	cond, args := memberWhere(scope)
	rows, err := q.QueryContext(ctx, `SELECT m.id, m.name, m.role, COALESCE(m.grid_id, 0), COALESCE(g.name, ''), m.active
		FROM team_members m JOIN org_units o ON o.id = COALESCE(m.grid_id, m.community_id) LEFT JOIN org_units g ON g.id = m.grid_id
		WHERE `+filter+` AND `+cond+` ORDER BY m.id`, append(fargs, args...)...)
	if err != nil {
		return nil, err
	}
	var cards []Scorecard
	for rows.Next() {
		c := Scorecard{Kind: KindMember}
		if err := rows.Scan(&c.MemberID, &c.Name, &c.Role, &c.GridID, &c.GridName, &c.Active); err != nil {
			rows.Close()
			return nil, err
		}
		cards = append(cards, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	members, err := linkedMembers(ctx, q)
	if err != nil {
		return nil, err
	}
	userOf := map[int64]int64{}    // member → linked account (the lowest id)
	usersOf := map[int64][]int64{} // member → every linked account
	for u, m := range members {
		if userOf[m] == 0 || u < userOf[m] {
			userOf[m] = u
		}
		usersOf[m] = append(usersOf[m], u)
	}
	var ids []int64
	for _, c := range cards {
		ids = append(ids, c.MemberID)
	}
	spans := []span{{start(p.WeekFrom), end(p.WeekTo)}} // the week's, then the visit period's unless it is the week
	if p.VisitsFrom != p.WeekFrom || p.VisitsTo != p.WeekTo {
		spans = append(spans, span{start(p.VisitsFrom), end(p.VisitsTo)})
	}
	counts, err := visitCounts(ctx, q, spans, ids)
	if err != nil {
		return nil, err
	}
	week, visits := counts[0], counts[len(counts)-1]
	handled, err := handledBy(ctx, q, scope, start(p.From), end(p.To))
	if err != nil {
		return nil, err
	}
	reviews, err := badReviews(ctx, q, scope, start(p.From), end(p.To), members)
	if err != nil {
		return nil, err
	}
	complaints := map[int64]int{}
	for _, b := range reviews {
		if b.Reason == "attitude" && b.HandlerUserID != 0 {
			complaints[b.HandlerUserID]++
		}
	}
	training, err := trainingTotals(ctx, q, p)
	if err != nil {
		return nil, err
	}
	proactiveDone, err := proactive.DoneBy(ctx, q, scope, start(p.From), end(p.To))
	if err != nil {
		return nil, err
	}
	hours := map[int64]memberHours{}
	if len(ids) > 0 {
		if hours, err = monthHours(ctx, q, tg, p.From, p.To, ids, sources); err != nil {
			return nil, err
		}
	}
	praiseOf, praiseOfUser, err := feedback.Tallies(ctx, q, start(p.From), end(p.To))
	if err != nil {
		return nil, err
	}
	for i := range cards {
		c := &cards[i]
		c.UserID, c.MinHandled = userOf[c.MemberID], tg.MinHandled
		rt := tg.Role(c.Role)
		c.WeekVisits, c.Visits, c.WeeklyTarget = week[c.MemberID], visits[c.MemberID], rt.WeeklyVisits
		c.HoursByMonth, c.Hours = hours[c.MemberID].months, hours[c.MemberID].total
		c.MonthlyHours, c.HoursTarget = rt.MonthlyHours, round2(rt.MonthlyHours*p.months())
		for _, u := range usersOf[c.MemberID] { // every linked account's requests count
			c.addRequests(handled[u], complaints[u])
			c.Proactive += proactiveDone[u]
		}
		t := training[c.MemberID]
		c.PreJob, c.TrainingHours, c.TrainingTarget = t.preJob, t.hours, w.TrainingHours
		c.addFeedback(praiseOf[c.MemberID])
		c.score(w, p)
	}
	if filter != "m.active" || onlySelf(scope) {
		return cards, nil
	}
	staffUsers := map[int64]bool{}
	for u := range handled {
		staffUsers[u] = true
	}
	for u := range complaints {
		staffUsers[u] = true
	}
	for u := range proactiveDone {
		staffUsers[u] = true
	}
	for u := range staffUsers {
		if members[u] != 0 {
			continue
		}
		c := Scorecard{Kind: KindUser, UserID: u, Active: true, MinHandled: tg.MinHandled}
		if err := q.QueryRowContext(ctx, `SELECT COALESCE(NULLIF(display_name, ''), username) FROM users WHERE id = ?`, u).Scan(&c.Name); err != nil {
			return nil, err
		}
		c.addRequests(handled[u], complaints[u])
		c.Proactive = proactiveDone[u]
		c.addFeedback(praiseOfUser[u])
		c.score(w, p)
		cards = append(cards, c)
	}
	return cards, nil
}

// requests are the counts of the requests one account handled.
type requests struct{ handled, onTime, rated, satisfied int }

func (c *Scorecard) addRequests(r requests, complaints int) {
	c.Handled += r.handled
	c.OnTime += r.onTime
	c.Rated += r.rated
	c.Satisfied += r.satisfied
	c.Complaints += complaints
}

// score fills in the rates, the components and the score.
func (c *Scorecard) score(w Weights, p Period) {
	c.OnTimeRate, c.SatisfactionRate = ratio(c.OnTime, c.Handled), ratio(c.Satisfied, c.Rated)
	value := map[string]*float64{}
	if c.Kind == KindMember {
		if c.WeeklyTarget > 0 {
			value["visits"] = pct(math.Min(float64(c.Visits)/(float64(c.WeeklyTarget)*p.visitWeeks()), 1))
		}
		if c.HoursTarget > 0 {
			value["hours"] = pct(math.Min(c.Hours/c.HoursTarget, 1))
		}
		t := 0.0
		if c.PreJob {
			t = 50
		}
		value["training"] = ptr(t + 50*math.Min(c.TrainingHours/w.TrainingHours, 1))
	}
	// Too few requests are no measure of how well someone handles them:
	// below MinHandled the request components are not judged, unless
	// there were complaints (a complaint counts however few requests).
	c.TooFew = c.Handled > 0 && c.Handled < c.MinHandled
	enough := c.Handled >= max(c.MinHandled, 1)
	if c.OnTimeRate != nil && enough {
		value["on_time"] = pct(*c.OnTimeRate)
	}
	if c.SatisfactionRate != nil && enough {
		value["satisfaction"] = pct(*c.SatisfactionRate)
	}
	if enough || c.Complaints > 0 {
		value["complaints"] = ptr(math.Max(0, 100-w.ComplaintPenalty*float64(c.Complaints)))
	}
	c.Components = nil
	var sum, weights float64
	for _, k := range Components {
		v := value[k]
		if v != nil {
			*v = round1(*v)
		}
		c.Components = append(c.Components, Component{Key: k, Value: v, Weight: w.weight(k)})
		if v != nil {
			sum, weights = sum+w.weight(k)**v, weights+w.weight(k)
		}
	}
	c.Score = nil
	if weights > 0 {
		c.Score = ptr(round1(sum / weights))
	}
}

func ratio(n, of int) *float64 {
	if of == 0 {
		return nil
	}
	return ptr(float64(n) / float64(of))
}

func pct(f float64) *float64   { return ptr(100 * f) }
func ptr(f float64) *float64   { return &f }
func round1(f float64) float64 { return math.Round(f*10) / 10 }

// handledBy counts, per account, the requests in scope resolved from from
// (inclusive) to to (exclusive) whose last resolve step the account took:
// a request reopened by a dissatisfied callback and resolved again belongs
// to whoever resolved it last.
func handledBy(ctx context.Context, q store.Querier, scope org.Scope, from, to time.Time) (map[int64]requests, error) {
	cond, args := request.Where(scope)
	rows, err := q.QueryContext(ctx, `SELECT e.actor_id, r.resolved_at, r.due_at, r.callback_result
		FROM requests r JOIN request_events e ON e.id = (SELECT MAX(x.id) FROM request_events x WHERE x.request_id = r.id AND x.kind = 'resolve')
		WHERE e.actor_id IS NOT NULL AND r.resolved_at IS NOT NULL AND r.resolved_at >= ? AND r.resolved_at < ? AND `+cond,
		append([]any{from.UTC(), to.UTC()}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]requests{}
	for rows.Next() {
		var u int64
		var resolved time.Time
		var due *time.Time
		var result string
		if err := rows.Scan(&u, &resolved, &due, &result); err != nil {
			return nil, err
		}
		r := out[u]
		r.handled++
		if due != nil && !resolved.After(*due) {
			r.onTime++
		}
		if result != "" {
			r.rated++
			if result == "satisfied" || result == "basically_satisfied" {
				r.satisfied++
			}
		}
		out[u] = r
	}
	return out, rows.Err()
}

// trained is one member's training in a period.
type trained struct {
	preJob bool
	hours  float64
}

// trainingTotals returns, per member, whether a pre-job course was passed
// by p.To (preJobDone) and the on-the-job hours from p.From to p.To.
func trainingTotals(ctx context.Context, q store.Querier, p Period) (map[int64]trained, error) {
	done, err := preJobDone(ctx, q, p.To)
	if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT team_member_id, hours FROM training_records WHERE kind = ? AND completed_on >= ? AND completed_on <= ?`,
		OnJob, p.From.String(), p.To.String())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]trained{}
	for m := range done {
		out[m] = trained{preJob: true}
	}
	for rows.Next() {
		var m int64
		var h float64
		if err := rows.Scan(&m, &h); err != nil {
			return nil, err
		}
		t := out[m]
		t.hours += h
		out[m] = t
	}
	return out, rows.Err()
}
