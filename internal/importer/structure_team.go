package importer

import (
	"context"
	"slices"
	"strings"

	"wanhu/internal/org"
)

// memberPlan is a team member of the workbook: a row of the team sheet,
// or a grid leader that only the grids sheet names.
type memberPlan struct {
	rec  *record
	m    org.TeamMember // as the workbook has them
	grid *gridPlan      // nil for a helper of the whole community
	// leader says the row names a grid leader (网格长) of grid.
	leader bool
	id     int64 // once applied; 0 when it was refused
}

// teamColumns maps the fields of a team member's FieldError to columns.
var teamColumns = map[string]Field{"name": Name, "role": TeamRole, "phone": Phone, "wechat": WeChat, "skills": Skills,
	"languages": Language, "availability": Availability, "grid_id": Grid}

// team reads the team sheet's rows and creates or updates each member. A
// member is the same person as one of the community's team when they have
// the same name and phone, or the same name and either has no phone, or
// the same name in the same grid when only one of that name is in the
// team (a new phone). The columns a sheet has are the member's, an empty
// cell clearing its field; the others are left as they are.
func (r *structRun) team(ctx context.Context) error {
	all, err := org.AllTeamMembers(ctx, r.tx)
	if err != nil {
		return err
	}
	var known []org.TeamMember
	for _, m := range all {
		if m.CommunityID == r.community.ID {
			known = append(known, m)
		}
	}
	taken := map[int64]bool{}
	seen := map[string]*record{}
	for _, rec := range r.teamRows {
		p, ok, err := r.readMember(ctx, rec)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		key := p.m.Name + "\x00" + digitsOf(p.m.Phone)
		if first, dup := seen[key]; dup {
			r.problem(r.at(rec, Name, "member_duplicate", "%s is on row %d already", p.m.Name, first.row))
			continue
		}
		seen[key] = rec
		r.members = append(r.members, p)
		if p.grid != nil && p.grid.id == 0 {
			continue // its grid was refused, and reported
		}
		if err := r.applyMember(ctx, p, known, taken); err != nil {
			return err
		}
	}
	return nil
}

// readMember reads a row of the team sheet; ok is false after reporting a
// problem.
func (r *structRun) readMember(ctx context.Context, rec *record) (*memberPlan, bool, error) {
	before := r.rep.ErrorsTotal
	p := &memberPlan{rec: rec, m: org.TeamMember{CommunityID: r.community.ID, Name: rec.text(Name), Active: true}}
	if p.m.Name == "" {
		r.problem(r.at(rec, Name, "required", "is required"))
	}
	var err error
	if p.m.Role, p.leader, err = readTeamRole(rec.raw(TeamRole)); err != nil {
		r.cellError(rec, TeamRole, err)
	}
	if g := rec.text(Grid); g != "" {
		grid, ok, err := r.gridNamed(ctx, g)
		if err != nil {
			return nil, false, err
		}
		if !ok {
			r.problem(r.at(rec, Grid, "grid_unknown", "no grid %q in this community (give its number or name)", g))
		}
		p.grid = grid
	}
	if p.leader && p.grid == nil && rec.text(Grid) == "" {
		r.problem(r.at(rec, TeamRole, "leader_grid_missing", "a grid leader (网格长) needs the grid they lead (网格)"))
	}
	if p.m.Phone, err = readPhone("phone", rec.raw(Phone)); err != nil {
		r.cellError(rec, Phone, err)
	}
	p.m.WeChat = cleanText(rec.raw(WeChat))
	if p.m.Languages, err = readLanguages(rec.raw(Language)); err != nil {
		r.cellError(rec, Language, err)
	}
	for _, s := range splitCell(rec.raw(Skills)) {
		if !slices.Contains(p.m.Skills, s) {
			p.m.Skills = append(p.m.Skills, s)
		}
	}
	if p.m.Skills == nil {
		p.m.Skills = []string{}
	}
	if p.m.Availability, err = readAvailability(rec.raw(Availability)); err != nil {
		r.cellError(rec, Availability, err)
	}
	if p.grid != nil {
		p.m.GridID = p.grid.id
	}
	return p, r.rep.ErrorsTotal == before, nil
}

// digitsOf keeps the digits of a phone number.
func digitsOf(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// matchMember returns the member of known that p is (see team), not one
// of taken; nil for a new member.
func matchMember(p *memberPlan, known []org.TeamMember, taken map[int64]bool) *org.TeamMember {
	return findMember(known, taken, p.m.Name, p.m.Phone, p.m.GridID, p.rec.t.has(Grid))
}

// findMember returns the member of known (not of taken) named name: the
// one with phone, else the only one of that name when either has no phone
// or, with byGrid, when they are in grid gridID.
func findMember(known []org.TeamMember, taken map[int64]bool, name, phone string, gridID int64, byGrid bool) *org.TeamMember {
	phone = digitsOf(phone)
	var named []*org.TeamMember
	for i := range known {
		if k := &known[i]; k.Name == name && !taken[k.ID] {
			if phone != "" && digitsOf(k.Phone) == phone {
				return k
			}
			named = append(named, k)
		}
	}
	if len(named) != 1 {
		return nil
	}
	if k := named[0]; phone == "" || k.Phone == "" || byGrid && k.GridID == gridID {
		return k
	}
	return nil
}

// applyMember creates p's member, or updates the member it matches with
// the columns its sheet has.
func (r *structRun) applyMember(ctx context.Context, p *memberPlan, known []org.TeamMember, taken map[int64]bool) error {
	match := matchMember(p, known, taken)
	if match == nil {
		m := p.m
		refused, err := r.savepoint(ctx, func() error { return org.CreateTeamMember(ctx, r.tx, &m) })
		if refused != nil {
			r.refuse(p.rec, refused, teamColumns)
		} else if err == nil {
			p.id = m.ID
			r.rep.Team.Created++
		}
		return err
	}
	taken[match.ID] = true
	p.id = match.ID
	m := *match
	has := p.rec.t.has
	m.Role, m.Active = p.m.Role, true
	if has(Grid) {
		m.GridID = p.m.GridID
	}
	if has(Phone) {
		m.Phone = p.m.Phone
	}
	if has(WeChat) {
		m.WeChat = p.m.WeChat
	}
	if has(Language) {
		m.Languages = p.m.Languages
	}
	if has(Skills) {
		m.Skills = p.m.Skills
	}
	if has(Availability) {
		m.Availability = p.m.Availability
	}
	if sameMember(m, *match) {
		r.rep.Team.Unchanged++
		return nil
	}
	refused, err := r.savepoint(ctx, func() error { return org.UpdateTeamMember(ctx, r.tx, &m) })
	if refused != nil {
		r.refuse(p.rec, refused, teamColumns)
	} else if err == nil {
		r.rep.Team.Updated++
	}
	return err
}

// sameMember reports whether a and b hold the same.
func sameMember(a, b org.TeamMember) bool {
	return a.GridID == b.GridID && a.Role == b.Role && a.Phone == b.Phone && a.WeChat == b.WeChat && a.Active == b.Active &&
		slices.Equal(a.Skills, b.Skills) && slices.Equal(a.Languages, b.Languages) && slices.Equal(a.Availability, b.Availability)
}
