package request

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/org"
	"wanhu/internal/store"
)

// DefaultResponseWithin is how soon after its submission a request must be
// accepted to count as responded to in time.
const DefaultResponseWithin = 24 * time.Hour

// Figures are the report of a set of requests. Rates are from 0 to 1, or
// null when nothing was there to count them on.
type Figures struct {
	Total     int `json:"total"`     // submitted in the period
	Accepted  int `json:"accepted"`  // of them, accepted
	Resolved  int `json:"resolved"`  // resolved (办结), closed or not yet
	Due       int `json:"due"`       // that had to be resolved by the end of the period (应结案): resolved, or past their deadline
	OnTime    int `json:"on_time"`   // resolved by their deadline
	Rated     int `json:"rated"`     // with a callback result
	Satisfied int `json:"satisfied"` // satisfied or basically satisfied
	Closed    int `json:"closed"`

	ResponseRate     *float64 `json:"response_rate"`     // accepted within the response time / accepted
	ResolutionRate   *float64 `json:"resolution_rate"`   // resolved / due
	OnTimeRate       *float64 `json:"on_time_rate"`      // resolved by the deadline / resolved
	SatisfactionRate *float64 `json:"satisfaction_rate"` // (satisfied + basically satisfied) / rated

	// Urgent counts the urgent requests, Arrived those of them with their
	// arrival on site recorded.
	Urgent  int `json:"urgent"`
	Arrived int `json:"arrived"`

	// Response is submit → accept, Resolution submit → resolve, Arrival
	// submit → arrival on site (urgent requests).
	Response   Durations `json:"response"`
	Resolution Durations `json:"resolution"`
	Arrival    Durations `json:"arrival"`

	respondedInTime int
	response        []time.Duration
	resolution      []time.Duration
	arrival         []time.Duration
}

// Arrival is an urgent request of the report beside its 24-hour deadline:
// when someone arrived on site, how long after the submission, and when
// it was resolved.
type Arrival struct {
	RequestID      int64      `json:"request_id"`
	Category       string     `json:"category"`
	Name           string     `json:"category_name"`
	SubmittedAt    time.Time  `json:"submitted_at"`
	ArrivedAt      *time.Time `json:"arrived_at"`
	ArrivalSeconds *int64     `json:"arrival_seconds"`
	DueAt          *time.Time `json:"due_at"`
	ResolvedAt     *time.Time `json:"resolved_at"`
	OnTime         bool       `json:"on_time"` // resolved by the deadline
}

// Durations summarise times, in seconds; null when there were none.
type Durations struct {
	MedianSeconds *int64 `json:"median_seconds"`
	MeanSeconds   *int64 `json:"mean_seconds"`
}

// Group is the figures of one category, grid or department.
type Group struct {
	Key  string `json:"key"` // the category's code, the grid's or department's id
	Name string `json:"name"`
	Figures
}

// Stats are the figures of the requests submitted in [From, To), in all
// and by category, grid and department (referred requests only).
type Stats struct {
	From           time.Time `json:"from"`
	To             time.Time `json:"to"`
	ResponseWithin int64     `json:"response_within_seconds"`
	Figures
	ByCategory []Group `json:"by_category"`
	ByGrid     []Group `json:"by_grid"`
	// ByCommunity is the requests of each community (Key is its id), by
	// their grid's community, when the scope spans several communities
	// (org.Communities): what an administrator above them reads first.
	ByCommunity  []Group `json:"by_community,omitzero"`
	ByDepartment []Group `json:"by_department"`
	// Arrivals are the urgent requests, the latest first.
	Arrivals []Arrival `json:"arrivals"`
}

// Report counts the requests in scope submitted from from (inclusive) to
// to (exclusive). A request is due (应结案) when it is resolved or its
// deadline is before to or now, whichever is sooner. respondWithin is the
// response time (DefaultResponseWithin when 0).
func Report(ctx context.Context, q store.Querier, scope org.Scope, from, to, now time.Time, respondWithin time.Duration) (*Stats, error) {
	if respondWithin <= 0 {
		respondWithin = DefaultResponseWithin
	}
	end := to.UTC()
	if now.Before(end) {
		end = now.UTC()
	}
	communities, err := org.Communities(ctx, q, scope)
	if err != nil {
		return nil, err
	}
	community := map[int64]string{}
	if len(communities) > 1 {
		for _, c := range communities {
			community[c.ID] = c.Name
		}
	}
	cond, args := Where(scope)
	rows, err := q.QueryContext(ctx, `SELECT r.category, c.name_zh, COALESCE(r.grid_id, 0), COALESCE(g.name, ''), COALESCE(g.parent_id, 0), COALESCE(r.department_id, 0),
		COALESCE(d.name, ''), r.handling, r.state, r.submitted_at, r.accepted_at, r.due_at, r.resolved_at, r.callback_result,
		r.id, r.urgency, r.arrived_at
		FROM requests r JOIN request_categories c ON c.code = r.category
		LEFT JOIN org_units g ON g.id = r.grid_id LEFT JOIN org_units d ON d.id = r.department_id
		WHERE r.submitted_at >= ? AND r.submitted_at < ? AND `+cond+` ORDER BY r.submitted_at DESC, r.id DESC`, append([]any{from.UTC(), to.UTC()}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	rep := &Stats{From: from.In(calendar.China), To: to.In(calendar.China), ResponseWithin: int64(respondWithin / time.Second), Arrivals: []Arrival{}}
	groups := map[string]map[string]*Group{"category": {}, "grid": {}, "community": {}, "department": {}}
	group := func(by, key, name string) *Figures {
		g := groups[by][key]
		if g == nil {
			g = &Group{Key: key, Name: name}
			groups[by][key] = g
		}
		return &g.Figures
	}
	for rows.Next() {
		var code, category, gridName, deptName, handling, state, result, urgency string
		var gridID, communityID, deptID, id int64
		var submitted time.Time
		var accepted, due, resolved, arrived *time.Time
		if err := rows.Scan(&code, &category, &gridID, &gridName, &communityID, &deptID, &deptName, &handling, &state, &submitted, &accepted, &due,
			&resolved, &result, &id, &urgency, &arrived); err != nil {
			return nil, err
		}
		if urgency == Urgent {
			rep.Arrivals = append(rep.Arrivals, arrivalOf(id, code, category, submitted, arrived, due, resolved))
		}
		sets := []*Figures{&rep.Figures, group("category", code, category)}
		if gridID != 0 {
			sets = append(sets, group("grid", strconv.FormatInt(gridID, 10), gridName))
		}
		if name, ok := community[communityID]; ok {
			sets = append(sets, group("community", strconv.FormatInt(communityID, 10), name))
		}
		if deptID != 0 && handling == Referred {
			sets = append(sets, group("department", strconv.FormatInt(deptID, 10), deptName))
		}
		for _, f := range sets {
			f.count(state, submitted, accepted, due, resolved, result, end, respondWithin)
			f.arrive(urgency, submitted, arrived)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rep.Figures.rates()
	list := func(by string) []Group {
		out := []Group{}
		for _, g := range groups[by] {
			g.Figures.rates()
			out = append(out, *g)
		}
		slices.SortFunc(out, func(a, b Group) int { return cmp.Or(cmp.Compare(b.Total, a.Total), strings.Compare(a.Key, b.Key)) })
		return out
	}
	rep.ByCategory, rep.ByGrid, rep.ByDepartment = list("category"), list("grid"), list("department")
	if len(community) > 0 {
		rep.ByCommunity = list("community")
	}
	return rep, nil
}

// count adds one request to f.
func (f *Figures) count(state string, submitted time.Time, accepted, due, resolved *time.Time, result string, end time.Time, within time.Duration) {
	f.Total++
	if accepted != nil {
		f.Accepted++
		f.response = append(f.response, accepted.Sub(submitted))
		if accepted.Sub(submitted) <= within {
			f.respondedInTime++
		}
	}
	if resolved != nil {
		f.Resolved++
		f.resolution = append(f.resolution, resolved.Sub(submitted))
		if due != nil && !resolved.After(*due) {
			f.OnTime++
		}
	}
	if resolved != nil || (due != nil && due.Before(end)) {
		f.Due++
	}
	if result != "" {
		f.Rated++
		if result == Satisfied || result == BasicallySatisfied {
			f.Satisfied++
		}
	}
	if state == Closed {
		f.Closed++
	}
}

// arrive adds the arrival on site of one request to f.
func (f *Figures) arrive(urgency string, submitted time.Time, arrived *time.Time) {
	if urgency != Urgent {
		return
	}
	f.Urgent++
	if arrived != nil {
		f.Arrived++
		f.arrival = append(f.arrival, arrived.Sub(submitted))
	}
}

// arrivalOf is the row of the arrivals of one urgent request, in China
// time.
func arrivalOf(id int64, code, name string, submitted time.Time, arrived, due, resolved *time.Time) Arrival {
	a := Arrival{RequestID: id, Category: code, Name: name, SubmittedAt: submitted.In(calendar.China)}
	in := func(t *time.Time) *time.Time {
		if t == nil {
			return nil
		}
		v := t.In(calendar.China)
		return &v
	}
	a.ArrivedAt, a.DueAt, a.ResolvedAt = in(arrived), in(due), in(resolved)
	if arrived != nil {
		s := int64(arrived.Sub(submitted) / time.Second)
		a.ArrivalSeconds = &s
	}
	a.OnTime = resolved != nil && due != nil && !resolved.After(*due)
	return a
}

// rates fills in the rates and durations from the counts.
func (f *Figures) rates() {
	f.ResponseRate = ratio(f.respondedInTime, f.Accepted)
	f.ResolutionRate = ratio(f.Resolved, f.Due)
	f.OnTimeRate = ratio(f.OnTime, f.Resolved)
	f.SatisfactionRate = ratio(f.Satisfied, f.Rated)
	f.Response, f.Resolution, f.Arrival = durations(f.response), durations(f.resolution), durations(f.arrival)
}

func ratio(n, of int) *float64 {
	if of == 0 {
		return nil
	}
	r := float64(n) / float64(of)
	return &r
}

func durations(ds []time.Duration) Durations {
	if len(ds) == 0 {
		return Durations{}
	}
	slices.Sort(ds)
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	median := ds[len(ds)/2]
	if len(ds)%2 == 0 {
		median = (ds[len(ds)/2-1] + ds[len(ds)/2]) / 2
	}
	m, s := int64(median/time.Second), int64(sum/time.Duration(len(ds))/time.Second)
	return Durations{MedianSeconds: &m, MeanSeconds: &s}
}
