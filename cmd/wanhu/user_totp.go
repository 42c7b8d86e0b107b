package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"wanhu/internal/audit"
	"wanhu/internal/auth"
	"wanhu/internal/store"
)

// totpRoles runs `wanhu user totp-roles [--roles R,R|none]`: it prints the
// roles that must sign in with a one-time code and, when roles is given,
// sets them first and writes the change to the audit log.
func totpRoles(ctx context.Context, db *store.DB, as *auth.Store, roles string, set bool, out io.Writer) error {
	if set {
		var rs []auth.Role
		for _, r := range strings.Split(roles, ",") {
			if r = strings.TrimSpace(r); r != "" && r != "none" {
				rs = append(rs, auth.Role(r))
			}
		}
		if err := as.SetTOTPRoles(ctx, rs); err != nil {
			return fmt.Errorf("--roles: %w", err)
		}
		e := audit.Entry{Username: "cli", Role: "cli", Action: "settings.totp_roles", Object: "settings:totp_required_roles",
			Result: audit.OK, Detail: "roles=" + joinRoles(rs)}
		if err := audit.New(db).Record(ctx, e); err != nil {
			return fmt.Errorf("set, but the audit log refused it: %w", err)
		}
	}
	rs, err := as.TOTPRoles(ctx)
	if err != nil {
		return err
	}
	if len(rs) == 0 {
		fmt.Fprintln(out, "two-step sign-in is required of no role")
		return nil
	}
	fmt.Fprintf(out, "two-step sign-in is required of: %s\n", joinRoles(rs))
	return nil
}

func joinRoles(rs []auth.Role) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return strings.Join(s, ",")
}

// resetTOTP runs `wanhu user reset-totp --username U`: it removes the
// second factor of an account whose phone was lost (the user enrols again
// at the next sign-in if their role requires it), audited.
func resetTOTP(ctx context.Context, db *store.DB, as *auth.Store, username string, out io.Writer) error {
	u, err := as.UserByUsername(ctx, username)
	if err != nil {
		return fmt.Errorf("--username %s: %w", username, err)
	}
	if err := as.ResetTOTP(ctx, u.ID); err != nil {
		return err
	}
	e := audit.Entry{Username: "cli", Role: "cli", Action: "user.totp", Object: "user:" + username, Result: audit.OK}
	if err := audit.New(db).Record(ctx, e); err != nil {
		return fmt.Errorf("reset, but the audit log refused it: %w", err)
	}
	fmt.Fprintf(out, "two-step sign-in of %s reset\n", username)
	return nil
}

// resetPassword runs `wanhu user reset-password --username U --password P`:
// an administrator's reset with access to the database, which takes no
// current password (the way back in for an administrator who forgot
// theirs), audited. People change their own on the web, with the current
// password.
func resetPassword(ctx context.Context, db *store.DB, as *auth.Store, username, password string, out io.Writer) error {
	if err := as.SetPassword(ctx, username, password); err != nil {
		return err
	}
	e := audit.Entry{Username: "cli", Role: "cli", Action: "user.password", Object: "user:" + username, Result: audit.OK}
	if err := audit.New(db).Record(ctx, e); err != nil {
		return fmt.Errorf("password changed, but the audit log refused it: %w", err)
	}
	fmt.Fprintf(out, "password of %s changed; their sessions are ended\n", username)
	return nil
}
