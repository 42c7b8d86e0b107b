package household_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/household/householdtest"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
)

var clerk = household.Actor{ID: 0, Name: "测试员"}

// testNow is a fixed instant: 2026-06-01 10:00 in Xining.
var testNow = time.Date(2026, 6, 1, 2, 0, 0, 0, time.UTC)

func setup(t *testing.T, db *store.DB) (*household.Store, *testworld.Org) {
	t.Helper()
	f, err := testworld.NewOrg(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	s := household.NewStore(db)
	s.SetClock(func() time.Time { return testNow })
	return s, f
}

func mustDate(s string) calendar.Date {
	d, err := calendar.ParseDate("", s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestHouseholdLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, f := setup(t, db)

		// A widow of 78 living alone is red, and the file says why.
		h, err := s.CreateHousehold(ctx, clerk, household.Household{BuildingID: f.Buildings[0].ID, Unit: "2", Floor: 3, Room: "302"},
			[]household.Person{{Name: "王秀兰", IDNumber: householdtest.IDNumber("1948-03-05", 22), Relation: "householder", Ethnicity: "汉族",
				Tags: []string{"living_alone_elderly"}}})
		if err != nil {
			t.Fatal(err)
		}
		if h.Address != "一化小区 1号楼 2单元 302室" || h.GridID != f.Grids[0].ID {
			t.Errorf("address %q grid %d, want the building's", h.Address, h.GridID)
		}
		if h.Colour != household.Red || len(h.ColourReasons) != 1 || h.ColourReasons[0].Code != "living_alone_elderly" || h.ColourReasons[0].Person != "王秀兰" {
			t.Fatalf("colour %s reasons %+v, want red for living_alone_elderly (王秀兰)", h.Colour, h.ColourReasons)
		}
		m := h.Members[0]
		if m.Gender != household.Female || m.BirthDate.String() != "1948-03-05" || m.Age != 78 {
			t.Errorf("derived gender %s birth %s age %d", m.Gender, m.BirthDate, m.Age)
		}

		// A family of three is green until the father loses his job.
		g, err := s.CreateHousehold(ctx, clerk, household.Household{BuildingID: f.Buildings[1].ID, Unit: "1", Room: "101"},
			[]household.Person{
				{Name: "李建国", IDNumber: householdtest.IDNumber("1980-07-01", 11), Relation: "householder", Employment: "employed"},
				{Name: "张丽", IDNumber: householdtest.IDNumber("1982-01-02", 22), Relation: "spouse", Employment: "employed"},
				{Name: "李小明", BirthDate: mustDate("2018-09-09"), Gender: household.Male, Relation: "child"},
			})
		if err != nil {
			t.Fatal(err)
		}
		if g.Colour != household.Green || g.Householder != "李建国" || g.MemberCount != 3 {
			t.Fatalf("colour %s householder %q count %d", g.Colour, g.Householder, g.MemberCount)
		}
		father := g.Members[0]
		father.Employment = "unemployed"
		if _, err := s.UpdatePerson(ctx, clerk, father); err != nil {
			t.Fatal(err)
		}
		g, _ = s.HouseholdByID(ctx, g.ID)
		if g.Colour != household.Yellow || g.ColourReasons[0].Code != "unemployed" {
			t.Errorf("after job loss: colour %s reasons %+v", g.Colour, g.ColourReasons)
		}
		if !slices.Contains(g.Members[0].Tags, "unemployed") {
			t.Errorf("derived tag missing: %v", g.Members[0].Tags)
		}
		evs, _, err := s.Ledger(ctx, household.LedgerFilter{HouseholdID: g.ID})
		if err != nil {
			t.Fatal(err)
		}
		types := map[string]bool{}
		for _, e := range evs {
			types[e.Type] = true
		}
		if !types[household.EvLostJob] || !types[household.EvColourChanged] {
			t.Errorf("ledger %v lacks lost_job and colour_changed", types)
		}

		// The same edit again, from the stale version, is refused.
		father.Employment = "retired"
		if _, err := s.UpdatePerson(ctx, clerk, father); !errors.Is(err, apperr.ErrConflict) {
			t.Errorf("stale person update: %v, want ErrConflict", err)
		}

		// The same ID number can't be added twice; the error names the household.
		_, err = s.AddMember(ctx, clerk, g.ID, household.Person{Name: "重复", IDNumber: householdtest.IDNumber("1948-03-05", 22)}, "")
		if fe, ok := apperr.AsField(err); !ok || fe.Field != "id_number" || fe.Code != "id_duplicate" {
			t.Errorf("duplicate ID: %v", err)
		}

		// A typed event: the child starts primary school.
		child := g.Members[2]
		if _, err := s.RecordEvent(ctx, clerk, child.ID, household.Event{Type: household.EvStartedSchool, School: "primary"}); err != nil {
			t.Fatal(err)
		}
		evs, _, _ = s.Ledger(ctx, household.LedgerFilter{HouseholdID: g.ID, Type: household.EvStartedSchool})
		if len(evs) != 1 || evs[0].After != "primary" || evs[0].PersonID != child.ID {
			t.Errorf("started_school events %+v", evs)
		}

		// Household edits need the current version.
		stale := *g
		g.Occupancy = "rented"
		if v, err := s.UpdateHousehold(ctx, clerk, *g); err != nil || v != g.Version+1 {
			t.Fatalf("update: version %d, %v; want %d", v, err, g.Version+1)
		}
		if g, err = s.HouseholdByID(ctx, g.ID); err != nil {
			t.Fatal(err)
		}
		stale.Notes = "lost update"
		if _, err := s.UpdateHousehold(ctx, clerk, stale); !errors.Is(err, apperr.ErrConflict) {
			t.Errorf("stale household update: %v", err)
		}
		if g.Occupancy != "rented" || g.Notes != "" {
			t.Errorf("household after edits: %+v", g)
		}

		// The override needs a reason and wins over the rules.
		if _, err := s.SetColourOverride(ctx, clerk, g.ID, household.Red, ""); fieldOf(err) != "reason" {
			t.Errorf("override without reason: %v", err)
		}
		g, err = s.SetColourOverride(ctx, clerk, g.ID, household.Red, "家中有人住院")
		if err != nil || g.Colour != household.Red || g.ColourReasons[0].Code != "override" {
			t.Errorf("override: %v %s %+v", err, g.Colour, g.ColourReasons)
		}

		// Lists and search.
		list, total, err := s.List(ctx, household.Filter{Colour: household.Red})
		if err != nil || total != 2 || len(list) != 2 {
			t.Errorf("red households: %d %v", total, err)
		}
		for q, want := range map[string]int64{"王秀": h.ID, "李小": g.ID, "1号楼": h.ID, householdtest.IDNumber("1982-01-02", 22): g.ID} {
			list, total, err := s.List(ctx, household.Filter{Q: q})
			if err != nil || total != 1 || list[0].ID != want {
				t.Errorf("search %q: total %d err %v", q, total, err)
			}
		}
		kp, total, err := s.KeyPersons(ctx, household.RosterFilter{})
		if err != nil || total != 2 {
			t.Errorf("key persons: %d %+v %v", total, kp, err)
		}
	})
}

func fieldOf(err error) string {
	if fe, ok := apperr.AsField(err); ok {
		return fe.Field
	}
	return fmt.Sprint(err)
}

// TestFailedChangeLeavesNoTrace checks that a change that fails part-way
// leaves neither the change nor its ledger events.
func TestFailedChangeLeavesNoTrace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, f := setup(t, db)
		// The second member's ID repeats the first's: the whole household is refused.
		_, err := s.CreateHousehold(ctx, clerk, household.Household{BuildingID: f.Buildings[0].ID, Room: "501"},
			[]household.Person{{Name: "甲", IDNumber: householdtest.IDNumber("1990-01-01", 11)}, {Name: "乙", IDNumber: householdtest.IDNumber("1990-01-01", 11)}})
		if fe, ok := apperr.AsField(err); !ok || fe.Field != "members[1].id_number" {
			t.Fatalf("err %v, want a field error on members[1].id_number", err)
		}
		for _, table := range []string{"households", "persons", "ledger_events"} {
			var n int
			storetest.Scan(t, db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table), &n)
			if n != 0 {
				t.Errorf("%s has %d rows after a failed create", table, n)
			}
		}
	})
}

func TestValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, f := setup(t, db)
		bad := householdtest.IDNumber("1990-01-01", 11)
		bad = bad[:17] + string("0123456789"[(int(bad[17]-'0')+1)%10])
		if bad[17] == household.IDCheckChar(bad[:17]) {
			t.Fatal("test built a valid number")
		}
		cases := []struct {
			p     household.Person
			field string
		}{
			{household.Person{}, "name"},
			{household.Person{Name: "甲", IDNumber: bad}, "id_number"},
			{household.Person{Name: "甲", IDNumber: householdtest.IDNumber("1990-01-01", 11), BirthDate: mustDate("1990-01-02")}, "birth_date"},
			{household.Person{Name: "甲", IDNumber: householdtest.IDNumber("1990-01-01", 11), Gender: household.Female}, "gender"},
			{household.Person{Name: "甲", Gender: household.Male}, "birth_date"},
			{household.Person{Name: "甲", Gender: household.Male, BirthDate: mustDate("2027-01-01")}, "birth_date"},
			{household.Person{Name: "甲", Gender: household.Male, BirthDate: mustDate("2000-01-01"), Relation: "cousin"}, "relation"},
			{household.Person{Name: "甲", Gender: household.Male, BirthDate: mustDate("2000-01-01"), DisabilityType: "physical"}, "disability_grade"},
			{household.Person{Name: "甲", Gender: household.Male, BirthDate: mustDate("2000-01-01"), Ethnicity: "火星族"}, "ethnicity"},
			{household.Person{Name: "甲", Gender: household.Male, BirthDate: mustDate("2000-01-01"), Tags: []string{"special_difficulty"}}, "tags"},
		}
		h, err := s.CreateHousehold(ctx, clerk, household.Household{BuildingID: f.Buildings[0].ID, Room: "101"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range cases {
			_, err := s.AddMember(ctx, clerk, h.ID, c.p, "")
			if got := fieldOf(err); got != c.field {
				t.Errorf("case %d: error on %q (%v), want on %q", i, got, err, c.field)
			}
		}
		if _, err := s.CreateHousehold(ctx, clerk, household.Household{Kind: household.Commercial, GridID: f.Grids[0].ID, Address: "东兴路12号"}, nil); fieldOf(err) != "shop_name" {
			t.Errorf("shop without name: %v", err)
		}
		if _, err := s.CreateHousehold(ctx, clerk, household.Household{GridID: f.Grids[0].ID}, nil); fieldOf(err) != "address" {
			t.Errorf("no address: %v", err)
		}
	})
}

func TestListCarriesTags(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, f := setup(t, db)
		for i := range 3 {
			h := household.Household{BuildingID: f.Buildings[0].ID, Room: fmt.Sprint(101 + i)}
			if i == 1 {
				h.Tags = []string{household.SpecialDifficulty, "fire_safety_focus"}
			}
			if _, err := s.CreateHousehold(ctx, clerk, h, nil); err != nil {
				t.Fatal(err)
			}
		}
		list, _, err := s.List(ctx, household.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(list[0].Tags) != 0 || !slices.Equal(list[1].Tags, []string{household.SpecialDifficulty, "fire_safety_focus"}) || list[2].Tags == nil {
			t.Errorf("tags in list: %q %q %q", list[0].Tags, list[1].Tags, list[2].Tags)
		}
	})
}

// TestEach: Each gives every household a filter selects, across its pages,
// in the list's order and masked exactly as List masks them, and Count
// agrees with List's total.
func TestEach(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		s, f := setup(t, db)
		for i := range 5 {
			h := household.Household{BuildingID: f.Buildings[i%2].ID, Room: fmt.Sprint(101 + i), Phone: fmt.Sprintf("1391234567%d", i)}
			if i == 3 {
				h.Tags = []string{household.SpecialDifficulty}
			}
			if _, err := s.CreateHousehold(ctx, clerk, h, nil); err != nil {
				t.Fatal(err)
			}
		}
		for _, filter := range []household.Filter{{}, {BuildingID: f.Buildings[0].ID}, {Tag: household.SpecialDifficulty}, {Q: "105"}} {
			want, total, err := s.List(ctx, household.Filter{BuildingID: filter.BuildingID, Tag: filter.Tag, Q: filter.Q, PerPage: 500})
			if err != nil {
				t.Fatal(err)
			}
			n, err := s.Count(ctx, filter)
			if err != nil || n != total {
				t.Errorf("%+v: Count %d (%v), List's total %d", filter, n, err, total)
			}
			for _, per := range []int{1, 2, 5} {
				var got []household.Household
				filter.Page, filter.PerPage = 3, 1 // ignored
				if err := s.EachPer(ctx, filter, per, func(h *household.Household) error { got = append(got, *h); return nil }); err != nil {
					t.Fatal(err)
				}
				g, _ := json.Marshal(got)
				w, _ := json.Marshal(want)
				if len(got) != total || string(g) != string(w) {
					t.Errorf("%+v, %d a page: %s\nwant %s", filter, per, g, w)
				}
				if strings.Contains(string(g), "13912345670") {
					t.Errorf("a phone number in full: %s", g)
				}
			}
		}
		stop := errors.New("stop")
		calls := 0
		if err := s.Each(ctx, household.Filter{}, func(*household.Household) error { calls++; return stop }); !errors.Is(err, stop) || calls != 1 {
			t.Errorf("an error of fn: %v after %d calls", err, calls)
		}
	})
}
