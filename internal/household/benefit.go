package household

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/audit"
	"wanhu/internal/calendar"
	"wanhu/internal/org"
	"wanhu/internal/store"
)

// Benefit cases (issue 17): relief and benefits as services delivered. A
// case is an application of a household, for some of its members, for
// temporary relief (临时救助), dibao (低保), near-dibao (低保边缘), a
// disability aid or the subsidy of the over-80s (高龄补贴). It is applied
// for (with its helper, a team member, and what it came from: a need, a
// plan measure, a visit or a request) and then decided once: approved or
// rejected, on a decision date; an applied case may be withdrawn instead,
// and an approved case paid monthly may end (benefit_close.go). Each step
// goes to the household's ledger in the same transaction. The statistics
// (BenefitStats) count the approved cases by their decision date (an
// ended case too: it was approved) and the cases paid in the period's
// months, from their decision to their end.
//
// The cases live in this package because they are the household's: its
// scope, its needs and plan measures, and its ledger, written in the same
// transaction as the case.

// Kinds of benefit.
const (
	BenefitTemporaryRelief = "temporary_relief" // 临时救助
	BenefitDibao           = "dibao"            // 低保
	BenefitNearDibao       = "near_dibao"       // 低保边缘
	BenefitDisabilityAid   = "disability_aid"   // 残疾人补助
	BenefitElderlySubsidy  = "elderly_subsidy"  // 高龄补贴
)

// Statuses of a benefit case: applied, then approved or rejected (or
// withdrawn before the decision); an approved case may end
// (benefit_close.go).
const (
	BenefitApplied   = "applied"
	BenefitApproved  = "approved"
	BenefitRejected  = "rejected"
	BenefitWithdrawn = "withdrawn"
	BenefitEnded     = "ended"
)

var (
	// BenefitKinds lists the kinds of benefit, the statistics' rows in
	// this order.
	BenefitKinds = []string{BenefitDibao, BenefitNearDibao, BenefitTemporaryRelief, BenefitDisabilityAid, BenefitElderlySubsidy}
	// BenefitStatuses lists the statuses of a case.
	BenefitStatuses = []string{BenefitApplied, BenefitApproved, BenefitRejected, BenefitWithdrawn, BenefitEnded}
	// BenefitPeriods says whether an amount is paid each month or once.
	BenefitPeriods = []string{"monthly", "one_off"}
	// BenefitForms is how a benefit is given: cash or in kind (实物).
	BenefitForms = []string{"cash", "in_kind"}
)

// BenefitCase is one application for a benefit. Amount is in whole yuan;
// it is nil, with AmountHidden, for a reader whose role may not see a
// household's income (see showBenefit).
type BenefitCase struct {
	ID           int64     `json:"id"`
	HouseholdID  int64     `json:"household_id"`
	Address      string    `json:"address"`
	GridID       int64     `json:"grid_id"`
	Kind         string    `json:"kind"`
	PersonIDs    []int64   `json:"person_ids"`
	Persons      []string  `json:"persons"`
	AppliedOn    string    `json:"applied_on"`
	HelperID     int64     `json:"helper_id,omitempty"`
	Helper       string    `json:"helper,omitempty"`
	Status       string    `json:"status"`
	DecidedOn    string    `json:"decided_on,omitempty"`
	EndedOn      string    `json:"ended_on,omitempty"`
	WithdrawnOn  string    `json:"withdrawn_on,omitempty"`
	Reason       string    `json:"reason,omitempty"`
	Amount       *int64    `json:"amount"`
	AmountHidden bool      `json:"amount_hidden,omitempty"`
	Period       string    `json:"period,omitempty"`
	Form         string    `json:"form"`
	Note         string    `json:"note"`
	NeedID       int64     `json:"need_id,omitempty"`
	MeasureID    int64     `json:"measure_id,omitempty"`
	VisitID      int64     `json:"visit_id,omitempty"`
	RequestID    int64     `json:"request_id,omitempty"`
	Version      int       `json:"version"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// BenefitInput is a new application. AppliedOn defaults to today (China);
// Form to cash; PersonIDs to the person of the need it came from, if any.
type BenefitInput struct {
	HouseholdID int64   `json:"household_id"`
	Kind        string  `json:"kind"`
	PersonIDs   []int64 `json:"person_ids"`
	AppliedOn   string  `json:"applied_on"`
	HelperID    int64   `json:"helper_id"`
	Amount      int64   `json:"amount"`
	Period      string  `json:"period"`
	Form        string  `json:"form"`
	Note        string  `json:"note"`
	NeedID      int64   `json:"need_id"`
	MeasureID   int64   `json:"measure_id"`
	VisitID     int64   `json:"visit_id"`
	RequestID   int64   `json:"request_id"`
}

// BenefitDecision decides an applied case: Status approved or rejected,
// on DecidedOn (default today, China), with the amount granted (nil keeps
// the amount applied for) and a note, at the Version the user saw.
type BenefitDecision struct {
	Status    string `json:"status"`
	DecidedOn string `json:"decided_on"`
	Amount    *int64 `json:"amount"`
	Note      string `json:"note"`
	Version   int    `json:"version"`
}

// MaxBenefitAmount bounds an amount in yuan.
const MaxBenefitAmount = 10_000_000

func checkAmount(a int64, period string) error {
	if a < 0 || a > MaxBenefitAmount {
		return apperr.Field("amount", "out_of_range", "must be a whole number of yuan from 0 to %d", MaxBenefitAmount)
	}
	return oneOf("period", period, BenefitPeriods, true)
}

func (in *BenefitInput) check(today calendar.Date) error {
	in.Note = strings.TrimSpace(in.Note)
	if in.Form == "" {
		in.Form = "cash"
	}
	if in.AppliedOn == "" {
		in.AppliedOn = today.String()
	}
	if in.HouseholdID <= 0 {
		return apperr.Field("household_id", "required", "is required")
	}
	if err := first(oneOf("kind", in.Kind, BenefitKinds, false), oneOf("form", in.Form, BenefitForms, false),
		checkAmount(in.Amount, in.Period), maxLen("note", in.Note, 1000), apperr.Text("note", in.Note)); err != nil {
		return err
	}
	d, err := calendar.ParseDate("applied_on", in.AppliedOn)
	if err != nil {
		return err
	}
	if d.After(today) {
		return apperr.Field("applied_on", "future", "must not be in the future")
	}
	in.AppliedOn = d.String()
	return nil
}

// CreateBenefit records an application for a benefit of a household in
// scope, for members of it, and writes benefit_applied to its ledger in
// the same transaction. What it came from (need, measure, visit, request)
// must be of the same household.
func (s *Store) CreateBenefit(ctx context.Context, actor Actor, in BenefitInput) (*BenefitCase, error) {
	audit.Describe(ctx, "benefit.apply", fmt.Sprintf("household:%d", in.HouseholdID), in.Kind)
	if err := in.check(s.today()); err != nil {
		return nil, err
	}
	var id int64
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := s.visible(ctx, tx, in.HouseholdID); err != nil {
			if errors.Is(err, apperr.ErrNotFound) {
				return apperr.Field("household_id", "not_found", "household %d does not exist", in.HouseholdID)
			}
			return err
		}
		grid, err := gridOf(ctx, tx, in.HouseholdID)
		if err != nil {
			return err
		}
		if err := s.checkSources(ctx, tx, &in); err != nil {
			return err
		}
		persons := slices.Compact(slices.Sorted(slices.Values(in.PersonIDs)))
		if len(persons) == 0 {
			return apperr.Field("person_ids", "required", "name at least one member of the household the case covers")
		}
		if len(persons) > 50 {
			return apperr.Field("person_ids", "too_many", "must name at most 50 persons")
		}
		for _, p := range persons {
			var hid int64
			err := tx.QueryRowContext(ctx, `SELECT household_id FROM persons WHERE id = ?`, p).Scan(&hid)
			if err != nil || hid != in.HouseholdID {
				return apperr.Field("person_ids", "not_member", "person %d is not a member of this household", p)
			}
		}
		if in.HelperID != 0 {
			if err := org.CheckVisitor(ctx, tx, grid, in.HelperID, "helper_id"); err != nil {
				return err
			}
		}
		now := s.now().UTC()
		if err := tx.QueryRowContext(ctx, `INSERT INTO benefit_cases(household_id, kind, applied_on, helper_id, status, amount, period, form, note,
			need_id, measure_id, visit_id, request_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			in.HouseholdID, in.Kind, in.AppliedOn, nullID(in.HelperID), BenefitApplied, in.Amount, in.Period, in.Form, in.Note,
			nullID(in.NeedID), nullID(in.MeasureID), nullID(in.VisitID), nullID(in.RequestID), now, now).Scan(&id); err != nil {
			return err
		}
		for _, p := range persons {
			if _, err := tx.ExecContext(ctx, `INSERT INTO benefit_persons(case_id, person_id) VALUES (?, ?)`, id, p); err != nil {
				return err
			}
		}
		return writeLedger(ctx, tx, LedgerEvent{HouseholdID: in.HouseholdID, PersonID: onePerson(persons), GridID: grid, Type: EvBenefitApplied,
			Field: in.Kind, After: BenefitApplied, Note: benefitNote(in.AppliedOn, len(persons), in.Note), ActorID: actor.ID, Actor: actor.Name, At: now})
	})
	if err != nil {
		return nil, err
	}
	audit.Describe(ctx, "benefit.apply", fmt.Sprintf("household:%d", in.HouseholdID), fmt.Sprintf("benefit:%d %s", id, in.Kind))
	return s.BenefitByID(ctx, id)
}

// checkSources checks that the need, measure, visit and request a case
// came from belong to its household, and takes the need's person when
// the input names none.
func (s *Store) checkSources(ctx context.Context, tx *store.Tx, in *BenefitInput) error {
	type src struct {
		field string
		id    int64
		sql   string
	}
	for _, x := range []src{
		{"need_id", in.NeedID, `SELECT household_id, COALESCE(person_id, 0) FROM needs WHERE id = ?`},
		{"measure_id", in.MeasureID, `SELECT household_id, 0 FROM plan_measures WHERE id = ?`},
		{"visit_id", in.VisitID, `SELECT household_id, 0 FROM visits WHERE id = ?`},
		{"request_id", in.RequestID, `SELECT COALESCE(household_id, 0), 0 FROM requests WHERE id = ?`},
	} {
		if x.id == 0 {
			continue
		}
		var hid, person int64
		err := tx.QueryRowContext(ctx, x.sql, x.id).Scan(&hid, &person)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && hid != in.HouseholdID) {
			return apperr.Field(x.field, "not_found", "%d is not a record of this household", x.id)
		}
		if err != nil {
			return err
		}
		if x.field == "need_id" && len(in.PersonIDs) == 0 && person != 0 {
			in.PersonIDs = []int64{person}
		}
	}
	return nil
}

// DecideBenefit approves or rejects an applied case at the version the
// user saw, and writes benefit_granted or benefit_rejected to the
// household's ledger in the same transaction. A case decided already
// refuses another decision (a FieldError on status); a stale version is
// apperr.ErrConflict. Either leaves the case as it was.
func (s *Store) DecideBenefit(ctx context.Context, actor Actor, id int64, d BenefitDecision) (*BenefitCase, error) {
	audit.Describe(ctx, "benefit.decide", fmt.Sprintf("benefit:%d", id), d.Status)
	d.Note = strings.TrimSpace(d.Note)
	if err := first(oneOf("status", d.Status, []string{BenefitApproved, BenefitRejected}, false), maxLen("note", d.Note, 1000), apperr.Text("note", d.Note)); err != nil {
		return nil, err
	}
	if d.Version <= 0 {
		return nil, apperr.Field("version", "required", "is required: the version of the case you saw")
	}
	today := s.today()
	if d.DecidedOn == "" {
		d.DecidedOn = today.String()
	}
	on, err := calendar.ParseDate("decided_on", d.DecidedOn)
	if err != nil {
		return nil, err
	}
	if on.After(today) {
		return nil, apperr.Field("decided_on", "future", "must not be in the future")
	}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		var hid int64
		var kind, status, applied, note, period string
		var amount int64
		var version int
		err := tx.QueryRowContext(ctx, `SELECT household_id, kind, status, applied_on, note, amount, period, version FROM benefit_cases WHERE id = ?`, id).
			Scan(&hid, &kind, &status, &applied, &note, &amount, &period, &version)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.ErrNotFound
		}
		if err != nil {
			return err
		}
		if err := s.visible(ctx, tx, hid); err != nil {
			return err
		}
		audit.Describe(ctx, "benefit.decide", fmt.Sprintf("household:%d", hid), fmt.Sprintf("benefit:%d %s", id, d.Status))
		if version != d.Version {
			return &apperr.Stale{Current: version}
		}
		if status != BenefitApplied {
			return apperr.Field("status", "invalid_transition", "the case is %s already; only an applied case can be decided", status)
		}
		if on.String() < applied {
			return apperr.Field("decided_on", "before_applied", "must not be before the application (%s)", applied)
		}
		if d.Amount != nil {
			if err := checkAmount(*d.Amount, period); err != nil {
				return err
			}
			amount = *d.Amount
		}
		if d.Note != "" {
			note = d.Note
		}
		now := s.now().UTC()
		res, err := tx.ExecContext(ctx, `UPDATE benefit_cases SET status = ?, decided_on = ?, amount = ?, note = ?, version = version + 1, updated_at = ?
			WHERE id = ? AND version = ?`, d.Status, on.String(), amount, note, now, id, d.Version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return store.Stale(ctx, tx, "benefit_cases", id)
		}
		typ := EvBenefitGranted
		if d.Status == BenefitRejected {
			typ = EvBenefitRejected
		}
		return benefitStep(ctx, tx, id, hid, LedgerEvent{Type: typ, Field: kind, Before: BenefitApplied, After: d.Status,
			ActorID: actor.ID, Actor: actor.Name, At: now}, on.String(), d.Note)
	})
	if err != nil {
		return nil, err
	}
	return s.BenefitByID(ctx, id)
}

// benefitStep writes ev, a step of case id of household hid, to the
// ledger in tx: with the case's persons (the one, or none when there are
// several), the household's grid, and a note of the step's day on and
// note.
func benefitStep(ctx context.Context, tx *store.Tx, id, hid int64, ev LedgerEvent, on, note string) error {
	persons, err := benefitPersons(ctx, tx, id)
	if err != nil {
		return err
	}
	if ev.GridID, err = gridOf(ctx, tx, hid); err != nil {
		return err
	}
	ids := make([]int64, len(persons))
	for i, p := range persons {
		ids[i] = p.id
	}
	ev.HouseholdID, ev.PersonID, ev.Note = hid, onePerson(ids), benefitNote(on, len(persons), note)
	return writeLedger(ctx, tx, ev)
}

// onePerson is the person of a ledger event about persons: the one, or
// none when there are several.
func onePerson(ids []int64) int64 {
	if len(ids) == 1 {
		return ids[0]
	}
	return 0
}

// benefitNote is the ledger note of a case's step: the day, the number of
// persons and the note; amounts stay out of the ledger.
func benefitNote(day string, persons int, note string) string {
	s := fmt.Sprintf("%s · %d人", day, persons)
	if note != "" {
		s += " · " + note
	}
	return s
}

type benefitPerson struct {
	id   int64
	name string
}

func benefitPersons(ctx context.Context, q store.Querier, caseID int64) ([]benefitPerson, error) {
	rows, err := q.QueryContext(ctx, `SELECT p.id, p.name FROM benefit_persons b JOIN persons p ON p.id = b.person_id WHERE b.case_id = ? ORDER BY p.id`, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []benefitPerson
	for rows.Next() {
		var p benefitPerson
		if err := rows.Scan(&p.id, &p.name); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// BenefitFilter selects benefit cases; zero fields select everything.
type BenefitFilter struct {
	HouseholdID int64
	Kind        string
	Status      string
	Page        int
	PerPage     int
	// NoTotal leaves the total uncounted (0): for a page that shows the
	// cases without a pager (the household file).
	NoTotal bool
}

const benefitCols = `c.id, c.household_id, h.address, h.grid_id, c.kind, c.applied_on, COALESCE(c.helper_id, 0), COALESCE(t.name, ''),
	c.status, c.decided_on, c.ended_on, c.withdrawn_on, c.reason, c.amount, c.period, c.form, c.note, COALESCE(c.need_id, 0), COALESCE(c.measure_id, 0),
	COALESCE(c.visit_id, 0), COALESCE(c.request_id, 0), c.version, c.created_at, c.updated_at`

const benefitFrom = ` FROM benefit_cases c JOIN households h ON h.id = c.household_id LEFT JOIN team_members t ON t.id = c.helper_id`

// Benefits returns one page of the cases in scope, the latest applied
// first, and their total (unless f.NoTotal), masked for the reader
// (showBenefit).
func (s *Store) Benefits(ctx context.Context, f BenefitFilter) ([]BenefitCase, int, error) {
	if err := first(oneOf("kind", f.Kind, BenefitKinds, true), oneOf("status", f.Status, BenefitStatuses, true)); err != nil {
		return nil, 0, err
	}
	var where []string
	var args []any
	sc, sargs, err := s.rowsScope(ctx, f.HouseholdID != 0)
	if err != nil {
		return nil, 0, err
	}
	if sc != "" {
		where, args = append(where, sc), append(args, sargs...)
	}
	if f.HouseholdID != 0 {
		where, args = append(where, "c.household_id = ?"), append(args, f.HouseholdID)
	}
	if f.Kind != "" {
		where, args = append(where, "c.kind = ?"), append(args, f.Kind)
	}
	if f.Status != "" {
		where, args = append(where, "c.status = ?"), append(args, f.Status)
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if !f.NoTotal {
		if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*)`+benefitFrom+cond, args...).Scan(&total); err != nil {
			return nil, 0, err
		}
	}
	page, per := pageOf(f.Page, f.PerPage)
	rows, err := s.db.QueryContext(ctx, `SELECT `+benefitCols+benefitFrom+cond+` ORDER BY c.applied_on DESC, c.id DESC LIMIT ? OFFSET ?`,
		append(args, per, (page-1)*per)...)
	if err != nil {
		return nil, 0, err
	}
	out := []BenefitCase{}
	for rows.Next() {
		c, err := scanBenefit(rows)
		if err != nil {
			rows.Close()
			return nil, 0, err
		}
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	shown := 0
	for i := range out {
		if err := s.fillBenefit(ctx, &out[i]); err != nil {
			return nil, 0, err
		}
		if !out[i].AmountHidden {
			shown++
		}
	}
	// Amounts are a household's income: a user's view of them is audited.
	if shown > 0 && !s.scope.All {
		object := "benefits"
		if f.HouseholdID != 0 {
			object = fmt.Sprintf("household:%d", f.HouseholdID)
		}
		audit.Note(ctx, "benefit.list", object, audit.OK, fmt.Sprintf("%d cases with amounts", shown))
	}
	return out, total, nil
}

// BenefitByID returns one case in scope, masked for the reader;
// apperr.ErrNotFound if it does not exist or is out of scope.
func (s *Store) BenefitByID(ctx context.Context, id int64) (*BenefitCase, error) {
	cond, args := Where(s.scope)
	if cond != "" {
		cond = " AND " + cond
	}
	c, err := scanBenefit(s.db.QueryRowContext(ctx, `SELECT `+benefitCols+benefitFrom+` WHERE c.id = ?`+cond, append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if err := s.fillBenefit(ctx, &c); err != nil {
		return nil, err
	}
	if !c.AmountHidden && !s.scope.All {
		audit.Note(ctx, "benefit.view", fmt.Sprintf("benefit:%d", c.ID), audit.OK, fmt.Sprintf("household:%d", c.HouseholdID))
	}
	return &c, nil
}

// BenefitInScope returns apperr.ErrNotFound unless case id exists in scope.
func (s *Store) BenefitInScope(ctx context.Context, id int64) error {
	_, err := s.BenefitByID(ctx, id)
	return err
}

func scanBenefit(r interface{ Scan(...any) error }) (BenefitCase, error) {
	var c BenefitCase
	var amount int64
	err := r.Scan(&c.ID, &c.HouseholdID, &c.Address, &c.GridID, &c.Kind, &c.AppliedOn, &c.HelperID, &c.Helper, &c.Status, &c.DecidedOn,
		&c.EndedOn, &c.WithdrawnOn, &c.Reason, &amount, &c.Period, &c.Form, &c.Note, &c.NeedID, &c.MeasureID, &c.VisitID, &c.RequestID, &c.Version, &c.CreatedAt, &c.UpdatedAt)
	c.Amount = &amount
	return c, err
}

func (s *Store) fillBenefit(ctx context.Context, c *BenefitCase) error {
	ps, err := benefitPersons(ctx, s.db, c.ID)
	if err != nil {
		return err
	}
	c.PersonIDs, c.Persons = []int64{}, []string{}
	for _, p := range ps {
		c.PersonIDs, c.Persons = append(c.PersonIDs, p.id), append(c.Persons, p.name)
	}
	showBenefit(s.scope, c)
	return nil
}

// showBenefit masks a case for a reader of scope: a household's income
// (the amount) and the note and reason of a disability aid are shown only
// to a role that may see a person in full, as health notes are.
func showBenefit(scope org.Scope, c *BenefitCase) {
	if scope.All || scope.Reveal {
		return
	}
	c.Amount, c.AmountHidden = nil, true
	if c.Kind == BenefitDisabilityAid {
		c.Note, c.Reason = hide(c.Note), hide(c.Reason)
	}
}
