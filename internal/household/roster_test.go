package household_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
)

// TestKeyPersonsScopes: the key-person roster of a small scope (a
// community, a grid leader's grid), whose households lead its statement,
// lists the rows the whole roster lists for that scope's grids, in the
// same order and with the same total, with and without a tag; a street's
// administrator, whose tagged persons lead, too; and a neighbouring
// community's key persons are in neither.
func TestKeyPersonsScopes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, f := setup(t, db)
		_, neighbour, err := testworld.NeighbourGrid(ctx, db, f.Street.ID)
		if err != nil {
			t.Fatal(err)
		}
		grids := []int64{f.Grids[0].ID, f.Grids[1].ID, neighbour}
		for i := range 9 {
			tags := [][]string{{"living_alone_elderly"}, {"empty_nest_elderly", "veteran"}, nil}[i%3]
			if _, err := s.CreateHousehold(ctx, clerk, household.Household{GridID: grids[i%3], Address: fmt.Sprintf("测试路%d号", i)},
				[]household.Person{{Name: fmt.Sprintf("甲%d", i), Relation: "householder", Gender: household.Female, BirthDate: mustDate("1950-01-01"), Tags: tags},
					{Name: fmt.Sprintf("乙%d", i), Relation: "spouse", Gender: household.Male, BirthDate: mustDate("1952-01-01"), Tags: []string{"serious_illness"}}}); err != nil {
				t.Fatal(err)
			}
		}
		every := func(tag string) []household.KeyPerson {
			ks, total, err := s.KeyPersons(ctx, household.RosterFilter{Tag: tag, PerPage: -1})
			if err != nil || total != len(ks) {
				t.Fatalf("all: %d of %d, %v", len(ks), total, err)
			}
			return ks
		}
		for _, c := range []struct {
			name  string
			scope org.Scope
			grids []int64
		}{
			{"community", org.Scope{Paths: []string{f.Community.Path}}, grids[:2]},
			{"grid leader", org.Scope{GridIDs: grids[1:2]}, grids[1:2]},
			{"street", org.Scope{Paths: []string{f.Street.Path}}, grids},
		} {
			for _, tag := range []string{"", "serious_illness"} {
				var want []household.KeyPerson
				for _, k := range every(tag) {
					for _, g := range c.grids {
						if k.GridID == g {
							k.BirthDate = calendar.Date{} // the whole date is the system's only (Birth)
							want = append(want, k)
						}
					}
				}
				got, total, err := s.In(c.scope).KeyPersons(ctx, household.RosterFilter{Tag: tag, PerPage: -1})
				if err != nil || total != len(want) || len(want) == 0 || !reflect.DeepEqual(got, want) {
					t.Errorf("%s, tag %q: %d rows of %d (%v)\n%+v\nwant %d\n%+v", c.name, tag, len(got), total, err, got, len(want), want)
				}
				page, total, err := s.In(c.scope).KeyPersons(ctx, household.RosterFilter{Tag: tag, Page: 2, PerPage: 2})
				if err != nil || total != len(want) || len(want) < 3 || !reflect.DeepEqual(page, want[2:min(4, len(want))]) {
					t.Errorf("%s, tag %q, page 2: %+v of %d (%v)", c.name, tag, page, total, err)
				}
			}
		}
	})
}
