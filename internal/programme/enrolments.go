package programme

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"wanhu/internal/apperr"
	"wanhu/internal/audit"
	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/store"
)

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

// SetInterests replaces the interests of enrolment eid of programme id,
// a current enrolment of a household the user reaches (apperr.ErrNotFound
// otherwise). The whole set is replaced, so saving the same set twice
// changes nothing.
func (s *Store) SetInterests(ctx context.Context, id, eid int64, interests []string) (*Enrolment, error) {
	audit.Describe(ctx, "programme.interests", fmt.Sprintf("programme:%d", id), fmt.Sprintf("enrolment:%d", eid))
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
	es, err := s.enrolments(ctx, true, "e.id = ?", eid)
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
	return s.enrolments(ctx, false, "e.programme_id = ? AND e.left_on = ''", id)
}

// HouseholdEnrolments returns the programmes the members of household
// hid are enrolled in (for the household file); apperr.ErrNotFound out of
// scope.
func (s *Store) HouseholdEnrolments(ctx context.Context, hid int64) ([]Enrolment, error) {
	if err := s.files.Visible(ctx, hid); err != nil {
		return nil, err
	}
	return s.enrolments(ctx, true, "e.household_id = ?", hid)
}

// HouseholdFile returns what HouseholdEnrolments and HouseholdSignups
// do, for the household file page, whose handler has just read household
// hid through a household store of the same scope: it does not check the
// household's scope again. Both lists keep the scope's condition, so a
// household out of scope lists nothing.
//
// Most households joined nothing: one statement finds whether there is
// anything to list, and only the lists that have rows are read.
// householdFileSQL finds whether household ? (twice) has enrolments and
// sign-ups, through the indexes on household_id of both tables.
const householdFileSQL = `SELECT EXISTS (SELECT 1 FROM programme_enrolments WHERE household_id = ?),
	EXISTS (SELECT 1 FROM activity_signups WHERE household_id = ?)`

func (s *Store) HouseholdFile(ctx context.Context, hid int64) ([]Enrolment, []Signup, error) {
	var enrolled, signed bool
	if err := s.db.QueryRowContext(ctx, householdFileSQL, hid, hid).Scan(&enrolled, &signed); err != nil {
		return nil, nil, err
	}
	return s.HouseholdFileKnown(ctx, hid, enrolled, signed)
}

// HouseholdFileKnown is HouseholdFile for a caller that knows already whether
// household hid has enrolments (enrolled) and sign-ups (signed): it reads
// only those (household.Store.FileBlocks).
func (s *Store) HouseholdFileKnown(ctx context.Context, hid int64, enrolled, signed bool) ([]Enrolment, []Signup, error) {
	es, su := []Enrolment{}, []Signup{}
	var err error
	if enrolled {
		if es, err = s.enrolments(ctx, true, "e.household_id = ?", hid); err != nil {
			return nil, nil, err
		}
	}
	if signed {
		if su, err = s.signups(ctx, true, "su.household_id = ?", hid); err != nil {
			return nil, nil, err
		}
	}
	return es, su, nil
}

func (s *Store) enrolments(ctx context.Context, byRow bool, where string, arg any) ([]Enrolment, error) {
	hcond, hargs := s.householdsWhere(byRow)
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
