package programme

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/audit"
	"wanhu/internal/household"
	"wanhu/internal/store"
)

// Sign-up channels: the contact card's QR page (the resident, no
// account) or staff on the phone.
const (
	ViaQR    = "qr"
	ViaStaff = "staff"
)

// signupLock is the PostgreSQL advisory lock sign-ups take turns on, so
// two sign-ups cannot both take an activity's last place.
const signupLock = 0x57616e6876

// Activity is a one-off event of a community. SignedUp counts the people
// signed up (all households), Households the households; Attended the
// people who came.
type Activity struct {
	ID           int64     `json:"id"`
	CommunityID  int64     `json:"community_id"`
	Community    string    `json:"community"`
	Title        string    `json:"title"`
	Kind         string    `json:"kind"`
	Description  string    `json:"description"`
	StartsAt     time.Time `json:"starts_at"`
	EndsAt       time.Time `json:"ends_at"`
	Place        string    `json:"place"`
	Capacity     int       `json:"capacity"`
	PerHousehold int       `json:"per_household"`
	Open         bool      `json:"signup_open"`
	SignedUp     int       `json:"signed_up"`
	Households   int       `json:"households"`
	Attended     int       `json:"attended"`
	Staff        []Member  `json:"staff"`
	Version      int       `json:"version"`

	path string
}

// Free returns the places left (-1: no limit).
func (a *Activity) Free() int {
	if a.Capacity == 0 {
		return -1
	}
	return max(a.Capacity-a.SignedUp, 0)
}

// ActivityInput is a new activity or the new values of one, with the
// Version the user saw. Open is the sign-up open (default true for a new
// one).
type ActivityInput struct {
	CommunityID  int64     `json:"community_id"`
	Title        string    `json:"title"`
	Kind         string    `json:"kind"`
	Description  string    `json:"description"`
	StartsAt     time.Time `json:"starts_at"`
	EndsAt       time.Time `json:"ends_at"`
	Place        string    `json:"place"`
	Capacity     int       `json:"capacity"`
	PerHousehold int       `json:"per_household"`
	Open         *bool     `json:"signup_open"`
	StaffIDs     []int64   `json:"staff_ids"`
	Version      int       `json:"version"`
	Home         string    `json:"-"`
}

func (in *ActivityInput) check() error {
	if err := text("title", &in.Title, 100, true); err != nil {
		return err
	}
	if err := text("description", &in.Description, 2000, false); err != nil {
		return err
	}
	if err := text("place", &in.Place, 100, false); err != nil {
		return err
	}
	if in.Kind == "" {
		in.Kind = "other"
	}
	if !slices.Contains(ActivityKinds, in.Kind) {
		return apperr.Field("kind", "one_of", "must be one of %s", strings.Join(ActivityKinds, ", "))
	}
	if err := checkSpan(in.StartsAt, in.EndsAt); err != nil {
		return err
	}
	if in.Capacity < 0 || in.Capacity > 100000 {
		return apperr.Field("capacity", "range", "must be from 0 (no limit) to 100000")
	}
	if in.PerHousehold == 0 {
		in.PerHousehold = 2
	}
	if in.PerHousehold < 1 || in.PerHousehold > 10 {
		return apperr.Field("per_household", "range", "must be from 1 to 10")
	}
	return nil
}

// CreateActivity creates an activity of a community the user reaches,
// its sign-up open unless Open says otherwise.
func (s *Store) CreateActivity(ctx context.Context, actor household.Actor, in ActivityInput) (*Activity, error) {
	audit.Describe(ctx, "activity.create", "activity", "")
	if err := in.check(); err != nil {
		return nil, err
	}
	c, err := s.community(ctx, in.CommunityID, in.Home)
	if err != nil {
		return nil, err
	}
	staff, err := checkMembers(ctx, s.db, "staff_ids", c.ID, in.StaffIDs)
	if err != nil {
		return nil, err
	}
	open := in.Open == nil || *in.Open
	now := s.now().UTC()
	var id int64
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO activities(community_id, org_path, title, kind, description, starts_at, ends_at, place,
			capacity, per_household, signup_open, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			c.ID, c.Path, in.Title, in.Kind, in.Description, in.StartsAt.UTC(), in.EndsAt.UTC(), in.Place, in.Capacity, in.PerHousehold, open,
			nullID(actor.ID), now, now).Scan(&id); err != nil {
			return fmt.Errorf("insert activity: %w", err)
		}
		return setStaff(ctx, tx, "activity_staff", "activity_id", id, staff)
	})
	if err != nil {
		return nil, err
	}
	audit.Describe(ctx, "activity.create", fmt.Sprintf("activity:%d", id), "")
	return s.Activity(ctx, id)
}

// UpdateActivity saves an activity if it is still at in.Version
// (apperr.ErrConflict otherwise): its title, times, place, limits, staff
// and whether sign-up is open. The capacity may not fall below the
// people signed up.
func (s *Store) UpdateActivity(ctx context.Context, id int64, in ActivityInput) (*Activity, error) {
	audit.Describe(ctx, "activity.update", fmt.Sprintf("activity:%d", id), "")
	a, err := s.Activity(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := in.check(); err != nil {
		return nil, err
	}
	if in.Capacity > 0 && in.Capacity < a.SignedUp {
		return nil, apperr.Field("capacity", "below_signed_up", "must not be below the %d people signed up", a.SignedUp)
	}
	staff, err := checkMembers(ctx, s.db, "staff_ids", a.CommunityID, in.StaffIDs)
	if err != nil {
		return nil, err
	}
	open := a.Open
	if in.Open != nil {
		open = *in.Open
	}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE activities SET title = ?, kind = ?, description = ?, starts_at = ?, ends_at = ?, place = ?,
			capacity = ?, per_household = ?, signup_open = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
			in.Title, in.Kind, in.Description, in.StartsAt.UTC(), in.EndsAt.UTC(), in.Place, in.Capacity, in.PerHousehold, open,
			s.now().UTC(), id, in.Version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return store.Stale(ctx, tx, "activities", id)
		}
		return setStaff(ctx, tx, "activity_staff", "activity_id", id, staff)
	})
	if err != nil {
		return nil, err
	}
	return s.Activity(ctx, id)
}

// ActivityFilter selects activities: Upcoming those not ended yet, Open
// those whose sign-up is open.
type ActivityFilter struct {
	CommunityID    int64
	Upcoming, Open bool
}

// Activities returns the activities the user reaches, the latest first
// (the soonest first when Upcoming).
func (s *Store) Activities(ctx context.Context, f ActivityFilter) ([]Activity, error) {
	return s.activities(ctx, f, 0)
}

// activities returns the activities in scope that f selects, only activity
// id when id is not 0.
func (s *Store) activities(ctx context.Context, f ActivityFilter, id int64) ([]Activity, error) {
	cond, args, err := s.communityWhere(ctx, "a")
	if err != nil {
		return nil, err
	}
	if id != 0 {
		cond, args = "a.id = ? AND "+cond, append([]any{id}, args...)
	}
	order := "a.starts_at DESC, a.id DESC"
	if f.CommunityID != 0 {
		cond, args = cond+" AND a.community_id = ?", append(args, f.CommunityID)
	}
	if f.Upcoming {
		cond, args, order = cond+" AND a.ends_at > ?", append(args, s.now().UTC()), "a.starts_at, a.id"
	}
	if f.Open {
		cond += " AND a.signup_open"
	}
	rows, err := s.db.QueryContext(ctx, `SELECT a.id, a.community_id, c.name, a.title, a.kind, a.description, a.starts_at, a.ends_at, a.place,
		a.capacity, a.per_household, a.signup_open, a.version, a.org_path,
		(SELECT COALESCE(SUM(people), 0) FROM activity_signups su WHERE su.activity_id = a.id),
		(SELECT COUNT(*) FROM activity_signups su WHERE su.activity_id = a.id),
		(SELECT COALESCE(SUM(attended), 0) FROM activity_signups su WHERE su.activity_id = a.id)
		FROM activities a JOIN org_units c ON c.id = a.community_id WHERE `+cond+` ORDER BY `+order, args...)
	if err != nil {
		return nil, err
	}
	out := []Activity{}
	for rows.Next() {
		var a Activity
		if err := rows.Scan(&a.ID, &a.CommunityID, &a.Community, &a.Title, &a.Kind, &a.Description, &a.StartsAt, &a.EndsAt, &a.Place,
			&a.Capacity, &a.PerHousehold, &a.Open, &a.Version, &a.path, &a.SignedUp, &a.Households, &a.Attended); err != nil {
			rows.Close()
			return nil, err
		}
		a.StartsAt, a.EndsAt = a.StartsAt.UTC(), a.EndsAt.UTC()
		out = append(out, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Staff, err = members(ctx, s.db, `SELECT m.id, m.name, m.role FROM activity_staff st JOIN team_members m ON m.id = st.team_member_id
			WHERE st.activity_id = ? ORDER BY m.id`, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Activity returns one activity in scope.
func (s *Store) Activity(ctx context.Context, id int64) (*Activity, error) {
	as, err := s.activities(ctx, ActivityFilter{}, id)
	if err != nil {
		return nil, err
	}
	if len(as) == 0 {
		return nil, apperr.ErrNotFound
	}
	return &as[0], nil
}

// ActivityInScope answers apperr.ErrNotFound for an activity out of scope.
func (s *Store) ActivityInScope(ctx context.Context, id int64) error {
	_, err := s.Activity(ctx, id)
	return err
}

// Signup is a household's sign-up for an activity: how many people, by
// which channel, how many came. Phone is never shown.
type Signup struct {
	ID          int64     `json:"id"`
	ActivityID  int64     `json:"activity_id"`
	Activity    string    `json:"activity"`
	StartsAt    time.Time `json:"starts_at"`
	HouseholdID int64     `json:"household_id"`
	Address     string    `json:"address"`
	GridID      int64     `json:"grid_id"`
	Grid        string    `json:"grid"`
	People      int       `json:"people"`
	Via         string    `json:"via"`
	Attended    int       `json:"attended"`
	CreatedAt   time.Time `json:"created_at"`
}

// SignupInput signs a household up. Via and ClientAddr are set by the
// face (ViaQR for the public page, ViaStaff otherwise).
type SignupInput struct {
	HouseholdID int64  `json:"household_id"`
	People      int    `json:"people"`
	Phone       string `json:"phone"`
	Via         string `json:"-"`
	ClientAddr  string `json:"-"`
}

// SignUp signs household in.HouseholdID up for activity id, or changes
// the number of people of its sign-up: the sign-up must be open and the
// activity not started, People from 1 to the activity's per-household
// limit, within the capacity. A public sign-up (ViaQR) comes from the
// household's contact card (no account; the store sees everything) and
// is rate-limited: PerClientHour households per client address in an
// hour (ErrTooMany).
func (s *Store) SignUp(ctx context.Context, actor household.Actor, id int64, in SignupInput) (*Signup, error) {
	audit.Describe(ctx, "activity.signup", fmt.Sprintf("activity:%d", id), "")
	if in.Via != ViaQR && in.Via != ViaStaff {
		return nil, fmt.Errorf("sign up: unknown channel %q", in.Via)
	}
	a, err := s.Activity(ctx, id)
	if err != nil {
		return nil, err
	}
	h, err := s.files.HouseholdByID(ctx, in.HouseholdID)
	if err != nil {
		return nil, apperr.Field("household_id", "not_found", "household %d does not exist", in.HouseholdID)
	}
	var gridPath string
	if err := s.db.QueryRowContext(ctx, `SELECT path FROM org_units WHERE id = ?`, h.GridID).Scan(&gridPath); err != nil {
		return nil, err
	}
	if !strings.HasPrefix(gridPath, a.path) {
		return nil, apperr.Field("household_id", "other_community", "the household lives outside the activity's community")
	}
	now := s.now().UTC()
	switch {
	case !a.Open:
		return nil, apperr.Field("activity_id", "closed", "sign-up is closed")
	case !a.StartsAt.After(now):
		return nil, apperr.Field("activity_id", "started", "the activity has started")
	case in.People < 1 || in.People > a.PerHousehold:
		return nil, apperr.Field("people", "per_household", "must be from 1 to %d per household", a.PerHousehold)
	}
	phone, err := checkPhone(in.Phone)
	if err != nil {
		return nil, err
	}
	var sid int64
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		if tx.Dialect() == store.Postgres {
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, signupLock); err != nil {
				return err
			}
		}
		client := store.KeysOf(tx).Hash("client_addr", in.ClientAddr)
		if in.Via == ViaQR && client != "" {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM activity_signups WHERE client_hash = ? AND updated_at > ? AND household_id <> ?`,
				client, now.Add(-time.Hour), h.ID).Scan(&n); err != nil {
				return err
			}
			if n >= s.PerClientHour {
				return ErrTooMany
			}
		}
		var taken, old int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(people), 0), COALESCE(SUM(CASE WHEN household_id = ? THEN people ELSE 0 END), 0)
			FROM activity_signups WHERE activity_id = ?`, h.ID, id).Scan(&taken, &old); err != nil {
			return err
		}
		if a.Capacity > 0 && taken-old+in.People > a.Capacity {
			return apperr.Field("people", "full", "only %d places are left", max(a.Capacity-taken+old, 0))
		}
		sealed := ""
		if phone != "" {
			var err error
			if sealed, _, err = household.SealPhone(tx.Keys(), phone); err != nil {
				return err
			}
		}
		err := tx.QueryRowContext(ctx, `SELECT id FROM activity_signups WHERE activity_id = ? AND household_id = ?`, id, h.ID).Scan(&sid)
		switch {
		case err == nil:
			_, err = tx.ExecContext(ctx, `UPDATE activity_signups SET people = ?, phone = CASE WHEN ? = '' THEN phone ELSE ? END, via = ?,
				client_hash = ?, updated_at = ? WHERE id = ?`, in.People, sealed, sealed, in.Via, client, now, sid)
			return err
		case !noRows(err):
			return err
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO activity_signups(activity_id, household_id, grid_id, people, phone, via, client_hash,
			created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			id, h.ID, h.GridID, in.People, sealed, in.Via, client, now, now).Scan(&sid)
		if store.IsUniqueViolation(err) {
			return apperr.ErrConflict
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.signup(ctx, id, sid)
}

// checkPhone returns the phone a resident left without its spaces and
// dashes: 7 to 15 digits, or empty.
func checkPhone(phone string) (string, error) {
	var b strings.Builder
	digits := 0
	for i, r := range strings.TrimSpace(phone) {
		switch {
		case r >= '0' && r <= '9':
			digits++
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == ' ' || r == '-':
		default:
			return "", apperr.Field("phone", "format", "must be a phone number")
		}
	}
	if b.Len() > 0 && (digits < 7 || digits > 15) {
		return "", apperr.Field("phone", "format", "must be a phone number")
	}
	return b.String(), nil
}

// HouseholdSignup returns the sign-up of household hid for activity id,
// nil if none (for the public page, whose store sees everything).
func (s *Store) HouseholdSignup(ctx context.Context, id, hid int64) (*Signup, error) {
	ss, err := s.Signups(ctx, id)
	if err != nil {
		return nil, err
	}
	for i := range ss {
		if ss[i].HouseholdID == hid {
			return &ss[i], nil
		}
	}
	return nil, nil
}

func (s *Store) signup(ctx context.Context, id, sid int64) (*Signup, error) {
	ss, err := s.Signups(ctx, id)
	if err != nil {
		return nil, err
	}
	for i := range ss {
		if ss[i].ID == sid {
			return &ss[i], nil
		}
	}
	return nil, apperr.ErrNotFound
}

// Signups returns the sign-ups of activity id of the households the user
// reaches, by grid and address: the list on the day.
func (s *Store) Signups(ctx context.Context, id int64) ([]Signup, error) {
	if err := s.ActivityInScope(ctx, id); err != nil {
		return nil, err
	}
	return s.signups(ctx, false, "su.activity_id = ?", id)
}

// signupsSQL is the statement of signups: the sign-ups where where and
// their households' hcond hold.
func signupsSQL(where, hcond string) string {
	return `SELECT su.id, su.activity_id, a.title, a.starts_at, su.household_id, h.address, su.grid_id, g.name, su.people, su.via,
		su.attended, su.created_at FROM activity_signups su JOIN activities a ON a.id = su.activity_id JOIN households h ON h.id = su.household_id JOIN org_units g ON g.id = su.grid_id
		WHERE ` + where + ` AND ` + hcond + ` ORDER BY su.grid_id, h.address, su.id`
}

func (s *Store) signups(ctx context.Context, byRow bool, where string, arg any) ([]Signup, error) {
	hcond, hargs := s.householdsWhere(byRow)
	rows, err := s.db.QueryContext(ctx, signupsSQL(where, hcond), append([]any{arg}, hargs...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Signup{}
	for rows.Next() {
		var x Signup
		if err := rows.Scan(&x.ID, &x.ActivityID, &x.Activity, &x.StartsAt, &x.HouseholdID, &x.Address, &x.GridID, &x.Grid, &x.People, &x.Via, &x.Attended, &x.CreatedAt); err != nil {
			return nil, err
		}
		x.CreatedAt, x.StartsAt = x.CreatedAt.UTC(), x.StartsAt.UTC()
		out = append(out, x)
	}
	return out, rows.Err()
}

// MarkAttended records how many people of sign-up sid of activity id
// came (0 to the people signed up); the first time anyone came, the
// household's ledger records it (joined_programme) in the same
// transaction.
func (s *Store) MarkAttended(ctx context.Context, actor household.Actor, id, sid int64, people int) (*Signup, error) {
	audit.Describe(ctx, "activity.attendance", fmt.Sprintf("activity:%d", id), "")
	a, err := s.Activity(ctx, id)
	if err != nil {
		return nil, err
	}
	su, err := s.signup(ctx, id, sid)
	if err != nil {
		return nil, err
	}
	if people < 0 || people > su.People {
		return nil, apperr.Field("attended", "range", "must be from 0 to %d", su.People)
	}
	now := s.now().UTC()
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		var before int
		if err := tx.QueryRowContext(ctx, `SELECT attended FROM activity_signups WHERE id = ?`, sid).Scan(&before); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE activity_signups SET attended = ?, updated_at = ? WHERE id = ?`, people, now, sid); err != nil {
			return err
		}
		if before == 0 && people > 0 {
			return household.RecordJoined(ctx, tx, actor, su.HouseholdID, 0, a.Title, now)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.signup(ctx, id, sid)
}

// HouseholdSignups returns the sign-ups of household hid (for its file).
func (s *Store) HouseholdSignups(ctx context.Context, hid int64) ([]Signup, error) {
	if err := s.files.Visible(ctx, hid); err != nil {
		return nil, err
	}
	return s.signups(ctx, true, "su.household_id = ?", hid)
}
