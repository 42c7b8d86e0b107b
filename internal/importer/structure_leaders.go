package importer

import (
	"context"

	"wanhu/internal/org"
)

// leaders sets each grid's leader (org_units.leader_id): the member a
// team row names 网格长 of it, or the one the grids sheet names — a member
// of the workbook or of the team, by name and phone, else a new member of
// the team (a community cadre of that grid). Two leaders for one grid are
// refused.
func (r *structRun) leaders(ctx context.Context) error {
	r.lead = map[*gridPlan]*memberPlan{}
	for _, p := range r.members {
		if !p.leader || p.grid == nil || p.id == 0 {
			continue
		}
		if other, ok := r.lead[p.grid]; ok {
			r.problem(r.at(p.rec, TeamRole, "leader_conflict", "%s leads this grid already (row %d)", other.m.Name, other.rec.row))
			continue
		}
		r.lead[p.grid] = p
	}
	for _, g := range r.plans {
		if g.leader == nil || g.id == 0 {
			continue
		}
		p, err := r.leaderMember(ctx, g)
		if err != nil {
			return err
		}
		if p == nil {
			continue
		}
		if other, ok := r.lead[g]; ok && other.id != p.id {
			r.problem(r.at(g.leader.rec, GridLeader, "leader_conflict", "%s leads this grid already (row %d)", other.m.Name, other.rec.row))
			continue
		}
		r.lead[g] = p
	}
	for _, g := range r.plans {
		p, ok := r.lead[g]
		if !ok || g.leaderID == p.id {
			continue
		}
		if err := org.SetLeader(ctx, r.tx, g.id, p.id); err != nil {
			return err
		}
		g.leaderID, g.changed = p.id, !g.created
	}
	r.countGrids()
	return nil
}

// leaderColumns maps the fields of a new leader's FieldError to the grids
// sheet's columns.
var leaderColumns = map[string]Field{"name": GridLeader, "phone": GridLeaderPhone}

// leaderMember returns the member the grids sheet names leader of g: one
// of the team sheet's rows, else one of the community's team, else a new
// member. Nil after reporting a problem.
func (r *structRun) leaderMember(ctx context.Context, g *gridPlan) (*memberPlan, error) {
	l := g.leader
	var found []*memberPlan
	for _, p := range r.members {
		if p.id != 0 && p.m.Name == l.name && (l.phone == "" || p.m.Phone == "" || digitsOf(p.m.Phone) == digitsOf(l.phone)) {
			found = append(found, p)
		}
	}
	if len(found) > 1 {
		var inGrid []*memberPlan
		for _, p := range found {
			if p.grid == g {
				inGrid = append(inGrid, p)
			}
		}
		found = inGrid
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
	default:
		r.problem(r.at(l.rec, GridLeader, "leader_ambiguous", "%d members of the team are named %s: give the leader's phone", len(found), l.name))
		return nil, nil
	}
	all, err := org.AllTeamMembers(ctx, r.tx)
	if err != nil {
		return nil, err
	}
	var known []org.TeamMember
	for _, m := range all {
		if m.CommunityID == r.community.ID {
			known = append(known, m)
		}
	}
	if k := findMember(known, nil, l.name, l.phone, g.id, true); k != nil {
		p := &memberPlan{rec: l.rec, m: *k, id: k.ID}
		r.members = append(r.members, p)
		return p, nil
	}
	p := &memberPlan{rec: l.rec, grid: g, leader: true, m: org.TeamMember{CommunityID: r.community.ID, GridID: g.id, Name: l.name,
		Role: org.RoleCommunityStaff, Phone: l.phone, Skills: []string{}, Languages: []string{}, Availability: []string{}}}
	refused, err := r.savepoint(ctx, func() error { return org.CreateTeamMember(ctx, r.tx, &p.m) })
	if refused != nil {
		r.refuse(l.rec, refused, leaderColumns)
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	p.id = p.m.ID
	r.members = append(r.members, p)
	r.rep.Team.Created++
	return p, nil
}
