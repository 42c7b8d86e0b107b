package candidates_test

import (
	"testing"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/household/householdtest"
	"wanhu/internal/org"
	"wanhu/internal/programme"
	"wanhu/internal/programme/candidates"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
)

// TestCandidates: the four-thirty class's candidates are the children
// 6–12 of its community not enrolled yet, without phones; the first
// grid's leader sees none of the second grid's; a programme without a
// roster has none.
func TestCandidates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		now := time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC)
		o, err := testworld.NewOrg(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		files := household.NewStore(db)
		files.SetClock(func() time.Time { return now })
		h, ps := householdtest.Family(o)
		ps = append(ps, household.Person{Name: "李小雨", IDNumber: householdtest.IDNumber("2018-05-01", 24), Relation: "child"},
			household.Person{Name: "李小山", IDNumber: householdtest.IDNumber("2016-02-01", 13), Relation: "child"},
			household.Person{Name: "李小宝", IDNumber: householdtest.IDNumber("2023-02-01", 15), Relation: "child"})
		fam, err := files.CreateHousehold(ctx, household.Actor{Name: "t"}, h, ps)
		if err != nil {
			t.Fatal(err)
		}
		as := func(scope org.Scope) *programme.Store {
			f := household.NewStore(db).In(scope)
			s := programme.NewStore(db, f).In(scope, f)
			s.SetClock(func() time.Time { return now })
			return s
		}
		admin := org.Scope{Paths: []string{o.Community.Path}}
		lead := org.Scope{GridIDs: []int64{o.Grids[0].ID}}
		s := as(admin)
		p, err := s.CreateProgramme(ctx, household.Actor{Name: "t"}, programme.ProgrammeInput{CommunityID: o.Community.ID, Name: "四点半课堂",
			Kind: programme.FourThirty, Roster: "four_thirty"})
		if err != nil {
			t.Fatal(err)
		}
		today := calendar.DayOf(now)
		cs, err := candidates.List(ctx, db, admin, s, p.ID, today)
		if err != nil || len(cs) != 2 {
			t.Fatalf("candidates = %+v, %v", cs, err)
		}
		for _, c := range cs {
			if c.Phone != "" || (c.Guardian != nil && c.Guardian.Phone != "") || c.HouseholdID != fam.ID {
				t.Errorf("candidate %+v", c)
			}
		}
		if _, err := s.Enrol(ctx, household.Actor{Name: "t"}, p.ID, programme.EnrolInput{PersonID: cs[0].PersonID, Source: "roster"}); err != nil {
			t.Fatal(err)
		}
		if cs, _ = candidates.List(ctx, db, admin, s, p.ID, today); len(cs) != 1 {
			t.Errorf("after one enrolled: %+v", cs)
		}
		if cs, err = candidates.List(ctx, db, lead, as(lead), p.ID, today); err != nil || len(cs) != 0 {
			t.Errorf("the first grid's leader: %+v, %v", cs, err)
		}
		none, err := s.CreateProgramme(ctx, household.Actor{Name: "t"}, programme.ProgrammeInput{CommunityID: o.Community.ID, Name: "新手父母课堂"})
		if err != nil {
			t.Fatal(err)
		}
		if cs, err = candidates.List(ctx, db, admin, s, none.ID, today); err != nil || cs == nil || len(cs) != 0 {
			t.Errorf("without a roster: %+v, %v", cs, err)
		}
	})
}
