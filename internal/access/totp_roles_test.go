package access

import (
	"slices"
	"testing"

	"wanhu/internal/auth"
)

// TestTOTPRolesAreTheRevealingOnes: the roles that must use TOTP unless an
// administrator chose otherwise are exactly those that may reveal full ID
// and phone numbers (auth cannot ask access itself: access imports auth).
func TestTOTPRolesAreTheRevealingOnes(t *testing.T) {
	for _, r := range auth.Roles {
		u := &auth.User{Grants: []auth.Grant{{Role: r, OrgUnitID: 1, Path: "/1/"}}}
		if reveals, required := Can(u, Reveal), slices.Contains(auth.DefaultTOTPRoles, r); reveals != required {
			t.Errorf("role %s: may reveal %v, TOTP required by default %v", r, reveals, required)
		}
	}
}
