package mediation

import (
	"context"
	"fmt"
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

// Outcomes of a mediation case: "" while it goes on.
const (
	Agreed    = "agreed"     // agreement reached (达成协议)
	NotAgreed = "not_agreed" // no agreement
)

// Outcomes lists the outcomes a case may be given.
var Outcomes = []string{Agreed, NotAgreed}

// Case is a mediation of a neighbour dispute (调解): its parties (two or
// more households), its mediators (members of the community's team: party
// members, the "five elders" 五老, building heads), its sessions, its
// outcome and agreement, the day to follow it up, and the request it
// escalated into.
type Case struct {
	ID          int64     `json:"id"`
	CommunityID int64     `json:"community_id"`
	Community   string    `json:"community"`
	Title       string    `json:"title"`
	Summary     string    `json:"summary"`
	OpenedOn    string    `json:"opened_on"`
	Outcome     string    `json:"outcome"`
	Agreement   string    `json:"agreement"`
	FollowUpOn  string    `json:"follow_up_on"`
	RequestID   int64     `json:"request_id,omitempty"`
	Parties     []Party   `json:"parties"`
	Mediators   []Member  `json:"mediators"`
	Sessions    []Meeting `json:"sessions"`
	Version     int       `json:"version"`

	path      string
	createdBy int64
}

// Party is a household of a case; Hidden is another's household, shown
// without its address.
type Party struct {
	HouseholdID int64  `json:"household_id,omitempty"`
	Address     string `json:"address,omitempty"`
	Hidden      bool   `json:"hidden,omitempty"`
}

// Member is a mediator.
type Member struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Role string `json:"role"`
}

// Meeting is one session of a case: when, and what happened.
type Meeting struct {
	ID     int64     `json:"id"`
	HeldAt time.Time `json:"held_at"`
	Note   string    `json:"note"`
	By     string    `json:"by"`
}

// CaseInput is a new case, or the new values of one (with the Version the
// user saw; parties stay as they were). CommunityID 0 takes the first
// party's community.
type CaseInput struct {
	CommunityID  int64   `json:"community_id"`
	Title        string  `json:"title"`
	Summary      string  `json:"summary"`
	OpenedOn     string  `json:"opened_on"` // default today
	HouseholdIDs []int64 `json:"household_ids"`
	MediatorIDs  []int64 `json:"mediator_ids"`
	Outcome      string  `json:"outcome"`
	Agreement    string  `json:"agreement"`
	FollowUpOn   string  `json:"follow_up_on"`
	Version      int     `json:"version"`
}

func (in *CaseInput) check(today calendar.Date) error {
	if err := text("title", &in.Title, 100, true); err != nil {
		return err
	}
	if err := text("summary", &in.Summary, 4000, false); err != nil {
		return err
	}
	if err := text("agreement", &in.Agreement, 4000, false); err != nil {
		return err
	}
	if in.OpenedOn == "" {
		in.OpenedOn = today.String()
	}
	opened, err := calendar.ParseDate("opened_on", in.OpenedOn)
	if err != nil {
		return err
	}
	if opened.After(today) {
		return apperr.Field("opened_on", "future", "must not be in the future")
	}
	if in.FollowUpOn != "" {
		f, err := calendar.ParseDate("follow_up_on", in.FollowUpOn)
		if err != nil {
			return err
		}
		if f.Before(opened) {
			return apperr.Field("follow_up_on", "before_opened", "must not be before opened_on")
		}
	}
	switch {
	case in.Outcome != "" && !slices.Contains(Outcomes, in.Outcome):
		return apperr.Field("outcome", "one_of", "must be one of %s", strings.Join(Outcomes, ", "))
	case in.Outcome == Agreed && in.Agreement == "":
		return apperr.Field("agreement", "required", "is required when an agreement was reached")
	case in.Outcome != Agreed && in.Agreement != "":
		return apperr.Field("agreement", "not_agreed", "goes with an agreement reached only")
	case len(in.MediatorIDs) == 0:
		return apperr.Field("mediator_ids", "required", "name at least one mediator")
	}
	return nil
}

// CreateCase opens a mediation case between two or more households the
// user reaches, with mediators of the community's team.
func (s *Store) CreateCase(ctx context.Context, actor household.Actor, in CaseInput) (*Case, error) {
	audit.Describe(ctx, "mediation.create", "mediation-case", "")
	if err := in.check(calendar.DayOf(s.now())); err != nil {
		return nil, err
	}
	ids := slices.Compact(slices.Sorted(slices.Values(in.HouseholdIDs)))
	if len(ids) < 2 {
		return nil, apperr.Field("household_ids", "too_few", "name at least two households")
	}
	var c org.Unit
	for i, id := range ids {
		h, err := s.files.HouseholdByID(ctx, id)
		if err != nil {
			return nil, apperr.Field("household_ids", "not_found", "household %d does not exist", id)
		}
		var grid string
		if err := s.db.QueryRowContext(ctx, `SELECT path FROM org_units WHERE id = ?`, h.GridID).Scan(&grid); err != nil {
			return nil, err
		}
		hc, err := org.CommunityOf(ctx, s.db, grid)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			c = hc
		} else if hc.ID != c.ID {
			return nil, apperr.Field("household_ids", "other_community", "the households must be of one community")
		}
	}
	if in.CommunityID != 0 && in.CommunityID != c.ID {
		return nil, apperr.Field("community_id", "mismatch", "is not the households' community")
	}
	if err := s.checkMediators(ctx, c.ID, in.MediatorIDs); err != nil {
		return nil, err
	}
	now := s.now().UTC()
	var id int64
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO mediation_cases(community_id, org_path, title, summary, opened_on, outcome, agreement,
			follow_up_on, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			c.ID, c.Path, in.Title, in.Summary, in.OpenedOn, in.Outcome, in.Agreement, in.FollowUpOn, nullID(actor.ID), now, now).Scan(&id); err != nil {
			return fmt.Errorf("insert mediation case: %w", err)
		}
		for _, h := range ids {
			if _, err := tx.ExecContext(ctx, `INSERT INTO mediation_parties(case_id, household_id) VALUES (?, ?)`, id, h); err != nil {
				return err
			}
		}
		return setMediators(ctx, tx, id, in.MediatorIDs)
	})
	if err != nil {
		return nil, err
	}
	audit.Describe(ctx, "mediation.create", fmt.Sprintf("mediation-case:%d", id), "")
	return s.caseByID(ctx, id)
}

func setMediators(ctx context.Context, tx *store.Tx, id int64, mediators []int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM mediation_mediators WHERE case_id = ?`, id); err != nil {
		return err
	}
	for _, m := range slices.Compact(slices.Sorted(slices.Values(mediators))) {
		if _, err := tx.ExecContext(ctx, `INSERT INTO mediation_mediators(case_id, team_member_id) VALUES (?, ?)`, id, m); err != nil {
			return err
		}
	}
	return nil
}

// checkMediators refuses a mediator who is not an active member of the
// team of community.
func (s *Store) checkMediators(ctx context.Context, community int64, ids []int64) error {
	for _, id := range ids {
		m, err := org.TeamMemberByID(ctx, s.db, id)
		if err != nil || m.CommunityID != community || !m.Active {
			return apperr.Field("mediator_ids", "not_found", "team member %d is not in the community's team", id)
		}
	}
	return nil
}

// UpdateCase saves the new title, summary, mediators, outcome, agreement
// and follow-up day of case id if it is still at in.Version
// (apperr.ErrConflict otherwise).
func (s *Store) UpdateCase(ctx context.Context, id int64, in CaseInput) (*Case, error) {
	audit.Describe(ctx, "mediation.update", fmt.Sprintf("mediation-case:%d", id), in.Outcome)
	old, err := s.visibleCase(ctx, id)
	if err != nil {
		return nil, err
	}
	if in.Version == 0 {
		return nil, apperr.Field("version", "required", "is required: the version you saw")
	}
	if in.OpenedOn == "" {
		in.OpenedOn = old.OpenedOn
	}
	if err := in.check(calendar.DayOf(s.now())); err != nil {
		return nil, err
	}
	if err := s.checkMediators(ctx, old.CommunityID, in.MediatorIDs); err != nil {
		return nil, err
	}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE mediation_cases SET title = ?, summary = ?, opened_on = ?, outcome = ?, agreement = ?, follow_up_on = ?,
			updated_at = ?, version = version + 1 WHERE id = ? AND version = ?`, in.Title, in.Summary, in.OpenedOn, in.Outcome, in.Agreement,
			in.FollowUpOn, s.now().UTC(), id, in.Version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return store.Stale(ctx, tx, "mediation_cases", id)
		}
		return setMediators(ctx, tx, id, in.MediatorIDs)
	})
	if err != nil {
		return nil, err
	}
	return s.caseByID(ctx, id)
}

// MeetingInput is a session of a case: when (default now) and what
// happened.
type MeetingInput struct {
	HeldAt *time.Time `json:"held_at"`
	Note   string     `json:"note"`
}

// AddMeeting records a session of case id.
func (s *Store) AddMeeting(ctx context.Context, actor household.Actor, id int64, in MeetingInput) (*Case, error) {
	audit.Describe(ctx, "mediation.session", fmt.Sprintf("mediation-case:%d", id), "")
	if _, err := s.visibleCase(ctx, id); err != nil {
		return nil, err
	}
	if err := text("note", &in.Note, 4000, true); err != nil {
		return nil, err
	}
	now := s.now().UTC()
	at := now
	if in.HeldAt != nil {
		at = in.HeldAt.UTC()
	}
	if at.After(now.Add(time.Minute)) {
		return nil, apperr.Field("held_at", "future", "must not be in the future")
	}
	if err := calendar.CheckTime("held_at", at); err != nil {
		return nil, err
	}
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO mediation_sessions(case_id, held_at, note, created_by, created_at) VALUES (?, ?, ?, ?, ?)`,
			id, at, in.Note, actor.Name, now); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE mediation_cases SET version = version + 1, updated_at = ? WHERE id = ?`, now, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.visibleCase(ctx, id)
}

// Escalate turns case id, a dispute that grows, into a request of its
// first party's household referred to a department (the police station
// 派出所 or the judicial office 司法所), once; the category defaults to
// neighbour_dispute and the description to the case's title.
func (s *Store) Escalate(ctx context.Context, actor household.Actor, id int64, version int, nr NewRequest) (*Case, error) {
	audit.Describe(ctx, "mediation.escalate", fmt.Sprintf("mediation-case:%d", id), fmt.Sprintf("department org-unit:%d", nr.DepartmentID))
	c, err := s.visibleCase(ctx, id)
	if err != nil {
		return nil, err
	}
	switch {
	case version != 0 && version != c.Version:
		return nil, &apperr.Stale{Current: c.Version}
	case c.RequestID != 0:
		return nil, fmt.Errorf("case %d already escalated into request %d: %w", id, c.RequestID, apperr.ErrConflict)
	case nr.DepartmentID == 0:
		return nil, apperr.Field("department_id", "required", "is required: the department to refer the dispute to")
	}
	if nr.Category == "" {
		nr.Category = "neighbour_dispute"
	}
	if nr.Description == "" {
		nr.Description = c.Title
	}
	first := int64(0)
	for _, p := range c.Parties {
		if !p.Hidden {
			first = p.HouseholdID
			break
		}
	}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		rid, err := s.submit(store.WithTx(ctx, tx), actor, "request", nr, first, 0, c.path)
		if err != nil {
			return apperr.InField(err, strings.TrimPrefix(fieldName(err), "request."))
		}
		res, err := tx.ExecContext(ctx, `UPDATE mediation_cases SET request_id = ?, version = version + 1, updated_at = ? WHERE id = ? AND request_id IS NULL`,
			rid, s.now().UTC(), id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return apperr.ErrConflict // escalated meanwhile: the request is not kept
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.visibleCase(ctx, id)
}

func fieldName(err error) string {
	if fe, ok := apperr.AsField(err); ok {
		return fe.Field
	}
	return ""
}
