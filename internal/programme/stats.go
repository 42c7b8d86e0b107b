package programme

import (
	"context"
	"database/sql"
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
// sessions from day from to day to, both included (China time), in a
// fixed number of queries however many programmes the scope holds.
func (s *Store) Stats(ctx context.Context, from, to calendar.Date) (*Stats, error) {
	start := time.Date(from.Y, from.M, from.D, 0, 0, 0, 0, calendar.China).UTC()
	end := time.Date(to.Y, to.M, to.D+1, 0, 0, 0, 0, calendar.China).UTC()
	ps, err := s.Programmes(ctx)
	if err != nil {
		return nil, err
	}
	st := &Stats{From: from, To: to, Months: []MonthRow{}, Rates: []Rate{}}
	pcond, pargs, err := s.communityWhere(ctx, "p")
	if err != nil {
		return nil, err
	}
	inScope := `SELECT p.id FROM programmes p WHERE ` + pcond
	hcond, hargs := s.households()

	// The enrolled days of each programme's enrolments the user reaches.
	enrolled := map[int64][]calendar.Date{}
	err = store.Each(ctx, s.db, `SELECT e.programme_id, e.enrolled_on FROM programme_enrolments e JOIN households h ON h.id = e.household_id
		WHERE e.left_on = '' AND e.programme_id IN (`+inScope+`) AND `+hcond, append(pargs, hargs...), func(r *sql.Rows) error {
		var id int64
		var on string
		if err := r.Scan(&id, &on); err != nil {
			return err
		}
		d, _ := calendar.ParseDate("enrolled_on", on)
		enrolled[id] = append(enrolled[id], d)
		return nil
	})
	if err != nil {
		return nil, err
	}

	// The sessions in the period, with how many of those the user reaches
	// came.
	type session struct {
		day      calendar.Date
		attended int
	}
	sessions := map[int64][]session{}
	err = store.Each(ctx, s.db, `SELECT s.programme_id, s.starts_at, (SELECT COUNT(*) FROM programme_attendance a
			JOIN programme_enrolments e ON e.id = a.enrolment_id JOIN households h ON h.id = e.household_id WHERE a.session_id = s.id AND `+hcond+`)
		FROM programme_sessions s WHERE s.starts_at >= ? AND s.starts_at < ? AND s.programme_id IN (`+inScope+`)`,
		append(append(hargs, start, end), pargs...), func(r *sql.Rows) error {
			var id int64
			var at time.Time
			var x session
			if err := r.Scan(&id, &at, &x.attended); err != nil {
				return err
			}
			x.day = calendar.DayOf(at)
			sessions[id] = append(sessions[id], x)
			return nil
		})
	if err != nil {
		return nil, err
	}

	// Who came, by programme, month and grid.
	type key struct {
		p    int64
		m    string
		grid int64
	}
	rows := map[key]*MonthRow{}
	seen := map[key]map[int64]bool{}
	came := map[int64]map[int64]bool{} // programme → persons who came
	names := map[int64]string{}
	for _, p := range ps {
		names[p.ID] = p.Name
	}
	err = store.Each(ctx, s.db, `SELECT s.programme_id, s.starts_at, e.person_id, e.grid_id, g.name FROM programme_attendance a
		JOIN programme_sessions s ON s.id = a.session_id JOIN programme_enrolments e ON e.id = a.enrolment_id
		JOIN households h ON h.id = e.household_id JOIN org_units g ON g.id = e.grid_id
		WHERE s.starts_at >= ? AND s.starts_at < ? AND s.programme_id IN (`+inScope+`) AND `+hcond,
		append(append([]any{start, end}, pargs...), hargs...), func(r *sql.Rows) error {
			var id, person, grid int64
			var at time.Time
			var gname string
			if err := r.Scan(&id, &at, &person, &grid, &gname); err != nil {
				return err
			}
			k := key{id, at.In(calendar.China).Format("2006-01"), grid}
			row := rows[k]
			if row == nil {
				row = &MonthRow{ProgrammeID: id, Programme: names[id], Month: k.m, GridID: grid, Grid: gname}
				rows[k], seen[k] = row, map[int64]bool{}
			}
			row.Attendances++
			if !seen[k][person] {
				seen[k][person] = true
				row.Persons++
			}
			if came[id] == nil {
				came[id] = map[int64]bool{}
			}
			came[id][person] = true
			return nil
		})
	if err != nil {
		return nil, err
	}

	for _, p := range ps {
		if p.Kind == FourThirty {
			st.FourThirty += p.Enrolled
		}
		es := enrolled[p.ID]
		r := Rate{ProgrammeID: p.ID, Programme: p.Name, Kind: p.Kind, Enrolled: len(es)}
		for _, x := range sessions[p.ID] {
			r.Sessions++
			expected := 0
			for _, on := range es {
				if !on.After(x.day) {
					expected++
				}
			}
			r.Expected += max(expected, x.attended)
			r.Attendances += x.attended
		}
		if p.Kind == Checkup && r.Sessions > 0 {
			// A check-up is once a person: its days are a choice, not a
			// series, so the rate is of the persons enrolled by the end.
			r.Expected, r.Attendances = 0, len(came[p.ID])
			for _, on := range es {
				if !on.After(to) {
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

	// The activities held in the period and the people who came to them
	// from the households the user reaches.
	acond, aargs, err := s.communityWhere(ctx, "a")
	if err != nil {
		return nil, err
	}
	err = s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM activities a WHERE a.starts_at >= ? AND a.starts_at < ? AND `+acond,
		append([]any{start, end}, aargs...)...).Scan(&st.Activities)
	if err != nil {
		return nil, err
	}
	err = s.db.QueryRowContext(ctx, `SELECT COALESCE(SUM(su.attended), 0) FROM activity_signups su JOIN activities a ON a.id = su.activity_id
		JOIN households h ON h.id = su.household_id WHERE a.starts_at >= ? AND a.starts_at < ? AND `+acond+` AND `+hcond,
		append(append([]any{start, end}, aargs...), hargs...)...).Scan(&st.Attendees)
	if err != nil {
		return nil, err
	}
	return st, nil
}
