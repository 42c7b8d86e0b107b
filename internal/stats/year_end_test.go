package stats

import (
	"context"
	"testing"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
)

// TestLedgerTrendAtNewYear: a month of the trend starts at midnight in
// China. An event at 23:59:59 on 31 December in China counts in December,
// one a second later in January, though both are 31 December in UTC; a
// trend that ends on 31 December leaves the second out.
func TestLedgerTrendAtNewYear(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx, err := testworld.NewOrg(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		h, err := household.NewStore(db).CreateHousehold(ctx, household.Actor{Name: "t"}, household.Household{BuildingID: fx.Buildings[0].ID, Room: "101"},
			[]household.Person{{Name: "李建国", BirthDate: calendar.Date{Y: 1980, M: 7, D: 1}, Gender: "male", Relation: "householder"}})
		if err != nil {
			t.Fatal(err)
		}
		for _, at := range []time.Time{time.Date(2026, 12, 31, 15, 59, 59, 0, time.UTC), time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC)} {
			if _, err := db.ExecContext(ctx, `INSERT INTO ledger_events(household_id, grid_id, type, at) VALUES (?, ?, ?, ?)`,
				h.ID, h.GridID, household.EvMovedIn, at); err != nil {
				t.Fatal(err)
			}
		}
		types := []string{household.EvMovedIn}
		tr, err := LedgerTrend(ctx, db, org.Everything, calendar.Date{Y: 2026, M: 12, D: 1}, calendar.Date{Y: 2027, M: 1, D: 31}, types, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got := tr.Types[0].Counts; len(got) != 2 || got[0] != 1 || got[1] != 1 || tr.Months[0] != "2026-12" || tr.Months[1] != "2027-01" {
			t.Errorf("December and January: %v %v, want [1 1]", tr.Months, got)
		}
		tr, err = LedgerTrend(ctx, db, org.Everything, calendar.Date{Y: 2026, M: 12, D: 1}, calendar.Date{Y: 2026, M: 12, D: 31}, types, 0)
		if err != nil {
			t.Fatal(err)
		}
		if tr.Total != 1 {
			t.Errorf("December alone: %d events, want 1 (the one at 23:59:59)", tr.Total)
		}
	})
}
