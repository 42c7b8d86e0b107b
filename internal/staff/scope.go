package staff

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"wanhu/internal/apperr"
	"wanhu/internal/org"
	"wanhu/internal/store"
)

// memberWhere returns whose scorecards scope s sees as an SQL condition on
// team_members m and the org unit o the member belongs to (their grid, or
// their community for a helper without one): everybody (All), the members
// of the grids under an administrator's paths and their community helpers,
// a grid leader's grids, or a visitor's own member. Request figures count
// the requests the same scope sees (request.Where).
func memberWhere(s org.Scope) (string, []any) {
	if s.All {
		return "1 = 1", nil
	}
	var or []string
	var args []any
	for _, p := range s.Paths {
		or, args = append(or, "o.path LIKE ?"), append(args, p+"%")
	}
	if n := len(s.GridIDs); n > 0 {
		or = append(or, "m.grid_id IN (?"+strings.Repeat(", ?", n-1)+")")
		for _, id := range s.GridIDs {
			args = append(args, id)
		}
	}
	if s.MemberID != 0 {
		or, args = append(or, "m.id = ?"), append(args, s.MemberID)
	}
	if len(or) == 0 {
		return "1 = 0", nil
	}
	return "(" + strings.Join(or, " OR ") + ")", args
}

// onlySelf reports whether scope s sees a visitor's own scorecard only:
// staff accounts are not listed then.
func onlySelf(s org.Scope) bool { return !s.Any() }

// Visible returns apperr.ErrNotFound unless team member memberID, active
// or not, is within the members scope sees.
func Visible(ctx context.Context, q store.Querier, scope org.Scope, memberID int64) error {
	cond, args := memberWhere(scope)
	var one int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM team_members m JOIN org_units o ON o.id = COALESCE(m.grid_id, m.community_id)
		WHERE m.id = ? AND `+cond, append([]any{memberID}, args...)...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.ErrNotFound
	}
	return err
}
