package visit_test

import (
	"context"
	"testing"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
	"wanhu/internal/visit"
)

// TestVisitDayAtMidnight: a visit at 23:59:59 on 31 December in China is
// met that day (and that year), one a second later on 1 January, though
// both are 31 December in UTC; the not-at-home follow-up counts from the
// China day too.
func TestVisitDayAtMidnight(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx, err := testworld.NewOrg(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		files := household.NewStore(db)
		clerk := household.Actor{Name: "测试"}
		vs := visit.NewStore(db, files)
		vs.SetClock(func() time.Time { return time.Date(2027, 1, 1, 2, 0, 0, 0, time.UTC) }) // 10:00 on 1 January in China
		for i, c := range []struct {
			at      time.Time
			outcome string
			met     calendar.Date
		}{
			{time.Date(2026, 12, 31, 15, 59, 59, 0, time.UTC), "met", calendar.Date{Y: 2026, M: 12, D: 31}},
			{time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC), "met", calendar.Date{Y: 2027, M: 1, D: 1}},
		} {
			h, err := files.CreateHousehold(ctx, clerk, household.Household{BuildingID: fx.Buildings[0].ID, Room: []string{"101", "102"}[i]},
				[]household.Person{{Name: "李建国", BirthDate: mustDate("1980-07-01"), Gender: "male", Relation: "householder"}})
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := vs.Record(ctx, clerk, visit.Input{ClientID: c.at.String(), HouseholdID: h.ID, Outcome: c.outcome, At: &c.at}); err != nil {
				t.Fatal(err)
			}
			sc, err := vs.ScheduleOf(ctx, h.ID)
			if err != nil {
				t.Fatal(err)
			}
			if sc.LastMetOn != c.met {
				t.Errorf("a visit at %s: met on %s, want %s (China day)", c.at.In(calendar.China).Format(time.DateTime), sc.LastMetOn, c.met)
			}
		}
		at := time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC)
		h, err := files.CreateHousehold(ctx, clerk, household.Household{BuildingID: fx.Buildings[0].ID, Room: "103"},
			[]household.Person{{Name: "王秀英", BirthDate: mustDate("1950-07-01"), Gender: "female", Relation: "householder"}})
		if err != nil {
			t.Fatal(err)
		}
		v, _, err := vs.Record(ctx, clerk, visit.Input{ClientID: "not-home", HouseholdID: h.ID, Outcome: "not_home", At: &at})
		if err != nil {
			t.Fatal(err)
		}
		if want := calendar.DateOf(time.Date(2027, 1, 1+visit.FollowUpDays, 0, 0, 0, 0, time.UTC)); v.FollowUpOn != want {
			t.Errorf("not at home at 00:00 on 1 January: follow up on %s, want %s", v.FollowUpOn, want)
		}
	})
}
