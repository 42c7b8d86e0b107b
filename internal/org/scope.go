package org

import (
	"context"
	"errors"
	"slices"
	"strings"

	"wanhu/internal/apperr"
	"wanhu/internal/store"
)

// Scope is what one user reaches: the part of the org tree, the team member
// and the departments their roles give them, and how much of a person they
// see. access.ScopeOf builds it once per user from the user's grants; each
// domain renders its own SQL condition from it (household.Where,
// request's where, staff's memberWhere), so there is one idea of "in scope"
// and one place that builds it. The zero Scope reaches nothing.
type Scope struct {
	// All is the system itself: the CLI, the generator, jobs. It sees and
	// changes everything; ID and phone numbers are masked for it as for
	// everyone (full values come only through the audited reveal).
	All bool
	// Paths are org subtrees ("/1/2/"): an administrator's.
	Paths []string
	// GridIDs are grids: a grid leader's.
	GridIDs []int64
	// MemberID is a visitor's team member: the households assigned to them
	// or planned for them this week or later, and their own scorecard.
	MemberID int64
	// DepartmentPaths are departments' subtrees: an officer's requests.
	DepartmentPaths []string
	// AuditPaths are the org subtrees whose audit log the user reads (an
	// administrator's or an auditor's); they reach no household.
	AuditPaths []string
	// UserID is the account, for what is counted or noted per account
	// (searches by a full number); 0 for the system.
	UserID int64
	// Reveal says the user's role may see a person in full: exact birth
	// dates and health notes on the page, and ID and phone numbers through
	// the audited reveal. Without it a person's birth year is left out
	// (age and birthday stand in) and health notes are hidden.
	Reveal bool
}

// Everything is the scope of the system itself.
var Everything = Scope{All: true, Reveal: true}

// Places is the scope without what a user reaches as a person rather than
// as a place: a visitor's households and an officer's departments. It is
// what they may count in statistics and whose team they manage.
func (s Scope) Places() Scope {
	s.MemberID, s.DepartmentPaths = 0, nil
	return s
}

// Any reports whether the scope reaches some place of the org tree: all
// of it, a subtree or a grid.
func (s Scope) Any() bool { return s.All || len(s.Paths) > 0 || len(s.GridIDs) > 0 }

// Manages reports whether s may add or change a team member of community
// communityID in grid gridID (0: a helper of the whole community): the
// members of the grids under its paths or among its grids, and the helpers
// without a grid of the communities under its paths. So a grid leader
// manages their own grids' members, an administrator of a community (or
// above) its whole team, and a visitor nobody.
func (s Scope) Manages(ctx context.Context, q store.Querier, communityID, gridID int64) (bool, error) {
	if s.All {
		return true, nil
	}
	if gridID != 0 && slices.Contains(s.GridIDs, gridID) {
		return true, nil
	}
	unit := communityID
	if gridID != 0 {
		unit = gridID
	}
	u, err := UnitByID(ctx, q, unit)
	if errors.Is(err, apperr.ErrNotFound) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	return slices.ContainsFunc(s.Paths, func(p string) bool { return strings.HasPrefix(u.Path, p) }), nil
}

// Administers reports whether s may change the structure (org units,
// compounds, buildings) at an org unit of the given path: the system, or
// an administrator whose subtree holds it. A grid leader's grids do not
// count: they may not change the structure.
func (s Scope) Administers(path string) bool {
	return s.All || slices.ContainsFunc(s.Paths, func(p string) bool { return strings.HasPrefix(path, p) })
}

// SeesUnit reports whether s reads org unit u as part of the structure:
// what it administers, and a grid leader's own grids.
func (s Scope) SeesUnit(u Unit) bool {
	return s.Administers(u.Path) || u.Kind == GridKind && slices.Contains(s.GridIDs, u.ID)
}

// CommunityChoice is a community that a scope spanning several may be narrowed
// to (InCommunity), for reports and lists read one community at a time.
type CommunityChoice struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Path string `json:"-"`
}

// Communities returns the active communities under the org paths of s
// (every one for the system), by id. A grid leader's or a visitor's scope
// has none: it is not narrowed by community.
func Communities(ctx context.Context, q store.Querier, s Scope) ([]CommunityChoice, error) {
	if !s.All && len(s.Paths) == 0 {
		return nil, nil
	}
	where, args := "c.kind = 'community' AND c.retired_at IS NULL", []any{}
	if !s.All {
		or := make([]string, len(s.Paths))
		for i, p := range s.Paths {
			or[i], args = "c.path LIKE ?", append(args, p+"%")
		}
		where += " AND (" + strings.Join(or, " OR ") + ")"
	}
	rows, err := q.QueryContext(ctx, `SELECT c.id, c.name, c.path FROM org_units c WHERE `+where+` ORDER BY c.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []CommunityChoice
	for rows.Next() {
		var c CommunityChoice
		if err := rows.Scan(&c.ID, &c.Name, &c.Path); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// InCommunity returns s narrowed to community c, one of its Communities:
// the community's path in place of s's paths, without the grids or the
// team member s may also name. The community lies under one of s's paths,
// so nothing outside s is reached.
func (s Scope) InCommunity(c CommunityChoice) Scope {
	s.All, s.Paths, s.GridIDs, s.MemberID = false, []string{c.Path}, nil, 0
	return s
}
