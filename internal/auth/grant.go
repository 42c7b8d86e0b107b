package auth

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"wanhu/internal/apperr"
	"wanhu/internal/org"
)

// ValidRole reports whether r is one of Roles.
func ValidRole(r Role) bool { return slices.Contains(Roles, r) }

// checkGrant returns a FieldError for an unknown role or org unit.
func (s *Store) checkGrant(ctx context.Context, g Grant) error {
	if !ValidRole(g.Role) {
		return apperr.Field("role", "invalid", "must be one of %v", Roles)
	}
	if _, err := org.UnitByID(ctx, s.db, g.OrgUnitID); errors.Is(err, apperr.ErrNotFound) {
		return apperr.Field("org_unit_id", "invalid", "no org unit %d", g.OrgUnitID)
	} else if err != nil {
		return err
	}
	return nil
}

// Grant gives the account username role g.Role over g.OrgUnitID and
// everything below it. Granting what the user already holds is no error.
// The caller writes the change to the audit log.
func (s *Store) Grant(ctx context.Context, username string, g Grant) error {
	if err := s.checkGrant(ctx, g); err != nil {
		return err
	}
	u, _, err := s.user(ctx, "username = ?", username)
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO user_roles(user_id, role, org_unit_id) VALUES (?, ?, ?)
		ON CONFLICT (user_id, role, org_unit_id) DO NOTHING`, u.ID, g.Role, g.OrgUnitID)
	return err
}

// Revoke takes the grant g away from the account username; it answers
// ErrNotFound when the user does not hold it. Sessions load the grants at
// every request, so the change takes effect at once.
func (s *Store) Revoke(ctx context.Context, username string, g Grant) error {
	u, _, err := s.user(ctx, "username = ?", username)
	if err != nil {
		return err
	}
	res, err := s.db.ExecContext(ctx, `DELETE FROM user_roles WHERE user_id = ? AND role = ? AND org_unit_id = ?`, u.ID, g.Role, g.OrgUnitID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.ErrNotFound
	}
	return nil
}

// Administers reports whether admin holds the Admin role over org unit
// unitID: on the unit itself or one above it.
func (s *Store) Administers(ctx context.Context, admin *User, unitID int64) (bool, error) {
	if admin == nil {
		return false, nil
	}
	unit, err := org.UnitByID(ctx, s.db, unitID)
	if errors.Is(err, apperr.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	for _, g := range admin.Grants {
		if g.Role == Admin && strings.Contains(unit.Path, "/"+itoa(g.OrgUnitID)+"/") {
			return true, nil
		}
	}
	return false, nil
}

// AdministersUser reports whether admin may manage the account u: every
// grant u holds lies within admin's subtrees. An account without grants
// may be managed by any admin.
func (s *Store) AdministersUser(ctx context.Context, admin, u *User) (bool, error) {
	if !admin.Has(Admin) {
		return false, nil
	}
	for _, g := range u.Grants {
		ok, err := s.Administers(ctx, admin, g.OrgUnitID)
		if err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

// SeesOfficer reports whether admin sees the account u in their list of
// accounts without managing it: an officer whose every grant is on a
// department hanging above admin's subtree (on the street, district or
// city of their community), the departments their requests are referred
// to. An administrator of the unit the department hangs on manages the
// account: a community's administrator may not reset the password of an
// officer who handles the requests of every community of the district.
func (s *Store) SeesOfficer(ctx context.Context, admin, u *User) (bool, error) {
	if !admin.Has(Admin) || len(u.Grants) == 0 {
		return false, nil
	}
	for _, g := range u.Grants {
		if g.Role != Officer {
			return false, nil
		}
		unit, err := org.UnitByID(ctx, s.db, g.OrgUnitID)
		if err != nil {
			return false, err
		}
		if unit.Kind != org.Department || !hangsAbove(unit.Path, admin) {
			return false, nil
		}
	}
	return true, nil
}

// hangsAbove reports whether the unit at path hangs on a unit at or above
// one of admin's subtrees.
func hangsAbove(path string, admin *User) bool {
	parent := path[:strings.LastIndex(strings.TrimSuffix(path, "/"), "/")+1]
	for _, g := range admin.Grants {
		if g.Role == Admin && parent != "" && strings.HasPrefix(g.Path, parent) {
			return true
		}
	}
	return false
}

// GrantAs is Grant done by the admin by through the web or the API: the org
// unit must lie within by's subtree, and so must the account's other grants.
// Otherwise it answers ErrNotFound, as for an account that does not exist.
func (s *Store) GrantAs(ctx context.Context, by *User, username string, g Grant) error {
	if err := s.mayManage(ctx, by, username, g.OrgUnitID); err != nil {
		return err
	}
	return s.Grant(ctx, username, g)
}

// RevokeAs is Revoke done by the admin by, with the checks of GrantAs.
func (s *Store) RevokeAs(ctx context.Context, by *User, username string, g Grant) error {
	if err := s.mayManage(ctx, by, username, g.OrgUnitID); err != nil {
		return err
	}
	return s.Revoke(ctx, username, g)
}

// mayManage returns nil if by administers the account username and, when
// unitID is not 0, the org unit unitID; ErrNotFound or a FieldError if not.
func (s *Store) mayManage(ctx context.Context, by *User, username string, unitID int64) error {
	u, _, err := s.user(ctx, "username = ?", username)
	if err != nil {
		return err
	}
	if ok, err := s.AdministersUser(ctx, by, u); err != nil {
		return err
	} else if !ok {
		return apperr.ErrNotFound
	}
	if unitID != 0 {
		if ok, err := s.Administers(ctx, by, unitID); err != nil {
			return err
		} else if !ok {
			return apperr.Field("org_unit_id", "invalid", "no org unit %d", unitID)
		}
	}
	return nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
