package household_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestFileBlocks: a household's file reads a list only when FileBlocks
// says it has rows, so a case applied for must show at once, and only on
// its household.
func TestFileBlocks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, f := setup(t, db)
		w := newBenefitWorld(t, ctx, db, s, f.Grids[0].ID, f.Grids[1].ID, f.Buildings[0].ID, f.Buildings[1].ID, f.Community.ID)
		if b, err := s.FileBlocks(ctx, w.couple.ID); err != nil || b != (household.FileBlocks{}) {
			t.Fatalf("a new household's blocks %+v, %v; want none", b, err)
		}
		if _, err := s.CreateBenefit(ctx, clerk, household.BenefitInput{HouseholdID: w.couple.ID, Kind: household.BenefitTemporaryRelief,
			NeedID: w.need.ID, HelperID: w.worker.ID, Amount: 800, Period: "one_off"}); err != nil {
			t.Fatal(err)
		}
		if b, err := s.FileBlocks(ctx, w.couple.ID); err != nil || b != (household.FileBlocks{Benefits: true}) {
			t.Errorf("after a benefit case: %+v, %v; want benefits only", b, err)
		}
		if b, err := s.FileBlocks(ctx, w.widow.ID); err != nil || b != (household.FileBlocks{}) {
			t.Errorf("the other household: %+v, %v; want none", b, err)
		}
		// With a team member: read in the same statement, as
		// org.TeamMemberByID reads it; a missing one reads as none.
		m, err := org.TeamMemberByID(ctx, db, w.worker.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := household.FileBlocks{Benefits: true, Member: household.BlockMember{ID: m.ID, GridID: m.GridID, Name: m.Name, Role: string(m.Role)}}
		if b, err := s.FileBlocksOf(ctx, w.couple.ID, w.worker.ID); err != nil || b != want || m.GridID == 0 || m.Name == "" {
			t.Errorf("with the worker: %+v, %v; want %+v", b, err, want)
		}
		if b, err := s.FileBlocksOf(ctx, w.couple.ID, w.worker.ID+1000); err != nil || b != (household.FileBlocks{Benefits: true}) {
			t.Errorf("with a missing member: %+v, %v; want no member", b, err)
		}
		// HouseholdFile reads the household, its latest ledger events and
		// its blocks in one statement, as HouseholdByID, Ledger and
		// FileBlocksOf read them, in the scope's household only.
		for _, n := range []int{10, 1} {
			h, x, err := s.HouseholdFile(ctx, w.couple.ID, household.FileWith{Ledger: n, Member: w.worker.ID, Due: true})
			if err != nil {
				t.Fatal(err)
			}
			byID, err1 := s.HouseholdByID(ctx, w.couple.ID)
			events, _, err2 := s.Ledger(ctx, household.LedgerFilter{HouseholdID: w.couple.ID, PerPage: n, NoTotal: true})
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			if !reflect.DeepEqual(h, byID) {
				t.Errorf("HouseholdFile's household %+v, HouseholdByID's %+v", h, byID)
			}
			if len(events) == 0 || len(events) > n || len(x.Ledger) != len(events) {
				t.Fatalf("%d events, Ledger read %d (at most %d)", len(x.Ledger), len(events), n)
			}
			for i := range events {
				a, b := x.Ledger[i], events[i]
				if !a.At.Equal(b.At) {
					t.Errorf("event %d at %v, Ledger's at %v", i, a.At, b.At)
				}
				a.At, b.At = time.Time{}, time.Time{}
				if a != b {
					t.Errorf("event %d %+v, Ledger's %+v", i, a, b)
				}
			}
			if x.Blocks != want || x.Due.NextDueOn.IsZero() && x.Due.LastVisitAt != nil {
				t.Errorf("HouseholdFile's blocks %+v, due %+v; want %+v", x.Blocks, x.Due, want)
			}
		}
		if _, _, err := s.In(org.Scope{GridIDs: []int64{f.Grids[1].ID}}).HouseholdFile(ctx, w.couple.ID, household.FileWith{Ledger: 10}); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("HouseholdFile out of scope: %v", err)
		}
	})
}
