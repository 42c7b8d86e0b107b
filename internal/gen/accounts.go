package gen

import (
	"context"
	"errors"
	"fmt"

	"wanhu/internal/apperr"
	"wanhu/internal/auth"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/store"
)

// Account is a demo login and what it is for.
type Account struct {
	Username, Name string
	Role           auth.Role
	Reach          string // the org unit or households the role covers
}

// demoDepartment is the department the demo officer works for (the article's
// fitness equipment came from it).
const demoDepartment = "区文体旅游科技局"

// DemoAccounts makes sure the demo community has one account per role, all
// with password: admin (the community), leader1 and leader3 (grid leaders
// of grids 1 and 3), visitor1 (a visitor: grid 1's volunteer or, the
// demo's volunteers having no grid, its grid worker), dept1 (an
// officer of 区文体旅游科技局) and auditor1. Existing accounts get the
// password reset. It works on a database made by Generate.
//
// It also turns off the TOTP requirement (auth.TOTPRoles) of the
// database: the demo shares one printed password so that anyone can try
// every role in one step, which a second factor on a phone would defeat.
// The demo's banner says so.
func DemoAccounts(ctx context.Context, db *store.DB, password string) ([]Account, error) {
	communities, err := org.Units(ctx, db, org.Community)
	if err != nil || len(communities) == 0 {
		return nil, fmt.Errorf("no community in the database: %v", err)
	}
	community := communities[0]
	grid := map[int]org.Unit{}
	grids, err := org.Units(ctx, db, org.GridKind)
	if err != nil {
		return nil, err
	}
	for _, g := range grids {
		if g.ParentID == community.ID {
			grid[g.Number] = g
		}
	}
	if grid[1].ID == 0 || grid[3].ID == 0 {
		return nil, errors.New("the demo community has no grids 1 and 3")
	}
	dept, err := department(ctx, db, community)
	if err != nil {
		return nil, err
	}
	member, err := volunteer(ctx, db, grid[1].ID)
	if err != nil {
		return nil, err
	}
	accounts := []struct {
		Account
		grant  auth.Grant
		member int64
	}{
		{Account{"admin", "冯晓霞", auth.Admin, community.Name}, auth.Grant{Role: auth.Admin, OrgUnitID: community.ID}, 0},
		{Account{"leader1", "第一网格网格长", auth.GridLeader, grid[1].Name}, auth.Grant{Role: auth.GridLeader, OrgUnitID: grid[1].ID}, 0},
		{Account{"leader3", "第三网格网格长", auth.GridLeader, grid[3].Name}, auth.Grant{Role: auth.GridLeader, OrgUnitID: grid[3].ID}, 0},
		{Account{"visitor1", member.Name, auth.Visitor, grid[1].Name}, auth.Grant{Role: auth.Visitor, OrgUnitID: grid[1].ID}, member.ID},
		{Account{"dept1", demoDepartment + "科员", auth.Officer, demoDepartment}, auth.Grant{Role: auth.Officer, OrgUnitID: dept.ID}, 0},
		{Account{"auditor1", "纪检监察员", auth.Auditor, community.Name}, auth.Grant{Role: auth.Auditor, OrgUnitID: community.ID}, 0},
	}
	as := auth.NewStore(db)
	if err := as.SetTOTPRoles(ctx, nil); err != nil {
		return nil, fmt.Errorf("demo accounts: %w", err)
	}
	var out []Account
	for _, a := range accounts {
		_, err := as.UserByUsername(ctx, a.Username)
		switch {
		case errors.Is(err, apperr.ErrNotFound):
			_, err = as.CreateUser(ctx, a.Username, a.Name, password, a.grant)
		case err == nil:
			err = as.SetPassword(ctx, a.Username, password)
		}
		if err == nil && a.member != 0 {
			err = as.LinkTeamMember(ctx, a.Username, a.member)
		}
		if err != nil {
			return nil, fmt.Errorf("demo account %s: %w", a.Username, err)
		}
		out = append(out, a.Account)
	}
	if err := claimSteps(ctx, db, as, grid[1].ID, grid[3].ID); err != nil {
		return nil, err
	}
	// The volunteer visits grid 1's red households and a few of its others.
	hs := household.NewStore(db)
	for _, f := range []household.Filter{{GridID: grid[1].ID, Colour: household.Red, PerPage: 40}, {GridID: grid[1].ID, PerPage: 20}} {
		list, _, err := hs.List(ctx, f)
		if err != nil {
			return nil, err
		}
		ids := make([]int64, len(list))
		for i, h := range list {
			ids[i] = h.ID
		}
		if err := hs.Assign(ctx, member.ID, ids...); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// claimSteps gives the demo accounts the request steps the generator took
// in the names of the people they stand for: the secretary's (admin), the
// grid leaders' of grids 1 and 3 (leader1, leader3) and the department's
// (dept1). Their scorecards then count the requests they handled.
func claimSteps(ctx context.Context, db *store.DB, as *auth.Store, grid1, grid3 int64) error {
	for _, c := range []struct {
		username, actor string
		grid            int64
	}{{"admin", "冯晓霞", 0}, {"leader1", "网格长", grid1}, {"leader3", "网格长", grid3}, {"dept1", demoDepartment, 0}} {
		u, err := as.UserByUsername(ctx, c.username)
		if err != nil {
			return err
		}
		q, args := `UPDATE request_events SET actor_id = ? WHERE actor_id IS NULL AND actor = ?`, []any{u.ID, c.actor}
		if c.grid != 0 {
			q, args = q+` AND request_id IN (SELECT id FROM requests WHERE grid_id = ?)`, append(args, c.grid)
		}
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("demo account %s: %w", c.username, err)
		}
	}
	return nil
}

// department returns the demo department, creating it under the
// community's district.
func department(ctx context.Context, db *store.DB, community org.Unit) (org.Unit, error) {
	street, err := org.UnitByID(ctx, db, community.ParentID)
	if err != nil {
		return org.Unit{}, err
	}
	var id int64
	err = db.QueryRowContext(ctx, `SELECT id FROM org_units WHERE kind = 'department' AND name = ? AND parent_id = ?`, demoDepartment, street.ParentID).Scan(&id)
	if err == nil {
		return org.UnitByID(ctx, db, id)
	}
	d := org.Unit{Kind: org.Department, ParentID: street.ParentID, Name: demoDepartment}
	return d, org.CreateUnit(ctx, db, &d)
}

// volunteer returns a volunteer of the grid, or else any member of its team.
func volunteer(ctx context.Context, db *store.DB, gridID int64) (org.TeamMember, error) {
	team, err := org.TeamMembers(ctx, db)
	if err != nil {
		return org.TeamMember{}, err
	}
	var any *org.TeamMember
	for i, m := range team {
		if m.GridID != gridID {
			continue
		}
		if m.Role == org.RoleVolunteer {
			return m, nil
		}
		if any == nil {
			any = &team[i]
		}
	}
	if any == nil {
		return org.TeamMember{}, fmt.Errorf("grid %d has no team", gridID)
	}
	return *any, nil
}
