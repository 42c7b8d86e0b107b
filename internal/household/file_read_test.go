package household_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"wanhu/internal/apperr"
	"wanhu/internal/household"
	"wanhu/internal/household/householdtest"
	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestFileTagsInTheirOrder: the file reads its tags and its members' with
// its rows (one query each); they come in the tags' order (sort, then code),
// not in the order they were given or by code, and a file out of scope is
// not found.
func TestFileTagsInTheirOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, f := setup(t, db)
		// veteran after party_member by code; by sort before.
		if _, err := db.ExecContext(ctx, `UPDATE tags SET sort = 5 WHERE code = 'veteran'`); err != nil {
			t.Fatal(err)
		}
		h, err := s.CreateHousehold(ctx, clerk, household.Household{BuildingID: f.Buildings[0].ID, Room: "101",
			Tags: []string{"fire_safety_focus", household.SpecialDifficulty}},
			[]household.Person{
				{Name: "王强", IDNumber: householdtest.IDNumber("1950-03-05", 21), Relation: "householder", Ethnicity: "汉族",
					Tags: []string{"party_member", "veteran"}},
				{Name: "李梅", IDNumber: householdtest.IDNumber("1952-04-06", 22), Relation: "spouse", Ethnicity: "汉族"},
			})
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.HouseholdByID(ctx, h.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.Tags, []string{household.SpecialDifficulty, "fire_safety_focus"}) {
			t.Errorf("household tags %q", got.Tags)
		}
		if len(got.Members) != 2 || !slices.Equal(got.Members[0].Tags, []string{"veteran", "party_member"}) ||
			got.Members[1].Tags == nil || len(got.Members[1].Tags) != 0 {
			t.Errorf("members %+v", got.Members)
		}
		other := s.In(org.Scope{GridIDs: []int64{f.Grids[1].ID}})
		if _, err := other.HouseholdByID(ctx, h.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("out of scope: %v, want ErrNotFound", err)
		}
		if _, err := s.In(org.Scope{GridIDs: []int64{h.GridID}}).HouseholdByID(ctx, h.ID); err != nil {
			t.Errorf("in scope: %v", err)
		}
	})
}

// TestLedgerNoTotal: the file page's latest events, uncounted, are the
// events the counted page lists.
func TestLedgerNoTotal(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, f := setup(t, db)
		h, err := s.CreateHousehold(ctx, clerk, household.Household{BuildingID: f.Buildings[0].ID, Room: "101", Tags: []string{household.SpecialDifficulty}},
			[]household.Person{{Name: "王强", IDNumber: householdtest.IDNumber("1950-03-05", 21), Relation: "householder", Ethnicity: "汉族"}})
		if err != nil {
			t.Fatal(err)
		}
		all, total, err := s.Ledger(ctx, household.LedgerFilter{HouseholdID: h.ID, PerPage: 2})
		if err != nil || total < 2 || len(all) != 2 {
			t.Fatalf("counted: %d events of %d, %v", len(all), total, err)
		}
		some, none, err := s.Ledger(ctx, household.LedgerFilter{HouseholdID: h.ID, PerPage: 2, NoTotal: true})
		if err != nil || none != 0 || len(some) != 2 || some[0].ID != all[0].ID || some[1].ID != all[1].ID {
			t.Errorf("uncounted: %+v, total %d, %v", some, none, err)
		}
	})
}
