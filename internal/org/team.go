package org

import (
	"context"
	"strings"
	"time"

	"wanhu/internal/store"
)

// Role of a member of the multi-role visiting team (R8).
type Role string

const (
	RoleCommunityStaff Role = "community_staff"
	RoleGridWorker     Role = "grid_worker"
	RoleSunkCadre      Role = "sunk_cadre"
	RolePoliceDeputy   Role = "police_deputy_secretary"
	RoleBuildingHead   Role = "building_head"
	RolePartyMember    Role = "party_member"
	RolePropertyStaff  Role = "property_staff"
	RoleVolunteer      Role = "volunteer"
)

// Roles lists the team roles in display order.
var Roles = []Role{RoleCommunityStaff, RoleGridWorker, RoleSunkCadre, RolePoliceDeputy, RoleBuildingHead, RolePartyMember, RolePropertyStaff, RoleVolunteer}

// TeamMember is a member of a community's visiting team, with skills
// ("plumbing"), languages ("bo" for Tibetan) and availability ("daytime",
// "evening", "weekend").
type TeamMember struct {
	ID           int64    `json:"id"`
	CommunityID  int64    `json:"community_id"`
	GridID       int64    `json:"grid_id,omitempty"`
	Name         string   `json:"name"`
	Role         Role     `json:"role"`
	Phone        string   `json:"phone,omitempty"`
	WeChat       string   `json:"wechat,omitempty"`
	Skills       []string `json:"skills"`
	Languages    []string `json:"languages"`
	Availability []string `json:"availability"`
	Active       bool     `json:"active"`
}

// CreateTeamMember inserts m and fills in its ID.
func CreateTeamMember(ctx context.Context, q store.Querier, m *TeamMember) error {
	return q.QueryRowContext(ctx, `INSERT INTO team_members(community_id, grid_id, name, role, phone, wechat, skills, languages, availability, active, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		m.CommunityID, nullID(m.GridID), m.Name, m.Role, m.Phone, m.WeChat,
		strings.Join(m.Skills, ","), strings.Join(m.Languages, ","), strings.Join(m.Availability, ","), true, time.Now().UTC()).Scan(&m.ID)
}

// TeamMembers lists the active team of every community, by grid and role.
func TeamMembers(ctx context.Context, q store.Querier) ([]TeamMember, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, community_id, COALESCE(grid_id, 0), name, role, phone, wechat, skills, languages, availability, active
		FROM team_members WHERE active ORDER BY community_id, COALESCE(grid_id, 0), id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []TeamMember
	for rows.Next() {
		var m TeamMember
		var skills, langs, avail string
		if err := rows.Scan(&m.ID, &m.CommunityID, &m.GridID, &m.Name, &m.Role, &m.Phone, &m.WeChat, &skills, &langs, &avail, &m.Active); err != nil {
			return nil, err
		}
		m.Skills, m.Languages, m.Availability = splitList(skills), splitList(langs), splitList(avail)
		out = append(out, m)
	}
	return out, rows.Err()
}

func splitList(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}
