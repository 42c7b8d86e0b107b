package household_test

import (
	"context"
	"slices"
	"testing"

	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestReachesAll checks that a city administrator's lists, counts,
// searches, ledger and benefit cases leave out the scope's condition only while their paths reach
// every household there is, asked at each request: a second city with
// no households changes nothing, its first household brings the
// condition back at the next request (and is never shown), and so does a
// household on an org unit that is not a grid.
func TestReachesAll(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, w := newSearchWorld(t, ctx, db)
		var cityID int64
		var city, community, grid1 string
		if err := db.QueryRowContext(ctx, `SELECT id, path FROM org_units WHERE kind = 'city'`).Scan(&cityID, &city); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRowContext(ctx, `SELECT c.path, g.path FROM org_units g JOIN org_units c ON c.id = g.parent_id WHERE g.id = ?`,
			w.grid1.GridIDs[0]).Scan(&community, &grid1); err != nil {
			t.Fatal(err)
		}
		admin := org.Scope{Paths: []string{city}, UserID: 1}
		reaches := func(when string, want map[string]bool) {
			t.Helper()
			for name, sc := range map[string]org.Scope{
				"the city's administrator": admin, "the community's": {Paths: []string{community}},
				"grid 1's administrator": {Paths: []string{grid1}}, "grid 1's leader": w.grid1, "a visitor": w.visitor,
				"the system": org.Everything, "nobody": {},
			} {
				got, err := household.ReachesAll(ctx, db, sc)
				if err != nil {
					t.Fatal(err)
				}
				if got != want[name] {
					t.Errorf("%s: %s reaches all: %v", when, name, got)
				}
			}
		}
		all := []int64{w.widow, w.family, w.street, w.neighbour}
		// sees checks what the city's administrator finds, under every
		// plan: by the searches, and in the plain list and its count.
		sees := func(when string, want []int64) {
			t.Helper()
			for _, p := range searchPlans {
				restore := household.SetSearchCaps(p.grids, p.drive, p.count)
				restoreScope := household.SetScopeDriveCap(p.scopeDrive)
				for q, found := range searchCases(w) {
					found = slices.DeleteFunc(slices.Clone(found), func(id int64) bool { return !slices.Contains(want, id) })
					slices.Sort(found)
					if got := foundAll(t, ctx, s.In(admin), q); !slices.Equal(got, found) {
						t.Errorf("%s, %s, search %q: %v, want %v", when, p.name, q, got, found)
					}
				}
				restoreScope()
				restore()
			}
			list, total, err := s.In(admin).List(ctx, household.Filter{PerPage: 100})
			var ids []int64
			for _, h := range list {
				ids = append(ids, h.ID)
			}
			if err != nil || total != len(want) || !slices.Equal(ids, want) {
				t.Errorf("%s: the plain list %v (total %d, %v), want %v", when, ids, total, err, want)
			}
			if n, err := s.In(admin).Count(ctx, household.Filter{}); err != nil || n != len(want) {
				t.Errorf("%s: count %d, %v; want %d", when, n, err, len(want))
			}
			// The ledger: the events of the households seen (each has
			// its household_created), counted alike.
			events, n, err := s.In(admin).Ledger(ctx, household.LedgerFilter{PerPage: 500})
			var of []int64
			for _, e := range events {
				if !slices.Contains(of, e.HouseholdID) {
					of = append(of, e.HouseholdID)
				}
			}
			slices.Sort(of)
			if err != nil || n != len(events) || !slices.Equal(of, want) {
				t.Errorf("%s: the ledger has %d events (total %d, %v) of households %v, want those of %v", when, len(events), n, err, of, want)
			}
			// The benefit cases: the widow's, never the far household's.
			cases, n, err := s.In(admin).Benefits(ctx, household.BenefitFilter{PerPage: 500})
			if err != nil || n != 1 || len(cases) != 1 || cases[0].HouseholdID != w.widow {
				t.Errorf("%s: benefit cases %+v (total %d, %v); want the widow's", when, cases, n, err)
			}
		}
		apply := func(id int64) {
			t.Helper()
			h, err := s.HouseholdByID(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.CreateBenefit(ctx, clerk, household.BenefitInput{HouseholdID: id, Kind: household.BenefitDibao,
				PersonIDs: []int64{h.Members[0].ID}}); err != nil {
				t.Fatal(err)
			}
		}
		apply(w.widow)
		reaches("one city", map[string]bool{"the city's administrator": true, "the community's": true, "the system": true})
		sees("one city", all)
		// The city's administrator's name search reads no household to
		// count or match what its drive found: the check is asked instead.
		restore := household.SetSearchCaps(0, 5000, 1000)
		st, err := household.ListSQL(ctx, db, admin, household.Filter{Q: "wxl"})
		restore()
		if err != nil || st.Plan != "search" || st.Count.SQL != "" || len(st.Asked) != 3 {
			t.Errorf("wxl as the city's administrator: plan %q, count %q, %d asked (%v); want search, none, 3 (the scope's grids, the drive, the check)", st.Plan, st.Count.SQL, len(st.Asked), err)
		}

		// A second city, without households: still everything.
		other := []org.Unit{{Kind: org.City, Name: "海东市"}, {Kind: org.District, Name: "乐都区"},
			{Kind: org.Street, Name: "碾伯镇"}, {Kind: org.Community, Name: "东关社区"}, {Kind: org.GridKind, Name: "第一网格", Number: 1}}
		for i := range other {
			if i > 0 {
				other[i].ParentID = other[i-1].ID
			}
			if err := org.CreateUnit(ctx, db, &other[i]); err != nil {
				t.Fatal(err)
			}
		}
		reaches("a second city without households", map[string]bool{"the city's administrator": true, "the community's": true, "the system": true})

		// Its first household, named as the widow is searched (wxl, w…),
		// is the system's, never the first city's administrator's.
		far, err := s.CreateHousehold(ctx, clerk, household.Household{GridID: other[4].ID, Address: "东关街 1号"},
			[]household.Person{{Name: "王晓丽", Relation: "householder", BirthDate: mustDate("1960-01-01"), Gender: household.Female}})
		if err != nil {
			t.Fatal(err)
		}
		apply(far.ID)
		reaches("a household in the second city", map[string]bool{"the system": true})
		sees("a household in the second city", all)
		if got := foundAll(t, ctx, s, "wxl"); !slices.Equal(got, []int64{w.widow, far.ID}) {
			t.Errorf("the system's wxl: %v, want the widow and %d", got, far.ID)
		}
		if n, err := s.Count(ctx, household.Filter{}); err != nil || n != 5 {
			t.Errorf("the system counts %d, %v; want 5", n, err)
		}

		// A household on an org unit that is not a grid, here the first
		// city itself (no store makes one; Where never reaches it), keeps
		// the condition too: its member still matches wxl.
		if _, err := db.ExecContext(ctx, `UPDATE households SET grid_id = ? WHERE id = ?`, cityID, far.ID); err != nil {
			t.Fatal(err)
		}
		reaches("a household on the city itself", map[string]bool{"the system": true})
		sees("a household on the city itself", all)
	})
}
