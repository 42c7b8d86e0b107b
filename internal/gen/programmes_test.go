package gen_test

import (
	"context"
	"testing"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/gen"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/programme"
	"wanhu/internal/staff"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestDongxingProgrammes: the demo's four-thirty class has the article's
// 30-odd children, all aged 6–12, with their interests, and weekly
// sessions taught by two working party members, an art teacher and a
// music teacher, with attendance; the elderly check-ups have sessions;
// the neighbourhood festival is open for sign-up in the coming days with
// a few households signed up; the teachers' hours count.
func TestDongxingProgrammes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := gen.Generate(ctx, db, gen.Options{Households: 600, Today: articleDay}); err != nil {
			t.Fatal(err)
		}
		clock := articleDay.Midnight().Add(12 * time.Hour)
		files := household.NewStore(db)
		files.SetClock(func() time.Time { return clock })
		s := programme.NewStore(db, files)
		s.SetClock(func() time.Time { return clock })
		ps, err := s.Programmes(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var class *programme.Programme
		for i := range ps {
			if ps[i].Kind == programme.FourThirty {
				class = &ps[i]
			}
		}
		if class == nil || class.Name != "四点半课堂" {
			t.Fatalf("no four-thirty class: %+v", ps)
		}
		es, err := s.Enrolments(ctx, class.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(es) < 30 || len(es) > 39 || class.Enrolled != len(es) {
			t.Errorf("%d children enrolled (%d counted), want 30-odd", len(es), class.Enrolled)
		}
		for _, e := range es {
			if e.Age < 6 || e.Age > 12 || len(e.Interests) == 0 || e.Attended == 0 {
				t.Errorf("child %+v", e)
			}
		}
		ss, err := s.Sessions(ctx, class.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(ss) < 6 {
			t.Errorf("%d sessions", len(ss))
		}
		teachers := map[int64]bool{}
		for _, x := range ss {
			if len(x.Staff) != 1 || x.Attended == 0 || !x.StartsAt.Before(clock) {
				t.Errorf("session %+v", x)
				continue
			}
			m, err := org.TeamMemberByID(ctx, db, x.Staff[0].ID)
			if err != nil || m.Role != org.RolePartyMember {
				t.Errorf("taught by %+v (%v), want a party member", m, err)
			}
			teachers[m.ID] = true
		}
		if len(teachers) != 2 {
			t.Errorf("%d teachers, want the art and the music teacher", len(teachers))
		}
		ts, err := s.Teachers(ctx, class.ID, "zh")
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range ts[:2] { // drawing and singing
			if x.Children == 0 || len(x.Members) == 0 {
				t.Errorf("interest %+v: no children or no teacher", x)
			}
		}
		hours, err := programme.ServedHours(ctx, db, articleDay.Midnight().AddDate(0, -3, 0), clock)
		if err != nil {
			t.Fatal(err)
		}
		for id := range teachers {
			if hours[id] < 4.5 {
				t.Errorf("teacher %d: %v hours", id, hours[id])
			}
			// The hours taught count on the teacher's hours of service.
			hs, err := staff.Hours(ctx, db, org.Everything, calendar.DayOf(articleDay.Midnight().AddDate(0, -3, 0)), articleDay, id)
			if err != nil || len(hs) != 1 || hs[0].Total < hours[id] {
				t.Errorf("teacher %d's hours of service %+v (%v), want at least the %v hours taught", id, hs, err, hours[id])
			}
		}
		as, err := s.Activities(ctx, programme.ActivityFilter{Upcoming: true, Open: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(as) != 1 || as[0].Households < 3 || !as[0].StartsAt.After(clock) || as[0].StartsAt.After(clock.Add(7*24*time.Hour)) {
			t.Errorf("festival: %+v", as)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM ledger_events WHERE type = ?`, household.EvJoinedProgramme); n < len(es) {
			t.Errorf("%d joined_programme events", n)
		}
		st, err := s.Stats(ctx, calendar.DayOf(clock.AddDate(0, -3, 0)), articleDay)
		if err != nil || st.FourThirty != len(es) {
			t.Errorf("stats %+v, %v", st, err)
		}
	})
}
