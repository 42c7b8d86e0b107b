package programme

import (
	"context"
	"fmt"
	"sort"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/store"
)

// ServedHours returns, per team member id, the hours of the programme
// sessions they taught or served and of the activities they served that
// start in [from, to). It reads everything (the caller scopes the
// members it shows); volunteer hours (internal/staff) add them up.
func ServedHours(ctx context.Context, q store.Querier, from, to time.Time) (map[int64]float64, error) {
	out := map[int64]float64{}
	for _, query := range []string{
		`SELECT st.team_member_id, s.starts_at, s.ends_at FROM programme_session_staff st JOIN programme_sessions s ON s.id = st.session_id
			WHERE s.starts_at >= ? AND s.starts_at < ?`,
		`SELECT st.team_member_id, a.starts_at, a.ends_at FROM activity_staff st JOIN activities a ON a.id = st.activity_id
			WHERE a.starts_at >= ? AND a.starts_at < ?`,
	} {
		rows, err := q.QueryContext(ctx, query, from.UTC(), to.UTC())
		if err != nil {
			return nil, fmt.Errorf("served hours: %w", err)
		}
		for rows.Next() {
			var id int64
			var start, end time.Time
			if err := rows.Scan(&id, &start, &end); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] += end.Sub(start).Hours()
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// MonthRow is what a programme did in a month in a grid: the persons who
// came to at least one session and their attendances.
type MonthRow struct {
	ProgrammeID int64  `json:"programme_id"`
	Programme   string `json:"programme"`
	Month       string `json:"month"` // YYYY-MM, China time
	GridID      int64  `json:"grid_id"`
	Grid        string `json:"grid"`
	Persons     int    `json:"persons"`
	Attendances int    `json:"attendances"`
}

// Rate is a programme's attendance over a period: the attendances
// against the enrolled persons expected at its sessions; for check-ups,
// which a person comes to once, the persons who came against those
// enrolled.
type Rate struct {
	ProgrammeID int64   `json:"programme_id"`
	Programme   string  `json:"programme"`
	Kind        string  `json:"kind"`
	Enrolled    int     `json:"enrolled"`
	Sessions    int     `json:"sessions"`
	Attendances int     `json:"attendances"`
	Expected    int     `json:"expected"`
	Rate        float64 `json:"rate"` // 0–1; 0 without sessions
}

// Stats are the programmes' figures over a period, in the user's scope.
type Stats struct {
	From       calendar.Date `json:"from"`
	To         calendar.Date `json:"to"`
	Months     []MonthRow    `json:"months"`
	Rates      []Rate        `json:"rates"`
	FourThirty int           `json:"four_thirty_children"` // enrolled in four-thirty classes
	Activities int           `json:"activities"`           // held in the period
	Attendees  int           `json:"activity_attendees"`   // people who came to them
}

// Period reads the period of the statistics, days "YYYY-MM-DD" from and to
// (both included, either may be empty): to defaults to today, from to 89
// days before to. Errors are field errors on "from" or "to".
func Period(from, to string, today calendar.Date) (calendar.Date, calendar.Date, error) {
	last := today
	if to != "" {
		var err error
		if last, err = calendar.ParseDate("to", to); err != nil {
			return last, last, err
		}
	}
	first := calendar.DayOf(last.Midnight().AddDate(0, 0, -89).Add(12 * time.Hour))
	return calendar.Days(from, to, first, last)
}

// Stats counts the programmes and activities of the user's scope with
// sessions from day from to day to, both included (China time).
func (s *Store) Stats(ctx context.Context, from, to calendar.Date) (*Stats, error) {
	start := time.Date(from.Y, from.M, from.D, 0, 0, 0, 0, calendar.China).UTC()
	end := time.Date(to.Y, to.M, to.D+1, 0, 0, 0, 0, calendar.China).UTC()
	ps, err := s.Programmes(ctx)
	if err != nil {
		return nil, err
	}
	st := &Stats{From: from, To: to, Months: []MonthRow{}, Rates: []Rate{}}
	hcond, hargs := s.households()
	type key struct {
		p    int64
		m    string
		grid int64
	}
	rows := map[key]*MonthRow{}
	seen := map[key]map[int64]bool{}
	for _, p := range ps {
		if p.Kind == FourThirty {
			st.FourThirty += p.Enrolled
		}
		es, err := s.Enrolments(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		r := Rate{ProgrammeID: p.ID, Programme: p.Name, Kind: p.Kind, Enrolled: len(es)}
		ss, err := s.Sessions(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		for _, x := range ss {
			if x.StartsAt.Before(start) || !x.StartsAt.Before(end) {
				continue
			}
			r.Sessions++
			day := calendar.DayOf(x.StartsAt)
			expected := 0
			for _, e := range es {
				if !e.EnrolledOn.After(day) {
					expected++
				}
			}
			r.Expected += max(expected, x.Attended)
			r.Attendances += x.Attended
		}
		q, err := s.db.QueryContext(ctx, `SELECT s.starts_at, e.person_id, e.grid_id, g.name FROM programme_attendance a
			JOIN programme_sessions s ON s.id = a.session_id JOIN programme_enrolments e ON e.id = a.enrolment_id
			JOIN households h ON h.id = e.household_id JOIN org_units g ON g.id = e.grid_id
			WHERE s.programme_id = ? AND s.starts_at >= ? AND s.starts_at < ? AND `+hcond, append([]any{p.ID, start, end}, hargs...)...)
		if err != nil {
			return nil, err
		}
		came := map[int64]bool{}
		for q.Next() {
			var at time.Time
			var person, grid int64
			var gname string
			if err := q.Scan(&at, &person, &grid, &gname); err != nil {
				q.Close()
				return nil, err
			}
			k := key{p.ID, at.In(calendar.China).Format("2006-01"), grid}
			row := rows[k]
			if row == nil {
				row = &MonthRow{ProgrammeID: p.ID, Programme: p.Name, Month: k.m, GridID: grid, Grid: gname}
				rows[k], seen[k] = row, map[int64]bool{}
			}
			row.Attendances++
			if !seen[k][person] {
				seen[k][person] = true
				row.Persons++
			}
			came[person] = true
		}
		q.Close()
		if err := q.Err(); err != nil {
			return nil, err
		}
		if p.Kind == Checkup && r.Sessions > 0 {
			// A check-up is once a person: its days are a choice, not a
			// series, so the rate is of the persons enrolled by the end.
			r.Expected, r.Attendances = 0, len(came)
			for _, e := range es {
				if !e.EnrolledOn.After(to) {
					r.Expected++
				}
			}
			r.Expected = max(r.Expected, r.Attendances)
		}
		if r.Expected > 0 {
			r.Rate = float64(r.Attendances) / float64(r.Expected)
		}
		st.Rates = append(st.Rates, r)
	}
	for _, r := range rows {
		st.Months = append(st.Months, *r)
	}
	sort.Slice(st.Months, func(i, j int) bool {
		a, b := st.Months[i], st.Months[j]
		if a.ProgrammeID != b.ProgrammeID {
			return a.ProgrammeID < b.ProgrammeID
		}
		if a.Month != b.Month {
			return a.Month < b.Month
		}
		return a.GridID < b.GridID
	})
	as, err := s.Activities(ctx, ActivityFilter{})
	if err != nil {
		return nil, err
	}
	for _, a := range as {
		if a.StartsAt.Before(start) || !a.StartsAt.Before(end) {
			continue
		}
		st.Activities++
		su, err := s.Signups(ctx, a.ID)
		if err != nil {
			return nil, err
		}
		for _, x := range su {
			st.Attendees += x.Attended
		}
	}
	return st, nil
}
