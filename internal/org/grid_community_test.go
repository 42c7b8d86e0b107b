package org_test

import (
	"context"
	"errors"
	"testing"

	"wanhu/internal/apperr"
	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
)

// TestCommunityOfGrid: a grid's community, as GridByID names it; a unit
// that is not a grid has none.
func TestCommunityOfGrid(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f, err := testworld.NewOrg(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		g, err := org.GridByID(ctx, db, f.Grids[1].ID)
		if err != nil {
			t.Fatal(err)
		}
		c, err := org.CommunityOfGrid(ctx, db, f.Grids[1].ID)
		if err != nil || c.ID != f.Community.ID || c.ID != g.CommunityID || c.Name != g.CommunityName || c.Name == "" {
			t.Errorf("community of grid = %+v, %v; want %d %q", c, err, g.CommunityID, g.CommunityName)
		}
		for _, id := range []int64{f.Community.ID, 987654} {
			if _, err := org.CommunityOfGrid(ctx, db, id); !errors.Is(err, apperr.ErrNotFound) {
				t.Errorf("community of unit %d: %v, want ErrNotFound", id, err)
			}
		}
	})
}
