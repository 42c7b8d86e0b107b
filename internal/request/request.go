// Package request is resident requests (诉求): the four-order workflow
// (四单制) of issue 5 — a resident's request is submitted (群众点单),
// accepted by the community (社区接单), resolved by the community or a
// department it is referred to (联动解单), and rated in a callback (居民评单).
//
// Every change of a request goes through one state machine (state.go),
// which writes the request, its timeline entry and its notifications
// (internal/notify) in one transaction, with an optimistic version check.
// Deadlines (due.go) follow the working-day calendar (internal/calendar).
package request

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/audit"
	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/store"
)

// maxDescription is the longest description of a request, in characters:
// Open311 GeoReport v2 allows 4,000.
const maxDescription = 4000

// States of a request.
const (
	Submitted = "submitted"
	Accepted  = "accepted"
	Declined  = "declined"
	Merged    = "merged"
	Resolved  = "resolved"
	Closed    = "closed"
)

// Values of the closed lists.
var (
	Channels  = []string{"visit", "grid_group", "hotline", "talk_room", "walk_in", "web", "open311"}
	States    = []string{Submitted, Accepted, Declined, Merged, Resolved, Closed}
	Urgencies = []string{Urgent, General}
	Handlings = []string{Community, Referred}
	Results   = []string{Satisfied, BasicallySatisfied, Dissatisfied}
	// CallbackReasons are why a dissatisfied callback was dissatisfied:
	// slow 慢, not solved 未解决, attitude 态度, wrong department 部门不对,
	// other 其他.
	CallbackReasons = []string{"slow", "not_solved", "attitude", "wrong_department", "other"}
	// CallbackMethods are how a callback is made (R15: by phone or on a
	// visit); "resident" is the resident's own rating on their tracking
	// page.
	CallbackMethods = []string{"phone", "visit", ByResident}
)

// ByResident is the callback method of the resident's own rating.
const ByResident = "resident"

// CallbackWorkingDays is how many working days after a resolution its
// callback is due.
const CallbackWorkingDays = 3

// Urgency, handling and callback results.
const (
	Urgent             = "urgent"
	General            = "general"
	Community          = "community"
	Referred           = "referred"
	Satisfied          = "satisfied"
	BasicallySatisfied = "basically_satisfied"
	Dissatisfied       = "dissatisfied"
)

// Category is what a request is about; its Code is also the Open311
// service_code.
type Category struct {
	Code           string `json:"code"`
	Name           string `json:"name"`
	NameEN         string `json:"name_en"`
	DefaultUrgency string `json:"default_urgency"`
	WorkingDays    int    `json:"working_days"`
}

// Request is a resident request as staff see it. The reporter's phone is
// masked.
type Request struct {
	ID              int64      `json:"id"`
	TrackingCode    string     `json:"tracking_code"`
	Category        string     `json:"category"`
	Description     string     `json:"description"`
	Channel         string     `json:"channel"`
	HouseholdID     int64      `json:"household_id,omitempty"`
	PersonID        int64      `json:"person_id,omitempty"`
	NeedID          int64      `json:"need_id,omitempty"`
	ReporterPhone   string     `json:"reporter_phone,omitempty"`
	Address         string     `json:"address"`
	Lat             *float64   `json:"lat,omitempty"`
	Lng             *float64   `json:"lng,omitempty"`
	GridID          int64      `json:"grid_id,omitempty"`
	State           string     `json:"state"`
	Urgency         string     `json:"urgency"`
	WorkingDays     int        `json:"working_days,omitempty"`
	Handling        string     `json:"handling"`
	DepartmentID    int64      `json:"department_id,omitempty"`
	Department      string     `json:"department,omitempty"`
	AssigneeUserID  int64      `json:"assignee_user_id,omitempty"`
	SubmittedAt     time.Time  `json:"submitted_at"`
	AcceptedAt      *time.Time `json:"accepted_at"`
	DueAt           *time.Time `json:"due_at"`
	DueEstimated    bool       `json:"due_estimated"`
	SecondsLeft     *int64     `json:"seconds_left"` // until due_at; negative when overdue
	Overdue         bool       `json:"overdue"`
	ResolvedAt      *time.Time `json:"resolved_at"`
	ClosedAt        *time.Time `json:"closed_at"`
	MergedInto      int64      `json:"merged_into,omitempty"`
	DeclineReason   string     `json:"decline_reason,omitempty"`
	Resolution      string     `json:"resolution,omitempty"`
	PublicNote      string     `json:"public_note,omitempty"` // the reply to the resident and the public (/r/{code}, Open311)
	Extension       *Extension `json:"extension_requested,omitempty"`
	CallbackResult  string     `json:"callback_result,omitempty"`
	CallbackComment string     `json:"callback_comment,omitempty"`
	CallbackReason  string     `json:"callback_reason,omitempty"` // of a dissatisfied callback, one of CallbackReasons
	CallbackMethod  string     `json:"callback_method,omitempty"` // how the callback was made, one of CallbackMethods
	// CallbackDueAt is when a resolved request is to be called back by
	// (CallbackWorkingDays after its resolution); CallbackOverdue says it
	// is past while the request waits for its callback.
	CallbackDueAt   *time.Time `json:"callback_due_at,omitempty"`
	CallbackOverdue bool       `json:"callback_overdue,omitempty"`
	// ArrivedAt is when someone arrived on site for an urgent request,
	// ArrivedBy who recorded it, ArrivalSeconds how long after the
	// submission.
	ArrivedAt      *time.Time `json:"arrived_at,omitempty"`
	ArrivedBy      string     `json:"arrived_by,omitempty"`
	ArrivalSeconds *int64     `json:"arrival_seconds,omitempty"`
	Version        int        `json:"version"`
	CreatedBy      string     `json:"created_by"`
	Timeline       []Event    `json:"timeline,omitempty"`

	orgPath string
	phone   string // sealed
}

// Extension is a department's pending request for more time.
type Extension struct {
	Days   int    `json:"days"`
	Reason string `json:"reason"`
}

// Event is one entry of a request's timeline.
type Event struct {
	At        time.Time `json:"at"`
	Actor     string    `json:"actor"`
	Kind      string    `json:"kind"`
	FromState string    `json:"from_state,omitempty"`
	ToState   string    `json:"to_state,omitempty"`
	Note      string    `json:"note,omitempty"`
	Data      string    `json:"-"`
}

// Input is a new request.
type Input struct {
	Category    string     `json:"category"`
	Description string     `json:"description"`
	Channel     string     `json:"channel"`
	HouseholdID int64      `json:"household_id"`
	PersonID    int64      `json:"person_id"`
	NeedID      int64      `json:"need_id"` // a need found on a visit, turned into this request
	Phone       string     `json:"reporter_phone"`
	Address     string     `json:"address"`
	Lat         *float64   `json:"lat"`
	Lng         *float64   `json:"lng"`
	GridID      int64      `json:"grid_id"`
	SubmittedAt *time.Time `json:"submitted_at"` // a call received earlier; never in the future

	// OrgPath is where a request with neither household nor grid belongs:
	// the face sets it from the staff member's own org unit.
	OrgPath string `json:"-"`
	// BuildingID is the building a resident chose on the public page; a
	// household's request is at the household's building.
	BuildingID int64 `json:"-"`
}

// Store keeps requests, within a scope: a request out of scope answers
// apperr.ErrNotFound, like one that does not exist.
type Store struct {
	db    *store.DB
	files *household.Store
	scope org.Scope
	now   func() time.Time
	log   *slog.Logger
}

// NewStore returns a Store that sees every request; faces serving users
// call In.
func NewStore(db *store.DB, files *household.Store) *Store {
	return &Store{db: db, files: files, scope: org.Everything, now: time.Now, log: slog.New(slog.DiscardHandler)}
}

// WithLog returns the Store logging to l what an administrator must act
// on: a deadline counted through a year without holiday data.
func (s *Store) WithLog(l *slog.Logger) *Store {
	c := *s
	c.log = l
	return &c
}

// In returns a Store limited to scope; files are the household files as
// the same user sees them (a request's household must be in them).
func (s *Store) In(scope org.Scope, files *household.Store) *Store {
	c := *s
	c.scope, c.files = scope, files
	return &c
}

// SetClock replaces the clock, for tests.
func (s *Store) SetClock(now func() time.Time) { s.now = now }

// Categories returns the active categories in their order.
func Categories(ctx context.Context, q store.Querier) ([]Category, error) {
	rows, err := q.QueryContext(ctx, `SELECT code, name_zh, name_en, default_urgency, working_days FROM request_categories
		WHERE active ORDER BY sort, code`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Category{}
	for rows.Next() {
		var c Category
		if err := rows.Scan(&c.Code, &c.Name, &c.NameEN, &c.DefaultUrgency, &c.WorkingDays); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func category(ctx context.Context, q store.Querier, code string) (*Category, error) {
	cs, err := Categories(ctx, q)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(cs, func(c Category) bool { return c.Code == code })
	if i < 0 {
		codes := make([]string, len(cs))
		for i, c := range cs {
			codes[i] = c.Code
		}
		return nil, apperr.OneOf("category", code, codes)
	}
	return &cs[i], nil
}

// check validates in and fills in what its need or household give.
func (s *Store) check(ctx context.Context, in *Input, now time.Time) (*household.Household, *household.Need, error) {
	in.Description, in.Address = strings.TrimSpace(in.Description), strings.TrimSpace(in.Address)
	var need *household.Need
	if in.NeedID != 0 {
		n, err := s.files.NeedByID(ctx, in.NeedID)
		if err != nil {
			return nil, nil, apperr.Field("need_id", "not_found", "need %d does not exist", in.NeedID)
		}
		if in.HouseholdID != 0 && in.HouseholdID != n.HouseholdID {
			return nil, nil, apperr.Field("household_id", "mismatch", "is not the household of need %d", in.NeedID)
		}
		in.HouseholdID, in.PersonID, need = n.HouseholdID, n.PersonID, n
		if in.Channel == "" {
			in.Channel = "visit"
		}
		if in.Description == "" {
			in.Description = n.Note
		}
	}
	if err := checkInput(in, now); err != nil {
		return nil, nil, err
	}
	if _, err := category(ctx, s.db, in.Category); err != nil {
		return nil, nil, err
	}
	if in.HouseholdID == 0 {
		if in.PersonID != 0 {
			return nil, nil, apperr.Field("person_id", "not_member", "give the person's household_id too")
		}
		return nil, nil, nil
	}
	h, err := s.files.HouseholdByID(ctx, in.HouseholdID)
	if err != nil {
		return nil, nil, apperr.Field("household_id", "not_found", "household %d does not exist", in.HouseholdID)
	}
	if in.PersonID != 0 && !slices.ContainsFunc(h.Members, func(p household.Person) bool { return p.ID == in.PersonID }) {
		return nil, nil, apperr.Field("person_id", "not_member", "person %d is not a member of this household", in.PersonID)
	}
	if in.Address == "" {
		in.Address = h.Address
	}
	if in.Phone == "" {
		if in.Phone, err = s.files.MessagePhone(ctx, h.ID); err != nil {
			return nil, nil, err
		}
	}
	return h, need, nil
}

// checkInput checks the fields of in that need no database.
func checkInput(in *Input, now time.Time) error {
	switch {
	case in.Category == "":
		return required("category")
	case in.Description == "":
		return required("description")
	case len([]rune(in.Description)) > maxDescription:
		return apperr.Field("description", "too_long", "must be at most %d characters", maxDescription)
	case !slices.Contains(Channels, in.Channel):
		return apperr.Field("channel", "one_of", "must be one of %s", strings.Join(Channels, ", "))
	case in.HouseholdID == 0 && in.Address == "":
		return apperr.Field("address", "required", "give household_id or address")
	case len([]rune(in.Address)) > 300:
		return apperr.Field("address", "too_long", "must be at most %d characters", 300)
	case (in.Lat == nil) != (in.Lng == nil) || in.Lat != nil && !(*in.Lat >= -90 && *in.Lat <= 90 && *in.Lng >= -180 && *in.Lng <= 180):
		// Written so that NaN, which no comparison holds for, is refused:
		// stored, it made every JSON answer listing the request fail.
		return apperr.Field("lat", "invalid", "give lat and lng together, in degrees")
	case in.SubmittedAt != nil && in.SubmittedAt.After(now.Add(time.Minute)):
		return apperr.Field("submitted_at", "future", "must not be in the future")
	case in.SubmittedAt != nil && in.SubmittedAt.Before(now.AddDate(-1, 0, 0)):
		return apperr.Field("submitted_at", "too_old", "must be within the last year (a call written down on paper and entered later)")
	}
	for _, f := range [][2]string{{"description", in.Description}, {"address", in.Address}, {"reporter_phone", in.Phone}} {
		if err := apperr.Text(f[0], f[1]); err != nil {
			return err
		}
	}
	if in.Phone != "" {
		if d := len(strings.Map(digit, in.Phone)); d < 7 || d > 15 {
			return apperr.Field("reporter_phone", "invalid", "is not a phone number")
		}
	}
	return nil
}

func digit(r rune) rune {
	if r >= '0' && r <= '9' {
		return r
	}
	return -1
}

// Submit registers a new request (群众点单) in state submitted, with its
// timeline entry and notifications in the same transaction.
func (s *Store) Submit(ctx context.Context, actor household.Actor, in Input) (*Request, error) {
	id, err := s.submit(ctx, actor, in)
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, id)
}

// submit is Submit without reading the request back, so it runs in a
// transaction joined to ctx (see SubmitAccepted).
func (s *Store) submit(ctx context.Context, actor household.Actor, in Input) (int64, error) {
	now := s.now().UTC()
	audit.Describe(ctx, "request.submit", "request", in.Channel)
	h, need, err := s.check(ctx, &in, now)
	if err != nil {
		return 0, err
	}
	at := now
	if in.SubmittedAt != nil {
		at = in.SubmittedAt.UTC()
	}
	gridID, path, building := in.GridID, in.OrgPath, in.BuildingID
	if h != nil {
		gridID, building = h.GridID, h.BuildingID
	}
	if gridID != 0 {
		if ok, err := s.files.GridVisible(ctx, gridID); err != nil || !ok {
			return 0, errors.Join(err, apperr.Field("grid_id", "not_found", "grid %d does not exist", gridID))
		}
		if err := s.db.QueryRowContext(ctx, `SELECT path FROM org_units WHERE id = ? AND kind = 'grid'`, gridID).Scan(&path); err != nil {
			return 0, apperr.Field("grid_id", "not_found", "grid %d does not exist", gridID)
		}
	}
	if path == "" {
		return 0, apperr.Field("grid_id", "required", "give household_id or grid_id")
	}
	var id int64
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		sealed, _, err := household.SealPhone(tx.Keys(), in.Phone)
		if err != nil {
			return err
		}
		code, err := trackingCode()
		if err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO requests(tracking_code, category, description, channel, household_id, person_id,
			need_id, reporter_phone, address, lat, lng, grid_id, org_path, state, submitted_at, created_by, created_by_name, created_at, updated_at,
			building_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			code, in.Category, in.Description, in.Channel, nullID(in.HouseholdID), nullID(in.PersonID), nullID(in.NeedID), sealed,
			in.Address, in.Lat, in.Lng, nullID(gridID), path, Submitted, at, nullID(actor.ID), actor.Name, now, now, nullID(building)).Scan(&id); err != nil {
			return fmt.Errorf("insert request: %w", err)
		}
		r, err := load(ctx, tx, id)
		if err != nil {
			return err
		}
		if need != nil && need.Status == "open" {
			if _, err := s.files.UpdateNeed(store.WithTx(ctx, tx), actor, need.ID, "in_progress", need.Note); err != nil {
				return err
			}
		}
		return record(ctx, tx, actor, r, "submitted", "", Submitted, in.Description, nil, now)
	})
	if err != nil {
		return 0, err
	}
	audit.Describe(ctx, "request.submit", fmt.Sprintf("request:%d", id), in.Channel)
	return id, nil
}

// codeAlphabet is the alphabet of tracking codes: 32 characters without
// look-alikes (no 0, 1, I, O), so a byte modulo 32 is uniform and 10 of
// them make 50 random bits, beyond guessing.
const codeAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

// trackingCode is a resident's handle on a request: 10 characters from
// codeAlphabet.
func trackingCode() (string, error) {
	const alphabet = codeAlphabet
	b := make([]byte, 10)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b), nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// Get returns request id with its timeline, if it is in scope.
func (s *Store) Get(ctx context.Context, id int64) (*Request, error) {
	r, err := s.visible(ctx, s.db, id)
	if err != nil {
		return nil, err
	}
	if r.Timeline, err = timeline(ctx, s.db, id); err != nil {
		return nil, err
	}
	return r, nil
}

// visible returns request id unless it is out of scope or not there.
func (s *Store) visible(ctx context.Context, q store.Querier, id int64) (*Request, error) {
	cond, args := Where(s.scope)
	rs, err := list(ctx, q, `WHERE r.id = ? AND `+cond, append([]any{id}, args...), s.now())
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, apperr.ErrNotFound
	}
	return &rs[0], nil
}

// load returns request id whatever the scope.
func load(ctx context.Context, q store.Querier, id int64) (*Request, error) {
	rs, err := list(ctx, q, `WHERE r.id = ?`, []any{id}, time.Now())
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, apperr.ErrNotFound
	}
	return &rs[0], nil
}

// Filter selects requests for List.
type Filter struct {
	State        string
	GridID       int64
	DepartmentID int64
	Category     string
	Open         bool // submitted, accepted or resolved: not yet closed
	Overdue      bool
	Page         int
	PerPage      int
}

// List returns the requests in scope that f selects, the soonest due
// first, and their total.
func (s *Store) List(ctx context.Context, f Filter) ([]Request, int, error) {
	cond, args := Where(s.scope)
	where := []string{cond}
	if f.State != "" {
		where, args = append(where, "r.state = ?"), append(args, f.State)
	}
	if f.GridID != 0 {
		where, args = append(where, "r.grid_id = ?"), append(args, f.GridID)
	}
	if f.DepartmentID != 0 {
		where, args = append(where, "r.department_id = ?"), append(args, f.DepartmentID)
	}
	if f.Category != "" {
		where, args = append(where, "r.category = ?"), append(args, f.Category)
	}
	if f.Open {
		where, args = append(where, "r.state IN (?, ?, ?)"), append(args, Submitted, Accepted, Resolved)
	}
	if f.Overdue {
		where, args = append(where, "r.state = ? AND r.due_at < ?"), append(args, Accepted, s.now().UTC())
	}
	w := "WHERE " + strings.Join(where, " AND ")
	var total int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM requests r `+w, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	if f.PerPage < 1 {
		f.PerPage = 50
	}
	f.Page = max(f.Page, 1)
	rs, err := list(ctx, s.db, w+` ORDER BY CASE WHEN r.due_at IS NULL THEN 1 ELSE 0 END, r.due_at, r.submitted_at, r.id LIMIT ? OFFSET ?`,
		append(args, f.PerPage, (f.Page-1)*f.PerPage), s.now())
	return rs, total, err
}

func list(ctx context.Context, q store.Querier, where string, args []any, now time.Time) ([]Request, error) {
	rows, err := q.QueryContext(ctx, `SELECT r.id, r.tracking_code, r.category, r.description, r.channel, COALESCE(r.household_id, 0),
		COALESCE(r.person_id, 0), COALESCE(r.need_id, 0), r.reporter_phone, r.address, r.lat, r.lng, COALESCE(r.grid_id, 0), r.org_path,
		r.state, r.urgency, r.working_days, r.handling, COALESCE(r.department_id, 0), COALESCE(d.name, ''), COALESCE(r.assignee_user_id, 0),
		r.submitted_at, r.accepted_at, r.due_at, r.due_estimated, r.resolved_at, r.closed_at, COALESCE(r.merged_into, 0), r.decline_reason,
		r.resolution, r.extension_days, r.extension_reason, r.callback_result, r.callback_comment, r.callback_reason, r.version, r.created_by_name,
		r.public_note, r.callback_method, r.callback_due_at, r.arrived_at, r.arrived_by
		FROM requests r LEFT JOIN org_units d ON d.id = r.department_id `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Request{}
	for rows.Next() {
		var r Request
		var ext Extension
		if err := rows.Scan(&r.ID, &r.TrackingCode, &r.Category, &r.Description, &r.Channel, &r.HouseholdID, &r.PersonID, &r.NeedID,
			&r.phone, &r.Address, &r.Lat, &r.Lng, &r.GridID, &r.orgPath, &r.State, &r.Urgency, &r.WorkingDays, &r.Handling,
			&r.DepartmentID, &r.Department, &r.AssigneeUserID, &r.SubmittedAt, &r.AcceptedAt, &r.DueAt, &r.DueEstimated, &r.ResolvedAt,
			&r.ClosedAt, &r.MergedInto, &r.DeclineReason, &r.Resolution, &ext.Days, &ext.Reason, &r.CallbackResult, &r.CallbackComment, &r.CallbackReason,
			&r.Version, &r.CreatedBy, &r.PublicNote, &r.CallbackMethod, &r.CallbackDueAt,
			&r.ArrivedAt, &r.ArrivedBy); err != nil {
			return nil, err
		}
		if ext.Days > 0 {
			r.Extension = &ext
		}
		if r.ReporterPhone, err = household.MaskedPhone(store.KeysOf(q), r.phone); err != nil {
			return nil, fmt.Errorf("request %d: reporter_phone: %w", r.ID, err)
		}
		r.shown(now)
		out = append(out, r)
	}
	return out, rows.Err()
}

// shown puts the request's instants in China time and computes the time
// left.
func (r *Request) shown(now time.Time) {
	if r.ArrivedAt != nil {
		secs := int64(r.ArrivedAt.Sub(r.SubmittedAt) / time.Second)
		r.ArrivalSeconds = &secs
	}
	r.SubmittedAt = r.SubmittedAt.In(calendar.China)
	for _, t := range []**time.Time{&r.AcceptedAt, &r.DueAt, &r.ResolvedAt, &r.ClosedAt, &r.CallbackDueAt, &r.ArrivedAt} {
		if *t != nil {
			v := (*t).In(calendar.China)
			*t = &v
		}
	}
	if r.DueAt != nil && r.State == Accepted {
		left := int64(r.DueAt.Sub(now) / time.Second)
		r.SecondsLeft, r.Overdue = &left, left < 0
	}
	r.CallbackOverdue = r.State == Resolved && r.CallbackDueAt != nil && now.After(*r.CallbackDueAt)
}

func timeline(ctx context.Context, q store.Querier, id int64) ([]Event, error) {
	rows, err := q.QueryContext(ctx, `SELECT at, actor, kind, from_state, to_state, note, data FROM request_events
		WHERE request_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Event{}
	for rows.Next() {
		var e Event
		if err := rows.Scan(&e.At, &e.Actor, &e.Kind, &e.FromState, &e.ToState, &e.Note, &e.Data); err != nil {
			return nil, err
		}
		e.At = e.At.In(calendar.China)
		out = append(out, e)
	}
	return out, rows.Err()
}
