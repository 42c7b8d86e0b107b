package main

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"

	"wanhu/internal/audit"
	"wanhu/internal/auth"
	"wanhu/internal/store"
)

func TestUserGrantRevokeUnlock(t *testing.T) {
	path, f := seedDB(t)
	ctx := context.Background()
	cli := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(ctx, append([]string{"user"}, append(args, "--db", path)...), &out)
		return out.String(), err
	}
	if _, err := cli("add", "--username", "leader", "--password", "dongxing-leader-1", "--role", "visitor", "--org", strconv.FormatInt(f.Grids[0].ID, 10)); err != nil {
		t.Fatal(err)
	}
	grid2 := strconv.FormatInt(f.Grids[1].ID, 10)
	if _, err := cli("grant", "--username", "leader", "--org", grid2); err == nil || !strings.Contains(err.Error(), "--role") {
		t.Errorf("grant without --role: %v", err)
	}
	if _, err := cli("grant", "--username", "leader", "--role", "king", "--org", grid2); err == nil {
		t.Error("unknown role granted")
	}
	if _, err := cli("grant", "--username", "leader", "--role", "grid_leader", "--org", "999999"); err == nil {
		t.Error("unknown org unit granted")
	}
	if out, err := cli("grant", "--username", "leader", "--role", "grid_leader", "--org", grid2); err != nil || !strings.Contains(out, "granted") {
		t.Fatalf("grant: %q %v", out, err)
	}
	if out, _ := cli("list"); !strings.Contains(out, "grid_leader@"+grid2) {
		t.Errorf("list after grant:\n%s", out)
	}
	if _, err := cli("revoke", "--username", "leader", "--role", "grid_leader", "--org", grid2); err != nil {
		t.Fatal(err)
	}
	if _, err := cli("revoke", "--username", "leader", "--role", "grid_leader", "--org", grid2); err == nil {
		t.Error("revoking a grant not held succeeded")
	}
	if out, _ := cli("list"); strings.Contains(out, "grid_leader@") {
		t.Errorf("list after revoke:\n%s", out)
	}
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	as := auth.NewStore(db)
	for range 5 {
		as.Login(ctx, "leader", "wrong password", auth.Web)
	}
	if _, _, err := as.Login(ctx, "leader", "dongxing-leader-1", auth.Web); err == nil {
		t.Fatal("not locked after 5 failures")
	}
	if _, err := cli("unlock", "--username", "leader"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := as.Login(ctx, "leader", "dongxing-leader-1", auth.Web); err != nil {
		t.Errorf("login after unlock: %v", err)
	}
	recs, _, err := audit.New(db).Search(ctx, audit.Filter{Object: "user:leader"})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, r := range recs {
		actions = append(actions, r.Action)
	}
	if got := strings.Join(actions, ","); !strings.Contains(got, "grant") || !strings.Contains(got, "revoke") || !strings.Contains(got, "user.unlock") {
		t.Errorf("audit log has %q, want grant, revoke and user.unlock", got)
	}
}
