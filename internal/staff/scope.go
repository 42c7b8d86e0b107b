package staff

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"wanhu/internal/apperr"
	"wanhu/internal/household"
	"wanhu/internal/request"
	"wanhu/internal/store"
)

// Scope says whose scorecards a viewer sees and which requests count
// (access.StaffScope builds it from a user's grants): Members as household
// scopes go — everybody (All), the members of the grids under an
// administrator's Paths and their community helpers, a grid leader's
// GridIDs, or a visitor's own MemberID — and Requests, the requests the
// viewer may see: request figures and bad reviews count those only.
type Scope struct {
	Members  household.Scope
	Requests request.Scope
}

// AllScope sees everything (the CLI).
var AllScope = Scope{Members: household.Scope{All: true}, Requests: request.Scope{All: true}}

// memberWhere returns the member scope as an SQL condition on team_members
// m and the org unit o the member belongs to (their grid, or their
// community for a helper without one).
func (s Scope) memberWhere() (string, []any) {
	if s.Members.All {
		return "1 = 1", nil
	}
	var or []string
	var args []any
	for _, p := range s.Members.Paths {
		or, args = append(or, "o.path LIKE ?"), append(args, p+"%")
	}
	if n := len(s.Members.GridIDs); n > 0 {
		or = append(or, "m.grid_id IN (?"+strings.Repeat(", ?", n-1)+")")
		for _, id := range s.Members.GridIDs {
			args = append(args, id)
		}
	}
	if s.Members.MemberID != 0 {
		or, args = append(or, "m.id = ?"), append(args, s.Members.MemberID)
	}
	if len(or) == 0 {
		return "1 = 0", nil
	}
	return "(" + strings.Join(or, " OR ") + ")", args
}

// onlySelf reports whether the scope is a visitor's own scorecard only:
// staff accounts are not listed then.
func (s Scope) onlySelf() bool {
	m := s.Members
	return !m.All && len(m.Paths) == 0 && len(m.GridIDs) == 0
}

// Visible returns apperr.ErrNotFound unless team member memberID, active
// or not, is within the scope's members.
func Visible(ctx context.Context, q store.Querier, scope Scope, memberID int64) error {
	cond, args := scope.memberWhere()
	var one int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM team_members m JOIN org_units o ON o.id = COALESCE(m.grid_id, m.community_id)
		WHERE m.id = ? AND `+cond, append([]any{memberID}, args...)...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.ErrNotFound
	}
	return err
}
