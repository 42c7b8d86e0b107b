package visit_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"wanhu/internal/apperr"
	"wanhu/internal/household"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
	"wanhu/internal/visit"
)

func TestCardTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ids := seedHouseholds(t, db, 2)
		first, err := visit.CardTokens(ctx, db, ids)
		if err != nil {
			t.Fatal(err)
		}
		if len(first) != 2 || first[ids[0]] == first[ids[1]] || len(first[ids[0]]) != 16 {
			t.Fatalf("tokens = %v, want two different 16-character tokens", first)
		}
		again, err := visit.CardTokens(ctx, db, ids[:1])
		if err != nil || again[ids[0]] != first[ids[0]] {
			t.Fatalf("second call = %v, %v; a printed card's token must not change", again, err)
		}
		got, err := visit.HouseholdOfToken(ctx, db, first[ids[1]])
		if err != nil || got != ids[1] {
			t.Fatalf("HouseholdOfToken = %d, %v; want %d", got, err, ids[1])
		}
		for _, bad := range []string{"", "short", "AAAAAAAAAAAAAAAA"} {
			if _, err := visit.HouseholdOfToken(ctx, db, bad); !errors.Is(err, apperr.ErrNotFound) {
				t.Errorf("HouseholdOfToken(%q) = %v, want not found", bad, err)
			}
		}
	})
}

// seedHouseholds creates n households in the first building of a fixture.
func seedHouseholds(t *testing.T, db *store.DB, n int) []int64 {
	t.Helper()
	ctx := context.Background()
	fx, err := testworld.NewOrg(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	files := household.NewStore(db)
	var ids []int64
	for i := range n {
		h, err := files.CreateHousehold(ctx, household.Actor{Name: "测试"},
			household.Household{BuildingID: fx.Buildings[0].ID, Room: fmt.Sprintf("%d01", i+1)},
			[]household.Person{{Name: "李建国", BirthDate: mustDate("1980-07-01"), Gender: "male", Relation: "householder"}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, h.ID)
	}
	return ids
}
