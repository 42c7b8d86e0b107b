package visit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/audit"
	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/proactive"
	"wanhu/internal/store"
)

// Store records visits and reads them back, within a scope: a household
// out of scope answers apperr.ErrNotFound, exactly like one that does not
// exist.
type Store struct {
	db    *store.DB
	files *household.Store
	scope org.Scope
	now   func() time.Time
	plan  PlanConfig
	slots SlotConfig
	// photoSlots limit the photos decoded at once (nil: no limit).
	photoSlots *PhotoSlots
}

// NewStore returns a Store that sees every household; faces serving users
// call In.
func NewStore(db *store.DB, files *household.Store) *Store {
	return &Store{db: db, files: files, scope: org.Everything, now: time.Now, plan: DefaultPlanConfig, slots: DefaultSlotConfig}
}

// In returns a Store limited to scope.
func (s *Store) In(scope org.Scope) *Store {
	c := *s
	c.scope, c.files = scope, s.files.In(scope)
	return &c
}

// WithPhotoSlots returns a Store that decodes photos in slots, which the
// server shares between all its requests.
func (s *Store) WithPhotoSlots(slots *PhotoSlots) *Store {
	c := *s
	c.photoSlots = slots
	return &c
}

// SetClock replaces the clock, for tests (the household store keeps its own).
func (s *Store) SetClock(now func() time.Time) { s.now = now }

func (s *Store) today() calendar.Date {
	return calendar.DayOf(s.now())
}

// Record records a visit and what it found. The same client id sent again
// returns the visit recorded the first time and created false.
//
// The visit row, its visitors, its survey answers and the household's
// schedule are written in one transaction, together with what the visit
// found: needs, typed changes and a vacancy go through the household store (with their ledger
// events) inside the same transaction, so a visit is recorded whole or not
// at all, and the client can retry under the same client id.
func (s *Store) Record(ctx context.Context, actor household.Actor, in Input) (*Visit, bool, error) {
	now := s.now().UTC()
	audit.Describe(ctx, "visit.record", fmt.Sprintf("household:%d", in.HouseholdID), in.Outcome)
	if err := in.check(now); err != nil {
		return nil, false, err
	}
	photos, err := checkPhotos(ctx, s.photoSlots, in.Photos)
	if err != nil {
		return nil, false, err
	}
	if v, err := s.existing(ctx, in.ClientID); !errors.Is(err, apperr.ErrNotFound) {
		describeRecorded(ctx, v, false)
		return v, false, err
	}
	h, err := s.files.HouseholdByID(ctx, in.HouseholdID)
	if err != nil {
		return nil, false, err // out of scope or not there: ErrNotFound either way
	}
	if err := in.checkMembers(ctx, s.db, h); err != nil {
		return nil, false, err
	}
	if err := checkSurvey(ctx, s.db, in.Survey); err != nil {
		return nil, false, err
	}
	at := now
	if in.At != nil {
		at = in.At.UTC()
	}
	day := calendar.DayOf(at)
	if in.Outcome == "not_home" && in.FollowUpOn.IsZero() {
		in.FollowUpOn = calendar.DateOf(day.Time().AddDate(0, 0, FollowUpDays))
	}
	var id int64
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO visits(client_id, household_id, grid_id, outcome, channel, at, recorded_by,
			recorded_by_name, met, companions, notes, card_left, follow_up_on, needs_added, events_recorded, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (client_id) DO NOTHING RETURNING id`,
			in.ClientID, h.ID, h.GridID, in.Outcome, in.Channel, at, nullID(actor.ID), actor.Name, joinIDs(in.Met), in.Companions,
			in.Notes, in.CardLeft, in.FollowUpOn, len(in.Needs), len(in.Events), now).Scan(&id)
		if isNoRows(err) {
			return nil // recorded meanwhile by the same client
		}
		if err != nil {
			return fmt.Errorf("insert visit: %w", err)
		}
		if err := insertPhotos(ctx, tx, id, photos, now); err != nil {
			return err
		}
		if err := writeSurvey(ctx, tx, id, h, at, in.Survey); err != nil {
			return err
		}
		for _, m := range in.Visitors {
			if _, err := tx.ExecContext(ctx, `INSERT INTO visit_visitors(visit_id, team_member_id, at) VALUES (?, ?, ?)
				ON CONFLICT DO NOTHING`, id, m, at); err != nil {
				return err
			}
		}
		if err := recordPraise(ctx, tx, actor, id, in, at, now); err != nil {
			return err
		}
		if err := s.schedule(ctx, tx, h.ID, in.Outcome, at, day); err != nil {
			return err
		}
		if err := closeAppointment(ctx, tx, h.ID, id, in.Outcome, at, now); err != nil {
			return err
		}
		return s.apply(store.WithTx(ctx, tx), actor, h, in)
	})
	if err != nil {
		return nil, false, err
	}
	v, err := s.existing(ctx, in.ClientID)
	describeRecorded(ctx, v, id != 0)
	if id == 0 {
		return v, false, err
	}
	return v, true, err
}

// describeRecorded names visit v in the audit log of the request that
// recorded it, or sent it again (created false: a retry of the offline
// queue): on its household, with its id and outcome.
func describeRecorded(ctx context.Context, v *Visit, created bool) {
	if v == nil {
		return
	}
	detail := fmt.Sprintf("visit:%d %s", v.ID, v.Outcome)
	if !created {
		detail += ", recorded before"
	}
	audit.Describe(ctx, "visit.record", fmt.Sprintf("household:%d", v.HouseholdID), detail)
}

// Visit returns visit id if its household is in scope.
func (s *Store) Visit(ctx context.Context, id int64) (*Visit, error) {
	vs, err := visitWhere(ctx, s.db, `WHERE v.id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(vs) == 0 {
		return nil, apperr.ErrNotFound
	}
	if err := s.files.Visible(ctx, vs[0].HouseholdID); err != nil {
		return nil, err
	}
	return &vs[0], nil
}

// existing returns the visit of a client id if its household is in scope.
func (s *Store) existing(ctx context.Context, clientID string) (*Visit, error) {
	v, err := byClientID(ctx, s.db, clientID)
	if err != nil {
		return nil, err
	}
	if err := s.files.Visible(ctx, v.HouseholdID); err != nil {
		return nil, err
	}
	return v, nil
}

// schedule updates the household's visit state after a visit: a meeting
// restarts the cycle, a not-at-home visit counts a miss and flags the
// household for an off-peak visit after as many in a row as the
// proactive off-peak rule says (internal/proactive, rule_offpeak.go).
func (s *Store) schedule(ctx context.Context, q store.Querier, id int64, outcome string, at time.Time, day calendar.Date) error {
	var misses int
	var lastAt *time.Time
	if err := q.QueryRowContext(ctx, `SELECT misses, last_visit_at FROM households WHERE id = ?`, id).Scan(&misses, &lastAt); err != nil {
		return err
	}
	if lastAt != nil && lastAt.After(at) {
		// An older visit sent late (offline): keep it, leave the state.
		return nil
	}
	switch outcome {
	case "met":
		if _, err := q.ExecContext(ctx, `UPDATE households SET last_visit_at = ?, last_met_on = ?, misses = 0, offpeak = ? WHERE id = ?`,
			at, day, false, id); err != nil {
			return err
		}
	case "not_home":
		misses++
		after, err := proactive.MissesBeforeOffpeak(ctx, q)
		if err != nil {
			return err
		}
		if _, err := q.ExecContext(ctx, `UPDATE households SET last_visit_at = ?, misses = ?, offpeak = ? WHERE id = ?`,
			at, misses, after > 0 && misses >= after, id); err != nil {
			return err
		}
	default:
		if _, err := q.ExecContext(ctx, `UPDATE households SET last_visit_at = ?, misses = 0 WHERE id = ?`, at, id); err != nil {
			return err
		}
	}
	p, err := LoadPolicy(ctx, q)
	if err != nil {
		return err
	}
	_, err = recompute(ctx, q, p, id, s.today())
	return err
}

// apply writes what a visit found through the household store: needs,
// typed changes, and a vacant household's occupancy.
func (s *Store) apply(ctx context.Context, actor household.Actor, h *household.Household, in Input) error {
	for i, n := range in.Needs {
		if _, err := s.files.AddNeed(ctx, actor, household.Need{HouseholdID: h.ID, PersonID: n.PersonID, Kind: n.Kind, Note: n.Note}); err != nil {
			return apperr.InField(err, fmt.Sprintf("needs[%d].%s", i, fieldOf(err)))
		}
	}
	for i, e := range in.Events {
		if _, err := s.files.RecordEvent(ctx, actor, e.PersonID, e.Event); err != nil {
			return apperr.InField(err, fmt.Sprintf("events[%d].%s", i, fieldOf(err)))
		}
	}
	if in.Outcome == "vacant" && h.Occupancy != "vacant" {
		hh := *h
		hh.Occupancy = "vacant"
		if _, err := s.files.UpdateHousehold(ctx, actor, hh); err != nil {
			return err
		}
	}
	return nil
}

func fieldOf(err error) string {
	if fe, ok := apperr.AsField(err); ok {
		return fe.Field
	}
	return ""
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// ForHousehold returns a household's visits, newest first, and the total.
func (s *Store) ForHousehold(ctx context.Context, id int64, page, per int) ([]Visit, int, error) {
	if err := s.files.Visible(ctx, id); err != nil {
		return nil, 0, err
	}
	var total int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM visits WHERE household_id = ?`, id).Scan(&total); err != nil {
		return nil, 0, err
	}
	page, per = pageOf(page, per)
	vs, err := visitWhere(ctx, s.db, `WHERE v.household_id = ? ORDER BY v.at DESC, v.id DESC LIMIT ? OFFSET ?`, id, per, (page-1)*per)
	return vs, total, err
}

// Schedule is a household's visit state.
type Schedule struct {
	Frequency   string        `json:"frequency"`
	Reason      string        `json:"reason"`
	LastVisitAt *time.Time    `json:"last_visit_at"`
	LastMetOn   calendar.Date `json:"last_met_on"`
	NextDueOn   calendar.Date `json:"next_due_on"`
	Overdue     bool          `json:"overdue"`
	DaysOverdue int           `json:"days_overdue"`
	Misses      int           `json:"misses"`
	Offpeak     bool          `json:"offpeak"`
}

// ScheduleOf returns the visit state of household id, in two statements
// (the schedule with the configured policy, then the facts).
// Out of scope it answers apperr.ErrNotFound: the scope is a condition of
// the query that reads the schedule (household.WhereRow: one row checked).
func (s *Store) ScheduleOf(ctx context.Context, id int64) (*Schedule, error) {
	return s.scheduleOf(ctx, id, true, nil, 0)
}

// DueOf is ScheduleOf without the frequency and its reason (left empty),
// in one statement: when the household is next due, for the household
// file, which shows no frequency.
func (s *Store) DueOf(ctx context.Context, id int64) (*Schedule, error) {
	return s.scheduleOf(ctx, id, false, nil, 0)
}

// DueWithBlocks is DueOf that reads in the same statement which lists of
// the household's file have rows, and team member member if not 0
// (household.Store.FileBlocksOf).
func (s *Store) DueWithBlocks(ctx context.Context, id, member int64) (*Schedule, household.FileBlocks, error) {
	var b household.FileBlocks
	sc, err := s.scheduleOf(ctx, id, false, &b, member)
	return sc, b, err
}

func (s *Store) scheduleOf(ctx context.Context, id int64, frequency bool, blocks *household.FileBlocks, member int64) (*Schedule, error) {
	cond, args := household.WhereRow(s.scope)
	if cond != "" {
		cond = " AND " + cond
	}
	var sc Schedule
	var stored sql.NullString // the configured policy, if any (LoadPolicy)
	policy, dest := "", []any{&sc.LastVisitAt, &sc.LastMetOn, &sc.NextDueOn, &sc.Misses, &sc.Offpeak}
	var selectArgs []any // the select list's, before the condition's
	if frequency {
		policy, dest, selectArgs = ", (SELECT value FROM settings WHERE key = ?)", append(dest, &stored), append(selectArgs, policyKey)
	}
	if blocks != nil {
		cols, colArgs := household.FileBlocksColumns(member)
		policy, dest, selectArgs = policy+", "+cols, append(dest, blocks.Dest(member)...), append(selectArgs, colArgs...)
	}
	args = append(append(selectArgs, id), args...)
	err := s.db.QueryRowContext(ctx, `SELECT h.last_visit_at, h.last_met_on, h.next_due_on, h.misses, h.offpeak`+policy+`
		FROM households h WHERE h.id = ?`+cond, args...).Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if frequency {
		p := DefaultPolicy
		if stored.Valid {
			if p, err = storedPolicy(stored.String); err != nil {
				return nil, err
			}
		}
		f, err := facts(ctx, s.db, id)
		if err != nil {
			return nil, err
		}
		sc.Frequency, sc.Reason = p.Frequency(f)
	}
	s.due(&sc)
	return &sc, nil
}

// DueSchedule is DueOf's schedule of a household whose visit state was
// read with its file (household.Store.HouseholdFile with Due).
func (s *Store) DueSchedule(d household.DueState) *Schedule {
	sc := &Schedule{LastVisitAt: d.LastVisitAt, LastMetOn: d.LastMetOn, NextDueOn: d.NextDueOn, Misses: d.Misses, Offpeak: d.Offpeak}
	s.due(sc)
	return sc
}

// due sets when sc is next due (today if never set) and how overdue.
func (s *Store) due(sc *Schedule) {
	today := s.today()
	if sc.NextDueOn.IsZero() {
		sc.NextDueOn = today
	}
	sc.DaysOverdue = max(DaysBetween(sc.NextDueOn, today), 0)
	sc.Overdue = sc.DaysOverdue > 0
}

// Due lists the due and overdue households in scope (see DueList).
func (s *Store) Due(ctx context.Context, f DueFilter) ([]Due, int, error) {
	return DueList(ctx, s.db, s.scope, f, s.today())
}
