package household

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"wanhu/internal/apperr"
	"wanhu/internal/audit"
	"wanhu/internal/org"
	"wanhu/internal/store"
)

// BenefitEdit is the new values of an applied case, at the Version the
// user saw: the amount applied for (nil keeps it: a reader who does not
// see amounts leaves it out), its period, the form, the note (the hidden
// note sent back as shown keeps it) and the helper. Persons, kind and
// links stay as they were.
type BenefitEdit struct {
	Amount   *int64 `json:"amount"`
	Period   string `json:"period"`
	Form     string `json:"form"`
	Note     string `json:"note"`
	HelperID int64  `json:"helper_id"`
	Version  int    `json:"version"`
}

// UpdateBenefit changes an applied case at the version the user saw and
// writes benefit_changed to the household's ledger in the same
// transaction (without the amount). A decided case is not changed (a
// FieldError on status); a stale version is apperr.ErrConflict.
func (s *Store) UpdateBenefit(ctx context.Context, actor Actor, id int64, e BenefitEdit) (*BenefitCase, error) {
	audit.Describe(ctx, "benefit.update", fmt.Sprintf("benefit:%d", id), "")
	e.Note = strings.TrimSpace(e.Note)
	if e.Form == "" {
		e.Form = "cash"
	}
	if err := first(oneOf("form", e.Form, BenefitForms, false), oneOf("period", e.Period, BenefitPeriods, true), maxLen("note", e.Note, 1000), apperr.Text("note", e.Note)); err != nil {
		return nil, err
	}
	if e.Amount != nil {
		if err := checkAmount(*e.Amount, e.Period); err != nil {
			return nil, err
		}
	}
	if e.Version <= 0 {
		return nil, apperr.Field("version", "required", "is required: the version of the case you saw")
	}
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		var hid, amount int64
		var kind, status, note string
		var version int
		err := tx.QueryRowContext(ctx, `SELECT household_id, kind, status, version, amount, note FROM benefit_cases WHERE id = ?`, id).
			Scan(&hid, &kind, &status, &version, &amount, &note)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.ErrNotFound
		}
		if err != nil {
			return err
		}
		if err := s.visible(ctx, tx, hid); err != nil {
			return err
		}
		audit.Describe(ctx, "benefit.update", fmt.Sprintf("household:%d", hid), fmt.Sprintf("benefit:%d", id))
		if version != e.Version {
			return &apperr.Stale{Current: version}
		}
		if status != BenefitApplied {
			return apperr.Field("status", "decided", "the case is %s already; a decided case is not changed", status)
		}
		if e.Amount != nil {
			amount = *e.Amount
		}
		if e.Note == Hidden && !s.scope.Reveal && !s.scope.All {
			e.Note = note
		}
		grid, err := gridOf(ctx, tx, hid)
		if err != nil {
			return err
		}
		if e.HelperID != 0 {
			if err := org.CheckVisitor(ctx, tx, grid, e.HelperID, "helper_id"); err != nil {
				return err
			}
		}
		now := s.now().UTC()
		res, err := tx.ExecContext(ctx, `UPDATE benefit_cases SET amount = ?, period = ?, form = ?, note = ?, helper_id = ?, version = version + 1, updated_at = ?
			WHERE id = ? AND version = ?`, amount, e.Period, e.Form, e.Note, nullID(e.HelperID), now, id, e.Version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return store.Stale(ctx, tx, "benefit_cases", id)
		}
		return writeLedger(ctx, tx, LedgerEvent{HouseholdID: hid, GridID: grid, Type: EvBenefitChanged, Field: kind,
			Before: BenefitApplied, After: BenefitApplied, Note: e.Note, ActorID: actor.ID, Actor: actor.Name, At: now})
	})
	if err != nil {
		return nil, err
	}
	return s.BenefitByID(ctx, id)
}
