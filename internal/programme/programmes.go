package programme

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/audit"
	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/store"
)

// Rosters are the built-in rosters of people (internal/roster) a
// programme may take its candidates from. (Package programme does not
// import roster, which the statistics' tests would reach through the
// demo generator; a test keeps the two lists in step.)
var Rosters = []string{"four_thirty", "elderly_checkup", "living_alone_elderly", "dibao_review", "school_start", "key_persons"}

// Programme is a recurring service of a community. Enrolled counts the
// persons enrolled that the user reaches, Sessions the sessions held or
// planned.
type Programme struct {
	ID          int64  `json:"id"`
	CommunityID int64  `json:"community_id"`
	Community   string `json:"community"`
	Name        string `json:"name"`
	Kind        string `json:"kind"`
	Roster      string `json:"roster"`
	Description string `json:"description"`
	Capacity    int    `json:"capacity"`
	Place       string `json:"place"`
	Enrolled    int    `json:"enrolled"`
	Sessions    int    `json:"sessions"`
	Version     int    `json:"version"`

	path  string
	total int // enrolled, all households
}

// ProgrammeInput is a new programme or the new values of one, with the
// Version the user saw. Home is the org path of the user's own unit, for
// a programme without community_id (set by the face).
type ProgrammeInput struct {
	CommunityID int64  `json:"community_id"`
	Name        string `json:"name"`
	Kind        string `json:"kind"`
	Roster      string `json:"roster"`
	Description string `json:"description"`
	Capacity    int    `json:"capacity"`
	Place       string `json:"place"`
	Version     int    `json:"version"`
	Home        string `json:"-"`
}

func (in *ProgrammeInput) check() error {
	if err := text("name", &in.Name, 100, true); err != nil {
		return err
	}
	if err := text("description", &in.Description, 2000, false); err != nil {
		return err
	}
	if err := text("place", &in.Place, 100, false); err != nil {
		return err
	}
	if in.Kind == "" {
		in.Kind = Other
	}
	if !slices.Contains(Kinds, in.Kind) {
		return apperr.Field("kind", "one_of", "must be one of %s", strings.Join(Kinds, ", "))
	}
	if in.Roster = strings.TrimSpace(in.Roster); in.Roster != "" && !slices.Contains(Rosters, in.Roster) {
		return apperr.Field("roster", "not_found", "is not a roster of people")
	}
	if in.Capacity < 0 || in.Capacity > 100000 {
		return apperr.Field("capacity", "range", "must be from 0 (no limit) to 100000")
	}
	return nil
}

// CreateProgramme creates a programme of a community the user reaches.
func (s *Store) CreateProgramme(ctx context.Context, actor household.Actor, in ProgrammeInput) (*Programme, error) {
	audit.Describe(ctx, "programme.create", "programme", "")
	if err := in.check(); err != nil {
		return nil, err
	}
	c, err := s.community(ctx, in.CommunityID, in.Home)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	var id int64
	if err := s.db.QueryRowContext(ctx, `INSERT INTO programmes(community_id, org_path, name, kind, roster, description, capacity, place,
		created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		c.ID, c.Path, in.Name, in.Kind, in.Roster, in.Description, in.Capacity, in.Place, nullID(actor.ID), now, now).Scan(&id); err != nil {
		return nil, fmt.Errorf("insert programme: %w", err)
	}
	audit.Describe(ctx, "programme.create", fmt.Sprintf("programme:%d", id), "")
	return s.Programme(ctx, id)
}

// UpdateProgramme saves a programme's name, kind, roster, description,
// capacity and place if it is still at in.Version (apperr.ErrConflict
// otherwise). The capacity may not fall below the persons enrolled.
func (s *Store) UpdateProgramme(ctx context.Context, id int64, in ProgrammeInput) (*Programme, error) {
	audit.Describe(ctx, "programme.update", fmt.Sprintf("programme:%d", id), "")
	p, err := s.Programme(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := in.check(); err != nil {
		return nil, err
	}
	if in.Capacity > 0 && in.Capacity < p.total {
		return nil, apperr.Field("capacity", "below_enrolled", "must not be below the %d persons enrolled", p.total)
	}
	res, err := s.db.ExecContext(ctx, `UPDATE programmes SET name = ?, kind = ?, roster = ?, description = ?, capacity = ?, place = ?,
		version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
		in.Name, in.Kind, in.Roster, in.Description, in.Capacity, in.Place, s.now().UTC(), id, in.Version)
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, apperr.ErrConflict
	}
	return s.Programme(ctx, id)
}

const programmeCols = `p.id, p.community_id, c.name, p.name, p.kind, p.roster, p.description, p.capacity, p.place, p.version, p.org_path,
	(SELECT COUNT(*) FROM programme_sessions ps WHERE ps.programme_id = p.id),
	(SELECT COUNT(*) FROM programme_enrolments e WHERE e.programme_id = p.id AND e.left_on = '')`

// Programmes returns the programmes the user reaches, by community and
// name, with the persons enrolled that the user reaches.
func (s *Store) Programmes(ctx context.Context) ([]Programme, error) {
	cond, args, err := s.communityWhere(ctx, "p")
	if err != nil {
		return nil, err
	}
	hcond, hargs := s.households()
	rows, err := s.db.QueryContext(ctx, `SELECT `+programmeCols+`,
		(SELECT COUNT(*) FROM programme_enrolments e JOIN households h ON h.id = e.household_id
			WHERE e.programme_id = p.id AND e.left_on = '' AND `+hcond+`)
		FROM programmes p JOIN org_units c ON c.id = p.community_id WHERE `+cond+` ORDER BY c.name, p.id`, append(hargs, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Programme{}
	for rows.Next() {
		var p Programme
		if err := rows.Scan(&p.ID, &p.CommunityID, &p.Community, &p.Name, &p.Kind, &p.Roster, &p.Description, &p.Capacity, &p.Place,
			&p.Version, &p.path, &p.Sessions, &p.total, &p.Enrolled); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// Programme returns one programme in scope.
func (s *Store) Programme(ctx context.Context, id int64) (*Programme, error) {
	ps, err := s.Programmes(ctx)
	if err != nil {
		return nil, err
	}
	for i := range ps {
		if ps[i].ID == id {
			return &ps[i], nil
		}
	}
	return nil, apperr.ErrNotFound
}

// ProgrammeInScope answers apperr.ErrNotFound for a programme out of
// scope, for the faces to check before reading a body.
func (s *Store) ProgrammeInScope(ctx context.Context, id int64) error {
	_, err := s.Programme(ctx, id)
	return err
}

// Session is one session of a programme: when, where, what, who taught
// or served, and how many of the enrolled (that the user reaches) came.
type Session struct {
	ID          int64     `json:"id"`
	ProgrammeID int64     `json:"programme_id"`
	StartsAt    time.Time `json:"starts_at"`
	EndsAt      time.Time `json:"ends_at"`
	Place       string    `json:"place"`
	Topic       string    `json:"topic"`
	Staff       []Member  `json:"staff"`
	Attended    int       `json:"attended"`
	// Present lists the enrolment ids that came (those the user reaches).
	Present []int64 `json:"present"`
}

// SessionInput is a new session. StaffIDs are the team members who
// taught or served.
type SessionInput struct {
	StartsAt time.Time `json:"starts_at"`
	EndsAt   time.Time `json:"ends_at"`
	Place    string    `json:"place"`
	Topic    string    `json:"topic"`
	StaffIDs []int64   `json:"staff_ids"`
}

func checkSpan(start, end time.Time) error {
	if start.IsZero() {
		return apperr.Field("starts_at", "required", "is required")
	}
	if err := calendar.CheckTime("starts_at", start); err != nil {
		return err
	}
	if end.IsZero() {
		return apperr.Field("ends_at", "required", "is required")
	}
	if !end.After(start) {
		return apperr.Field("ends_at", "before_start", "must be after starts_at")
	}
	if end.Sub(start) > 24*time.Hour {
		return apperr.Field("ends_at", "too_long", "must be within 24 hours of starts_at")
	}
	return nil
}

// AddSession records a session of programme id.
func (s *Store) AddSession(ctx context.Context, actor household.Actor, id int64, in SessionInput) (*Session, error) {
	audit.Describe(ctx, "programme.session", fmt.Sprintf("programme:%d", id), "")
	p, err := s.Programme(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := checkSpan(in.StartsAt, in.EndsAt); err != nil {
		return nil, err
	}
	if err := text("place", &in.Place, 100, false); err != nil {
		return nil, err
	}
	if err := text("topic", &in.Topic, 200, false); err != nil {
		return nil, err
	}
	if in.Place == "" {
		in.Place = p.Place
	}
	staff, err := checkMembers(ctx, s.db, "staff_ids", p.CommunityID, in.StaffIDs)
	if err != nil {
		return nil, err
	}
	var sid int64
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO programme_sessions(programme_id, starts_at, ends_at, place, topic, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, id, in.StartsAt.UTC(), in.EndsAt.UTC(), in.Place, in.Topic, actor.Name, s.now().UTC()).Scan(&sid); err != nil {
			return err
		}
		return setStaff(ctx, tx, "programme_session_staff", "session_id", sid, staff)
	})
	if err != nil {
		return nil, err
	}
	return s.session(ctx, id, sid)
}

func (s *Store) session(ctx context.Context, programmeID, id int64) (*Session, error) {
	ss, err := s.Sessions(ctx, programmeID)
	if err != nil {
		return nil, err
	}
	for i := range ss {
		if ss[i].ID == id {
			return &ss[i], nil
		}
	}
	return nil, apperr.ErrNotFound
}

// Sessions returns the sessions of programme id, the latest first.
func (s *Store) Sessions(ctx context.Context, id int64) ([]Session, error) {
	if err := s.ProgrammeInScope(ctx, id); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, programme_id, starts_at, ends_at, place, topic FROM programme_sessions
		WHERE programme_id = ? ORDER BY starts_at DESC, id DESC`, id)
	if err != nil {
		return nil, err
	}
	out := []Session{}
	for rows.Next() {
		var x Session
		if err := rows.Scan(&x.ID, &x.ProgrammeID, &x.StartsAt, &x.EndsAt, &x.Place, &x.Topic); err != nil {
			rows.Close()
			return nil, err
		}
		x.StartsAt, x.EndsAt = x.StartsAt.UTC(), x.EndsAt.UTC()
		out = append(out, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	hcond, hargs := s.households()
	for i := range out {
		x := &out[i]
		if x.Staff, err = members(ctx, s.db, `SELECT m.id, m.name, m.role FROM programme_session_staff st JOIN team_members m ON m.id = st.team_member_id
			WHERE st.session_id = ? ORDER BY m.id`, x.ID); err != nil {
			return nil, err
		}
		x.Present = []int64{}
		r, err := s.db.QueryContext(ctx, `SELECT a.enrolment_id FROM programme_attendance a JOIN programme_enrolments e ON e.id = a.enrolment_id
			JOIN households h ON h.id = e.household_id WHERE a.session_id = ? AND `+hcond+` ORDER BY a.enrolment_id`, append([]any{x.ID}, hargs...)...)
		if err != nil {
			return nil, err
		}
		for r.Next() {
			var e int64
			if err := r.Scan(&e); err != nil {
				r.Close()
				return nil, err
			}
			x.Present = append(x.Present, e)
		}
		r.Close()
		x.Attended = len(x.Present)
	}
	return out, nil
}

// Enrolment is a person enrolled in a programme, with their interests (the
// four-thirty class) and how many sessions they came to. Name, age and
// address only: no ID number or phone.
type Enrolment struct {
	ID          int64         `json:"id"`
	ProgrammeID int64         `json:"programme_id"`
	Programme   string        `json:"programme"`
	PersonID    int64         `json:"person_id"`
	Name        string        `json:"name"`
	Age         int           `json:"age"`
	HouseholdID int64         `json:"household_id"`
	Address     string        `json:"address"`
	GridID      int64         `json:"grid_id"`
	Grid        string        `json:"grid"`
	Interests   []string      `json:"interests"`
	Source      string        `json:"source"`
	EnrolledOn  calendar.Date `json:"enrolled_on"`
	LeftOn      calendar.Date `json:"left_on,omitzero"` // withdrawn; zero while enrolled
	Attended    int           `json:"attended"`
}

// EnrolInput enrols a person: from the roster's candidates (Source
// "roster") or by hand. Interests are codes of Interests.
type EnrolInput struct {
	PersonID   int64    `json:"person_id"`
	Interests  []string `json:"interests"`
	Source     string   `json:"source"`
	EnrolledOn string   `json:"enrolled_on"` // default today
}

func checkInterests(in []string) ([]string, error) {
	out := []string{}
	for _, c := range in {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		if _, ok := InterestOf(c); !ok {
			return nil, apperr.Field("interests", "one_of", "must be of %s", strings.Join(InterestCodes(), ", "))
		}
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out, nil
}

// Enrol enrols a current person the user reaches, of the programme's
// community, once, within the capacity; the household's ledger records
// it (joined_programme) in the same transaction.
func (s *Store) Enrol(ctx context.Context, actor household.Actor, id int64, in EnrolInput) (*Enrolment, error) {
	audit.Describe(ctx, "programme.enrol", fmt.Sprintf("programme:%d", id), "")
	p, err := s.Programme(ctx, id)
	if err != nil {
		return nil, err
	}
	interests, err := checkInterests(in.Interests)
	if err != nil {
		return nil, err
	}
	if in.Source == "" {
		in.Source = "hand"
	}
	if in.Source != "hand" && in.Source != "roster" {
		return nil, apperr.Field("source", "one_of", "must be roster or hand")
	}
	today := calendar.DayOf(s.now())
	day := today
	if in.EnrolledOn != "" {
		if day, err = calendar.ParseDate("enrolled_on", in.EnrolledOn); err != nil {
			return nil, err
		}
		if day.After(today) {
			return nil, apperr.Field("enrolled_on", "future", "must not be in the future")
		}
	}
	if in.PersonID == 0 {
		return nil, apperr.Field("person_id", "required", "is required")
	}
	person, err := s.files.PersonByID(ctx, in.PersonID)
	if err != nil {
		return nil, apperr.Field("person_id", "not_found", "person %d does not exist", in.PersonID)
	}
	if !person.Current() {
		return nil, apperr.Field("person_id", "not_current", "%s no longer lives in the household", person.Name)
	}
	var gridID int64
	var gridPath string
	if err := s.db.QueryRowContext(ctx, `SELECT h.grid_id, g.path FROM households h JOIN org_units g ON g.id = h.grid_id WHERE h.id = ?`,
		person.HouseholdID).Scan(&gridID, &gridPath); err != nil {
		return nil, err
	}
	if !strings.HasPrefix(gridPath, p.path) {
		return nil, apperr.Field("person_id", "other_community", "lives outside the programme's community")
	}
	now := s.now().UTC()
	var eid int64
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		var n, dup int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(CASE WHEN left_on = '' THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN person_id = ? AND left_on = '' THEN 1 ELSE 0 END), 0)
			FROM programme_enrolments WHERE programme_id = ?`, in.PersonID, id).Scan(&n, &dup); err != nil {
			return err
		}
		if dup > 0 {
			return apperr.Field("person_id", "enrolled", "%s is enrolled already", person.Name)
		}
		if p.Capacity > 0 && n >= p.Capacity {
			return apperr.Field("person_id", "full", "the programme is full (%d places)", p.Capacity)
		}
		// One who left comes back: the same enrolment, from day.
		res, err := tx.ExecContext(ctx, `UPDATE programme_enrolments SET left_on = '', enrolled_on = ?, interests = ?, source = ?
			WHERE programme_id = ? AND person_id = ? AND left_on <> ''`, day.String(), strings.Join(interests, ","), in.Source, id, in.PersonID)
		if err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k > 0 {
			if err := tx.QueryRowContext(ctx, `SELECT id FROM programme_enrolments WHERE programme_id = ? AND person_id = ?`, id, in.PersonID).Scan(&eid); err != nil {
				return err
			}
			return household.RecordJoined(ctx, tx, actor, person.HouseholdID, person.ID, p.Name, now)
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO programme_enrolments(programme_id, person_id, household_id, grid_id, interests, source,
			enrolled_on, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			id, in.PersonID, person.HouseholdID, gridID, strings.Join(interests, ","), in.Source, day.String(), actor.Name, now).Scan(&eid)
		if store.IsUniqueViolation(err) {
			return apperr.Field("person_id", "enrolled", "%s is enrolled already", person.Name)
		}
		if err != nil {
			return err
		}
		return household.RecordJoined(ctx, tx, actor, person.HouseholdID, person.ID, p.Name, now)
	})
	if err != nil {
		return nil, err
	}
	return s.enrolment(ctx, id, eid)
}

// SetInterests replaces the interests of enrolment eid of programme id.
func (s *Store) SetInterests(ctx context.Context, id, eid int64, interests []string) (*Enrolment, error) {
	if _, err := s.enrolment(ctx, id, eid); err != nil {
		return nil, err
	}
	in, err := checkInterests(interests)
	if err != nil {
		return nil, err
	}
	if _, err := s.db.ExecContext(ctx, `UPDATE programme_enrolments SET interests = ? WHERE id = ?`, strings.Join(in, ","), eid); err != nil {
		return nil, err
	}
	return s.enrolment(ctx, id, eid)
}

// Withdraw records that the person of enrolment eid left programme id
// today: they no longer count as enrolled nor take a place; their
// attendance stays. Enrolling them again brings the enrolment back.
func (s *Store) Withdraw(ctx context.Context, id, eid int64) (*Enrolment, error) {
	audit.Describe(ctx, "programme.withdraw", fmt.Sprintf("programme:%d", id), "")
	if _, err := s.enrolment(ctx, id, eid); err != nil {
		return nil, err
	}
	today := calendar.DayOf(s.now())
	if _, err := s.db.ExecContext(ctx, `UPDATE programme_enrolments SET left_on = ? WHERE id = ? AND left_on = ''`, today.String(), eid); err != nil {
		return nil, err
	}
	es, err := s.enrolments(ctx, "e.id = ?", eid)
	if err != nil || len(es) == 0 {
		return nil, cmpErr(err)
	}
	return &es[0], nil
}

func cmpErr(err error) error {
	if err == nil {
		return apperr.ErrNotFound
	}
	return err
}

func (s *Store) enrolment(ctx context.Context, id, eid int64) (*Enrolment, error) {
	es, err := s.Enrolments(ctx, id)
	if err != nil {
		return nil, err
	}
	for i := range es {
		if es[i].ID == eid {
			return &es[i], nil
		}
	}
	return nil, apperr.ErrNotFound
}

// Enrolments returns the enrolments of programme id that the user
// reaches, by grid and name.
func (s *Store) Enrolments(ctx context.Context, id int64) ([]Enrolment, error) {
	if err := s.ProgrammeInScope(ctx, id); err != nil {
		return nil, err
	}
	return s.enrolments(ctx, "e.programme_id = ? AND e.left_on = ''", id)
}

// HouseholdEnrolments returns the programmes the members of household
// hid are enrolled in (for the household file); apperr.ErrNotFound out of
// scope.
func (s *Store) HouseholdEnrolments(ctx context.Context, hid int64) ([]Enrolment, error) {
	if err := s.files.Visible(ctx, hid); err != nil {
		return nil, err
	}
	return s.enrolments(ctx, "e.household_id = ?", hid)
}

// HouseholdFile returns what HouseholdEnrolments and HouseholdSignups
// do, for the household file page, whose handler has just read household
// hid through a household store of the same scope: it does not check the
// household's scope again. Both lists keep the scope's condition, so a
// household out of scope lists nothing.
func (s *Store) HouseholdFile(ctx context.Context, hid int64) ([]Enrolment, []Signup, error) {
	es, err := s.enrolments(ctx, "e.household_id = ?", hid)
	if err != nil {
		return nil, nil, err
	}
	su, err := s.signups(ctx, "su.household_id = ?", hid)
	if err != nil {
		return nil, nil, err
	}
	return es, su, nil
}

func (s *Store) enrolments(ctx context.Context, where string, arg any) ([]Enrolment, error) {
	hcond, hargs := s.households()
	today := calendar.DayOf(s.now())
	rows, err := s.db.QueryContext(ctx, `SELECT e.id, e.programme_id, pr.name, e.person_id, p.name, p.birth_date, e.household_id, h.address, e.grid_id,
		g.name, e.interests, e.source, e.enrolled_on, e.left_on, (SELECT COUNT(*) FROM programme_attendance a WHERE a.enrolment_id = e.id)
		FROM programme_enrolments e JOIN programmes pr ON pr.id = e.programme_id JOIN persons p ON p.id = e.person_id JOIN households h ON h.id = e.household_id
		JOIN org_units g ON g.id = e.grid_id WHERE `+where+` AND `+hcond+` ORDER BY e.grid_id, p.name, e.id`, append([]any{arg}, hargs...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Enrolment{}
	for rows.Next() {
		var e Enrolment
		var birth calendar.Date
		var interests, on, left string
		if err := rows.Scan(&e.ID, &e.ProgrammeID, &e.Programme, &e.PersonID, &e.Name, &birth, &e.HouseholdID, &e.Address, &e.GridID, &e.Grid,
			&interests, &e.Source, &on, &left, &e.Attended); err != nil {
			return nil, err
		}
		e.Age = calendar.AgeOn(birth, today)
		e.EnrolledOn, _ = calendar.ParseDate("enrolled_on", on)
		if left != "" {
			e.LeftOn, _ = calendar.ParseDate("left_on", left)
		}
		e.Interests = []string{}
		if interests != "" {
			e.Interests = strings.Split(interests, ",")
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// SetAttendance records who of the enrolled came to session sid of
// programme id: enrolment ids present; the enrolments the user reaches
// and does not name are recorded absent.
func (s *Store) SetAttendance(ctx context.Context, id, sid int64, present []int64) (*Session, error) {
	audit.Describe(ctx, "programme.attendance", fmt.Sprintf("programme:%d", id), "")
	if _, err := s.session(ctx, id, sid); err != nil {
		return nil, err
	}
	es, err := s.Enrolments(ctx, id)
	if err != nil {
		return nil, err
	}
	mine := map[int64]bool{}
	for _, e := range es {
		mine[e.ID] = true
	}
	present = slices.Compact(slices.Sorted(slices.Values(present)))
	for _, e := range present {
		if !mine[e] {
			return nil, apperr.Field("present", "not_enrolled", "enrolment %d is not of this programme", e)
		}
	}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		for e := range mine {
			if _, err := tx.ExecContext(ctx, `DELETE FROM programme_attendance WHERE session_id = ? AND enrolment_id = ?`, sid, e); err != nil {
				return err
			}
		}
		for _, e := range present {
			if _, err := tx.ExecContext(ctx, `INSERT INTO programme_attendance(session_id, enrolment_id) VALUES (?, ?)`, sid, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.session(ctx, id, sid)
}

// Enrollable returns what the candidates of programme id are picked
// with (see internal/programme/candidates): the programme, the persons
// enrolled already and the grids of its community.
func (s *Store) Enrollable(ctx context.Context, id int64) (p *Programme, enrolled, grids map[int64]bool, err error) {
	if p, err = s.Programme(ctx, id); err != nil {
		return nil, nil, nil, err
	}
	enrolled, grids = map[int64]bool{}, map[int64]bool{}
	for _, q := range []struct {
		sql string
		arg any
		set map[int64]bool
	}{
		{`SELECT person_id FROM programme_enrolments WHERE programme_id = ? AND left_on = ''`, id, enrolled},
		{`SELECT id FROM org_units WHERE kind = 'grid' AND path LIKE ?`, p.path + "%", grids},
	} {
		rows, err := s.db.QueryContext(ctx, q.sql, q.arg)
		if err != nil {
			return nil, nil, nil, err
		}
		for rows.Next() {
			var v int64
			if err := rows.Scan(&v); err != nil {
				rows.Close()
				return nil, nil, nil, err
			}
			q.set[v] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, nil, nil, err
		}
	}
	return p, enrolled, grids, nil
}

// Teacher is a team member who can teach an interest.
type Teacher struct {
	Interest string   `json:"interest"`
	Label    string   `json:"label"`
	Children int      `json:"children"`
	Members  []Member `json:"members"`
}

// Teachers matches the children's interests in programme id with the
// team members of its community whose skills teach them: per interest of
// the vocabulary, the children who have it and the members.
func (s *Store) Teachers(ctx context.Context, id int64, lang string) ([]Teacher, error) {
	p, err := s.Programme(ctx, id)
	if err != nil {
		return nil, err
	}
	es, err := s.Enrolments(ctx, id)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, role, skills FROM team_members WHERE community_id = ? AND active ORDER BY id`, p.CommunityID)
	if err != nil {
		return nil, err
	}
	type tm struct {
		m      Member
		skills []string
	}
	var team []tm
	for rows.Next() {
		var t tm
		var skills string
		if err := rows.Scan(&t.m.ID, &t.m.Name, &t.m.Role, &skills); err != nil {
			rows.Close()
			return nil, err
		}
		t.skills = strings.Split(skills, ",")
		team = append(team, t)
	}
	rows.Close()
	var out []Teacher
	for _, in := range Interests {
		t := Teacher{Interest: in.Code, Label: in.LabelZH, Members: []Member{}}
		if lang == "en" {
			t.Label = in.LabelEN
		}
		for _, e := range es {
			if slices.Contains(e.Interests, in.Code) {
				t.Children++
			}
		}
		for _, m := range team {
			if in.Teaches(m.skills) {
				t.Members = append(t.Members, m.m)
			}
		}
		out = append(out, t)
	}
	return out, nil
}

// Summary is a programme as GET /api/v1/programmes and wanhu programme
// list show it: exactly these fields (scripts outside rely on them).
type Summary struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Enrolled int    `json:"enrolled"`
	Sessions int    `json:"sessions"`
}

// Summaries returns the programmes in scope as Summary.
func (s *Store) Summaries(ctx context.Context) ([]Summary, error) {
	ps, err := s.Programmes(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Summary, len(ps))
	for i, p := range ps {
		out[i] = Summary{ID: p.ID, Name: p.Name, Enrolled: p.Enrolled, Sessions: p.Sessions}
	}
	return out, nil
}
