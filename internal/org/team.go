package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"wanhu/internal/apperr"
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

// Availabilities are the times a member can visit: weekday daytime,
// evenings and weekends (the slots of plans and appointments).
var Availabilities = []string{"daytime", "evening", "weekend"}

// Languages are the languages besides Mandarin a member may speak: the
// codes of a household's language (household.Languages), so that a plan
// can pair the two.
var Languages = []string{"bo", "mn", "ug", "sign", "en", "other"}

// TeamMember is a member of a community's visiting team, with skills
// ("plumbing"), languages ("bo" for Tibetan) and availability ("daytime",
// "evening", "weekend"). A member without a grid helps the whole
// community. Version counts saved edits, so a stale edit is refused.
type TeamMember struct {
	ID           int64    `json:"id"`
	CommunityID  int64    `json:"community_id"`
	GridID       int64    `json:"grid_id,omitempty"`
	Name         string   `json:"name"`
	Role         Role     `json:"role"`
	Phone        string   `json:"phone,omitempty"`
	WeChat       string   `json:"wechat,omitempty"`
	Unit         string   `json:"unit,omitempty"` // a working party member's employer (工作单位)
	Skills       []string `json:"skills"`
	Languages    []string `json:"languages"`
	Availability []string `json:"availability"`
	Active       bool     `json:"active"`
	Version      int      `json:"version"`
}

// CreateTeamMember validates m and inserts it, active, filling in its ID
// and version.
func CreateTeamMember(ctx context.Context, q store.Querier, m *TeamMember) error {
	if err := checkMember(ctx, q, m); err != nil {
		return err
	}
	m.Active, m.Version = true, 1
	return q.QueryRowContext(ctx, `INSERT INTO team_members(community_id, grid_id, name, role, phone, wechat, unit, skills, languages, availability, active, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		m.CommunityID, nullID(m.GridID), m.Name, m.Role, m.Phone, m.WeChat, m.Unit,
		strings.Join(m.Skills, ","), strings.Join(m.Languages, ","), strings.Join(m.Availability, ","), true, time.Now().UTC()).Scan(&m.ID)
}

// UpdateTeamMember validates m and saves it, active flag included, if it
// is still at m.Version (apperr.ErrConflict otherwise); m.Version moves on.
// A member stays in their community.
func UpdateTeamMember(ctx context.Context, q store.Querier, m *TeamMember) error {
	old, err := TeamMemberByID(ctx, q, m.ID)
	if err != nil {
		return err
	}
	m.CommunityID = old.CommunityID
	if err := checkMember(ctx, q, m); err != nil {
		return err
	}
	res, err := q.ExecContext(ctx, `UPDATE team_members SET grid_id = ?, name = ?, role = ?, phone = ?, wechat = ?, unit = ?,
		skills = ?, languages = ?, availability = ?, active = ?, version = version + 1 WHERE id = ? AND version = ?`,
		nullID(m.GridID), m.Name, m.Role, m.Phone, m.WeChat, m.Unit, strings.Join(m.Skills, ","), strings.Join(m.Languages, ","),
		strings.Join(m.Availability, ","), m.Active, m.ID, m.Version)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return apperr.ErrConflict
	}
	m.Version++
	return nil
}

// phonePattern is the shape of a phone number, as for households. A work
// phone is printed on contact cards, so it is not sealed.
var phonePattern = regexp.MustCompile(`^\+?[0-9][0-9-]{4,19}$`)

// checkMember normalises m (trimmed text, lists without blanks or
// repeats) and returns a FieldError naming the first field that is wrong.
func checkMember(ctx context.Context, q store.Querier, m *TeamMember) error {
	m.Name, m.Phone, m.WeChat, m.Unit = strings.TrimSpace(m.Name), strings.TrimSpace(m.Phone), strings.TrimSpace(m.WeChat), strings.TrimSpace(m.Unit)
	m.Skills, m.Languages, m.Availability = cleanList(m.Skills), cleanList(m.Languages), cleanList(m.Availability)
	switch {
	case m.Name == "":
		return apperr.Field("name", "required", "is required")
	case utf8.RuneCountInString(m.Name) > 50:
		return apperr.Field("name", "too_long", "must be at most %d characters", 50)
	case m.Role == "":
		return apperr.Field("role", "required", "is required")
	case !slices.Contains(Roles, m.Role):
		return apperr.OneOf("role", string(m.Role), Roles)
	case m.Phone != "" && !phonePattern.MatchString(m.Phone):
		return apperr.Field("phone", "phone", "is not a phone number (digits, optionally + and -)")
	case utf8.RuneCountInString(m.WeChat) > 50:
		return apperr.Field("wechat", "too_long", "must be at most %d characters", 50)
	case utf8.RuneCountInString(m.Unit) > 100:
		return apperr.Field("unit", "too_long", "must be at most %d characters", 100)
	}
	for _, s := range m.Skills {
		if strings.Contains(s, ",") || utf8.RuneCountInString(s) > 30 {
			return apperr.Field("skills", "too_long", "must be at most %d characters", 30)
		}
	}
	for _, l := range m.Languages {
		if !slices.Contains(Languages, l) {
			return apperr.OneOf("languages", l, Languages)
		}
	}
	for _, a := range m.Availability {
		if !slices.Contains(Availabilities, a) {
			return apperr.OneOf("availability", a, Availabilities)
		}
	}
	if c, err := UnitByID(ctx, q, m.CommunityID); err != nil || c.Kind != Community || c.RetiredAt != nil {
		return apperr.Field("community_id", "not_found", "community %d does not exist", m.CommunityID)
	}
	if m.GridID != 0 {
		if g, err := UnitByID(ctx, q, m.GridID); err != nil || g.Kind != GridKind || g.ParentID != m.CommunityID || g.RetiredAt != nil {
			return apperr.Field("grid_id", "not_found", "grid %d is not a grid of the member's community", m.GridID)
		}
	}
	return nil
}

// cleanList trims every item and drops blanks and repeats.
func cleanList(in []string) []string {
	out := []string{}
	for _, s := range in {
		if s = strings.TrimSpace(s); s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

const memberCols = `id, community_id, COALESCE(grid_id, 0), name, role, phone, wechat, unit, skills, languages, availability, active, version`

func scanMember(s interface{ Scan(...any) error }) (TeamMember, error) {
	var m TeamMember
	var skills, langs, avail string
	err := s.Scan(&m.ID, &m.CommunityID, &m.GridID, &m.Name, &m.Role, &m.Phone, &m.WeChat, &m.Unit, &skills, &langs, &avail, &m.Active, &m.Version)
	m.Skills, m.Languages, m.Availability = splitList(skills), splitList(langs), splitList(avail)
	return m, err
}

// TeamMemberByID returns one team member, active or not.
func TeamMemberByID(ctx context.Context, q store.Querier, id int64) (TeamMember, error) {
	m, err := scanMember(q.QueryRowContext(ctx, `SELECT `+memberCols+` FROM team_members WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return m, apperr.ErrNotFound
	}
	return m, err
}

// CheckVisitor returns a FieldError on field unless team member id is an
// active member who may visit the households of grid gridID: one of the
// grid's own, or one of its community's without a grid of their own (a
// helper such as 卓玛, who helps every grid). A household's visitors, the
// owner of a measure of its plan and the visitors named on a visit follow
// it, as the weekly plans do; a grid leader cannot hand another grid's
// worker a household they would then read.
func CheckVisitor(ctx context.Context, q store.Querier, gridID, id int64, field string) error {
	var one int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM team_members t JOIN org_units g ON g.id = ?
		WHERE t.id = ? AND t.active AND (t.grid_id = g.id OR (t.grid_id IS NULL AND t.community_id = g.parent_id))`, gridID, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.Field(field, "not_visitor", "team member %d does not visit this grid", id)
	}
	return err
}

// GridWorker returns the first active grid worker of grid gridID, the one
// printed on the grid's contact cards; apperr.ErrNotFound when the grid has
// none.
func GridWorker(ctx context.Context, q store.Querier, gridID int64) (TeamMember, error) {
	m, err := scanMember(q.QueryRowContext(ctx, `SELECT `+memberCols+` FROM team_members
		WHERE active AND grid_id = ? AND role = 'grid_worker' ORDER BY id LIMIT 1`, gridID))
	if errors.Is(err, sql.ErrNoRows) {
		return m, apperr.ErrNotFound
	}
	return m, err
}

// TeamMembers lists the active team of every community, by grid and role.
func TeamMembers(ctx context.Context, q store.Querier) ([]TeamMember, error) {
	return teamMembers(ctx, q, "WHERE active")
}

// CommunityTeam lists the active team of one community (its grids' members
// and its helpers without a grid), by grid and id: what a page about one
// household offers to choose from, whatever the size of the city.
func CommunityTeam(ctx context.Context, q store.Querier, communityID int64) ([]TeamMember, error) {
	return teamMembers(ctx, q, "WHERE active AND community_id = ?", communityID)
}

// AllTeamMembers lists the whole team of every community, inactive
// members included, by grid and id.
func AllTeamMembers(ctx context.Context, q store.Querier) ([]TeamMember, error) {
	return teamMembers(ctx, q, "")
}

func teamMembers(ctx context.Context, q store.Querier, where string, args ...any) ([]TeamMember, error) {
	rows, err := q.QueryContext(ctx, fmt.Sprintf(`SELECT %s FROM team_members %s ORDER BY community_id, COALESCE(grid_id, 0), id`, memberCols, where), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []TeamMember
	for rows.Next() {
		m, err := scanMember(rows)
		if err != nil {
			return nil, err
		}
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

// TeamOfGrids keeps the members of ms that belong to one of grids, and the
// helpers without a grid of those grids' communities: the team a user
// who sees these grids sees.
func TeamOfGrids(ms []TeamMember, grids []Grid) []TeamMember {
	grid, community := map[int64]bool{}, map[int64]bool{}
	for _, g := range grids {
		grid[g.ID], community[g.CommunityID] = true, true
	}
	out := []TeamMember{}
	for _, m := range ms {
		if grid[m.GridID] || (m.GridID == 0 && community[m.CommunityID]) {
			out = append(out, m)
		}
	}
	return out
}
