package household_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// searchPlans are the ways a search may run (searchplan.go), forced by
// the sizes that choose them: the scope leading, the search's indexes
// leading, and a walk in id order whose count stops early, with and
// without its drive counting.
var searchPlans = []struct {
	name                string
	grids, drive, count int
	big                 bool // the scope counts as big
	walk                bool
	scopeDrive          int // scopeDriveCap: a drive this small leads a small scope too
}{
	{"scope leads", 1000, 5000, 1000, false, false, 0},
	{"search leads a small scope", 1000, 5000, 1000, false, false, 5000},
	{"search leads", 0, 5000, 1000, true, false, 5000},
	{"walk, counted from the drive", 0, 1, 1, true, true, 5000},
	{"walk, counted from the drive in full", 0, 1, 1000, true, true, 5000},
}

// foundAll returns the ids of every household s finds for q, read by
// Each (page after page) and by List on one page, which must agree, and
// checks List's total against them.
func foundAll(t *testing.T, ctx context.Context, s *household.Store, q string) []int64 {
	t.Helper()
	var each []int64
	if err := s.Each(ctx, household.Filter{Q: q}, func(h *household.Household) error {
		each = append(each, h.ID)
		return nil
	}); err != nil {
		t.Fatalf("search %q: %v", q, err)
	}
	p, err := s.ListPage(ctx, household.Filter{Q: q, PerPage: 500})
	if err != nil {
		t.Fatalf("search %q: %v", q, err)
	}
	var listed []int64
	for _, h := range p.Households {
		listed = append(listed, h.ID)
	}
	if !slices.Equal(each, listed) {
		t.Errorf("search %q: Each found %v, List %v", q, each, listed)
	}
	if p.More && p.Total > len(listed) || !p.More && p.Total != len(listed) {
		t.Errorf("search %q: total %d (more %v), %d listed", q, p.Total, p.More, len(listed))
	}
	n, err := s.Count(ctx, household.Filter{Q: q})
	if err != nil || n != len(listed) {
		t.Errorf("search %q: Count %d, %v; want %d", q, n, err, len(listed))
	}
	slices.Sort(listed)
	return listed
}

// TestSearchPlansAgree checks that every search finds the same households
// whichever plan runs it, for the system and for an administrator, and
// that a grid's administrator, however the plan checks the scope, finds
// only the grid's.
func TestSearchPlansAgree(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, w := newSearchWorld(t, ctx, db)
		var community, grid1 string
		if err := db.QueryRowContext(ctx, `SELECT c.path, g.path FROM org_units g JOIN org_units c ON c.id = g.parent_id WHERE g.id = ?`,
			w.grid1.GridIDs[0]).Scan(&community, &grid1); err != nil {
			t.Fatal(err)
		}
		admin := org.Scope{Paths: []string{community}, UserID: 1}
		gridAdmin := org.Scope{Paths: []string{grid1}, UserID: 1}
		inGrid1 := map[int64]bool{w.widow: true, w.street: true, w.neighbour: true}
		for _, p := range searchPlans {
			restore := household.SetSearchCaps(p.grids, p.drive, p.count)
			restoreScope := household.SetScopeDriveCap(p.scopeDrive)
			for q, want := range searchCases(w) {
				slices.Sort(want)
				for _, c := range []struct {
					who string
					s   *household.Store
				}{{"system", s}, {"administrator", s.In(admin)}} {
					if got := foundAll(t, ctx, c.s, q); !slices.Equal(got, want) {
						t.Errorf("%s, %s, search %q: %v, want %v", p.name, c.who, q, got, want)
					}
				}
				var wantGrid []int64
				for _, id := range want {
					if inGrid1[id] {
						wantGrid = append(wantGrid, id)
					}
				}
				if got := foundAll(t, ctx, s.In(gridAdmin), q); !slices.Equal(got, wantGrid) {
					t.Errorf("%s, a grid's administrator, search %q: %v, want %v", p.name, q, got, wantGrid)
				}
			}
			st, err := household.ListSQL(ctx, db, admin, household.Filter{Q: "wxl"})
			if err != nil {
				t.Fatal(err)
			}
			want := map[bool]string{false: "scope", true: "search"}[p.big || p.scopeDrive > 0]
			if p.walk {
				want = "walk"
			}
			if st.Plan != want {
				t.Errorf("%s: ran as %q", p.name, st.Plan)
			}
			restoreScope()
			restore()
		}
	})
}

// TestWalkCountsALowerBound checks that a walk's count says it stopped
// early and offers what it counted.
func TestWalkCountsALowerBound(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, w := newSearchWorld(t, ctx, db)
		defer household.SetSearchCaps(0, 1, 1)()
		p, err := s.ListPage(ctx, household.Filter{Q: "一化小区"})
		if err != nil {
			t.Fatal(err)
		}
		if !p.More || p.Total != 1 || len(p.Households) != 3 {
			t.Errorf("a walk counting one: total %d, more %v, %d listed; want 1, true, 3", p.Total, p.More, len(p.Households))
		}
		_ = w
	})
}

// TestPlainCountStops checks that a list without a search counts up to
// plainCountCap households, or as many as its pages so far hold, and says
// when there are more; that the next page can always be reached; and that
// an export's count stays whole.
func TestPlainCountStops(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, w := newSearchWorld(t, ctx, db)
		defer household.SetPlainCountCap(2)()
		all := []int64{w.widow, w.family, w.street, w.neighbour}
		slices.Sort(all)
		for _, c := range []struct {
			f     household.Filter
			total int
			more  bool
			ids   []int64
		}{
			{household.Filter{PerPage: 1}, 2, true, all[:1]},
			{household.Filter{PerPage: 1, Page: 2}, 2, true, all[1:2]},
			{household.Filter{PerPage: 1, Page: 3}, 3, true, all[2:3]},
			{household.Filter{PerPage: 1, Page: 4}, 4, false, all[3:]},
			{household.Filter{PerPage: 1, Page: 5}, 4, false, nil},
			{household.Filter{PerPage: 3}, 3, true, all[:3]},
			{household.Filter{PerPage: 4}, 4, false, all},
			{household.Filter{PerPage: 1, GridID: w.grid1.GridIDs[0]}, 2, true, all[:1]},
			{household.Filter{PerPage: 1, Q: "一化小区"}, 3, false, []int64{w.widow}},
		} {
			p, err := s.ListPage(ctx, c.f)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, h := range p.Households {
				ids = append(ids, h.ID)
			}
			if p.Total != c.total || p.More != c.more || !slices.Equal(ids, c.ids) {
				t.Errorf("%+v: total %d, more %v, %v; want %d, %v, %v", c.f, p.Total, p.More, ids, c.total, c.more, c.ids)
			}
		}
		if n, err := s.Count(ctx, household.Filter{PerPage: 1}); err != nil || n != len(all) {
			t.Errorf("an export's count: %d, %v; want %d", n, err, len(all))
		}
	})
}

// TestAddressIndexFollowsEdits checks that the address index (SQLite's
// household_addresses, PostgreSQL's trigram index) follows a household's
// address: after an edit the new address finds it and the old one does
// not, and after a move to another room the same.
func TestAddressIndexFollowsEdits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, w := newSearchWorld(t, ctx, db)
		h, err := s.HouseholdByID(ctx, w.street)
		if err != nil {
			t.Fatal(err)
		}
		h.Address = "北川路 7号院"
		if _, err := s.UpdateHousehold(ctx, clerk, *h); err != nil {
			t.Fatal(err)
		}
		nb, err := s.HouseholdByID(ctx, w.neighbour)
		if err != nil {
			t.Fatal(err)
		}
		nb.Room = "502"
		if _, err := s.UpdateHousehold(ctx, clerk, *nb); err != nil {
			t.Fatal(err)
		}
		for q, want := range map[string][]int64{
			"北川路7号院":    {w.street},
			"北川路 7号院":   {w.street},
			"北川路":       {w.street},
			"7号院":       {w.street},
			"南山路12号":    nil,
			"南山路":       nil,
			"1-1-502":   {w.neighbour},
			"1-1-302":   nil,
			"1号楼1单元502": {w.neighbour},
			"1单元502":    {w.neighbour},
			"单元502":     {w.neighbour},
		} {
			if got := foundAll(t, ctx, s, q); !slices.Equal(got, want) {
				t.Errorf("after the edits, search %q: %v, want %v", q, got, want)
			}
		}
		if db.Dialect() != store.SQLite {
			return
		}
		// The index itself holds the new addresses, not the old.
		for q, want := range map[string]int{`"南山路12号"`: 0, `"北川路7号院"`: 1, `"1单元302"`: 0, `"2单元302"`: 1, `"1单元502"`: 1} {
			var n int
			if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM household_addresses WHERE household_addresses MATCH ?`, q).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != want {
				t.Errorf("household_addresses MATCH %s: %d rows, want %d", q, n, want)
			}
		}
	})
}

// TestScopeLeadsItsPage checks that when the scope leads a search, the
// page is not ordered through the primary key ("ORDER BY +h.id"): else
// PostgreSQL, expecting many matches, reads the whole city in id order to
// fill a page that a name search fills with a few households. A walk keeps
// the order of the primary key, which it follows until the page is full.
func TestScopeLeadsItsPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		_, w := newSearchWorld(t, ctx, db)
		var community string
		if err := db.QueryRowContext(ctx, `SELECT c.path FROM org_units g JOIN org_units c ON c.id = g.parent_id WHERE g.id = ?`,
			w.grid1.GridIDs[0]).Scan(&community); err != nil {
			t.Fatal(err)
		}
		admin := org.Scope{Paths: []string{community}, UserID: 1}
		for _, c := range []struct {
			grids, drive, count int
			plan, order         string
		}{{1000, 5000, 1000, "scope", " ORDER BY +h.id"}, {0, 1, 1, "walk", " ORDER BY h.id"}} {
			restore := household.SetSearchCaps(c.grids, c.drive, c.count)
			restoreScope := household.SetScopeDriveCap(0)
			st, err := household.ListSQL(ctx, db, admin, household.Filter{Q: "王"})
			restoreScope()
			restore()
			if err != nil {
				t.Fatal(err)
			}
			if st.Plan != c.plan || !strings.Contains(st.Page.SQL, c.order+" LIMIT") {
				t.Errorf("plan %q, page %q; want plan %q ordered%s", st.Plan, st.Page.SQL, c.plan, c.order)
			}
		}
	})
}

// TestBuildingsFoundByName: a search that names a building finds the
// buildings of that name through their index on name (migration 00049)
// in every statement that selects them, whichever plan runs the search,
// on both engines. On PostgreSQL, whose planner reads a table this small
// whole, sequential scans are turned off for the question: the plan then
// names the index if, and only if, it can serve the statement
// (storetest.Explain).
func TestBuildingsFoundByName(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		newSearchWorld(t, ctx, db)
		for _, p := range searchPlans {
			restore := household.SetSearchCaps(p.grids, p.drive, p.count)
			restoreScope := household.SetScopeDriveCap(p.scopeDrive)
			for _, q := range []string{"3号楼", "一化小区 3号楼", "3-1-302"} {
				st, err := household.ListSQL(ctx, db, org.Scope{Paths: []string{"/"}, UserID: 1}, household.Filter{Q: q})
				if err != nil {
					t.Fatal(err)
				}
				named := 0
				for _, s := range append(st.Asked, st.Count, st.Page) {
					if !strings.Contains(s.SQL, "FROM buildings b") {
						continue
					}
					named++
					if plan := storetest.Explain(t, db, s.SQL, s.Args...); !strings.Contains(plan, "buildings_name") {
						t.Errorf("%s, search %q: the buildings of the name are not found by their index:\n%s\n%s", p.name, q, s.SQL, plan)
					}
				}
				if named == 0 {
					t.Errorf("%s, search %q: no statement selects buildings by name", p.name, q)
				}
			}
			restoreScope()
			restore()
		}
	})
}

// TestCityPageReadsHouseholdsFirst: with the statistics of a city of a
// million households (copied from `wanhu gen --households 1000000`), a
// page of one household without a filter reads the households in id
// order and looks up their grid's name, instead of reading every grid's
// households by the grid index and sorting them all (0.8-1 s at 1M).
// SQLite's plan only: PostgreSQL's statistics cannot be set by hand.
func TestCityPageReadsHouseholdsFirst(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := t.Context()
	newSearchWorld(t, ctx, db)
	err := db.InTx(ctx, func(tx *store.Tx) error {
		for _, q := range []string{`ANALYZE`, `DELETE FROM sqlite_stat1 WHERE tbl IN ('households', 'org_units', 'compounds', 'buildings')`,
			`INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('org_units', 'org_units_parent_name', '1835 7 1'),
				('org_units', 'org_units_kind', '1835 251 7'), ('org_units', 'org_units_path', '1835 1'),
				('compounds', 'compounds_community_name', '779 4 1'), ('compounds', NULL, '779'),
				('households', 'households_place', '1000000 69 24 4 2'), ('households', 'households_kind', '1000000 1001 1'),
				('households', 'households_grid_colour', '1000000 501 251 1'), ('households', 'households_colour', '1000000 1001 1'),
				('buildings', 'buildings_compound_name', '15169 21 1'), ('buildings', 'buildings_grid', '15169 11')`,
			`ANALYZE sqlite_schema`} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, per := range []int{1, 2, 30} {
		st, err := household.ListSQL(ctx, db, org.Everything, household.Filter{PerPage: per})
		if err != nil {
			t.Fatal(err)
		}
		if plan := storetest.Explain(t, db, st.Page.SQL, st.Page.Args...); !strings.HasPrefix(plan, "SCAN h\n") {
			t.Errorf("a page of %d: the households do not lead:\n%s", per, plan)
		}
	}
}
