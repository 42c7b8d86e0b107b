package roster_test

import (
	"context"
	"slices"
	"testing"

	"wanhu/internal/org"
	"wanhu/internal/roster"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestCounts checks the index's counts against the rows each roster
// lists, in scopes that reach everything (the system, the city's and the
// community's administrators, whose counts leave the scope out) and in a
// grid leader's, which must not count the other grid; and that a capped
// count says it is a bound.
func TestCounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		_, f, _ := fixture(t, db)
		ctx := context.Background()
		on := day("2026-05-01")
		scopes := map[string]org.Scope{
			"system":    org.Everything,
			"city":      {Paths: []string{f.City.Path}},
			"community": {Paths: []string{f.Community.Path}},
			"grid 1":    {GridIDs: []int64{f.Grids[0].ID}},
			"grid 2":    {GridIDs: []int64{f.Grids[1].ID}},
		}
		rows := map[string]map[string]int{}
		for name, sc := range scopes {
			rs := roster.New(db, sc)
			counts, err := rs.Counts(ctx, on)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if len(counts) != len(roster.Builtins) {
				t.Fatalf("%s: %d counts, want %d", name, len(counts), len(roster.Builtins))
			}
			rows[name] = map[string]int{}
			for i, c := range counts {
				n := 0
				if err := rs.Each(ctx, roster.Query{Def: roster.Builtins[i], On: on, AgeFrom: 60}, func(*roster.Item) error {
					n++
					return nil
				}); err != nil {
					t.Fatal(err)
				}
				rows[name][c.Name] = n
				if c.Name != roster.Builtins[i].Name || c.Count != n || c.AtLeast || c.Path != "/rosters/"+c.Name {
					t.Errorf("%s: %+v, want %s with %d rows", name, c, roster.Builtins[i].Name, n)
				}
			}
			capped, err := rs.CountsUpTo(ctx, on, 1)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range capped {
				n := rows[name][c.Name]
				if c.Count != min(n, 1) || c.AtLeast != (n > 1) {
					t.Errorf("%s up to 1: %s = %d (at least: %v), has %d rows", name, c.Name, c.Count, c.AtLeast, n)
				}
			}
		}
		// The fixture's rosters have rows in both grids: each grid's count
		// is its own, and the two add up to the city's.
		for _, d := range roster.Builtins {
			if g1, g2, all := rows["grid 1"][d.Name], rows["grid 2"][d.Name], rows["city"][d.Name]; g1+g2 != all || all != rows["system"][d.Name] {
				t.Errorf("%s: grids %d + %d, city %d, system %d", d.Name, g1, g2, all, rows["system"][d.Name])
			}
		}
		if rows["grid 1"]["four_thirty"] == 0 || rows["grid 2"]["four_thirty"] == 0 || rows["system"]["dibao_review"] != 1 {
			t.Errorf("four-thirty by grid %d, %d; dibao %d: want some in each grid and 1 on dibao",
				rows["grid 1"]["four_thirty"], rows["grid 2"]["four_thirty"], rows["system"]["dibao_review"])
		}
	})
}

// TestBigScopePages: over a scope bigger than a community's, a roster's
// page counts up to a cap or the page's last row and says when there are
// more; a dense roster's pages, read household by household, hold the
// same rows in the same order as the whole roster.
func TestBigScopePages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fixture(t, db)
		defer roster.SetListCaps(3, 1)()
		ctx := context.Background()
		on := day("2026-05-01")
		rs := roster.New(db, org.Everything)
		paged := 0
		for _, d := range roster.Builtins {
			q := roster.Query{Def: d, On: on, AgeFrom: 60}
			var all []int64
			if err := rs.Each(ctx, q, func(it *roster.Item) error {
				all = append(all, it.PersonID*1_000_000+it.HouseholdID)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			const per = 2
			for page := 1; (page-1)*per < len(all) || page == 1; page++ {
				items, total, more, err := rs.List(ctx, q, page, per)
				if err != nil {
					t.Fatalf("%s page %d: %v", d.Name, page, err)
				}
				limit := max(3, page*per)
				if total != min(len(all), limit) || more != (len(all) > limit) {
					t.Errorf("%s page %d: total %d, more %v; has %d rows", d.Name, page, total, more, len(all))
				}
				want := all[min((page-1)*per, len(all)):min(page*per, len(all))]
				var got []int64
				for _, it := range items {
					got = append(got, it.PersonID*1_000_000+it.HouseholdID)
				}
				if !slices.Equal(got, want) {
					t.Errorf("%s page %d: rows %v, want %v", d.Name, page, got, want)
				}
				paged++
			}
		}
		if paged <= len(roster.Builtins) {
			t.Errorf("only %d pages read: the fixture's rosters should need more than one page each sometimes", paged)
		}
	})
}
