package mediation

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"wanhu/internal/apperr"
	"wanhu/internal/audit"
	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/store"
)

// Session is an hour of listening in the talk room (谈心室): its day, start
// and end (China time, "HH:MM"), its host ("冯晓霞") and its visitors.
type Session struct {
	ID          int64     `json:"id"`
	CommunityID int64     `json:"community_id"`
	Community   string    `json:"community"`
	Day         string    `json:"day"`
	Starts      string    `json:"starts"`
	Ends        string    `json:"ends"`
	Host        string    `json:"host"`
	Note        string    `json:"note"`
	Visitors    []Visitor `json:"visitors"`
	Requests    int       `json:"requests"` // of its visitors
	Version     int       `json:"version"`

	path      string
	createdBy int64
}

// Visitor is one who came to a session: a household (and person) on file,
// or a free-text name for someone without a file; what they said; and the
// request that came of it. Hidden is a visitor of another's household,
// shown without name or words.
type Visitor struct {
	ID          int64  `json:"id"`
	HouseholdID int64  `json:"household_id,omitempty"`
	PersonID    int64  `json:"person_id,omitempty"`
	Name        string `json:"name"`
	Address     string `json:"address,omitempty"`
	Said        string `json:"said"`
	RequestID   int64  `json:"request_id,omitempty"`
	Hidden      bool   `json:"hidden,omitempty"`
}

// SessionInput is a new session, or the new values of one (with the
// Version the user saw). CommunityID may be 0: Home, the org path of the
// user's unit (set by the face), says the community.
type SessionInput struct {
	CommunityID int64  `json:"community_id"`
	Day         string `json:"day"`
	Starts      string `json:"starts"`
	Ends        string `json:"ends"`
	Host        string `json:"host"`
	Note        string `json:"note"`
	Version     int    `json:"version"`
	Home        string `json:"-"`
}

var hhmm = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)

func (in *SessionInput) check() error {
	if _, err := calendar.ParseDate("day", in.Day); err != nil {
		return err
	}
	for _, f := range []struct{ name, v string }{{"starts", in.Starts}, {"ends", in.Ends}} {
		if !hhmm.MatchString(f.v) {
			return apperr.Field(f.name, "time_format", "must be a time of day HH:MM")
		}
	}
	if in.Ends <= in.Starts {
		return apperr.Field("ends", "before_start", "must be after starts")
	}
	if err := text("host", &in.Host, 50, true); err != nil {
		return err
	}
	return text("note", &in.Note, 2000, false)
}

// CreateSession records a talk session.
func (s *Store) CreateSession(ctx context.Context, actor household.Actor, in SessionInput) (*Session, error) {
	audit.Describe(ctx, "talk.create", "talk-session", "")
	if err := in.check(); err != nil {
		return nil, err
	}
	c, err := s.community(ctx, in.CommunityID, in.Home)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	var id int64
	if err := s.db.QueryRowContext(ctx, `INSERT INTO talk_sessions(community_id, org_path, day, starts, ends, host, note, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, c.ID, c.Path, in.Day, in.Starts, in.Ends, in.Host, in.Note, nullID(actor.ID), now, now).Scan(&id); err != nil {
		return nil, fmt.Errorf("insert talk session: %w", err)
	}
	audit.Describe(ctx, "talk.create", fmt.Sprintf("talk-session:%d", id), "")
	return s.session(ctx, id)
}

// UpdateSession saves new values of session id if it is still at
// in.Version (apperr.ErrConflict otherwise); it stays in its community.
func (s *Store) UpdateSession(ctx context.Context, id int64, in SessionInput) (*Session, error) {
	audit.Describe(ctx, "talk.update", fmt.Sprintf("talk-session:%d", id), "")
	old, err := s.visibleSession(ctx, id)
	if err != nil {
		return nil, err
	}
	if in.Version == 0 {
		return nil, apperr.Field("version", "required", "is required: the version you saw")
	}
	if err := in.check(); err != nil {
		return nil, err
	}
	res, err := s.db.ExecContext(ctx, `UPDATE talk_sessions SET day = ?, starts = ?, ends = ?, host = ?, note = ?, updated_at = ?,
		version = version + 1 WHERE id = ? AND version = ?`, in.Day, in.Starts, in.Ends, in.Host, in.Note, s.now().UTC(), old.ID, in.Version)
	if err != nil {
		return nil, err
	}
	if n, err := res.RowsAffected(); err != nil {
		return nil, err
	} else if n != 1 {
		return nil, store.Stale(ctx, s.db, "talk_sessions", old.ID)
	}
	return s.session(ctx, id)
}

// SessionFilter selects sessions: a community, days from From to To
// (inclusive, "YYYY-MM-DD"), a page.
type SessionFilter struct {
	CommunityID   int64
	From, To      string
	Page, PerPage int
}

// Sessions lists the sessions in scope, the latest first, with their
// visitors, and their total.
func (s *Store) Sessions(ctx context.Context, f SessionFilter) ([]Session, int, error) {
	cond, args := s.where("t", `SELECT v.session_id FROM talk_visitors v JOIN households h ON h.id = v.household_id WHERE %s`)
	where := []string{cond}
	if f.CommunityID != 0 {
		where, args = append(where, "t.community_id = ?"), append(args, f.CommunityID)
	}
	if f.From != "" {
		where, args = append(where, "t.day >= ?"), append(args, f.From)
	}
	if f.To != "" {
		where, args = append(where, "t.day <= ?"), append(args, f.To)
	}
	w := " WHERE " + strings.Join(where, " AND ")
	var total int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM talk_sessions t`+w, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	f.Page, f.PerPage = max(f.Page, 1), cmpOr(f.PerPage, 50)
	out, err := s.sessions(ctx, w+` ORDER BY t.day DESC, t.starts DESC, t.id DESC LIMIT ? OFFSET ?`,
		append(args, f.PerPage, (f.Page-1)*f.PerPage)...)
	return out, total, err
}

func cmpOr(n, def int) int {
	if n < 1 {
		return def
	}
	return n
}

// Session returns session id with its visitors, if it is in scope; the
// view is written to the audit log, for the visitors' words.
func (s *Store) Session(ctx context.Context, id int64) (*Session, error) {
	t, err := s.visibleSession(ctx, id)
	if err != nil {
		return nil, err
	}
	audit.Note(ctx, "talk.view", fmt.Sprintf("talk-session:%d", id), audit.OK, "")
	return t, nil
}

func (s *Store) visibleSession(ctx context.Context, id int64) (*Session, error) {
	cond, args := s.where("t", `SELECT v.session_id FROM talk_visitors v JOIN households h ON h.id = v.household_id WHERE %s`)
	ts, err := s.sessions(ctx, ` WHERE t.id = ? AND `+cond, append([]any{id}, args...)...)
	if err != nil {
		return nil, err
	}
	if len(ts) == 0 {
		return nil, apperr.ErrNotFound
	}
	return &ts[0], nil
}

// session returns session id whatever the scope would hide of it.
func (s *Store) session(ctx context.Context, id int64) (*Session, error) {
	ts, err := s.sessions(ctx, ` WHERE t.id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(ts) == 0 {
		return nil, apperr.ErrNotFound
	}
	return &ts[0], nil
}

func (s *Store) sessions(ctx context.Context, where string, args ...any) ([]Session, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT t.id, t.community_id, c.name, t.day, t.starts, t.ends, t.host, t.note, t.version, t.org_path,
		COALESCE(t.created_by, 0) FROM talk_sessions t JOIN org_units c ON c.id = t.community_id`+where, args...)
	if err != nil {
		return nil, err
	}
	out := []Session{}
	for rows.Next() {
		var t Session
		if err := rows.Scan(&t.ID, &t.CommunityID, &t.Community, &t.Day, &t.Starts, &t.Ends, &t.Host, &t.Note, &t.Version, &t.path, &t.createdBy); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Visitors, err = s.visitors(ctx, &out[i]); err != nil {
			return nil, err
		}
		for _, v := range out[i].Visitors {
			if v.RequestID != 0 {
				out[i].Requests++
			}
		}
	}
	return out, nil
}

// visitors returns the visitors of t; those of households the user does
// not reach are hidden unless the user reaches t as a whole.
func (s *Store) visitors(ctx context.Context, t *Session) ([]Visitor, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT v.id, COALESCE(v.household_id, 0), COALESCE(v.person_id, 0), v.name, v.said,
		COALESCE(v.request_id, 0), COALESCE(p.name, '') FROM talk_visitors v LEFT JOIN persons p ON p.id = v.person_id
		WHERE v.session_id = ? ORDER BY v.id`, t.ID)
	if err != nil {
		return nil, err
	}
	var out []Visitor
	var persons []string
	for rows.Next() {
		var v Visitor
		var person string
		if err := rows.Scan(&v.ID, &v.HouseholdID, &v.PersonID, &v.Name, &v.Said, &v.RequestID, &person); err != nil {
			rows.Close()
			return nil, err
		}
		out, persons = append(out, v), append(persons, person)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	whole := s.whole(t.path, t.createdBy)
	for i := range out {
		v := &out[i]
		addr, head, ok := "", "", false
		if v.HouseholdID != 0 {
			addr, head, ok = s.householdLabel(ctx, v.HouseholdID)
		}
		v.label(persons[i], addr, head, ok || whole)
	}
	if out == nil {
		out = []Visitor{}
	}
	return out, nil
}

// label completes v as a session lists it: the name of its person on
// file (person), else the name given, else its household's head (head);
// its household's address; all but its id hidden unless the user sees it
// (reaches the household or the session as a whole).
func (v *Visitor) label(person, addr, head string, sees bool) {
	if person != "" {
		v.Name = person
	}
	if v.Address = addr; v.Name == "" {
		v.Name = head
	}
	if !sees {
		*v = Visitor{ID: v.ID, Hidden: true}
	}
}

// VisitorInput is one who came to a session: HouseholdID (and PersonID)
// of a household on file, or Name of someone without a file; what they
// said; and what came of it: a new Request, or RequestID, a request
// already registered from the talk room.
type VisitorInput struct {
	HouseholdID int64       `json:"household_id"`
	PersonID    int64       `json:"person_id"`
	Name        string      `json:"name"`
	Said        string      `json:"said"`
	Request     *NewRequest `json:"request"`
	RequestID   int64       `json:"request_id"`
}

// AddVisitor records a visitor of session id and makes the request that
// came of their words, referred to its department if it names one; it
// answers the session.
func (s *Store) AddVisitor(ctx context.Context, actor household.Actor, id int64, in VisitorInput) (*Session, error) {
	audit.Describe(ctx, "talk.visitor", fmt.Sprintf("talk-session:%d", id), "")
	t, err := s.visibleSession(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.checkVisitor(ctx, &in); err != nil {
		return nil, err
	}
	if in.Request != nil {
		if in.Request.Description == "" {
			in.Request.Description = in.Said
		}
		if in.HouseholdID == 0 && in.Request.Address == "" {
			in.Request.Address = t.Community
		}
	}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		reqID := in.RequestID
		if in.Request != nil {
			var err error
			if reqID, err = s.submit(store.WithTx(ctx, tx), actor, "request", *in.Request, in.HouseholdID, in.PersonID, t.path); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO talk_visitors(session_id, household_id, person_id, name, said, request_id, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, t.ID, nullID(in.HouseholdID), nullID(in.PersonID), in.Name, in.Said, nullID(reqID), actor.Name, s.now().UTC())
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE talk_sessions SET version = version + 1, updated_at = ? WHERE id = ?`, s.now().UTC(), t.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.visibleSession(ctx, id)
}

// checkVisitor checks in: a household in reach (and its member), or a
// name; what they said; at most one of a new request and a request id.
func (s *Store) checkVisitor(ctx context.Context, in *VisitorInput) error {
	if err := text("name", &in.Name, 50, false); err != nil {
		return err
	}
	if err := text("said", &in.Said, 2000, true); err != nil {
		return err
	}
	switch {
	case in.HouseholdID == 0 && in.Name == "":
		return apperr.Field("household_id", "required", "give household_id or name")
	case in.HouseholdID == 0 && in.PersonID != 0:
		return apperr.Field("person_id", "not_member", "give the person's household_id too")
	case in.Request != nil && in.RequestID != 0:
		return apperr.Field("request_id", "both", "give request or request_id, not both")
	}
	if in.HouseholdID != 0 {
		h, err := s.files.HouseholdByID(ctx, in.HouseholdID)
		if err != nil {
			return apperr.Field("household_id", "not_found", "household %d does not exist", in.HouseholdID)
		}
		if in.PersonID != 0 && !slices.ContainsFunc(h.Members, func(p household.Person) bool { return p.ID == in.PersonID }) {
			return apperr.Field("person_id", "not_member", "person %d is not a member of this household", in.PersonID)
		}
	}
	if in.RequestID != 0 {
		r, err := s.requests.Get(ctx, in.RequestID)
		if err != nil || r.Channel != "talk_room" {
			return apperr.Field("request_id", "not_found", "request %d is not a request from the talk room", in.RequestID)
		}
	}
	return nil
}
