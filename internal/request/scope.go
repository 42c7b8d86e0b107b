package request

import (
	"strings"

	"wanhu/internal/household"
)

// Scope says which requests a reader may see and change (access.RequestScope
// builds it from a user's grants). The zero Scope sees none.
type Scope struct {
	All bool
	// Paths are org subtrees: the requests that belong to a unit under one
	// of them (an administrator's).
	Paths []string
	// GridIDs are grids (a grid leader's).
	GridIDs []int64
	// MemberID is a visitor's team member: the requests of their households.
	MemberID int64
	// DepartmentPaths are departments' subtrees (an officer's): the requests
	// referred to a department under one of them, and only while referred.
	DepartmentPaths []string
}

// where returns the scope as an SQL condition on the requests alias r.
func (s Scope) where() (string, []any) {
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
		cond, hargs := household.Scope{MemberID: s.MemberID}.Where()
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
