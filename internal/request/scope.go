package request

import (
	"strings"

	"wanhu/internal/household"
	"wanhu/internal/org"
)

// Where returns scope s as an SQL condition on the requests alias r: the
// requests of a unit under one of its paths (an administrator's), of its
// grids (a grid leader's), of its team member's households (a visitor's),
// and those referred to a department under one of its department paths
// (an officer's), only while referred. Other packages' reports of requests
// (internal/staff's scorecards) use it too.
func Where(s org.Scope) (string, []any) {
	if s.All {
		return "1 = 1", nil
	}
	var or []string
	var args []any
	for _, p := range s.Paths {
		or, args = append(or, "r.org_path LIKE ?"), append(args, p+"%")
	}
	if len(s.GridIDs) > 0 {
		or = append(or, "r.grid_id IN (?"+strings.Repeat(", ?", len(s.GridIDs)-1)+")")
		for _, id := range s.GridIDs {
			args = append(args, id)
		}
	}
	if s.MemberID != 0 {
		cond, hargs := household.Where(org.Scope{MemberID: s.MemberID})
		or, args = append(or, "r.household_id IN (SELECT h.id FROM households h WHERE "+cond+")"), append(args, hargs...)
	}
	for _, p := range s.DepartmentPaths {
		or = append(or, "(r.handling = 'referred' AND r.department_id IN (SELECT id FROM org_units WHERE kind = 'department' AND path LIKE ?))")
		args = append(args, p+"%")
	}
	if len(or) == 0 {
		return "1 = 0", nil
	}
	return "(" + strings.Join(or, " OR ") + ")", args
}
