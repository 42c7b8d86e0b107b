// Package round is safety rounds (安全排查, 白+黑, 5+2, issue 16): a
// checklist walked in a grid on a weekday evening or at a weekend, or at
// one shop for its fire-safety check. A failed item becomes a request of
// internal/request, accepted at once with the item's urgency, so its
// deadline runs and the staff on duty see it; the failed items are the
// hazards, listed by compound and building and drawn on a plan of the
// compound (plan.go).
package round

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/visit"
)

// States of a round.
const (
	Scheduled = "scheduled"
	Started   = "started"
	Done      = "done"
)

// States lists the states in order.
var States = []string{Scheduled, Started, Done}

// Round is a safety round and, once done, its results.
type Round struct {
	ID               int64      `json:"id"`
	Template         string     `json:"template"`
	TemplateName     string     `json:"template_name"`
	GridID           int64      `json:"grid_id"`
	GridName         string     `json:"grid_name"`
	HouseholdID      int64      `json:"household_id,omitempty"`
	Shop             string     `json:"shop,omitempty"`
	State            string     `json:"state"`
	ScheduledFor     *time.Time `json:"scheduled_for"`
	AssigneeMemberID int64      `json:"assignee_member_id,omitempty"`
	Assignee         string     `json:"assignee,omitempty"`
	StartedAt        *time.Time `json:"started_at"`
	DoneAt           *time.Time `json:"done_at"`
	DoneBy           string     `json:"done_by,omitempty"`
	Failed           int        `json:"failed"`
	Lat              *float64   `json:"lat,omitempty"`
	Lng              *float64   `json:"lng,omitempty"`
	CreatedBy        string     `json:"created_by"`
	Version          int        `json:"version"`
	Results          []Result   `json:"results"`
	// Requests are the ids of the requests the failed items made.
	Requests []int64 `json:"requests"`
	// Photos are the ids of the round's photos.
	Photos []int64 `json:"photos"`
}

// Result is one item checked on a round.
type Result struct {
	Item       string `json:"item"`
	Name       string `json:"name"`
	OK         bool   `json:"ok"`
	Note       string `json:"note,omitempty"`
	BuildingID int64  `json:"building_id,omitempty"`
	Building   string `json:"building,omitempty"`
	RequestID  int64  `json:"request_id,omitempty"`
}

// Store keeps rounds within a scope: a round out of scope answers
// apperr.ErrNotFound, like one that does not exist.
type Store struct {
	db     *store.DB
	scope  org.Scope
	now    func() time.Time
	photos *visit.PhotoSlots // limit the photos decoded at once (nil: no limit)
}

// NewStore returns a Store that sees every round; faces call In.
func NewStore(db *store.DB) *Store {
	return &Store{db: db, scope: org.Everything, now: time.Now}
}

// In returns the Store limited to scope.
func (s *Store) In(scope org.Scope) *Store {
	c := *s
	c.scope = scope
	return &c
}

// WithPhotoSlots returns the Store decoding photos in slots.
func (s *Store) WithPhotoSlots(slots *visit.PhotoSlots) *Store {
	c := *s
	c.photos = slots
	return &c
}

// WithClock returns the Store reading the time from now.
func (s *Store) WithClock(now func() time.Time) *Store {
	c := *s
	c.now = now
	return &c
}

// Where returns scope sc as an SQL condition on the rounds alias r: the
// rounds of the grids under its paths and among its grids, and for a
// visitor those of their own grid and those assigned to them.
func Where(sc org.Scope) (string, []any) {
	if sc.All {
		return "1 = 1", nil
	}
	var or []string
	var args []any
	for _, p := range sc.Paths {
		or, args = append(or, "r.org_path LIKE ?"), append(args, p+"%")
	}
	for _, id := range sc.GridIDs {
		or, args = append(or, "r.grid_id = ?"), append(args, id)
	}
	if sc.MemberID != 0 {
		or = append(or, "r.grid_id IN (SELECT grid_id FROM team_members WHERE id = ? AND grid_id IS NOT NULL)", "r.assignee_member_id = ?")
		args = append(args, sc.MemberID, sc.MemberID)
	}
	if len(or) == 0 {
		return "1 = 0", nil
	}
	return "(" + strings.Join(or, " OR ") + ")", args
}

// gridIn reports whether grid id is one the scope may walk rounds in.
func (s *Store) gridIn(ctx context.Context, id int64) (org.Unit, error) {
	u, err := org.UnitByID(ctx, s.db, id)
	if errors.Is(err, apperr.ErrNotFound) || err == nil && (u.Kind != org.GridKind || u.RetiredAt != nil) {
		return u, apperr.Field("grid_id", "not_found", "grid %d does not exist", id)
	}
	if err != nil {
		return u, err
	}
	if ok, err := s.reaches(ctx, id, u.Path); err != nil || !ok {
		return u, errors.Join(err, apperr.Field("grid_id", "not_found", "grid %d does not exist", id))
	}
	return u, nil
}

// reaches reports whether the scope walks rounds in grid id at path: an
// administrator's subtree, a grid leader's grids, a visitor's own grid.
func (s *Store) reaches(ctx context.Context, id int64, path string) (bool, error) {
	sc := s.scope
	if sc.All || slices.Contains(sc.GridIDs, id) || slices.ContainsFunc(sc.Paths, func(p string) bool { return strings.HasPrefix(path, p) }) {
		return true, nil
	}
	if sc.MemberID == 0 {
		return false, nil
	}
	var one int
	err := s.db.QueryRowContext(ctx, `SELECT 1 FROM team_members WHERE id = ? AND grid_id = ?`, sc.MemberID, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// Start is a round to begin or to schedule.
type Start struct {
	Template    string `json:"template"`
	GridID      int64  `json:"grid_id"`
	HouseholdID int64  `json:"household_id"` // the shop of a shop check
	// ScheduledFor, when set, schedules the round instead of starting it:
	// an evening round on a weekday from 17:00 or at a weekend (5+2).
	ScheduledFor     *time.Time `json:"scheduled_for"`
	AssigneeMemberID int64      `json:"assignee_member_id"`
}

// Begin starts a round now, or schedules it when in.ScheduledFor is set;
// it returns the round.
func (s *Store) Begin(ctx context.Context, actor household.Actor, in Start) (*Round, error) {
	now := s.now().UTC()
	t, ok := TemplateByCode(in.Template)
	if !ok {
		return nil, apperr.OneOf("template", in.Template, templateCodes())
	}
	if t.Shop {
		if in.HouseholdID == 0 {
			return nil, apperr.Field("household_id", "required", "a shop check is at one shop")
		}
		h, err := household.NewStore(s.db).HouseholdByID(ctx, in.HouseholdID)
		if err != nil || h.Kind == household.Residential {
			return nil, apperr.Field("household_id", "not_shop", "household %d is not a shop", in.HouseholdID)
		}
		if in.GridID != 0 && in.GridID != h.GridID {
			return nil, apperr.Field("grid_id", "mismatch", "is not the grid of household %d", in.HouseholdID)
		}
		in.GridID = h.GridID
	} else if in.HouseholdID != 0 {
		return nil, apperr.Field("household_id", "not_shop_round", "only a shop check is at a household")
	}
	if in.GridID == 0 {
		return nil, apperr.Field("grid_id", "required", "is required")
	}
	g, err := s.gridIn(ctx, in.GridID)
	if err != nil {
		if t.Shop {
			return nil, apperr.Field("household_id", "not_shop", "household %d is not a shop", in.HouseholdID)
		}
		return nil, err
	}
	state, started := Started, &now
	if in.ScheduledFor != nil {
		if err := checkWhen(t, *in.ScheduledFor, now); err != nil {
			return nil, err
		}
		state, started = Scheduled, nil
		v := in.ScheduledFor.UTC()
		in.ScheduledFor = &v
	}
	if in.AssigneeMemberID != 0 {
		if err := org.CheckVisitor(ctx, s.db, in.GridID, in.AssigneeMemberID, "assignee_member_id"); err != nil {
			return nil, err
		}
	}
	var id int64
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO rounds(template, grid_id, org_path, household_id, state, scheduled_for,
			assignee_member_id, started_at, created_by_name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			t.Code, in.GridID, g.Path, nullID(in.HouseholdID), state, in.ScheduledFor, nullID(in.AssigneeMemberID), started,
			actor.Name, now).Scan(&id)
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, id)
}

// checkWhen checks a round's time: not in the past, and an evening round
// on a weekday evening (from 17:00, China time) or at a weekend.
func checkWhen(t Template, at, now time.Time) error {
	if at.Before(now.Add(-time.Hour)) {
		return apperr.Field("scheduled_for", "past", "must not be in the past")
	}
	if at.After(now.AddDate(1, 0, 0)) {
		return apperr.Field("scheduled_for", "too_far", "must be within a year")
	}
	c := at.In(calendar.China)
	weekend := c.Weekday() == time.Saturday || c.Weekday() == time.Sunday
	if t.Evening && !weekend && c.Hour() >= 6 && c.Hour() < 17 {
		return apperr.Field("scheduled_for", "not_evening", "an evening round is on a weekday from 17:00 or at a weekend")
	}
	return nil
}

// StartNow starts scheduled round id.
func (s *Store) StartNow(ctx context.Context, id int64) (*Round, error) {
	if _, err := s.Get(ctx, id); err != nil {
		return nil, err
	}
	res, err := s.db.ExecContext(ctx, `UPDATE rounds SET state = ?, started_at = ?, version = version + 1 WHERE id = ? AND state = ?`,
		Started, s.now().UTC(), id, Scheduled)
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return nil, apperr.ErrConflict
	}
	return s.Get(ctx, id)
}

// Get returns round id with its results, if it is in scope.
func (s *Store) Get(ctx context.Context, id int64) (*Round, error) {
	return s.get(ctx, s.db, id)
}

func (s *Store) get(ctx context.Context, q store.Querier, id int64) (*Round, error) {
	cond, args := Where(s.scope)
	rs, err := list(ctx, q, `WHERE r.id = ? AND `+cond, append([]any{id}, args...))
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, apperr.ErrNotFound
	}
	r := &rs[0]
	rows, err := q.QueryContext(ctx, `SELECT x.item, x.ok, x.note, COALESCE(x.building_id, 0), COALESCE(c.name || b.name, ''), COALESCE(x.request_id, 0)
		FROM round_results x LEFT JOIN buildings b ON b.id = x.building_id LEFT JOIN compounds c ON c.id = b.compound_id
		WHERE x.round_id = ? ORDER BY x.id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	t, _ := TemplateByCode(r.Template)
	for rows.Next() {
		var x Result
		if err := rows.Scan(&x.Item, &x.OK, &x.Note, &x.BuildingID, &x.Building, &x.RequestID); err != nil {
			return nil, err
		}
		it, _ := t.ItemOf(x.Item)
		x.Name = it.Name
		r.Results = append(r.Results, x)
		if x.RequestID != 0 {
			r.Requests = append(r.Requests, x.RequestID)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	ps, err := q.QueryContext(ctx, `SELECT id FROM round_photos WHERE round_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	defer ps.Close()
	for ps.Next() {
		var p int64
		if err := ps.Scan(&p); err != nil {
			return nil, err
		}
		r.Photos = append(r.Photos, p)
	}
	return r, ps.Err()
}

// PhotoData returns photo id of round roundID with its content type, if
// the round is in scope.
func (s *Store) PhotoData(ctx context.Context, roundID, id int64) (string, []byte, error) {
	if _, err := s.Get(ctx, roundID); err != nil {
		return "", nil, err
	}
	var ctype string
	var data []byte
	err := s.db.QueryRowContext(ctx, `SELECT content_type, data FROM round_photos WHERE id = ? AND round_id = ?`, id, roundID).Scan(&ctype, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil, apperr.ErrNotFound
	}
	return ctype, data, err
}

// Filter selects rounds for List.
type Filter struct {
	State       string
	GridID      int64
	HouseholdID int64
	MemberID    int64 // assigned to this team member
	Page        int
	PerPage     int
}

// List returns the rounds in scope that f selects, scheduled ones by
// their time and then the latest first, and their total.
func (s *Store) List(ctx context.Context, f Filter) ([]Round, int, error) {
	cond, args := Where(s.scope)
	where := []string{cond}
	if f.State != "" {
		if !slices.Contains(States, f.State) {
			return nil, 0, apperr.Field("state", "one_of", "must be one of %s", strings.Join(States, ", "))
		}
		where, args = append(where, "r.state = ?"), append(args, f.State)
	}
	for _, c := range []struct {
		col string
		v   int64
	}{{"r.grid_id", f.GridID}, {"r.household_id", f.HouseholdID}, {"r.assignee_member_id", f.MemberID}} {
		if c.v != 0 {
			where, args = append(where, c.col+" = ?"), append(args, c.v)
		}
	}
	w := "WHERE " + strings.Join(where, " AND ")
	var total int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM rounds r `+w, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	if f.PerPage < 1 {
		f.PerPage = 50
	}
	f.Page = max(f.Page, 1)
	// Rounds waiting come first, the next one first; then those done,
	// the latest first.
	rs, err := list(ctx, s.db, w+` ORDER BY CASE r.state WHEN 'done' THEN 1 ELSE 0 END,
		CASE WHEN r.state <> 'done' THEN COALESCE(r.scheduled_for, r.started_at, r.created_at) END, r.done_at DESC, r.id DESC LIMIT ? OFFSET ?`, append(args, f.PerPage, (f.Page-1)*f.PerPage))
	return rs, total, err
}

func list(ctx context.Context, q store.Querier, where string, args []any) ([]Round, error) {
	rows, err := q.QueryContext(ctx, `SELECT r.id, r.template, r.grid_id, g.name, COALESCE(r.household_id, 0), COALESCE(h.shop_name, ''),
		r.state, r.scheduled_for, COALESCE(r.assignee_member_id, 0), COALESCE(m.name, ''), r.started_at, r.done_at, r.done_by_name,
		r.failed, r.lat, r.lng, r.created_by_name, r.version
		FROM rounds r JOIN org_units g ON g.id = r.grid_id LEFT JOIN households h ON h.id = r.household_id
		LEFT JOIN team_members m ON m.id = r.assignee_member_id `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Round{}
	for rows.Next() {
		var r Round
		if err := rows.Scan(&r.ID, &r.Template, &r.GridID, &r.GridName, &r.HouseholdID, &r.Shop, &r.State, &r.ScheduledFor,
			&r.AssigneeMemberID, &r.Assignee, &r.StartedAt, &r.DoneAt, &r.DoneBy, &r.Failed, &r.Lat, &r.Lng, &r.CreatedBy, &r.Version); err != nil {
			return nil, err
		}
		t, _ := TemplateByCode(r.Template)
		r.TemplateName = t.Name
		for _, p := range []**time.Time{&r.ScheduledFor, &r.StartedAt, &r.DoneAt} {
			if *p != nil {
				v := (*p).In(calendar.China)
				*p = &v
			}
		}
		r.Results, r.Requests, r.Photos = []Result{}, []int64{}, []int64{}
		out = append(out, r)
	}
	return out, rows.Err()
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
