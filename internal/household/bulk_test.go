package household_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"wanhu/internal/apperr"
	"wanhu/internal/household"
	"wanhu/internal/household/householdtest"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
)

// batchIncoming is a file's worth of households that takes every path of
// SyncBatch: new households of every colour, a shop with no members, one
// outside a compound, a householder listed second, a member who moved
// out, a household matched by its householder's number, one matched by
// its place, two at one place, and households the store refuses.
func batchIncoming(f *testworld.Org) []household.Incoming {
	all := map[string]bool{"name": true, "id_number": true, "relation": true, "gender": true, "birth_date": true,
		"employment": true, "disability_type": true, "disability_grade": true, "dibao": true, "moved_out_on": true, "tags": true,
		"phone": true, "health_notes": true}
	hfields := map[string]bool{"building_id": true, "unit": true, "room": true, "kind": true, "shop_name": true, "phone": true, "tags": true}
	in := func(h household.Household, ms ...household.Person) household.Incoming {
		hh := -1
		for i, m := range ms {
			if m.Relation == "householder" {
				hh = i
			}
		}
		return household.Incoming{Household: h, Members: ms, Fields: hfields, MemberFields: all, Householder: hh}
	}
	b0, b1 := f.Buildings[0].ID, f.Buildings[1].ID
	return []household.Incoming{
		in(household.Household{BuildingID: b0, Unit: "1", Room: "101", Phone: "09718123456"},
			household.Person{Name: "王秀兰", IDNumber: householdtest.IDNumber("1940-03-05", 22), Relation: "householder", Tags: []string{"living_alone_elderly"},
				HealthNotes: "高血压"}),
		in(household.Household{BuildingID: b0, Unit: "1", Room: "102", Tags: []string{"special_difficulty"}},
			household.Person{Name: "李小明", BirthDate: mustDate("2018-09-09"), Gender: household.Male, Relation: "child"},
			household.Person{Name: "李建国", IDNumber: householdtest.IDNumber("1980-07-01", 11), Relation: "householder", Employment: "unemployed",
				Phone: "13912345678"},
			household.Person{Name: "张丽", IDNumber: householdtest.IDNumber("1982-01-02", 22), Relation: "spouse", Dibao: "dibao",
				DisabilityType: "physical", DisabilityGrade: 2},
			household.Person{Name: "李老汉", IDNumber: householdtest.IDNumber("1950-01-02", 31), Relation: "parent", MovedOutOn: mustDate("2025-01-01")}),
		in(household.Household{BuildingID: b1, Unit: "", Room: "商1", Kind: household.Commercial, ShopName: "兴旺超市"}),
		in(household.Household{GridID: f.Grids[1].ID, Address: "东兴路 8号"},
			household.Person{Name: "赵大爷", IDNumber: householdtest.IDNumber("1941-05-06", 51), Relation: "householder"},
			household.Person{Name: "赵大妈", IDNumber: householdtest.IDNumber("1943-05-06", 62), Relation: "spouse"}),
		// Matched by the householder's number: the household made first.
		in(household.Household{BuildingID: b1, Unit: "2", Room: "201"},
			household.Person{Name: "钱老板", IDNumber: householdtest.IDNumber("1970-02-03", 13), Relation: "householder", Employment: "employed"},
			household.Person{Name: "钱小妹", IDNumber: householdtest.IDNumber("2001-02-03", 24), Relation: "child"}),
		// Matched by its place.
		in(household.Household{BuildingID: b1, Unit: "2", Room: "202"},
			household.Person{Name: "孙空房", BirthDate: mustDate("1966-06-06"), Gender: household.Female, Relation: "householder"}),
		// Two at one new place: the second updates the first.
		in(household.Household{BuildingID: b0, Unit: "3", Room: "301"},
			household.Person{Name: "周一", IDNumber: householdtest.IDNumber("1990-01-01", 13), Relation: "householder"}),
		in(household.Household{BuildingID: b0, Unit: "3", Room: "301"},
			household.Person{Name: "周一", IDNumber: householdtest.IDNumber("1990-01-01", 13), Relation: "householder"},
			household.Person{Name: "周二", IDNumber: householdtest.IDNumber("1992-01-01", 24), Relation: "spouse"}),
		// Refused: a tag that does not exist, a building that does not,
		// an ID number of a member of another household.
		in(household.Household{BuildingID: b0, Unit: "4", Room: "401"},
			household.Person{Name: "吴错", BirthDate: mustDate("1966-06-06"), Gender: household.Female, Relation: "householder", Tags: []string{"no_such_tag"}}),
		in(household.Household{BuildingID: 999999, Unit: "4", Room: "402"},
			household.Person{Name: "郑无楼", BirthDate: mustDate("1966-06-06"), Gender: household.Female, Relation: "householder"}),
		in(household.Household{BuildingID: b0, Unit: "4", Room: "403"},
			household.Person{Name: "冯新", BirthDate: mustDate("1966-06-06"), Gender: household.Female, Relation: "householder"},
			household.Person{Name: "钱小妹", IDNumber: householdtest.IDNumber("2001-02-03", 24), Relation: "child"}),
	}
}

// TestSyncBatchWritesWhatSyncWrites applies the same households one by
// one with Sync and together with SyncBatch, into two databases holding
// the same households before, and compares every result and error, and
// every household file and ledger event after.
func TestSyncBatchWritesWhatSyncWrites(t *testing.T) {
	storetest.Each(t, func(t *testing.T, one *store.DB) {
		ctx := context.Background()
		var both *store.DB
		if one.Dialect() == store.Postgres {
			both = storetest.Postgres(t)
		} else {
			both = storetest.SQLite(t)
		}
		type outcome struct {
			id        int64
			result    string
			errorCode string
		}
		run := func(db *store.DB, batch bool) ([]outcome, *household.Store) {
			s, f := setup(t, db)
			for _, h := range []struct {
				room string
				p    household.Person
			}{{"201", household.Person{Name: "钱老板", IDNumber: householdtest.IDNumber("1970-02-03", 13), Relation: "householder"}},
				{"202", household.Person{Name: "孙空房", BirthDate: mustDate("1966-06-06"), Gender: household.Female, Relation: "householder"}}} {
				if _, err := s.CreateHousehold(ctx, clerk, household.Household{BuildingID: f.Buildings[1].ID, Unit: "2", Room: h.room},
					[]household.Person{h.p}); err != nil {
					t.Fatal(err)
				}
			}
			ins := batchIncoming(f)
			out := make([]outcome, len(ins))
			note := func(i int, res household.SyncResult, err error) {
				out[i] = outcome{id: res.HouseholdID, result: res.Outcome}
				if err != nil {
					out[i] = outcome{} // what Sync says of a household it rolled back is void
					fe, ok := apperr.AsField(err)
					if !ok && !strings.Contains(err.Error(), "not found") {
						t.Fatalf("household %d: %v", i, err)
					}
					out[i].errorCode = fe.Field + ":" + fe.Code
				}
			}
			if batch {
				res, errs, err := s.SyncBatch(ctx, clerk, ins)
				if err != nil {
					t.Fatal(err)
				}
				for i := range ins {
					note(i, res[i], errs[i])
				}
				// The ids SyncBatch took are taken: the next household
				// gets a new one (PostgreSQL's sequences moved on).
				h, err := s.CreateHousehold(ctx, clerk, household.Household{BuildingID: f.Buildings[1].ID, Unit: "9", Room: "909"},
					[]household.Person{{Name: "陈后来", IDNumber: householdtest.IDNumber("1977-07-07", 71), Relation: "householder"}})
				if err != nil || slices.ContainsFunc(out, func(o outcome) bool { return o.id == h.ID }) {
					t.Fatalf("a household after the batch: %v, %+v", err, h)
				}
				return out, s
			}
			for i, in := range ins {
				res, err := s.Sync(ctx, clerk, in)
				note(i, res, err)
			}
			if _, err := s.CreateHousehold(ctx, clerk, household.Household{BuildingID: f.Buildings[1].ID, Unit: "9", Room: "909"},
				[]household.Person{{Name: "陈后来", IDNumber: householdtest.IDNumber("1977-07-07", 71), Relation: "householder"}}); err != nil {
				t.Fatal(err)
			}
			return out, s
		}
		alone, s1 := run(one, false)
		together, s2 := run(both, true)
		for i := range alone {
			a, b := alone[i], together[i]
			if a.result != b.result || a.errorCode != b.errorCode || (a.id == 0) != (b.id == 0) {
				t.Errorf("household %d: Sync %+v, SyncBatch %+v", i, a, b)
			}
		}
		want := []string{"created", "created", "created", "created", "updated", "unchanged", "created", "updated", "", "", ""}
		for i, w := range want {
			if together[i].result != w {
				t.Errorf("household %d: %q, want %q (%+v)", i, together[i].result, w, together[i])
			}
		}
		if fileA, fileB := dumpFiles(t, s1), dumpFiles(t, s2); fileA != fileB {
			t.Errorf("the files differ:\nSync:\n%s\nSyncBatch:\n%s", fileA, fileB)
		} else if !strings.Contains(fileA, "red") || !strings.Contains(fileA, "moved_out") && !strings.Contains(fileA, "李老汉") {
			t.Errorf("the files lack what the test is about:\n%s", fileA)
		}
	})
}

// dumpFiles prints every household file and its ledger, with ids left out
// (the two databases may number them differently), by address.
func dumpFiles(t *testing.T, s *household.Store) string {
	t.Helper()
	ctx := context.Background()
	list, _, err := s.List(ctx, household.Filter{PerPage: 100})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, row := range list {
		h, err := s.HouseholdByID(ctx, row.ID)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		fmt.Fprintf(&b, "%s kind=%s shop=%s phone=%s colour=%s householder=%s count=%d tags=%v version=%d\n", h.Address, h.Kind,
			h.ShopName, h.Phone, h.Colour, h.Householder, h.MemberCount, h.Tags, h.Version)
		for _, r := range h.ColourReasons {
			fmt.Fprintf(&b, "  reason %s %s %s\n", r.Code, r.Colour, r.Person)
		}
		for _, p := range h.Members {
			fmt.Fprintf(&b, "  member %s %s %s %s %s %s %s %d %s %s tags=%v v%d\n", p.Name, p.IDNumber, p.Gender, p.BirthDate,
				p.Relation, p.Phone, p.DisabilityType, p.DisabilityGrade, p.Dibao, p.MovedOutOn, p.Tags, p.Version)
		}
		events, _, err := s.Ledger(ctx, household.LedgerFilter{HouseholdID: h.ID, PerPage: 100})
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		for _, e := range events {
			lines = append(lines, fmt.Sprintf("  event %s %s %q→%q %s person=%v by %s at %s", e.Type, e.Field, e.Before, e.After, e.Note,
				e.PersonID != 0, e.Actor, e.At.UTC().Format("2006-01-02 15:04:05")))
		}
		slices.Sort(lines)
		b.WriteString(strings.Join(lines, "\n"))
		out = append(out, b.String())
	}
	slices.Sort(out)
	return strings.Join(out, "\n")
}
