package proactive

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/audit"
	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/request"
	"wanhu/internal/store"
)

// Store reads and closes the tasks of the households in its scope: a task
// of a household out of scope looks like one that does not exist.
type Store struct {
	db    *store.DB
	scope org.Scope
	now   func() time.Time
}

// NewStore returns a Store that sees every task; faces serving users
// call In.
func NewStore(db *store.DB) *Store {
	return &Store{db: db, scope: org.Everything, now: time.Now}
}

// In returns a Store limited to scope (that of household.Where).
func (s *Store) In(scope org.Scope) *Store {
	c := *s
	c.scope = scope
	return &c
}

// SetClock replaces the clock, for tests.
func (s *Store) SetClock(now func() time.Time) { s.now = now }

// Filter selects tasks; zero fields select everything.
type Filter struct {
	State       string
	Rule        string
	GridID      int64
	HouseholdID int64
	DueBy       calendar.Date // due on or before
	Page, Per   int
	// NoTotal leaves the total uncounted (0): for a page that shows the
	// first tasks without a pager (the household file).
	NoTotal bool
}

// Validate returns a field error for an unknown state or rule.
func (f Filter) Validate() error {
	if f.State != "" && !slices.Contains(States, f.State) {
		return apperr.Field("state", "one_of", "must be one of %s", strings.Join(States, ", "))
	}
	if f.Rule != "" && RuleByCode(f.Rule) == nil {
		return apperr.OneOf("rule", f.Rule, RuleCodes())
	}
	return nil
}

const taskColumns = `t.id, t.rule, t.household_id, COALESCE(t.person_id, 0), h.grid_id, h.address, t.period, t.reason, t.due_on, t.state,
	t.dismiss_reason, COALESCE(t.request_id, 0), t.closed_by_name, t.closed_at, t.created_on, t.version`

// List returns the tasks that match f, the earliest due first, and how
// many match (unless f.NoTotal).
func (s *Store) List(ctx context.Context, f Filter) ([]Task, int, error) {
	if err := f.Validate(); err != nil {
		return nil, 0, err
	}
	conds, args := []string{"1 = 1"}, []any{}
	add := func(c string, a any) { conds, args = append(conds, c), append(args, a) }
	if f.State != "" {
		add("t.state = ?", f.State)
	}
	if f.Rule != "" {
		add("t.rule = ?", f.Rule)
	}
	if f.GridID != 0 {
		add("h.grid_id = ?", f.GridID)
	}
	if f.HouseholdID != 0 {
		add("t.household_id = ?", f.HouseholdID)
	}
	if !f.DueBy.IsZero() {
		add("t.due_on <= ?", f.DueBy)
	}
	// One household's tasks (its file) check the scope on that household's
	// row (WhereRow); lists build Where's lists once.
	scope := household.Where
	if f.HouseholdID != 0 {
		scope = household.WhereRow
	}
	if c, a := scope(s.scope); c != "" {
		conds, args = append(conds, c), append(args, a...)
	}
	where := ` FROM proactive_tasks t JOIN households h ON h.id = t.household_id WHERE ` + strings.Join(conds, " AND ")
	var total int
	if !f.NoTotal {
		if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*)`+where, args...).Scan(&total); err != nil {
			return nil, 0, err
		}
	}
	per := f.Per
	if per <= 0 || per > 500 {
		per = 100
	}
	page := max(f.Page, 1)
	ts, err := tasks(ctx, s.db, `SELECT `+taskColumns+where+` ORDER BY t.due_on, t.id LIMIT ? OFFSET ?`, append(args, per, (page-1)*per)...)
	return ts, total, err
}

func tasks(ctx context.Context, q store.Querier, query string, args ...any) ([]Task, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Task{}
	for rows.Next() {
		var t Task
		if err := rows.Scan(&t.ID, &t.Rule, &t.HouseholdID, &t.PersonID, &t.GridID, &t.Address, &t.Period, &t.Reason, &t.Due, &t.State,
			&t.DismissReason, &t.RequestID, &t.ClosedBy, &t.ClosedAt, &t.CreatedOn, &t.Version); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// Get returns task id if its household is in scope (checked on that
// household's row: household.WhereRow).
func (s *Store) Get(ctx context.Context, id int64) (*Task, error) {
	conds, args := "t.id = ?", []any{id}
	if c, a := household.WhereRow(s.scope); c != "" {
		conds, args = conds+" AND "+c, append(args, a...)
	}
	ts, err := tasks(ctx, s.db, `SELECT `+taskColumns+` FROM proactive_tasks t JOIN households h ON h.id = t.household_id WHERE `+conds, args...)
	if err != nil {
		return nil, err
	}
	if len(ts) == 0 {
		return nil, apperr.ErrNotFound
	}
	return &ts[0], nil
}

// errNotOpen answers a change to a task someone has closed meanwhile.
var errNotOpen = fmt.Errorf("the task is no longer open: %w", apperr.ErrConflict)

// close moves open task id to state with the other columns of set.
func (s *Store) close(ctx context.Context, actor household.Actor, id int64, state, set string, args ...any) (*Task, error) {
	if _, err := s.Get(ctx, id); err != nil {
		return nil, err
	}
	res, err := s.db.ExecContext(ctx, `UPDATE proactive_tasks SET state = ?, closed_by = ?, closed_by_name = ?, closed_at = ?, version = version + 1`+set+`
		WHERE id = ? AND state = ?`, append(append([]any{state, nullID(actor.ID), actor.Name, s.now().UTC()}, args...), id, Open)...)
	if err != nil {
		return nil, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return nil, errors.Join(err, errNotOpen)
	}
	audit.Describe(ctx, "task."+state, fmt.Sprintf("task:%d", id), "")
	return s.Get(ctx, id)
}

// MarkDone records that open task id was done.
func (s *Store) MarkDone(ctx context.Context, actor household.Actor, id int64) (*Task, error) {
	return s.close(ctx, actor, id, Done, "")
}

// Dismiss closes open task id without doing it, for reason (required).
func (s *Store) Dismiss(ctx context.Context, actor household.Actor, id int64, reason string) (*Task, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, apperr.Field("reason", "required", "say why the task is dismissed")
	}
	if len([]rune(reason)) > 500 {
		return nil, apperr.Field("reason", "too_long", "must be at most 500 characters")
	}
	if err := apperr.Text("reason", reason); err != nil {
		return nil, err
	}
	return s.close(ctx, actor, id, Dismissed, ", dismiss_reason = ?", reason)
}

// Convert turns open task id into a request through the request
// workflow (requests.Submit, so its deadlines and notifications apply):
// the request is about the task's household, described by the task's
// reason unless in says otherwise. The task is claimed first, so two
// users converting it at once make one request; when the request cannot
// be made the task is open again.
func (s *Store) Convert(ctx context.Context, actor household.Actor, id int64, requests *request.Store, in request.Input) (*Task, *request.Request, error) {
	t, err := s.Get(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if t.State != Open {
		return nil, nil, errNotOpen
	}
	if strings.TrimSpace(in.Description) == "" {
		in.Description = t.Reason
	}
	if in.Channel == "" {
		in.Channel = "visit"
	}
	in.HouseholdID, in.PersonID = t.HouseholdID, t.PersonID
	// The task is closed and its request made in one transaction: a
	// request refused leaves the task open, and two users converting it
	// at once make one request.
	var rid int64
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		if rid, err = requests.SubmitIn(store.WithTx(ctx, tx), actor, in); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE proactive_tasks SET state = ?, closed_by = ?, closed_by_name = ?, closed_at = ?, request_id = ?,
			version = version + 1 WHERE id = ? AND state = ?`, Converted, nullID(actor.ID), actor.Name, s.now().UTC(), rid, id, Open)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errors.Join(err, errNotOpen)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	audit.Describe(ctx, "task.converted", fmt.Sprintf("task:%d", id), fmt.Sprintf("request:%d", rid))
	if t, err = s.Get(ctx, id); err != nil {
		return nil, nil, err
	}
	r, err := requests.Get(ctx, rid)
	return t, r, err
}

// DoneBy counts the tasks of the households in scope that each account
// did or turned into a request between from and to (instants, to
// excluded): work done before anyone asked, for the scorecards.
func DoneBy(ctx context.Context, q store.Querier, scope org.Scope, from, to time.Time) (map[int64]int, error) {
	cond, args := household.Where(scope)
	if cond == "" {
		cond = "1 = 1"
	}
	rows, err := q.QueryContext(ctx, `SELECT t.closed_by, COUNT(*) FROM proactive_tasks t JOIN households h ON h.id = t.household_id
		WHERE t.closed_by IS NOT NULL AND t.state IN (?, ?) AND t.closed_at >= ? AND t.closed_at < ? AND `+cond+` GROUP BY t.closed_by`,
		append([]any{Done, Converted, from.UTC(), to.UTC()}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}

// OpenCount returns how many open tasks in scope are due on or before
// day (for a badge).
func (s *Store) OpenCount(ctx context.Context, day calendar.Date) (int, error) {
	_, n, err := s.List(ctx, Filter{State: Open, DueBy: day, Per: 1})
	return n, err
}
