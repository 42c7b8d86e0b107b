package gen

import (
	"fmt"

	"wanhu/internal/household"
	"wanhu/internal/org"
)

// teamPlan is the 26-person visiting team of the article (R8): grid
// workers leading the seven grids, sunk cadres, the police deputy
// secretary, building heads, party members at work, property staff and
// volunteers.
var teamPlan = []struct {
	role         org.Role
	n            int
	skills       [][]string // per member, cycling
	availability []string
}{
	{org.RoleGridWorker, 7, [][]string{{"政策解读"}, {"矛盾调解"}, {"政策解读", "矛盾调解"}}, []string{"daytime", "evening", "weekend"}},
	{org.RoleSunkCadre, 3, [][]string{{"协调资金"}, {"政策解读"}, {"就业指导"}}, []string{"weekend"}},
	{org.RolePoliceDeputy, 1, [][]string{{"治安防范", "反诈宣传"}}, []string{"daytime", "evening"}},
	{org.RoleBuildingHead, 5, [][]string{{"邻里调解"}}, []string{"evening", "weekend"}},
	{org.RolePartyMember, 4, [][]string{{"美术"}, {"音乐"}, {"作业辅导"}, {"法律咨询"}}, []string{"evening", "weekend"}},
	{org.RolePropertyStaff, 3, [][]string{{"水暖维修"}, {"电工"}, {"消防设施检查"}}, []string{"daytime"}},
	{org.RoleVolunteer, 3, [][]string{{"藏语翻译"}, {"助老服务"}, {"心理疏导"}}, []string{"weekend"}},
}

// team creates community c's visiting team; each grid worker leads a grid.
func (g *generator) team(c *community) {
	r := g.r
	slug := fmt.Sprintf("c%d", c.index+1)
	if c.index == 0 {
		slug = "dx"
	}
	for _, p := range teamPlan {
		for i := range p.n {
			m := org.TeamMember{ID: next(&g.ids.team), CommunityID: c.communityID, Role: p.role,
				Skills: p.skills[i%len(p.skills)], Languages: []string{}, Availability: p.availability, Active: true,
				Phone: mobile(r)}
			male := chance(r, 0.5)
			eth := pick(r, ethnicities)
			m.Name = personName(r, familySurname(r, eth), male, eth)
			switch {
			case p.role == org.RoleGridWorker:
				m.GridID = c.grids[i]
				m.WeChat = fmt.Sprintf("%s_grid%d", slug, i+1)
			case p.role == org.RoleBuildingHead:
				m.GridID = c.grids[(i*len(c.grids))/p.n]
			case p.role == org.RoleVolunteer && i == 0:
				m.Name, m.Languages = "卓玛", []string{"bo"}
				if c.index > 0 {
					m.Name = personName(r, "", false, "藏族")
				}
			case p.role == org.RolePropertyStaff && i == 0:
				m.Name = "张" + one(r, maleGiven)
			}
			c.team = append(c.team, m)
		}
	}
	for i := range c.team {
		if c.team[i].Role == org.RoleGridWorker {
			c.gridWorker[c.team[i].GridID] = &c.team[i]
		}
	}
}

// actor is who records a change in a household of grid: its grid worker
// or, sometimes, the community.
func (g *generator) actor(c *community, grid int64) household.Actor {
	if m := c.gridWorker[grid]; m != nil && chance(g.r, 0.7) {
		return household.Actor{ID: m.ID, Name: m.Name}
	}
	return household.Actor{Name: c.name}
}
