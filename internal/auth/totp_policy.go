package auth

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/store"
)

// The TOTP requirement: the roles whose users must sign in with a one-time
// code. It is a setting (the settings row totpRolesKey, a JSON list of
// roles) that administrators change on /settings/totp or with
// `wanhu user totp-roles`; without the row it is DefaultTOTPRoles. A user
// holding such a role who has not turned TOTP on is led to enrol right
// after the password on the web and can do nothing else until enrolled;
// the API refuses their sign-ins and tokens with ErrEnrolTOTP.

// DefaultTOTPRoles are the roles required to use TOTP unless an
// administrator chose otherwise: those that may reveal full ID and phone
// numbers (access.Reveal; a test in internal/access keeps the two in step).
var DefaultTOTPRoles = []Role{Admin, GridLeader}

// totpRolesKey is the settings row of the TOTP requirement.
const totpRolesKey = "totp_required_roles"

// ErrEnrolTOTP answers an API sign-in or token of a user whose role
// requires TOTP and who has not turned it on.
var ErrEnrolTOTP = errors.New("your role must sign in with a one-time code: turn on two-step sign-in on the web (/account/totp) first")

// TOTPRoles returns the roles required to use TOTP, in the order of Roles.
func (s *Store) TOTPRoles(ctx context.Context) ([]Role, error) {
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, totpRolesKey).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return parseTOTPRoles(sql.NullString{})
	}
	if err != nil {
		return nil, err
	}
	return parseTOTPRoles(sql.NullString{String: v, Valid: true})
}

// parseTOTPRoles reads the settings row of the TOTP requirement, the
// default when there is none.
func parseTOTPRoles(v sql.NullString) ([]Role, error) {
	if !v.Valid {
		return slices.Clone(DefaultTOTPRoles), nil
	}
	if last := lastTOTPRoles.Load(); last != nil && last.text == v.String {
		return slices.Clone(last.roles), nil
	}
	var roles []Role
	if err := json.Unmarshal([]byte(v.String), &roles); err != nil {
		return nil, fmt.Errorf("setting %s: %w", totpRolesKey, err)
	}
	lastTOTPRoles.Store(&totpRolesText{v.String, slices.Clone(roles)})
	return roles, nil
}

// totpRolesText is a setting's text and the roles parseTOTPRoles read
// from it.
type totpRolesText struct {
	text  string
	roles []Role
}

// lastTOTPRoles is the setting parseTOTPRoles read last: the session's
// query brings the setting's text at every request, and the same text
// reads as the same roles, without encoding/json each time (issue 15).
// Only the text is remembered, never whether a role requires TOTP: a
// changed setting is a new text, read anew at the next request.
var lastTOTPRoles atomic.Pointer[totpRolesText]

// SetTOTPRoles sets the roles required to use TOTP (none to require it of
// no one). The caller writes the change to the audit log.
func (s *Store) SetTOTPRoles(ctx context.Context, roles []Role) error {
	var out []Role
	for _, r := range Roles {
		if slices.Contains(roles, r) {
			out = append(out, r)
		}
	}
	for _, r := range roles {
		if !ValidRole(r) {
			return apperr.OneOf("roles", string(r), Roles)
		}
	}
	if out == nil {
		out = []Role{}
	}
	b, err := json.Marshal(out)
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO settings(key, value, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, totpRolesKey, string(b), s.now().UTC())
	return err
}

// TOTPRequired reports whether u holds a role required to use TOTP.
func (s *Store) TOTPRequired(ctx context.Context, u *User) (bool, error) {
	if len(u.Grants) == 0 {
		return false, nil
	}
	roles, err := s.TOTPRoles(ctx)
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(roles, u.Has), nil
}

// MustEnrolTOTP reports whether u's role requires TOTP and u has not
// turned it on.
func (s *Store) MustEnrolTOTP(ctx context.Context, u *User) (bool, error) {
	req, err := s.TOTPRequired(ctx, u)
	if err != nil || !req {
		return false, err
	}
	on, err := s.TOTPEnabled(ctx, u.ID)
	return !on, err
}

// SetTOTPGrace lets user id sign in to the API with the password alone
// until until, while their role requires two-step sign-in and they have
// not turned it on. It is the first administrator's, whom wanhu init and
// the first-run page create: scripts that set up a community sign in at
// once, before anyone has been to the web. The web still leads them to
// enrol at their first sign-in there, and once the grace is over the API
// refuses them, their tokens too, until they have.
// It joins a transaction of ctx (store.WithTx), such as the set-up's.
func (s *Store) SetTOTPGrace(ctx context.Context, id int64, until time.Time) error {
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE users SET totp_grace_until = ? WHERE id = ?`, until.UTC(), id)
		return err
	})
}

// apiMustEnrol reports whether the API refuses u until they enrol in
// two-step sign-in: MustEnrolTOTP, and no grace left (SetTOTPGrace).
func (s *Store) apiMustEnrol(ctx context.Context, u *User) (bool, error) {
	enrol, err := s.MustEnrolTOTP(ctx, u)
	if err != nil || !enrol {
		return false, err
	}
	var until sql.NullTime
	if err := s.db.QueryRowContext(ctx, `SELECT totp_grace_until FROM users WHERE id = ?`, u.ID).Scan(&until); err != nil {
		return false, err
	}
	return !until.Valid || !s.now().Before(until.Time), nil
}
