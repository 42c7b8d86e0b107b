package access

import (
	"testing"

	"wanhu/internal/auth"
)

func TestCan(t *testing.T) {
	user := func(roles ...auth.Role) *auth.User {
		u := &auth.User{TeamMemberID: 7}
		for i, r := range roles {
			u.Grants = append(u.Grants, auth.Grant{Role: r, OrgUnitID: int64(10 + i), Path: "/1/"})
		}
		return u
	}
	cases := []struct {
		u    *auth.User
		a    Action
		want bool
	}{
		{user(auth.Admin), ManageUsers, true},
		{user(auth.GridLeader), Reveal, true},
		{user(auth.GridLeader), Configure, false},
		{user(auth.Admin), ManageOrg, true},
		{user(auth.GridLeader), ManageOrg, false},
		{user(auth.Admin), Import, true},
		{user(auth.GridLeader), Import, true},
		{user(auth.Visitor), Import, false},
		{user(auth.Auditor), Import, false},
		{user(auth.Admin), RecordTalks, true},
		{user(auth.GridLeader), RecordTalks, true},
		{user(auth.Visitor), RecordTalks, false},
		{user(auth.Officer), RecordTalks, false},
		{user(auth.Visitor), ReadHouseholds, true},
		{user(auth.Visitor), Reveal, false},
		{user(auth.Visitor), EditHouseholds, false},
		{user(auth.Officer), ReadHouseholds, false},
		{user(auth.Auditor), ReadAudit, true},
		{user(auth.Auditor), ReadHouseholds, false},
		{user(auth.Visitor, auth.Auditor), ReadAudit, true},
		{nil, ReadHouseholds, false},
		{&auth.User{Disabled: true, Grants: []auth.Grant{{Role: auth.Admin}}}, ReadHouseholds, false},
	}
	for i, c := range cases {
		if got := Can(c.u, c.a); got != c.want {
			t.Errorf("case %d: Can(%v, %s) = %v", i, c.u, c.a, got)
		}
	}
	s := Scope(user(auth.GridLeader, auth.Visitor, auth.Officer))
	if s.All || len(s.Paths) != 0 || len(s.GridIDs) != 1 || s.GridIDs[0] != 10 || s.MemberID != 7 {
		t.Errorf("scope %+v", s)
	}
	if s := Scope(user(auth.Officer, auth.Auditor)); len(s.Paths)+len(s.GridIDs) != 0 || s.MemberID != 0 {
		t.Errorf("officer and auditor see households: %+v", s)
	}
}
