package programme

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"wanhu/internal/apperr"
	"wanhu/internal/audit"
	"wanhu/internal/household"
	"wanhu/internal/store"
)

// Rosters are the built-in rosters of people (internal/roster) a
// programme may take its candidates from. (Package programme does not
// import roster, which the statistics' tests would reach through the
// demo generator; a test keeps the two lists in step.)
var Rosters = []string{"four_thirty", "elderly_checkup", "living_alone_elderly", "dibao_review", "school_start", "key_persons"}

// Programme is a recurring service of a community. Enrolled counts the
// persons enrolled that the user reaches, Sessions the sessions held or
// planned.
type Programme struct {
	ID          int64  `json:"id"`
	CommunityID int64  `json:"community_id"`
	Community   string `json:"community"`
	Name        string `json:"name"`
	Kind        string `json:"kind"`
	Roster      string `json:"roster"`
	Description string `json:"description"`
	Capacity    int    `json:"capacity"`
	Place       string `json:"place"`
	Enrolled    int    `json:"enrolled"`
	Sessions    int    `json:"sessions"`
	Version     int    `json:"version"`

	path  string
	total int // enrolled, all households
}

// ProgrammeInput is a new programme or the new values of one, with the
// Version the user saw. Home is the org path of the user's own unit, for
// a programme without community_id (set by the face).
type ProgrammeInput struct {
	CommunityID int64  `json:"community_id"`
	Name        string `json:"name"`
	Kind        string `json:"kind"`
	Roster      string `json:"roster"`
	Description string `json:"description"`
	Capacity    int    `json:"capacity"`
	Place       string `json:"place"`
	Version     int    `json:"version"`
	Home        string `json:"-"`
}

func (in *ProgrammeInput) check() error {
	if err := text("name", &in.Name, 100, true); err != nil {
		return err
	}
	if err := text("description", &in.Description, 2000, false); err != nil {
		return err
	}
	if err := text("place", &in.Place, 100, false); err != nil {
		return err
	}
	if in.Kind == "" {
		in.Kind = Other
	}
	if !slices.Contains(Kinds, in.Kind) {
		return apperr.Field("kind", "one_of", "must be one of %s", strings.Join(Kinds, ", "))
	}
	if in.Roster = strings.TrimSpace(in.Roster); in.Roster != "" && !slices.Contains(Rosters, in.Roster) {
		return apperr.Field("roster", "not_found", "is not a roster of people")
	}
	if in.Capacity < 0 || in.Capacity > 100000 {
		return apperr.Field("capacity", "range", "must be from 0 (no limit) to 100000")
	}
	return nil
}

// CreateProgramme creates a programme of a community the user reaches.
func (s *Store) CreateProgramme(ctx context.Context, actor household.Actor, in ProgrammeInput) (*Programme, error) {
	audit.Describe(ctx, "programme.create", "programme", "")
	if err := in.check(); err != nil {
		return nil, err
	}
	c, err := s.community(ctx, in.CommunityID, in.Home)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	var id int64
	if err := s.db.QueryRowContext(ctx, `INSERT INTO programmes(community_id, org_path, name, kind, roster, description, capacity, place,
		created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		c.ID, c.Path, in.Name, in.Kind, in.Roster, in.Description, in.Capacity, in.Place, nullID(actor.ID), now, now).Scan(&id); err != nil {
		return nil, fmt.Errorf("insert programme: %w", err)
	}
	audit.Describe(ctx, "programme.create", fmt.Sprintf("programme:%d", id), "")
	return s.Programme(ctx, id)
}

// UpdateProgramme saves a programme's name, kind, roster, description,
// capacity and place if it is still at in.Version (apperr.ErrConflict
// otherwise). The capacity may not fall below the persons enrolled.
func (s *Store) UpdateProgramme(ctx context.Context, id int64, in ProgrammeInput) (*Programme, error) {
	audit.Describe(ctx, "programme.update", fmt.Sprintf("programme:%d", id), "")
	p, err := s.Programme(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := in.check(); err != nil {
		return nil, err
	}
	if in.Capacity > 0 && in.Capacity < p.total {
		return nil, apperr.Field("capacity", "below_enrolled", "must not be below the %d persons enrolled", p.total)
	}
	res, err := s.db.ExecContext(ctx, `UPDATE programmes SET name = ?, kind = ?, roster = ?, description = ?, capacity = ?, place = ?,
		version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
		in.Name, in.Kind, in.Roster, in.Description, in.Capacity, in.Place, s.now().UTC(), id, in.Version)
	if err != nil {
		return nil, err
	}
	if n, err := res.RowsAffected(); err != nil {
		return nil, err
	} else if n == 0 {
		return nil, store.Stale(ctx, s.db, "programmes", id)
	}
	return s.Programme(ctx, id)
}

const programmeCols = `p.id, p.community_id, c.name, p.name, p.kind, p.roster, p.description, p.capacity, p.place, p.version, p.org_path,
	(SELECT COUNT(*) FROM programme_sessions ps WHERE ps.programme_id = p.id),
	(SELECT COUNT(*) FROM programme_enrolments e WHERE e.programme_id = p.id AND e.left_on = '')`

// Programmes returns the programmes the user reaches, by community and
// name, with the persons enrolled that the user reaches.
func (s *Store) Programmes(ctx context.Context) ([]Programme, error) {
	return s.programmes(ctx, 0)
}

// Programme returns one programme in scope.
func (s *Store) Programme(ctx context.Context, id int64) (*Programme, error) {
	ps, err := s.programmes(ctx, id)
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, apperr.ErrNotFound
	}
	return &ps[0], nil
}

// programmes returns the programmes in scope, only programme id when id
// is not 0.
func (s *Store) programmes(ctx context.Context, id int64) ([]Programme, error) {
	cond, args, err := s.communityWhere(ctx, "p")
	if err != nil {
		return nil, err
	}
	if id != 0 {
		cond, args = "p.id = ? AND "+cond, append([]any{id}, args...)
	}
	hcond, hargs := s.households()
	rows, err := s.db.QueryContext(ctx, `SELECT `+programmeCols+`,
		(SELECT COUNT(*) FROM programme_enrolments e JOIN households h ON h.id = e.household_id
			WHERE e.programme_id = p.id AND e.left_on = '' AND `+hcond+`)
		FROM programmes p JOIN org_units c ON c.id = p.community_id WHERE `+cond+` ORDER BY c.name, p.id`, append(hargs, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Programme{}
	for rows.Next() {
		var p Programme
		if err := rows.Scan(&p.ID, &p.CommunityID, &p.Community, &p.Name, &p.Kind, &p.Roster, &p.Description, &p.Capacity, &p.Place,
			&p.Version, &p.path, &p.Sessions, &p.total, &p.Enrolled); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// ProgrammeInScope answers apperr.ErrNotFound for a programme out of
// scope, for the faces to check before reading a body.
func (s *Store) ProgrammeInScope(ctx context.Context, id int64) error {
	_, err := s.Programme(ctx, id)
	return err
}

// Enrollable returns what the candidates of programme id are picked
// with (see internal/programme/candidates): the programme, the persons
// enrolled already and the grids of its community.
func (s *Store) Enrollable(ctx context.Context, id int64) (p *Programme, enrolled, grids map[int64]bool, err error) {
	if p, err = s.Programme(ctx, id); err != nil {
		return nil, nil, nil, err
	}
	enrolled, grids = map[int64]bool{}, map[int64]bool{}
	for _, q := range []struct {
		sql string
		arg any
		set map[int64]bool
	}{
		{`SELECT person_id FROM programme_enrolments WHERE programme_id = ? AND left_on = ''`, id, enrolled},
		{`SELECT id FROM org_units WHERE kind = 'grid' AND path LIKE ?`, p.path + "%", grids},
	} {
		rows, err := s.db.QueryContext(ctx, q.sql, q.arg)
		if err != nil {
			return nil, nil, nil, err
		}
		for rows.Next() {
			var v int64
			if err := rows.Scan(&v); err != nil {
				rows.Close()
				return nil, nil, nil, err
			}
			q.set[v] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, nil, nil, err
		}
	}
	return p, enrolled, grids, nil
}

// Teacher is a team member who can teach an interest.
type Teacher struct {
	Interest string   `json:"interest"`
	Label    string   `json:"label"`
	Children int      `json:"children"`
	Members  []Member `json:"members"`
}

// Teachers matches the children's interests in programme id with the
// team members of its community whose skills teach them: per interest of
// the vocabulary, the children who have it and the members.
func (s *Store) Teachers(ctx context.Context, id int64, lang string) ([]Teacher, error) {
	p, err := s.Programme(ctx, id)
	if err != nil {
		return nil, err
	}
	es, err := s.Enrolments(ctx, id)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, role, skills FROM team_members WHERE community_id = ? AND active ORDER BY id`, p.CommunityID)
	if err != nil {
		return nil, err
	}
	type tm struct {
		m      Member
		skills []string
	}
	var team []tm
	for rows.Next() {
		var t tm
		var skills string
		if err := rows.Scan(&t.m.ID, &t.m.Name, &t.m.Role, &skills); err != nil {
			rows.Close()
			return nil, err
		}
		t.skills = strings.Split(skills, ",")
		team = append(team, t)
	}
	rows.Close()
	var out []Teacher
	for _, in := range Interests {
		t := Teacher{Interest: in.Code, Label: in.LabelZH, Members: []Member{}}
		if lang == "en" {
			t.Label = in.LabelEN
		}
		for _, e := range es {
			if slices.Contains(e.Interests, in.Code) {
				t.Children++
			}
		}
		for _, m := range team {
			if in.Teaches(m.skills) {
				t.Members = append(t.Members, m.m)
			}
		}
		out = append(out, t)
	}
	return out, nil
}

// Summary is a programme as GET /api/v1/programmes and wanhu programme
// list show it: exactly these fields (scripts outside rely on them).
type Summary struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Enrolled int    `json:"enrolled"`
	Sessions int    `json:"sessions"`
}

// Summaries returns the programmes in scope as Summary.
func (s *Store) Summaries(ctx context.Context) ([]Summary, error) {
	ps, err := s.Programmes(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Summary, len(ps))
	for i, p := range ps {
		out[i] = Summary{ID: p.ID, Name: p.Name, Enrolled: p.Enrolled, Sessions: p.Sessions}
	}
	return out, nil
}
