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

// Service lists the pieces of service of the members ids (all members when
// ids is nil) from from to to (days in China, both included), day by day;
// the hours of sources come as one "other" item per month, dated its first
// day in the period.
func Service(ctx context.Context, q store.Querier, t Targets, from, to calendar.Date, ids []int64, sources ...HourSource) (map[int64][]ServiceItem, error) {
	// A set, not a search of ids for each row: a city's 5,824 members
	// against its visits of a month took minutes.
	var members map[int64]bool
	if ids != nil {
		members = make(map[int64]bool, len(ids))
		for _, id := range ids {
			members[id] = true
		}
	}
	keep := func(m int64) bool { return ids == nil || members[m] }
	out := map[int64][]ServiceItem{}
	rows, err := q.QueryContext(ctx, `SELECT vv.team_member_id, v.at FROM visit_visitors vv JOIN visits v ON v.id = vv.visit_id
		WHERE v.at >= ? AND v.at < ?`, start(from), end(to))
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var m int64
		var at time.Time
		if err := rows.Scan(&m, &at); err != nil {
			rows.Close()
			return nil, err
		}
		if keep(m) {
			out[m] = append(out[m], ServiceItem{Day: calendar.DayOf(at), Kind: "visit", Hours: t.VisitHours, What: "入户走访"})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = q.QueryContext(ctx, `SELECT assignee_member_id, template, started_at, done_at FROM rounds
		WHERE state = 'done' AND assignee_member_id IS NOT NULL AND done_at >= ? AND done_at < ?`, start(from), end(to))
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var m int64
		var tmpl string
		var started *time.Time
		var done time.Time
		if err := rows.Scan(&m, &tmpl, &started, &done); err != nil {
			rows.Close()
			return nil, err
		}
		h := t.RoundHours
		if started != nil && done.After(*started) {
			h = math.Min(math.Round(done.Sub(*started).Hours()*100)/100, MaxRoundHours)
		}
		if keep(m) {
			out[m] = append(out[m], ServiceItem{Day: calendar.DayOf(done), Kind: "round", Hours: h, What: "安全巡查 " + tmpl})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = q.QueryContext(ctx, `SELECT id, team_member_id, day, hours, what FROM service_hours WHERE day >= ? AND day <= ?`, from.String(), to.String())
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id, m int64
		var day, what string
		var h float64
		if err := rows.Scan(&id, &m, &day, &h, &what); err != nil {
			rows.Close()
			return nil, err
		}
		d, err := calendar.ParseDate("day", day)
		if err != nil {
			rows.Close()
			return nil, err
		}
		if keep(m) {
			out[m] = append(out[m], ServiceItem{Day: d, Kind: "manual", Hours: h, What: what, ID: id})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sources = append([]HourSource{programme.ServedHours}, sources...)
	for _, m := range months(from, to) {
		first, last := m, lastOf(m)
		if first.Before(from) {
			first = from
		}
		if last.After(to) {
			last = to
		}
		for _, src := range sources {
			hs, err := src(ctx, q, start(first), end(last))
			if err != nil {
				return nil, err
			}
			for mem, h := range hs {
				if h > 0 && keep(mem) {
					out[mem] = append(out[mem], ServiceItem{Day: first, Kind: "other", Hours: h, What: "社区活动与课程"})
				}
			}
		}
	}
	for m := range out {
		slices.SortStableFunc(out[m], func(a, b ServiceItem) int { return cmp.Compare(a.Day.String(), b.Day.String()) })
	}
	return out, nil
}

// sumMonths adds items up month by month over the months of from to to.
func sumMonths(items []ServiceItem, from, to calendar.Date) ([]MonthHours, float64) {
	var out []MonthHours
	idx := map[string]int{}
	for _, m := range months(from, to) {
		idx[monthKey(m)] = len(out)
		out = append(out, MonthHours{Month: monthKey(m)})
	}
	total := 0.0
	for _, it := range items {
		i, ok := idx[monthKey(it.Day)]
		if !ok {
			continue
		}
		mh := &out[i]
		switch it.Kind {
		case "visit":
			mh.Visits++
			mh.Visit += it.Hours
		case "round":
			mh.Rounds++
			mh.Round += it.Hours
		case "manual":
			mh.Manual += it.Hours
		default:
			mh.Other += it.Hours
		}
		mh.Total += it.Hours
		total += it.Hours
	}
	for i := range out {
		out[i].Visit, out[i].Round, out[i].Manual, out[i].Other, out[i].Total =
			round2(out[i].Visit), round2(out[i].Round), round2(out[i].Manual), round2(out[i].Other), round2(out[i].Total)
	}
	return out, round2(total)
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
	items, err := Service(ctx, q, t, from, to, ids, sources...)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Months, out[i].Total = sumMonths(items[out[i].MemberID], from, to)
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
