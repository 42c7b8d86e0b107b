package request

import (
	"context"
	"encoding/json"
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

// Actions: the steps of the workflow a user may ask for.
const (
	Accept           = "accept"            // register and verify (社区接单): urgency, handling, deadline
	Decline          = "decline"           // with a reason the resident sees
	Merge            = "merge"             // a duplicate of an open request
	Progress         = "progress"          // a progress note
	HandBack         = "hand_back"         // a department gives the request back to the community
	AskExtension     = "extension"         // a department asks for more working days
	ApproveExtension = "extension_approve" // the community grants them
	RefuseExtension  = "extension_refuse"  // or does not
	Resolve          = "resolve"           // resolved, with a note (联动解单)
	Callback         = "callback"          // the callback's result (回访, 居民评单)
	Arrive           = "arrive"            // someone arrived on site for an urgent request (到场)
)

// transitions is the state machine: the state each action starts from and
// the states it may lead to. guard adds the conditions beyond the state.
var transitions = map[string]struct {
	from  string
	to    []string
	guard func(r *Request) string // why the action is not possible now, or ""
}{
	Accept:           {Submitted, []string{Accepted}, nil},
	Decline:          {Submitted, []string{Declined}, nil},
	Merge:            {Submitted, []string{Merged}, nil},
	Progress:         {Accepted, []string{Accepted}, nil},
	HandBack:         {Accepted, []string{Accepted}, notReferred},
	AskExtension:     {Accepted, []string{Accepted}, extensionPending},
	ApproveExtension: {Accepted, []string{Accepted}, noExtension},
	RefuseExtension:  {Accepted, []string{Accepted}, noExtension},
	Resolve:          {Accepted, []string{Resolved}, nil},
	Callback:         {Resolved, []string{Closed, Accepted}, nil},
	Arrive:           {Accepted, []string{Accepted}, urgentNotArrived},
}

// urgentNotArrived allows the arrival on site of an urgent request once.
func urgentNotArrived(r *Request) string {
	switch {
	case r.Urgency != Urgent:
		return "only an urgent request records its arrival on site"
	case r.ArrivedAt != nil:
		return "the arrival on site is already recorded"
	}
	return ""
}

func notReferred(r *Request) string {
	if r.Handling != Referred {
		return "only a request referred to a department can be handed back"
	}
	return ""
}

func extensionPending(r *Request) string {
	if r.Extension != nil {
		return "an extension is already waiting for approval"
	}
	return ""
}

func noExtension(r *Request) string {
	if r.Extension == nil {
		return "no extension was asked for"
	}
	return ""
}

// TransitionError is an action the request's current state does not allow.
// It is a conflict (apperr.ErrConflict) that names the current state.
type TransitionError struct {
	Action, State, Reason string
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("cannot %s a request that is %s: %s", e.Action, e.State, e.Reason)
}

func (e *TransitionError) Unwrap() error { return apperr.ErrConflict }

// CurrentState is the state the request is in.
func (e *TransitionError) CurrentState() string { return e.State }

// legal returns a TransitionError unless action may be done to r now.
func legal(r *Request, action string) error {
	t, ok := transitions[action]
	if !ok {
		return fmt.Errorf("request: unknown action %q", action)
	}
	if r.State != t.from {
		return &TransitionError{action, r.State, "it must be " + t.from}
	}
	if t.guard != nil {
		if why := t.guard(r); why != "" {
			return &TransitionError{action, r.State, why}
		}
	}
	return nil
}

// Change is one step asked for: Action and what it needs.
type Change struct {
	Action string
	// Version is the version of the request the user saw; a request
	// changed meanwhile answers apperr.ErrConflict. 0 skips the check.
	Version int
	// Note is the progress note, the resolution, the callback's comment or
	// the reason of a decline, hand-back, extension or refusal.
	Note           string
	Urgency        string // accept
	Handling       string // accept
	DepartmentID   int64  // accept, referred
	AssigneeUserID int64  // accept, community (optional)
	WorkingDays    int    // accept, general: 3–5; 0 takes the category's
	Into           int64  // merge
	Days           int    // extension: working days more
	Result         string // callback
	// Reason is why a dissatisfied callback was dissatisfied, one of
	// CallbackReasons (required with a dissatisfied result, refused with
	// another).
	Reason string // callback
	Method string // callback: one of CallbackMethods
	// PublicNote, on resolve, is the reply the resident reads on their page
	// and the public through Open311, written for them (optional; Note
	// stays internal).
	PublicNote string
	// FollowUp, on a dissatisfied callback, closes the request and records
	// what is still wanted as a need of the household ("wants more
	// chargers") instead of reopening it.
	FollowUp *household.Need
	// ArrivedAt, on arrive, is when someone arrived on site: now when nil;
	// never in the future, nor before the request was submitted.
	ArrivedAt *time.Time
}

// auditAction is what c is called in the audit log: "request." and its
// action ("request.resolve"), and "request.refer" for an acceptance that
// refers the request to a department.
func (c Change) auditAction() string {
	if c.Action == Accept && c.Handling == Referred {
		return "request.refer"
	}
	return "request." + c.Action
}

// auditDetail says in the audit log what c changes beyond its action,
// without the notes, which may name people: the department referred to,
// the request merged into, the days asked for, the callback's result.
func (c Change) auditDetail() string {
	switch {
	case c.Action == Accept && c.DepartmentID != 0:
		return fmt.Sprintf("department org-unit:%d", c.DepartmentID)
	case c.Action == Merge && c.Into != 0:
		return fmt.Sprintf("into request:%d", c.Into)
	case c.Action == AskExtension:
		return fmt.Sprintf("%d working days", c.Days)
	case c.Action == Callback:
		return c.Result
	}
	return ""
}

// update collects the columns an action changes.
type update struct {
	cols []string
	args []any
}

func (u *update) set(col string, v any) {
	u.cols, u.args = append(u.cols, col+" = ?"), append(u.args, v)
}

// step is what an action does beyond the state machine's checks: the
// columns it sets, the state it leads to, and the timeline's data.
type step struct {
	update
	to   string
	data map[string]any
}

// Apply does c to request id: it checks the request is in scope, the
// version the user saw, and that the state machine allows the action,
// then writes the change, a timeline entry and the notifications in one
// transaction. An illegal action answers a *TransitionError.
func (s *Store) Apply(ctx context.Context, actor household.Actor, id int64, c Change) (*Request, error) {
	if err := s.apply(ctx, actor, id, c); err != nil {
		return nil, err
	}
	out, err := s.Get(ctx, id)
	if err == nil && (c.Action == Accept || c.Action == ApproveExtension) {
		s.warnEstimated(ctx, out)
	}
	return out, err
}

// apply is Apply without reading the request back, so it runs in a
// transaction joined to ctx.
func (s *Store) apply(ctx context.Context, actor household.Actor, id int64, c Change) error {
	now := s.now().UTC()
	c.Note, c.PublicNote = strings.TrimSpace(c.Note), strings.TrimSpace(c.PublicNote)
	audit.Describe(ctx, c.auditAction(), fmt.Sprintf("request:%d", id), c.auditDetail())
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		r, err := s.visible(ctx, tx, id)
		if err != nil {
			return err
		}
		if c.Version != 0 && c.Version != r.Version {
			return apperr.ErrConflict
		}
		if err := checkArrivedAt(c, now); err != nil {
			return err
		}
		if err := legal(r, c.Action); err != nil {
			return err
		}
		if len([]rune(c.Note)) > 2000 {
			return apperr.Field(noteField(c.Action), "too_long", "must be at most %d characters", 2000)
		}
		if err := checkPublicNote(c); err != nil {
			return err
		}
		if err := apperr.Text(noteField(c.Action), c.Note); err != nil {
			return err
		}
		st := step{to: r.State, data: map[string]any{}}
		if err := s.do(store.WithTx(ctx, tx), tx, actor, r, c, &st, now); err != nil {
			return err
		}
		st.set("state", st.to)
		st.set("updated_at", now)
		res, err := tx.ExecContext(ctx, `UPDATE requests SET `+strings.Join(st.cols, ", ")+`, version = version + 1 WHERE id = ? AND version = ?`,
			append(st.args, id, r.Version)...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return apperr.ErrConflict // changed meanwhile by someone else
		}
		after, err := load(ctx, tx, id)
		if err != nil {
			return err
		}
		return record(ctx, tx, actor, after, c.Action, r.State, st.to, c.Note, st.data, now)
	})
}

// warnEstimated logs a deadline just set through a year without holiday
// data, naming the years, so the administrator loads them; the request
// page says the same.
func (s *Store) warnEstimated(ctx context.Context, r *Request) {
	if !r.DueEstimated {
		return
	}
	cal, err := calendar.Load(ctx, s.db)
	if err != nil {
		return
	}
	if years := r.NoHolidayData(cal); len(years) > 0 {
		s.log.WarnContext(ctx, "request deadline counted Monday to Friday: no holiday data for these years; load their schedule (calendar page, or wanhu calendar load)",
			"request", r.ID, "years", years, "due_at", r.DueAt)
	}
}

// checkPublicNote refuses a public note on any step but resolve, and one
// longer than 1,000 characters.
func checkPublicNote(c Change) error {
	switch {
	case c.PublicNote != "" && c.Action != Resolve:
		return apperr.Field("public_note", "not_allowed", "only a resolution has a public note")
	case len([]rune(c.PublicNote)) > 1000:
		return apperr.Field("public_note", "too_long", "must be at most %d characters", 1000)
	}
	return apperr.Text("public_note", c.PublicNote)
}

// noteField is the name the API gives an action's note.
func noteField(action string) string {
	switch action {
	case Decline, HandBack, AskExtension, RefuseExtension:
		return "reason"
	case Callback:
		return "comment"
	}
	return "note"
}

func required(field string) error { return apperr.Field(field, "required", "is required") }

// do checks c's input for its action and fills in st.
func (s *Store) do(ctx context.Context, tx *store.Tx, actor household.Actor, r *Request, c Change, st *step, now time.Time) error {
	t := transitions[c.Action]
	st.to = t.to[0]
	switch c.Action {
	case Accept:
		return s.accept(ctx, tx, r, c, st, now)
	case Decline:
		if c.Note == "" {
			return required("reason")
		}
		st.set("decline_reason", c.Note)
		st.set("closed_at", now)
	case Merge:
		if c.Into == 0 {
			return required("into")
		}
		into, err := s.visible(ctx, tx, c.Into)
		if err != nil || into.ID == r.ID || (into.State != Submitted && into.State != Accepted) {
			return apperr.Field("into", "not_open", "request %d is not another open request", c.Into)
		}
		st.set("merged_into", into.ID)
		st.set("closed_at", now)
		st.data["into"] = into.ID
		if _, err := tx.ExecContext(ctx, `INSERT INTO request_events(request_id, at, actor_id, actor, kind, note, data) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			into.ID, now, nullID(actor.ID), actor.Name, "duplicate_merged", fmt.Sprintf("#%d", r.ID), fmt.Sprintf(`{"request_id":%d}`, r.ID)); err != nil {
			return err
		}
	case Progress, Resolve:
		if c.Note == "" {
			return required("note")
		}
		if c.Action == Resolve {
			st.set("resolution", c.Note)
			st.set("public_note", c.PublicNote)
			if c.PublicNote != "" {
				st.data["public_note"] = c.PublicNote
			}
			st.set("resolved_at", now)
			st.set("extension_days", 0)
			st.set("extension_reason", "")
			cal, err := calendar.Load(ctx, tx)
			if err != nil {
				return err
			}
			due, _ := Due(cal, General, now, CallbackWorkingDays)
			st.set("callback_due_at", due)
			st.set("callback_reminded_at", nil)
			st.data["callback_due_at"] = due.In(calendar.China).Format(time.RFC3339)
		}
	case HandBack:
		if c.Note == "" {
			return required("reason")
		}
		st.set("handling", Community)
		st.set("department_id", nil)
		st.set("extension_days", 0)
		st.set("extension_reason", "")
		st.data["department_id"] = r.DepartmentID
	case AskExtension:
		if c.Note == "" {
			return required("reason")
		}
		if c.Days < 1 || c.Days > 20 {
			return apperr.Field("days", "range", "must be a whole number from 1 to 20")
		}
		st.set("extension_days", c.Days)
		st.set("extension_reason", c.Note)
		st.data["days"] = c.Days
	case ApproveExtension:
		cal, err := calendar.Load(ctx, tx)
		if err != nil {
			return err
		}
		due, est := extended(cal, *r.DueAt, r.Extension.Days)
		st.set("due_at", due)
		st.set("due_estimated", est || r.DueEstimated)
		st.set("extension_days", 0)
		st.set("extension_reason", "")
		st.data["days"], st.data["due_at"] = r.Extension.Days, due.In(calendar.China).Format(time.RFC3339)
	case RefuseExtension:
		st.set("extension_days", 0)
		st.set("extension_reason", "")
		st.data["days"] = r.Extension.Days
	case Callback:
		return s.callback(ctx, tx, actor, r, c, st, now)
	case Arrive:
		return arrive(actor, r, c, st, now)
	}
	return nil
}

// checkArrivedAt refuses an arrival time in the future or outside the
// days Wanhu takes, before the state is looked at: the time is wrong
// whatever the request.
func checkArrivedAt(c Change, now time.Time) error {
	switch {
	case c.ArrivedAt == nil:
		return nil
	case c.Action != Arrive:
		return apperr.Field("arrived_at", "not_allowed", "only an arrival has arrived_at")
	case c.ArrivedAt.After(now.Add(time.Minute)):
		return apperr.Field("arrived_at", "future", "must not be in the future")
	}
	return calendar.CheckTime("arrived_at", *c.ArrivedAt)
}

// arrive records when someone arrived on site (by default now) and who
// recorded it; the note says who came ("社区干部和水暖工").
func arrive(actor household.Actor, r *Request, c Change, st *step, now time.Time) error {
	at := now
	if c.ArrivedAt != nil {
		at = c.ArrivedAt.UTC()
	}
	if at.Before(r.SubmittedAt) {
		return apperr.Field("arrived_at", "before_submitted", "must not be before the request was submitted")
	}
	st.set("arrived_at", at)
	st.set("arrived_by", actor.Name)
	st.data["arrived_at"] = at.In(calendar.China).Format(time.RFC3339)
	st.data["minutes"] = int64(at.Sub(r.SubmittedAt) / time.Minute)
	return nil
}

func (s *Store) accept(ctx context.Context, tx *store.Tx, r *Request, c Change, st *step, now time.Time) error {
	switch {
	case !slices.Contains(Urgencies, c.Urgency):
		return apperr.Field("urgency", "one_of", "must be one of %s", strings.Join(Urgencies, ", "))
	case !slices.Contains(Handlings, c.Handling):
		return apperr.Field("handling", "one_of", "must be one of %s", strings.Join(Handlings, ", "))
	case c.Handling == Referred && c.DepartmentID == 0:
		return required("department_id")
	case c.Handling == Community && c.DepartmentID != 0:
		return apperr.Field("department_id", "not_referred", "only a referred request has a department")
	case c.WorkingDays != 0 && (c.WorkingDays < 3 || c.WorkingDays > 5):
		return apperr.Field("working_days", "range", "must be a whole number from 3 to 5")
	}
	if c.DepartmentID != 0 {
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM org_units WHERE id = ? AND kind = 'department'`, c.DepartmentID).Scan(&one); err != nil {
			return apperr.Field("department_id", "not_found", "department %d does not exist", c.DepartmentID)
		}
	}
	if c.AssigneeUserID != 0 {
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM users WHERE id = ? AND NOT disabled`, c.AssigneeUserID).Scan(&one); err != nil {
			return apperr.Field("assignee_user_id", "not_found", "user %d does not exist", c.AssigneeUserID)
		}
	}
	days := 0
	if c.Urgency == General {
		days = c.WorkingDays
		if days == 0 {
			cat, err := category(ctx, tx, r.Category)
			if err != nil {
				return err
			}
			days = cat.WorkingDays
		}
	}
	cal, err := calendar.Load(ctx, tx)
	if err != nil {
		return err
	}
	due, est := Due(cal, c.Urgency, r.SubmittedAt, days)
	st.set("urgency", c.Urgency)
	st.set("working_days", days)
	st.set("handling", c.Handling)
	st.set("department_id", nullID(c.DepartmentID))
	st.set("assignee_user_id", nullID(c.AssigneeUserID))
	st.set("accepted_at", now)
	st.set("due_at", due)
	st.set("due_estimated", est)
	st.data["urgency"], st.data["handling"], st.data["due_at"] = c.Urgency, c.Handling, due.In(calendar.China).Format(time.RFC3339)
	if c.DepartmentID != 0 {
		st.data["department_id"] = c.DepartmentID
	}
	if est {
		st.data["due_estimated"] = true
	}
	return nil
}

// callback records the callback's result: satisfied or basically
// satisfied closes the request; dissatisfied reopens it with a new
// deadline from now, or closes it with a follow-up need of the household.
func (s *Store) callback(ctx context.Context, tx *store.Tx, actor household.Actor, r *Request, c Change, st *step, now time.Time) error {
	if !slices.Contains(Results, c.Result) {
		return apperr.Field("result", "one_of", "must be one of %s", strings.Join(Results, ", "))
	}
	switch {
	case !slices.Contains(CallbackMethods, c.Method):
		return apperr.Field("method", "one_of", "must be one of %s: how the callback was made", strings.Join(CallbackMethods, ", "))
	case (c.Method == ByResident) != (actor == Resident):
		return apperr.Field("method", "resident", "only the resident's own rating is %s", ByResident)
	}
	if c.FollowUp != nil && c.Result != Dissatisfied {
		return apperr.Field("follow_up", "not_dissatisfied", "a follow-up need goes with a dissatisfied result only")
	}
	switch {
	case c.Result == Dissatisfied && c.Reason == "":
		return required("reason")
	case c.Result == Dissatisfied && !slices.Contains(CallbackReasons, c.Reason):
		return apperr.Field("reason", "one_of", "must be one of %s", strings.Join(CallbackReasons, ", "))
	case c.Result != Dissatisfied && c.Reason != "":
		return apperr.Field("reason", "not_dissatisfied", "a reason goes with a dissatisfied result only")
	}
	if err := complainOfAttitude(ctx, tx, actor, r, c, st, now); err != nil {
		return err
	}
	st.set("callback_result", c.Result)
	st.set("callback_comment", c.Note)
	st.set("callback_reason", c.Reason)
	st.set("callback_method", c.Method)
	st.data["result"], st.data["method"] = c.Result, c.Method
	if c.Reason != "" {
		st.data["reason"] = c.Reason
	}
	if c.Result != Dissatisfied || c.FollowUp != nil {
		st.to = Closed
		st.set("closed_at", now)
		if c.FollowUp == nil {
			return nil
		}
		if r.HouseholdID == 0 {
			return apperr.Field("follow_up", "no_household", "the request names no household to record the need for")
		}
		n := *c.FollowUp
		n.HouseholdID, n.PersonID, n.Status = r.HouseholdID, r.PersonID, ""
		if n.Note == "" {
			n.Note = c.Note
		}
		added, err := s.files.AddNeed(ctx, actor, n)
		if err != nil {
			return apperr.InField(err, strings.TrimSuffix("follow_up."+fieldOf(err), "."))
		}
		st.data["need_id"] = added.ID
		return nil
	}
	st.to = Accepted
	cal, err := calendar.Load(ctx, tx)
	if err != nil {
		return err
	}
	due, est := Due(cal, r.Urgency, now, r.WorkingDays)
	st.set("resolved_at", nil)
	st.set("due_at", due)
	st.set("due_estimated", est)
	st.data["due_at"] = due.In(calendar.China).Format(time.RFC3339)
	return nil
}

func fieldOf(err error) string {
	if fe, ok := apperr.AsField(err); ok {
		return fe.Field
	}
	return ""
}

// record writes the timeline entry of a change of r (as it is after the
// change) and enqueues its notifications, in the caller's transaction.
func record(ctx context.Context, tx *store.Tx, actor household.Actor, r *Request, kind, from, to, note string, data map[string]any, now time.Time) error {
	b, err := json.Marshal(data)
	if err != nil || data == nil {
		b = []byte("{}")
	}
	if from == to {
		from, to = "", ""
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO request_events(request_id, at, actor_id, actor, kind, from_state, to_state, note, data)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.ID, now, nullID(actor.ID), actor.Name, kind, from, to, note, string(b)); err != nil {
		return fmt.Errorf("insert request event: %w", err)
	}
	return notifyChange(ctx, tx, r, kind, note)
}
