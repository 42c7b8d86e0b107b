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

// TestCommunityOf: a grid's path and the community's own lead to the
// community with its phone; a street's path has none.
func TestCommunityOf(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx, err := testworld.NewOrg(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{fx.Grids[1].Path, fx.Community.Path} {
			c, err := org.CommunityOf(ctx, db, path)
			if err != nil || c.ID != fx.Community.ID || c.Name != "东兴社区" || c.Phone != "0971-8123456" {
				t.Errorf("%s: %+v %v", path, c, err)
			}
		}
		for _, path := range []string{fx.Street.Path, "", "/x/"} {
			if _, err := org.CommunityOf(ctx, db, path); !errors.Is(err, apperr.ErrNotFound) {
				t.Errorf("%q: %v, want not found", path, err)
			}
		}
	})
}
