package request

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"wanhu/internal/feedback"
	"wanhu/internal/household"
	"wanhu/internal/store"
)

// The resident's thanks and complaints (issue 17): once a request has been
// rated, its page offers to thank ("感谢TA") or complain about the people
// who handled it, by name only (feedback.Handlers).

// Thankable returns the people who handled the request with tracking code
// code, once it has been rated; none before, or apperr.ErrNotFound.
func (s *Store) Thankable(ctx context.Context, code string) ([]feedback.Person, error) {
	r, err := s.byCode(ctx, code)
	if err != nil {
		return nil, err
	}
	if r.CallbackResult == "" {
		return []feedback.Person{}, nil
	}
	return feedback.Handlers(ctx, s.db, r.ID)
}

// GiveFeedback records the resident's praise or complaint, from address
// client, of a person who handled the request with tracking code code,
// once it has been rated: before, it answers a *TransitionError. See
// feedback.AddPublic for the limits.
func (s *Store) GiveFeedback(ctx context.Context, code string, in feedback.PublicInput, client string) error {
	r, err := s.byCode(ctx, code)
	if err != nil {
		return err
	}
	if r.CallbackResult == "" {
		return &TransitionError{Action: "thank", State: r.State, Reason: "the request has not been rated yet"}
	}
	_, err = feedback.AddPublic(ctx, s.db, Resident, r.ID, in, client, feedback.PublicLimit, s.now())
	return err
}

// complainOfAttitude makes a dissatisfied callback for attitude (态度) a
// complaint about whoever resolved the request (feedback.ComplaintFromCallback),
// in the callback's transaction, noting the complaint on the step.
func complainOfAttitude(ctx context.Context, tx *store.Tx, actor household.Actor, r *Request, c Change, st *step, now time.Time) error {
	if c.Result != Dissatisfied || c.Reason != "attitude" {
		return nil
	}
	var handler sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT actor_id FROM request_events WHERE request_id = ? AND kind = ? ORDER BY id DESC LIMIT 1`,
		r.ID, Resolve).Scan(&handler)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	id, err := feedback.ComplaintFromCallback(ctx, tx, actor, r.ID, handler.Int64, c.Note, now)
	if err != nil {
		return err
	}
	if id != 0 {
		st.data["complaint_id"] = id
	}
	return nil
}
