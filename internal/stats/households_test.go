package stats

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"wanhu/internal/gen"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestHouseholdsScopedSameAsHandSQL: the households of a community, of a
// grid and of a grid leader, counted live in one statement, are what
// plain SQL written for each number counts: households by kind,
// occupancy, colour and grid × colour, the key persons by tag and each
// once, the special-difficulty households. A moved-out key person and a
// key person of another community are not counted.
func TestHouseholdsScopedSameAsHandSQL(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := gen.Generate(ctx, db, gen.Options{Households: gen.DongxingHouseholds + 800, CommunitySize: 400}); err != nil {
			t.Fatal(err)
		}
		communities, err := org.Units(ctx, db, org.Community)
		if err != nil || len(communities) < 2 {
			t.Fatalf("communities %v, %v", communities, err)
		}
		grids, err := org.Units(ctx, db, org.GridKind)
		if err != nil || len(grids) < 2 {
			t.Fatalf("grids %v, %v", grids, err)
		}
		var inFirst org.Unit
		for _, g := range grids {
			if strings.HasPrefix(g.Path, communities[0].Path) {
				inFirst = g
			}
		}
		// The grid of another community with the most households.
		var last org.Unit
		if err := db.QueryRowContext(ctx, `SELECT h.grid_id FROM households h JOIN org_units g ON g.id = h.grid_id
			WHERE g.path NOT LIKE ? GROUP BY h.grid_id ORDER BY COUNT(*) DESC, h.grid_id LIMIT 1`, communities[0].Path+"%").Scan(&last.ID); err != nil {
			t.Fatal(err)
		}
		// A key person of the first community no longer active.
		if _, err := db.ExecContext(ctx, `UPDATE persons SET active = FALSE WHERE id = (SELECT MIN(pt.person_id) FROM person_tags pt
			JOIN tags t ON t.code = pt.tag JOIN persons p ON p.id = pt.person_id JOIN households h ON h.id = p.household_id
			JOIN org_units g ON g.id = h.grid_id WHERE t.key_person AND p.active AND g.path LIKE ?)`, communities[0].Path+"%"); err != nil {
			t.Fatal(err)
		}
		type check struct {
			scope org.Scope
			grid  int64
			grids string // the grids counted, as SQL
			args  []any
		}
		checks := map[string]check{
			"first community":  {org.Scope{Paths: []string{communities[0].Path}}, 0, `SELECT id FROM org_units WHERE kind = 'grid' AND path LIKE ?`, []any{communities[0].Path + "%"}},
			"last community":   {org.Scope{Paths: []string{communities[len(communities)-1].Path}}, 0, `SELECT id FROM org_units WHERE kind = 'grid' AND path LIKE ?`, []any{communities[len(communities)-1].Path + "%"}},
			"a grid of it":     {org.Scope{Paths: []string{communities[0].Path}}, inFirst.ID, `SELECT id FROM org_units WHERE id = ?`, []any{inFirst.ID}},
			"the grid leader":  {org.Scope{GridIDs: []int64{last.ID}}, 0, `SELECT id FROM org_units WHERE id = ?`, []any{last.ID}},
			"two communities":  {org.Scope{Paths: []string{communities[0].Path, communities[1].Path}}, 0, `SELECT id FROM org_units WHERE kind = 'grid' AND (path LIKE ? OR path LIKE ?)`, []any{communities[0].Path + "%", communities[1].Path + "%"}},
			"a street, a grid": {org.Scope{Paths: []string{communities[1].Path}, GridIDs: []int64{last.ID}}, 0, `SELECT id FROM org_units WHERE kind = 'grid' AND (path LIKE ? OR id = ?)`, []any{communities[1].Path + "%", last.ID}},
		}
		for name, c := range checks {
			got, err := Households(ctx, db, c.scope, c.grid)
			if err != nil {
				t.Fatal(name, err)
			}
			in := ` h.grid_id IN (` + c.grids + `)`
			want := map[string]int{}
			for _, q := range []struct {
				prefix, sql string
				args        []any
			}{
				{"kind ", `SELECT h.kind, COUNT(*) FROM households h WHERE` + in + ` GROUP BY h.kind`, nil},
				{"occupancy ", `SELECT h.occupancy, COUNT(*) FROM households h WHERE` + in + ` GROUP BY h.occupancy`, nil},
				{"colour ", `SELECT h.colour, COUNT(*) FROM households h WHERE` + in + ` GROUP BY h.colour`, nil},
				{"grid ", `SELECT CAST(h.grid_id AS TEXT) || ' ' || h.colour, COUNT(*) FROM households h WHERE` + in + ` GROUP BY h.grid_id, h.colour`, nil},
				{"tag ", `SELECT pt.tag, COUNT(*) FROM person_tags pt JOIN tags t ON t.code = pt.tag JOIN persons p ON p.id = pt.person_id
					JOIN households h ON h.id = p.household_id WHERE t.key_person AND p.active AND` + in + ` GROUP BY pt.tag`, nil},
				{"", `SELECT 'key persons', COUNT(DISTINCT p.id) FROM person_tags pt JOIN tags t ON t.code = pt.tag JOIN persons p ON p.id = pt.person_id
					JOIN households h ON h.id = p.household_id WHERE t.key_person AND p.active AND` + in, nil},
				{"", `SELECT 'special', COUNT(*) FROM household_tags ht JOIN households h ON h.id = ht.household_id WHERE ht.tag = ? AND` + in, []any{household.SpecialDifficulty}},
			} {
				rows, err := db.QueryContext(ctx, q.sql, append(q.args, c.args...)...)
				if err != nil {
					t.Fatal(name, err)
				}
				for rows.Next() {
					var k string
					var n int
					if err := rows.Scan(&k, &n); err != nil {
						t.Fatal(err)
					}
					want[q.prefix+k] = n
				}
				if err := rows.Close(); err != nil {
					t.Fatal(err)
				}
			}
			have := map[string]int{"key persons": got.KeyPersons, "special": got.SpecialDifficulty}
			put := func(prefix string, m map[string]int) {
				for k, n := range m {
					if n != 0 {
						have[prefix+k] = n
					}
				}
			}
			put("kind ", got.Kind)
			put("occupancy ", got.Occupancy)
			put("colour ", got.Colour)
			for _, g := range got.ByGrid {
				put("grid "+g.Key+" ", g.Colour)
			}
			for _, k := range got.KeyPersonsByTag {
				have["tag "+k.Key] = k.Count
			}
			if fmt.Sprint(have) != fmt.Sprint(want) {
				t.Errorf("%s:\n got  %v\n want %v", name, have, want)
			}
			if got.Total == 0 || got.KeyPersons == 0 || got.SpecialDifficulty == 0 || len(got.KeyPersonsByTag) < 2 {
				t.Errorf("%s: %d households, %d key persons (%d tags), %d special: want some of each", name, got.Total, got.KeyPersons, len(got.KeyPersonsByTag), got.SpecialDifficulty)
			}
		}
	})
}
