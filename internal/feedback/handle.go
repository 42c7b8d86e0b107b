package feedback

import (
	"context"
	"fmt"
	"strings"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/household"
	"wanhu/internal/store"
)

// Handling is a step in a complaint's follow-up: to looked_into (with
// what was found, in Outcome, optional) or to closed (Outcome required).
// Version, when not 0, must be the record's current version.
type Handling struct {
	Status  string `json:"status"`
	Outcome string `json:"outcome"`
	Version int    `json:"version"`
}

// TransitionError refuses a step the record's status does not allow.
type TransitionError struct{ From, To string }

func (e *TransitionError) Error() string {
	if e.From == "" {
		return "praise is not followed up"
	}
	return fmt.Sprintf("a complaint that is %s cannot be %s", e.From, e.To)
}

// Unwrap makes it an apperr.ErrConflict.
func (e *TransitionError) Unwrap() error { return apperr.ErrConflict }

// next are the steps allowed from each status.
var next = map[string][]string{Open: {LookedInto, Closed}, LookedInto: {Closed}}

// Handle takes complaint id a step further: open → looked into → closed
// (or open → closed) with an outcome. A step its status does not allow
// answers a *TransitionError, and the record stays as it was.
func (s *Store) Handle(ctx context.Context, actor household.Actor, id int64, h Handling) (*Feedback, error) {
	h.Outcome = strings.TrimSpace(h.Outcome)
	switch {
	case h.Status != LookedInto && h.Status != Closed:
		return nil, apperr.Field("status", "one_of", "must be one of %s", LookedInto+", "+Closed)
	case h.Status == Closed && h.Outcome == "":
		return nil, apperr.Field("outcome", "required", "is required to close a complaint: what was done")
	case len([]rune(h.Outcome)) > MaxBody:
		return nil, apperr.Field("outcome", "too_long", "must be at most %d characters", MaxBody)
	}
	if err := apperr.Text("outcome", h.Outcome); err != nil {
		return nil, err
	}
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		f, err := get(ctx, tx, s.scope, id)
		if err != nil {
			return err
		}
		if h.Version != 0 && h.Version != f.Version {
			return &apperr.Stale{Current: f.Version}
		}
		allowed := false
		for _, to := range next[f.Status] {
			allowed = allowed || to == h.Status
		}
		if f.Kind != Complaint || !allowed {
			return &TransitionError{From: f.Status, To: h.Status}
		}
		res, err := tx.ExecContext(ctx, `UPDATE feedback SET status = ?, outcome = ?, handled_by = ?, handled_at = ?, version = version + 1
			WHERE id = ? AND version = ?`, h.Status, h.Outcome, actor.Name, s.now().UTC(), id, f.Version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return store.Stale(ctx, tx, "feedback", id)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, id)
}

// ComplaintFromCallback records, in q, the complaint a dissatisfied callback for
// attitude (态度) makes about the account that resolved request
// requestID, or links to the open one about them on that request (a
// resident who complained on their page too): it returns the complaint's
// id, or 0 when the resolve step names no account.
func ComplaintFromCallback(ctx context.Context, q store.Querier, actor household.Actor, requestID, handlerUserID int64, note string, now time.Time) (int64, error) {
	if handlerUserID == 0 {
		return 0, nil
	}
	in := Input{Kind: Complaint, UserID: handlerUserID, RequestID: requestID, Source: FromCallback, Body: note}
	sub, err := subjectOf(ctx, q, &in)
	if err != nil {
		return 0, err
	}
	var id int64
	err = q.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM feedback WHERE request_id = ? AND kind = ? AND subject_key = ? AND status <> ?`,
		requestID, Complaint, sub.key, Closed).Scan(&id)
	if err != nil || id != 0 {
		return id, err
	}
	if in.Body == "" {
		in.Body = "回访不满意：态度"
	}
	if r := []rune(in.Body); len(r) > MaxBody {
		in.Body = string(r[:MaxBody])
	}
	return Add(ctx, q, actor, in, now)
}

// Tally is one person's feedback in a period.
type Tally struct {
	Praise     int    `json:"praise"`
	Complaints int    `json:"complaints"` // complaints not from a callback (those count as bad reviews)
	Latest     string `json:"latest,omitempty"`
}

// Tallies counts the feedback given from from (inclusive) to to
// (exclusive) per team member and per staff account not on the team,
// with the latest words of praise.
func Tallies(ctx context.Context, q store.Querier, from, to time.Time) (members, users map[int64]Tally, err error) {
	rows, err := q.QueryContext(ctx, `SELECT COALESCE(team_member_id, 0), COALESCE(user_id, 0), kind, source, body FROM feedback
		WHERE at >= ? AND at < ? ORDER BY at, id`, from.UTC(), to.UTC())
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	members, users = map[int64]Tally{}, map[int64]Tally{}
	for rows.Next() {
		var m, u int64
		var kind, source, body string
		if err := rows.Scan(&m, &u, &kind, &source, &body); err != nil {
			return nil, nil, err
		}
		into, key := members, m
		if m == 0 {
			into, key = users, u
		}
		t := into[key]
		switch {
		case kind == Praise:
			t.Praise++
			if body != "" {
				t.Latest = body
			}
		case source != FromCallback:
			t.Complaints++
		}
		into[key] = t
	}
	return members, users, rows.Err()
}

// CurrentState is the complaint's status ("" for praise), for the faces'
// answers.
func (e *TransitionError) CurrentState() string { return e.From }
