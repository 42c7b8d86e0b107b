package household_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

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

// TestFileListsWithItsRow: the file's needs, plan and visitors come with
// its household row (as JSON lists), in their orders, with each timestamp
// as the driver reads its column (same instant, same location), and as
// empty lists, not nil, when there are none.
func TestFileListsWithItsRow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, f := setup(t, db)
		// Sub-second timestamps: SQLite keeps nanoseconds, PostgreSQL microseconds.
		s.SetClock(func() time.Time { return testNow.Add(123456789 * time.Nanosecond) })
		h, err := s.CreateHousehold(ctx, clerk, household.Household{BuildingID: f.Buildings[0].ID, Room: "101"},
			[]household.Person{{Name: "王强", IDNumber: householdtest.IDNumber("1950-03-05", 21), Relation: "householder", Ethnicity: "汉族"}})
		if err != nil {
			t.Fatal(err)
		}
		empty, err := s.HouseholdByID(ctx, h.ID)
		if err != nil || empty.Needs == nil || len(empty.Needs) != 0 || empty.Measures == nil || len(empty.Measures) != 0 ||
			empty.Visitors == nil || len(empty.Visitors) != 0 {
			t.Fatalf("no lists: %v %+v %+v %+v", err, empty.Needs, empty.Measures, empty.Visitors)
		}
		a := org.TeamMember{CommunityID: f.Community.ID, Name: "卓玛 \"小\"\n", Role: org.RoleVolunteer}
		b := org.TeamMember{CommunityID: f.Community.ID, Name: "老王", Role: org.RoleBuildingHead}
		for _, m := range []*org.TeamMember{&a, &b} {
			if err := org.CreateTeamMember(ctx, db, m); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.SetVisitors(ctx, h.ID, []int64{b.ID, a.ID}); err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, st := range []string{"met", "open", "in_progress", "open"} {
			n, err := s.AddNeed(ctx, clerk, household.Need{HouseholdID: h.ID, PersonID: h.Members[0].ID, Kind: "elderly_care", Note: "说明 \\ " + st, Status: st})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, n.ID)
		}
		m1, err := s.SaveMeasure(ctx, clerk, household.Measure{HouseholdID: h.ID, Kind: "temporary_relief", Frequency: "once"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetVisitors(ctx, h.ID, []int64{b.ID, a.ID}); err != nil {
			t.Fatal(err)
		}
		m2, err := s.SaveMeasure(ctx, clerk, household.Measure{HouseholdID: h.ID, Kind: "temporary_relief", Frequency: "monthly", OwnerID: a.ID})
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.HouseholdByID(ctx, h.ID)
		if err != nil {
			t.Fatal(err)
		}
		var order []int64
		for _, n := range got.Needs {
			order = append(order, n.ID)
		}
		if want := []int64{ids[1], ids[3], ids[2], ids[0]}; !slices.Equal(order, want) {
			t.Errorf("needs in order %v, want %v", order, want)
		}
		if n := got.Needs[0]; n.PersonID != h.Members[0].ID || n.Note != "说明 \\ open" || n.Kind != "elderly_care" || n.HouseholdID != h.ID {
			t.Errorf("need %+v", n)
		}
		if len(got.Measures) != 2 || got.Measures[0].ID != m1.ID || got.Measures[0].OwnerID != 0 || got.Measures[0].OwnerName != "" ||
			got.Measures[1].ID != m2.ID || got.Measures[1].OwnerID != a.ID || got.Measures[1].OwnerName != a.Name || got.Measures[1].Frequency != "monthly" {
			t.Errorf("plan %+v", got.Measures)
		}
		if len(got.Visitors) != 2 || got.Visitors[0] != (household.Visitor{ID: a.ID, Name: a.Name, Role: string(a.Role)}) ||
			got.Visitors[1].ID != b.ID {
			t.Errorf("visitors %+v", got.Visitors)
		}
		// Each timestamp as the driver reads it: the same String (instant,
		// location and offset).
		stored := func(table string, id int64) (c, u time.Time) {
			t.Helper()
			if err := db.QueryRowContext(ctx, `SELECT created_at, updated_at FROM `+table+` WHERE id = ?`, id).Scan(&c, &u); err != nil {
				t.Fatal(err)
			}
			return c, u
		}
		for _, n := range got.Needs {
			if c, u := stored("needs", n.ID); c.String() != n.CreatedAt.String() || u.String() != n.UpdatedAt.String() {
				t.Errorf("need %d at %s / %s, stored %s / %s", n.ID, n.CreatedAt, n.UpdatedAt, c, u)
			}
		}
		for _, m := range got.Measures {
			if c, u := stored("plan_measures", m.ID); c.String() != m.CreatedAt.String() || u.String() != m.UpdatedAt.String() || c.Nanosecond() == 0 {
				t.Errorf("measure %d at %s / %s, stored %s / %s", m.ID, m.CreatedAt, m.UpdatedAt, c, u)
			}
		}
	})
}

// TestFileMembersAsBatches: a file's members, read with its household row
// as a JSON list, are the persons the batched read (rows) gives, field for
// field: dates, sealed numbers and notes, tags, in the same order.
func TestFileMembersAsBatches(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, f := setup(t, db)
		h, err := s.CreateHousehold(ctx, clerk, household.Household{BuildingID: f.Buildings[0].ID, Room: "102"},
			[]household.Person{
				{Name: "李 \"老\" 汉", IDNumber: householdtest.IDNumber("1950-01-02", 31), Relation: "parent", Ethnicity: "回族",
					MovedInOn: mustDate("2001-02-03"), MovedOutOn: mustDate("2025-01-01"), Phone: "13800138000", Tags: []string{"veteran"}},
				{Name: "王强", IDNumber: householdtest.IDNumber("1960-03-05", 21), Relation: "householder", Ethnicity: "汉族",
					HealthNotes: "高血压\n糖尿病", DisabilityType: "physical", DisabilityGrade: 2, Dibao: "dibao",
					Tags: []string{"party_member", "veteran"}},
				{Name: "王小", Relation: "child", Ethnicity: "汉族", IDNumber: householdtest.IDNumber("2015-07-08", 11)},
				{Name: "张奶奶", IDNumber: householdtest.IDNumber("1930-01-01", 42), Relation: "parent", Ethnicity: "汉族", DeceasedOn: mustDate("2026-02-01")},
			})
		if err != nil {
			t.Fatal(err)
		}
		file, batch, err := s.FileAndBatchMembers(ctx, h.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(file) != 4 || file[0].Relation != "householder" || file[0].HealthNotes != "高血压\n糖尿病" || file[3].DeceasedOn.IsZero() && file[2].DeceasedOn.IsZero() {
			t.Errorf("file members %+v", file)
		}
		if !reflect.DeepEqual(file, batch) {
			t.Errorf("file members\n%+v\nbatched\n%+v", file, batch)
		}
	})
}
