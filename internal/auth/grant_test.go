package auth_test

import (
	"context"
	"errors"
	"testing"

	"wanhu/internal/apperr"
	"wanhu/internal/auth"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
)

func TestGrantRevoke(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f, err := testworld.NewOrg(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		s := auth.NewStore(db)
		g1, g2 := f.Grids[0].ID, f.Grids[1].ID
		gridAdmin, _ := s.CreateUser(ctx, "gridadmin", "", "dongxing-2025-a", auth.Grant{Role: auth.Admin, OrgUnitID: g1})
		street, _ := s.CreateUser(ctx, "streetadmin", "", "dongxing-2025-b", auth.Grant{Role: auth.Admin, OrgUnitID: f.Street.ID})
		if _, err := s.CreateUser(ctx, "worker", "", "dongxing-2025-c", auth.Grant{Role: auth.Visitor, OrgUnitID: g1}); err != nil {
			t.Fatal(err)
		}
		if err := s.Grant(ctx, "worker", auth.Grant{Role: "king", OrgUnitID: g1}); err == nil {
			t.Error("unknown role granted")
		}
		if err := s.Grant(ctx, "worker", auth.Grant{Role: auth.GridLeader, OrgUnitID: 987654}); err == nil {
			t.Error("unknown org unit granted")
		}
		if err := s.Grant(ctx, "nobody", auth.Grant{Role: auth.GridLeader, OrgUnitID: g1}); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("grant to a missing user: %v", err)
		}
		// The grid admin administers grid 1 only: it may not grant grid 2.
		if err := s.GrantAs(ctx, gridAdmin, "worker", auth.Grant{Role: auth.GridLeader, OrgUnitID: g2}); err == nil {
			t.Error("grid admin granted outside its subtree")
		}
		if err := s.GrantAs(ctx, gridAdmin, "worker", auth.Grant{Role: auth.GridLeader, OrgUnitID: g1}); err != nil {
			t.Fatal(err)
		}
		// The street admin administers both grids.
		if err := s.GrantAs(ctx, street, "worker", auth.Grant{Role: auth.GridLeader, OrgUnitID: g2}); err != nil {
			t.Fatal(err)
		}
		// Now worker holds a grant outside grid 1: the grid admin may not
		// manage the account at all, and sees it as missing.
		if err := s.RevokeAs(ctx, gridAdmin, "worker", auth.Grant{Role: auth.GridLeader, OrgUnitID: g1}); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("grid admin revoked on an account reaching beyond it: %v", err)
		}
		if err := s.RevokeAs(ctx, street, "worker", auth.Grant{Role: auth.GridLeader, OrgUnitID: g2}); err != nil {
			t.Fatal(err)
		}
		u, _ := s.UserByUsername(ctx, "worker")
		if len(u.Grants) != 2 || !u.Has(auth.GridLeader) {
			t.Errorf("grants after revoke: %+v", u.Grants)
		}
		if err := s.Revoke(ctx, "worker", auth.Grant{Role: auth.GridLeader, OrgUnitID: g2}); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("revoke of a grant not held: %v", err)
		}
		// The street admin may not manage the other admin upward.
		if ok, _ := s.AdministersUser(ctx, gridAdmin, street); ok {
			t.Error("grid admin administers the street admin")
		}
	})
}
