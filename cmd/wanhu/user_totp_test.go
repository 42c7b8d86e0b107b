package main

import (
	"bytes"
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"wanhu/internal/audit"
	"wanhu/internal/auth"
	"wanhu/internal/secret"
	"wanhu/internal/store"
)

// TestUserTOTPAndPasswordCommands: `wanhu user totp-roles` shows and sets
// the roles that must use two-step sign-in, `reset-totp` removes a lost
// second factor, `reset-password` resets without the current password;
// each change is audited as done from the command line.
func TestUserTOTPAndPasswordCommands(t *testing.T) {
	path, f := seedDB(t)
	ctx := context.Background()
	cli := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(ctx, append([]string{"user"}, append(args, "--db", path)...), &out)
		return out.String(), err
	}
	if out, err := cli("totp-roles"); err != nil || out != "two-step sign-in is required of: admin,grid_leader\n" {
		t.Errorf("default: %q %v", out, err)
	}
	if _, err := cli("totp-roles", "--roles", "admin,king"); err == nil || !strings.Contains(err.Error(), "king") {
		t.Errorf("unknown role: %v", err)
	}
	if out, err := cli("totp-roles", "--roles", "none"); err != nil || out != "two-step sign-in is required of no role\n" {
		t.Errorf("none: %q %v", out, err)
	}
	if out, err := cli("totp-roles", "--roles", "grid_leader, admin"); err != nil || out != "two-step sign-in is required of: admin,grid_leader\n" {
		t.Errorf("set: %q %v", out, err)
	}

	if _, err := cli("add", "--username", "leader", "--password", "dongxing-leader-1", "--role", "grid_leader", "--org", strconv.FormatInt(f.Grids[0].ID, 10)); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	keys, err := secret.Load(path + ".key")
	if err != nil {
		t.Fatal(err)
	}
	db.SetKeys(keys)
	as := auth.NewStore(db)
	u, _ := as.UserByUsername(ctx, "leader")
	secretKey, err := as.BeginTOTP(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	code, _ := auth.TOTPCode(secretKey, time.Now())
	if err := as.ConfirmTOTP(ctx, u.ID, code); err != nil {
		t.Fatal(err)
	}
	if _, err := cli("reset-totp", "--username", "nobody"); err == nil {
		t.Error("reset-totp of a missing account succeeded")
	}
	if out, err := cli("reset-totp", "--username", "leader"); err != nil || !strings.Contains(out, "reset") {
		t.Fatalf("reset-totp: %q %v", out, err)
	}
	if on, _ := as.TOTPEnabled(ctx, u.ID); on {
		t.Error("TOTP still on after reset-totp")
	}
	if out, err := cli("reset-password", "--username", "leader", "--password", "a-fresh-password"); err != nil || !strings.Contains(out, "changed") {
		t.Fatalf("reset-password: %q %v", out, err)
	}
	if _, sess, err := as.Login(ctx, "leader", "a-fresh-password", auth.Web); err != nil || !sess.EnrolTOTP {
		t.Errorf("leader after the resets: %v, want to be led to enrol again", err)
	}
	var actions []string
	for _, obj := range []string{"user:leader", "settings:totp_required_roles"} {
		recs, _, err := audit.New(db).Search(ctx, audit.Filter{Object: obj})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			if r.Username == "cli" {
				actions = append(actions, r.Action)
			}
		}
	}
	for _, a := range []string{"user.totp", "user.password", "settings.totp_roles"} {
		if !slices.Contains(actions, a) {
			t.Errorf("audit log lacks %s: %v", a, actions)
		}
	}
}
