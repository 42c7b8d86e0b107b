package mediation

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

// caseLink is the cases a household condition reaches, for where.
const caseLink = `SELECT p.case_id FROM mediation_parties p JOIN households h ON h.id = p.household_id WHERE %s`

// CaseFilter selects cases: a community, open ones only (no outcome yet),
// a page.
type CaseFilter struct {
	CommunityID   int64
	Open          bool
	Page, PerPage int
}

// Cases lists the cases in scope, the latest opened first, and their
// total.
func (s *Store) Cases(ctx context.Context, f CaseFilter) ([]Case, int, error) {
	cond, args := s.where("m", caseLink)
	where := []string{cond}
	if f.CommunityID != 0 {
		where, args = append(where, "m.community_id = ?"), append(args, f.CommunityID)
	}
	if f.Open {
		where = append(where, "m.outcome = ''")
	}
	w := " WHERE " + strings.Join(where, " AND ")
	var total int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM mediation_cases m`+w, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	f.Page, f.PerPage = max(f.Page, 1), cmpOr(f.PerPage, 50)
	out, err := s.cases(ctx, w+` ORDER BY m.opened_on DESC, m.id DESC LIMIT ? OFFSET ?`, append(args, f.PerPage, (f.Page-1)*f.PerPage)...)
	return out, total, err
}

// Case returns case id with its parties, mediators and sessions, if it is
// in scope; the view is written to the audit log.
func (s *Store) Case(ctx context.Context, id int64) (*Case, error) {
	c, err := s.visibleCase(ctx, id)
	if err != nil {
		return nil, err
	}
	audit.Note(ctx, "mediation.view", fmt.Sprintf("mediation-case:%d", id), audit.OK, "")
	return c, nil
}

func (s *Store) visibleCase(ctx context.Context, id int64) (*Case, error) {
	cond, args := s.where("m", caseLink)
	cs, err := s.cases(ctx, ` WHERE m.id = ? AND `+cond, append([]any{id}, args...)...)
	if err != nil {
		return nil, err
	}
	if len(cs) == 0 {
		return nil, apperr.ErrNotFound
	}
	return &cs[0], nil
}

func (s *Store) caseByID(ctx context.Context, id int64) (*Case, error) {
	cs, err := s.cases(ctx, ` WHERE m.id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(cs) == 0 {
		return nil, apperr.ErrNotFound
	}
	return &cs[0], nil
}

func (s *Store) cases(ctx context.Context, where string, args ...any) ([]Case, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT m.id, m.community_id, c.name, m.title, m.summary, m.opened_on, m.outcome, m.agreement,
		m.follow_up_on, COALESCE(m.request_id, 0), m.version, m.org_path, COALESCE(m.created_by, 0)
		FROM mediation_cases m JOIN org_units c ON c.id = m.community_id`+where, args...)
	if err != nil {
		return nil, err
	}
	out := []Case{}
	for rows.Next() {
		var c Case
		if err := rows.Scan(&c.ID, &c.CommunityID, &c.Community, &c.Title, &c.Summary, &c.OpenedOn, &c.Outcome, &c.Agreement,
			&c.FollowUpOn, &c.RequestID, &c.Version, &c.path, &c.createdBy); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if err := s.fill(ctx, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// fill reads the parties, mediators and sessions of c; the parties the
// user does not reach are hidden unless the user reaches c as a whole.
func (s *Store) fill(ctx context.Context, c *Case) error {
	ids, err := store.IDs(ctx, s.db, `SELECT household_id FROM mediation_parties WHERE case_id = ? ORDER BY household_id`, c.ID)
	if err != nil {
		return err
	}
	whole := s.whole(c.path, c.createdBy)
	c.Parties = []Party{}
	for _, id := range ids {
		addr, _, ok := s.householdLabel(ctx, id)
		switch {
		case ok:
			c.Parties = append(c.Parties, Party{HouseholdID: id, Address: addr})
		case whole:
			c.Parties = append(c.Parties, Party{HouseholdID: id})
		default:
			c.Parties = append(c.Parties, Party{Hidden: true})
		}
	}
	rows, err := s.db.QueryContext(ctx, `SELECT t.id, t.name, t.role FROM mediation_mediators m JOIN team_members t ON t.id = m.team_member_id
		WHERE m.case_id = ? ORDER BY t.name, t.id`, c.ID)
	if err != nil {
		return err
	}
	c.Mediators = []Member{}
	for rows.Next() {
		var m Member
		if err := rows.Scan(&m.ID, &m.Name, &m.Role); err != nil {
			rows.Close()
			return err
		}
		c.Mediators = append(c.Mediators, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = s.db.QueryContext(ctx, `SELECT id, held_at, note, created_by FROM mediation_sessions WHERE case_id = ? ORDER BY held_at, id`, c.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	c.Sessions = []Meeting{}
	for rows.Next() {
		var m Meeting
		if err := rows.Scan(&m.ID, &m.HeldAt, &m.Note, &m.By); err != nil {
			return err
		}
		m.HeldAt = m.HeldAt.In(calendar.China)
		c.Sessions = append(c.Sessions, m)
	}
	return rows.Err()
}

// OfHousehold is what a household file shows of the talk room and
// mediation: the sessions one of its members came to, with what they
// said, and the cases it is a party of.
type OfHousehold struct {
	Visits []HouseholdVisit `json:"talk_visits"`
	Cases  []Case           `json:"mediation_cases"`
}

// HouseholdVisit is a visit of a household to the talk room.
type HouseholdVisit struct {
	SessionID int64  `json:"session_id"`
	Day       string `json:"day"`
	Host      string `json:"host"`
	Visitor
}

// ForHousehold returns the talk-room visits and mediation cases of
// household id, which the caller has found in the user's scope.
func (s *Store) ForHousehold(ctx context.Context, id int64) (*OfHousehold, error) {
	// Most households never came to the talk room: one statement finds
	// whether there is anything to list.
	var visited, parties bool
	if err := s.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM talk_visitors WHERE household_id = ?),
		EXISTS (SELECT 1 FROM mediation_parties WHERE household_id = ?)`, id, id).Scan(&visited, &parties); err != nil {
		return nil, err
	}
	return s.ForHouseholdKnown(ctx, id, visited, parties)
}

// ForHouseholdKnown is ForHousehold for a caller that knows already whether
// household id has talk-room visits (visited) and mediation cases
// (parties): it reads only those (household.Store.FileBlocks).
func (s *Store) ForHouseholdKnown(ctx context.Context, id int64, visited, parties bool) (*OfHousehold, error) {
	out := &OfHousehold{Visits: []HouseholdVisit{}, Cases: []Case{}}
	var cids []int64
	var err error
	if visited {
		if out.Visits, err = s.householdVisits(ctx, id); err != nil {
			return nil, err
		}
	}
	if parties {
		if cids, err = store.IDs(ctx, s.db, `SELECT case_id FROM mediation_parties WHERE household_id = ? ORDER BY case_id DESC`, id); err != nil {
			return nil, err
		}
	}
	for _, cid := range cids {
		c, err := s.caseByID(ctx, cid)
		if err != nil {
			return nil, err
		}
		out.Cases = append(out.Cases, *c)
	}
	return out, nil
}

// householdVisits returns household id's visits to the talk room, the
// latest day first, as its sessions' visitors list them (session.visitors):
// the household's own visitors only, read in one statement, its label
// once (the sessions and their other visitors were read, and the file of
// each of those households, only to be dropped: 7% of the CPU of a
// household file that has talk-room visits; issue 15).
func (s *Store) householdVisits(ctx context.Context, id int64) ([]HouseholdVisit, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT t.id, t.day, t.host, t.org_path, COALESCE(t.created_by, 0),
		v.id, COALESCE(v.person_id, 0), v.name, v.said, COALESCE(v.request_id, 0), COALESCE(p.name, '')
		FROM talk_visitors v JOIN talk_sessions t ON t.id = v.session_id LEFT JOIN persons p ON p.id = v.person_id
		WHERE v.household_id = ? ORDER BY t.day DESC, t.id, v.id`, id)
	if err != nil {
		return nil, err
	}
	out := []HouseholdVisit{}
	var persons []string
	var wholes []bool
	for rows.Next() {
		x := HouseholdVisit{Visitor: Visitor{HouseholdID: id}}
		var path, person string
		var createdBy int64
		if err := rows.Scan(&x.SessionID, &x.Day, &x.Host, &path, &createdBy,
			&x.ID, &x.PersonID, &x.Name, &x.Said, &x.RequestID, &person); err != nil {
			rows.Close()
			return nil, err
		}
		out, persons, wholes = append(out, x), append(persons, person), append(wholes, s.whole(path, createdBy))
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	addr, head, ok := s.householdLabel(ctx, id)
	for i := range out {
		out[i].label(persons[i], addr, head, ok || wholes[i])
	}
	return out, nil
}

// SessionInScope returns apperr.ErrNotFound unless session id is in scope;
// unlike Session it reads no visitor and writes no audit note.
func (s *Store) SessionInScope(ctx context.Context, id int64) error {
	return s.inScope(ctx, "talk_sessions", "t", `SELECT v.session_id FROM talk_visitors v JOIN households h ON h.id = v.household_id WHERE %s`, id)
}

// CaseInScope is SessionInScope for mediation case id.
func (s *Store) CaseInScope(ctx context.Context, id int64) error {
	return s.inScope(ctx, "mediation_cases", "m", caseLink, id)
}

func (s *Store) inScope(ctx context.Context, table, alias, link string, id int64) error {
	cond, args := s.where(alias, link)
	var one int
	err := s.db.QueryRowContext(ctx, `SELECT 1 FROM `+table+` `+alias+` WHERE `+alias+`.id = ? AND `+cond, append([]any{id}, args...)...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.ErrNotFound
	}
	return err
}
