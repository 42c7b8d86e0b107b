package staff

import (
	"cmp"
	"context"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/org"
	"wanhu/internal/programme"
	"wanhu/internal/store"
)

// HourSource gives the hours of service each team member did from from
// (inclusive) to to (exclusive) in work another package records, such as
// the sessions taught and activities served of programmes
// (programme.ServedHours, always counted). Callers may pass more.
type HourSource func(ctx context.Context, q store.Querier, from, to time.Time) (map[int64]float64, error)

// How a member's hours are made (volunteer hours, 志愿服务时长):
//   - a visit they took part in counts Targets.VisitHours (visits record
//     when, not how long);
//   - a safety round done with them as assignee counts the time from its
//     start to its end, at most MaxRoundHours, or Targets.RoundHours when
//     it has no start;
//   - hours entered by hand (ServiceEntry) count as entered;
//   - programme sessions taught and activities served, and every other
//     HourSource's hours, count as given.

// ServiceEntry is service entered by hand: a day, hours and what was done.
type ServiceEntry struct {
	ID             int64         `json:"id"`
	TeamMemberID   int64         `json:"team_member_id"`
	Day            calendar.Date `json:"day"`
	Hours          float64       `json:"hours"`
	What           string        `json:"what"`
	RecordedBy     int64         `json:"recorded_by,omitempty"`
	RecordedByName string        `json:"recorded_by_name,omitempty"`
	CreatedAt      time.Time     `json:"created_at"`
}

// AddService validates e and records it, filling in its ID. The member
// must exist (a FieldError on team_member_id otherwise; the caller checks
// scope first).
func AddService(ctx context.Context, q store.Querier, e *ServiceEntry, now time.Time) error {
	e.What = strings.TrimSpace(e.What)
	today := calendar.DayOf(now)
	switch {
	case e.Day.IsZero():
		return apperr.Field("day", "required", "is required")
	case e.Day.After(today):
		return apperr.Field("day", "future", "must not be after today (%s)", today)
	case math.IsNaN(e.Hours) || e.Hours <= 0 || e.Hours > 24:
		return apperr.Field("hours", "range", "must be more than 0 and at most 24")
	case e.What == "":
		return apperr.Field("what", "required", "is required")
	case utf8.RuneCountInString(e.What) > 200:
		return apperr.Field("what", "too_long", "must be at most %d characters", 200)
	}
	var one int
	if err := q.QueryRowContext(ctx, `SELECT 1 FROM team_members WHERE id = ?`, e.TeamMemberID).Scan(&one); err != nil {
		return apperr.Field("team_member_id", "not_found", "team member %d does not exist", e.TeamMemberID)
	}
	e.CreatedAt = now.UTC()
	var by any
	if e.RecordedBy != 0 {
		by = e.RecordedBy
	}
	return q.QueryRowContext(ctx, `INSERT INTO service_hours(team_member_id, day, hours, what, recorded_by, recorded_by_name, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, e.TeamMemberID, e.Day.String(), e.Hours, e.What, by, e.RecordedByName, e.CreatedAt).Scan(&e.ID)
}

// DeleteService removes hand-entered service id (apperr.ErrNotFound if
// there is none) and returns its member.
func DeleteService(ctx context.Context, q store.Querier, id int64) (int64, error) {
	var m int64
	err := q.QueryRowContext(ctx, `DELETE FROM service_hours WHERE id = ? RETURNING team_member_id`, id).Scan(&m)
	if err != nil {
		return 0, apperr.ErrNotFound
	}
	return m, nil
}

// ServiceMember returns the member of hand-entered service id, or
// apperr.ErrNotFound.
func ServiceMember(ctx context.Context, q store.Querier, id int64) (int64, error) {
	var m int64
	if err := q.QueryRowContext(ctx, `SELECT team_member_id FROM service_hours WHERE id = ?`, id).Scan(&m); err != nil {
		return 0, apperr.ErrNotFound
	}
	return m, nil
}

// ServiceItem is one piece of a member's service: a visit, a round, an
// entry by hand, or a month's hours from another source.
type ServiceItem struct {
	Day   calendar.Date `json:"day"`
	Kind  string        `json:"kind"` // visit, round, manual, other
	Hours float64       `json:"hours"`
	What  string        `json:"what"`
	ID    int64         `json:"id,omitempty"` // the entry's id for manual
}

// MonthHours are a member's hours of one month, by where they came from.
type MonthHours struct {
	Month  string  `json:"month"` // YYYY-MM
	Visits int     `json:"visits"`
	Visit  float64 `json:"visit_hours"`
	Rounds int     `json:"rounds"`
	Round  float64 `json:"round_hours"`
	Manual float64 `json:"manual_hours"`
	Other  float64 `json:"other_hours"` // sessions taught, activities served
	Total  float64 `json:"total"`
}

// MemberHours are one member's hours in a period, month by month.
type MemberHours struct {
	MemberID int64        `json:"member_id"`
	Name     string       `json:"name"`
	Role     string       `json:"role"`
	GridName string       `json:"grid_name,omitempty"`
	Unit     string       `json:"unit,omitempty"`
	Months   []MonthHours `json:"months"`
	Total    float64      `json:"total"`
}

// months lists the months from from to to, both days included.
func months(from, to calendar.Date) []calendar.Date {
	var out []calendar.Date
	for m := (calendar.Date{Y: from.Y, M: from.M, D: 1}); !m.After(to); m = firstOf(m.Y, m.M+1) {
		out = append(out, m)
	}
	return out
}

// firstOf is the first day of month m of year y, normalised (month 13 is
// January of the next year).
func firstOf(y int, m time.Month) calendar.Date {
	return calendar.DateOf(time.Date(y, m, 1, 0, 0, 0, 0, time.UTC))
}

// lastOf is the last day of d's month.
func lastOf(d calendar.Date) calendar.Date {
	return calendar.DateOf(time.Date(d.Y, d.M+1, 0, 0, 0, 0, 0, time.UTC))
}

func monthKey(d calendar.Date) string { return d.String()[:7] }

// Service lists the pieces of service of member memberID from from to to
// (days in China, both included), day by day; the hours of sources come as
// one "other" item per month, dated its first day in the period.
func Service(ctx context.Context, q store.Querier, t Targets, from, to calendar.Date, memberID int64, sources ...HourSource) ([]ServiceItem, error) {
	var out []ServiceItem
	rows, err := q.QueryContext(ctx, `SELECT at FROM visit_visitors WHERE team_member_id = ? AND at >= ? AND at < ?`, memberID, start(from), end(to))
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var at time.Time
		if err := rows.Scan(&at); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, ServiceItem{Day: calendar.DayOf(at), Kind: "visit", Hours: t.VisitHours, What: "入户走访"})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = q.QueryContext(ctx, `SELECT template, started_at, done_at FROM rounds
		WHERE state = 'done' AND assignee_member_id = ? AND done_at >= ? AND done_at < ?`, memberID, start(from), end(to))
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var tmpl string
		var started *time.Time
		var done time.Time
		if err := rows.Scan(&tmpl, &started, &done); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, ServiceItem{Day: calendar.DayOf(done), Kind: "round", Hours: t.roundHours(started, done), What: "安全巡查 " + tmpl})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = q.QueryContext(ctx, `SELECT id, day, hours, what FROM service_hours WHERE team_member_id = ? AND day >= ? AND day <= ?`,
		memberID, from.String(), to.String())
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		var day, what string
		var h float64
		if err := rows.Scan(&id, &day, &h, &what); err != nil {
			rows.Close()
			return nil, err
		}
		d, err := calendar.ParseDate("day", day)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, ServiceItem{Day: d, Kind: "manual", Hours: h, What: what, ID: id})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, p := range monthsIn(from, to) {
		for _, src := range append([]HourSource{programme.ServedHours}, sources...) {
			hs, err := src(ctx, q, start(p.first), end(p.last))
			if err != nil {
				return nil, err
			}
			if h := hs[memberID]; h > 0 {
				out = append(out, ServiceItem{Day: p.first, Kind: "other", Hours: h, What: "社区活动与课程"})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b ServiceItem) int { return cmp.Compare(a.Day.String(), b.Day.String()) })
	return out, nil
}

// roundHours are the hours of a round done at done: from its start, at
// most MaxRoundHours, or t.RoundHours when it has no start.
func (t Targets) roundHours(started *time.Time, done time.Time) float64 {
	if started != nil && done.After(*started) {
		return math.Min(math.Round(done.Sub(*started).Hours()*100)/100, MaxRoundHours)
	}
	return t.RoundHours
}

// monthPart is the part of a month in a period: its first and last day
// there.
type monthPart struct{ first, last calendar.Date }

// monthsIn lists the months from from to to, each cut to the period.
func monthsIn(from, to calendar.Date) []monthPart {
	var out []monthPart
	for _, m := range months(from, to) {
		p := monthPart{m, lastOf(m)}
		if p.first.Before(from) {
			p.first = from
		}
		if p.last.After(to) {
			p.last = to
		}
		out = append(out, p)
	}
	return out
}

// fewMembers is how many members a statement names one by one; for more,
// every member's rows are read and the caller keeps those it asked for.
const fewMembers = 200

// namedMembers is the condition that names the members ids, on the column
// only is given, and its arguments; none for more than fewMembers.
func namedMembers(ids []int64) (only func(col string) string, args []any) {
	if len(ids) == 0 || len(ids) > fewMembers {
		return func(string) string { return "" }, nil
	}
	list := strings.Repeat("?, ", len(ids)-1) + "?"
	for _, id := range ids {
		args = append(args, id)
	}
	return func(col string) string { return " AND " + col + " IN (" + list + ")" }, args
}

// span is a stretch of time: from (inclusive) to to (exclusive).
type span struct{ from, to time.Time }

// spansPerStatement bounds the counts one statement of visitCounts asks
// for (a period of years is many months).
const spansPerStatement = 48

// visitCounts counts the visits each member of ids (or more: see
// fewMembers) took part in in each of spans: out[i] for spans[i]. Each
// count is one range of visit_visitors_member: grouping the period's
// visits by member instead sorted a city's millions of rows. One
// statement asks for every span, member after member, so a member's
// ranges, neighbours in the index, are read while its pages are at hand:
// a statement per span (per month of a year's scorecards) walked the
// index of the city's 5,824 members anew for each, and read from the
// file again the pages the last span had left (issue 15).
func visitCounts(ctx context.Context, q store.Querier, spans []span, ids []int64) ([]map[int64]int, error) {
	out := make([]map[int64]int, len(spans))
	for i := range out {
		out[i] = map[int64]int{}
	}
	only, inArgs := namedMembers(ids)
	where := strings.TrimPrefix(only("m.id"), " AND ")
	if where != "" {
		where = " WHERE " + where
	}
	for first := 0; first < len(spans); first += spansPerStatement {
		chunk := spans[first:min(first+spansPerStatement, len(spans))]
		var cols []string
		var args []any
		for _, s := range chunk {
			cols = append(cols, "(SELECT COUNT(*) FROM visit_visitors vv WHERE vv.team_member_id = m.id AND vv.at >= ? AND vv.at < ?)")
			args = append(args, s.from, s.to)
		}
		rows, err := q.QueryContext(ctx, `SELECT m.id, `+strings.Join(cols, ", ")+` FROM team_members m`+where, append(args, inArgs...)...)
		if err != nil {
			return nil, err
		}
		var m int64
		n := make([]int, len(chunk))
		dest := []any{&m}
		for i := range n {
			dest = append(dest, &n[i])
		}
		for rows.Next() {
			if err := rows.Scan(dest...); err != nil {
				rows.Close()
				return nil, err
			}
			for i, k := range n {
				if k > 0 {
					out[first+i][m] = k
				}
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// memberHours are one member's hours month by month and in all.
type memberHours struct {
	months []MonthHours
	total  float64
}

// monthHours adds up the service of the members ids from from to to, month
// by month, in the database: a city's members over three months are
// millions of visits, which Service would read one by one. A member with
// no service has months of zeros.
func monthHours(ctx context.Context, q store.Querier, t Targets, from, to calendar.Date, ids []int64, sources []HourSource) (map[int64]memberHours, error) {
	if len(ids) == 0 {
		return map[int64]memberHours{}, nil
	}
	parts := monthsIn(from, to)
	raw := make(map[int64][]MonthHours, len(ids))
	for _, id := range ids {
		ms := make([]MonthHours, len(parts))
		for i, p := range parts {
			ms[i].Month = monthKey(p.first)
		}
		raw[id] = ms
	}
	only, inArgs := namedMembers(ids)
	// scan reads each row of query: its member, then dest, and adds it to
	// the member's months by add.
	scan := func(query string, args, dest []any, add func(ms []MonthHours)) error {
		rows, err := q.QueryContext(ctx, query, append(args, inArgs...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		var m int64
		dest = append([]any{&m}, dest...)
		for rows.Next() {
			if err := rows.Scan(dest...); err != nil {
				return err
			}
			if ms := raw[m]; ms != nil {
				add(ms)
			}
		}
		return rows.Err()
	}
	sources = append([]HourSource{programme.ServedHours}, sources...)
	spans := make([]span, len(parts))
	for i, p := range parts {
		spans[i] = span{start(p.first), end(p.last)}
	}
	visitsOf, err := visitCounts(ctx, q, spans, ids)
	if err != nil {
		return nil, err
	}
	for i, p := range parts {
		from, to := start(p.first), end(p.last)
		for m, n := range visitsOf[i] {
			if ms := raw[m]; ms != nil {
				ms[i].Visits, ms[i].Visit = n, float64(n)*t.VisitHours
			}
		}
		var started *time.Time
		var done time.Time
		if err := scan(`SELECT assignee_member_id, started_at, done_at FROM rounds
			WHERE state = 'done' AND assignee_member_id IS NOT NULL AND done_at >= ? AND done_at < ?`+only("assignee_member_id"),
			[]any{from, to}, []any{&started, &done},
			func(ms []MonthHours) {
				ms[i].Rounds, ms[i].Round = ms[i].Rounds+1, ms[i].Round+t.roundHours(started, done)
			}); err != nil {
			return nil, err
		}
		var h float64
		if err := scan(`SELECT team_member_id, SUM(hours) FROM service_hours WHERE day >= ? AND day <= ?`+only("team_member_id")+` GROUP BY team_member_id`,
			[]any{p.first.String(), p.last.String()}, []any{&h}, func(ms []MonthHours) { ms[i].Manual = h }); err != nil {
			return nil, err
		}
		for _, src := range sources {
			hs, err := src(ctx, q, from, to)
			if err != nil {
				return nil, err
			}
			for m, h := range hs {
				if ms := raw[m]; ms != nil && h > 0 {
					ms[i].Other += h
				}
			}
		}
	}
	out := make(map[int64]memberHours, len(raw))
	for id, ms := range raw {
		total := 0.0
		for i := range ms {
			mh := &ms[i]
			mh.Total = mh.Visit + mh.Round + mh.Manual + mh.Other
			total += mh.Total
			mh.Visit, mh.Round, mh.Manual, mh.Other, mh.Total = round2(mh.Visit), round2(mh.Round), round2(mh.Manual), round2(mh.Other), round2(mh.Total)
		}
		out[id] = memberHours{ms, round2(total)}
	}
	return out, nil
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }

// Hours returns the hours of the active members in scope (every member
// when memberID is set and in scope) from from to to, month by month, by
// grid and id. A member out of scope answers apperr.ErrNotFound.
func Hours(ctx context.Context, q store.Querier, scope org.Scope, from, to calendar.Date, memberID int64, sources ...HourSource) ([]MemberHours, error) {
	if to.Before(from) {
		return nil, apperr.Field("to", "before_from", "must not be before from")
	}
	if len(months(from, to)) > 24 {
		return nil, apperr.Field("to", "range", "a period of hours is at most 24 months")
	}
	t, err := LoadTargets(ctx, q)
	if err != nil {
		return nil, err
	}
	cond, args := memberWhere(scope)
	filter := "m.active"
	if memberID != 0 {
		filter, args = "m.id = ?", append([]any{memberID}, args...)
	}
	rows, err := q.QueryContext(ctx, `SELECT m.id, m.name, m.role, COALESCE(g.name, ''), m.unit
		FROM team_members m JOIN org_units o ON o.id = COALESCE(m.grid_id, m.community_id) LEFT JOIN org_units g ON g.id = m.grid_id
		WHERE `+filter+` AND `+cond+` ORDER BY COALESCE(m.grid_id, 0), m.id`, args...)
	if err != nil {
		return nil, err
	}
	var out []MemberHours
	var ids []int64
	for rows.Next() {
		var h MemberHours
		if err := rows.Scan(&h.MemberID, &h.Name, &h.Role, &h.GridName, &h.Unit); err != nil {
			rows.Close()
			return nil, err
		}
		out, ids = append(out, h), append(ids, h.MemberID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if memberID != 0 && len(out) == 0 {
		return nil, apperr.ErrNotFound
	}
	if len(ids) == 0 {
		return []MemberHours{}, nil
	}
	hours, err := monthHours(ctx, q, t, from, to, ids, sources)
	if err != nil {
		return nil, err
	}
	for i := range out {
		h := hours[out[i].MemberID]
		out[i].Months, out[i].Total = h.months, h.total
	}
	return out, nil
}

// HoursOf returns the hours of the members ids from from to to, month by
// month, as Hours does; the caller has kept ids to its scope.
func HoursOf(ctx context.Context, q store.Querier, from, to calendar.Date, ids []int64) (map[int64][]MonthHours, error) {
	t, err := LoadTargets(ctx, q)
	if err != nil {
		return nil, err
	}
	hs, err := monthHours(ctx, q, t, from, to, ids, nil)
	if err != nil {
		return nil, err
	}
	out := make(map[int64][]MonthHours, len(hs))
	for id, h := range hs {
		out[id] = h.months
	}
	return out, nil
}

// MonthOf reads "YYYY-MM" into its first and last day.
func MonthOf(field, s string) (calendar.Date, calendar.Date, error) {
	d, err := calendar.ParseDate(field, s+"-01")
	if err != nil || len(s) != 7 {
		return calendar.Date{}, calendar.Date{}, apperr.Field(field, "month", "must be a month YYYY-MM")
	}
	return d, lastOf(d), nil
}
