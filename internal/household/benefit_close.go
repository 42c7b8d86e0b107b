package household

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"wanhu/internal/apperr"
	"wanhu/internal/audit"
	"wanhu/internal/calendar"
	"wanhu/internal/store"
)

// A case's life after its decision, and before it: an approved case that
// is paid each month ends (停发) on the day its payment stops — the person
// moved away or died, the income rose, the annual review — and an applied
// case is withdrawn (撤回) before it is decided — the household no longer
// wants it, or it was entered by mistake. Either is said why (a reason,
// required), goes to the household's ledger in the same transaction
// (benefit_ended, benefit_withdrawn) and is final: an ended or withdrawn
// case is not changed, decided or ended again.

// BenefitEnd ends an approved case on EndedOn (the day its payment stops:
// the case was paid from its decision up to the day before; default
// today, China), for Reason, at the Version the user saw.
type BenefitEnd struct {
	EndedOn string `json:"ended_on"`
	Reason  string `json:"reason"`
	Version int    `json:"version"`
}

// BenefitWithdrawal withdraws an applied case on WithdrawnOn (default
// today, China), for Reason, at the Version the user saw.
type BenefitWithdrawal struct {
	WithdrawnOn string `json:"withdrawn_on"`
	Reason      string `json:"reason"`
	Version     int    `json:"version"`
}

// MaxBenefitReason bounds the reason of an end or a withdrawal: a short
// text.
const MaxBenefitReason = 200

// closeStep is what EndBenefit and WithdrawBenefit differ in.
type closeStep struct {
	action   string // audit action
	from, to string // status before and after
	dayField string // the date's field and column
	event    string // ledger event type
}

var (
	endStep      = closeStep{"benefit.end", BenefitApproved, BenefitEnded, "ended_on", EvBenefitEnded}
	withdrawStep = closeStep{"benefit.withdraw", BenefitApplied, BenefitWithdrawn, "withdrawn_on", EvBenefitWithdrawn}
)

// EndBenefit ends an approved case at the version the user saw and writes
// benefit_ended to the household's ledger in the same transaction. A case
// that is not approved (applied, rejected, ended or withdrawn already) is
// refused with a FieldError on status, a one-off benefit (paid once) on
// period, an end before the decision on ended_on, a missing reason on
// reason; a stale version is apperr.ErrConflict. Any of them leaves the
// case as it was.
func (s *Store) EndBenefit(ctx context.Context, actor Actor, id int64, e BenefitEnd) (*BenefitCase, error) {
	return s.closeBenefit(ctx, actor, id, endStep, e.EndedOn, e.Reason, e.Version)
}

// WithdrawBenefit withdraws an applied case at the version the user saw
// and writes benefit_withdrawn to the household's ledger in the same
// transaction. A decided case (or one withdrawn already) is refused with a
// FieldError on status, a withdrawal before the application on
// withdrawn_on, a missing reason on reason; a stale version is
// apperr.ErrConflict. Who may withdraw (the case's helper, or a role that
// may decide) is the caller's to check (MayWithdrawBenefit).
func (s *Store) WithdrawBenefit(ctx context.Context, actor Actor, id int64, w BenefitWithdrawal) (*BenefitCase, error) {
	return s.closeBenefit(ctx, actor, id, withdrawStep, w.WithdrawnOn, w.Reason, w.Version)
}

// OneOffBenefit says whether a case of kind with period is paid once: its
// period is one_off, or none is given and it is temporary relief (临时救助
// is paid once by nature; the other kinds are paid monthly). A one-off
// case does not end, and the statistics count it paid in its decision's
// month only.
func OneOffBenefit(kind, period string) bool {
	return period == "one_off" || (period == "" && kind == BenefitTemporaryRelief)
}

// oneOffSQL is OneOffBenefit of case c in SQL.
const oneOffSQL = `(c.period = 'one_off' OR (c.period = '' AND c.kind = '` + BenefitTemporaryRelief + `'))`

// MayWithdrawBenefit says whether a user may withdraw case c: a role that
// may decide cases (mayDecide), or the case's helper (the user's team
// member is the case's helper) when they may record needs.
func MayWithdrawBenefit(c *BenefitCase, mayDecide, mayRecord bool, teamMemberID int64) bool {
	return mayDecide || (mayRecord && teamMemberID != 0 && c.HelperID == teamMemberID)
}

func (s *Store) closeBenefit(ctx context.Context, actor Actor, id int64, step closeStep, day, reason string, version int) (*BenefitCase, error) {
	audit.Describe(ctx, step.action, fmt.Sprintf("benefit:%d", id), "")
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, apperr.Field("reason", "required", "is required: say why, in a few words")
	}
	if err := first(maxLen("reason", reason, MaxBenefitReason), apperr.Text("reason", reason)); err != nil {
		return nil, err
	}
	if version <= 0 {
		return nil, apperr.Field("version", "required", "is required: the version of the case you saw")
	}
	today := s.today()
	day = strings.TrimSpace(day)
	if day == "" {
		day = today.String()
	}
	on, err := calendar.ParseDate(step.dayField, day)
	if err != nil {
		return nil, err
	}
	if on.After(today) {
		return nil, apperr.Field(step.dayField, "future", "must not be in the future")
	}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		var hid int64
		var kind, status, applied, decided, period string
		var v int
		err := tx.QueryRowContext(ctx, `SELECT household_id, kind, status, applied_on, decided_on, period, version FROM benefit_cases WHERE id = ?`, id).
			Scan(&hid, &kind, &status, &applied, &decided, &period, &v)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.ErrNotFound
		}
		if err != nil {
			return err
		}
		if err := s.visible(ctx, tx, hid); err != nil {
			return err
		}
		audit.Describe(ctx, step.action, fmt.Sprintf("household:%d", hid), fmt.Sprintf("benefit:%d %s", id, step.to))
		if v != version {
			return &apperr.Stale{Current: v}
		}
		if status != step.from {
			if step == endStep {
				return apperr.Field("status", "invalid_transition", "the case is %s; only an approved case ends", status)
			}
			return apperr.Field("status", "invalid_transition", "the case is %s; only an applied case is withdrawn", status)
		}
		if step == endStep {
			if OneOffBenefit(kind, period) {
				return apperr.Field("period", "one_off", "a one-off benefit is paid once and does not end")
			}
			if on.String() < decided {
				return apperr.Field("ended_on", "before_decided", "must not be before the decision (%s)", decided)
			}
		} else if on.String() < applied {
			return apperr.Field("withdrawn_on", "before_applied", "must not be before the application (%s)", applied)
		}
		now := s.now().UTC()
		res, err := tx.ExecContext(ctx, `UPDATE benefit_cases SET status = ?, `+step.dayField+` = ?, reason = ?, version = version + 1, updated_at = ?
			WHERE id = ? AND version = ? AND status = ?`, step.to, on.String(), reason, now, id, version, step.from)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return store.Stale(ctx, tx, "benefit_cases", id)
		}
		return benefitStep(ctx, tx, id, hid, LedgerEvent{Type: step.event, Field: kind, Before: step.from, After: step.to,
			ActorID: actor.ID, Actor: actor.Name, At: now}, on.String(), reason)
	})
	if err != nil {
		return nil, err
	}
	return s.BenefitByID(ctx, id)
}
