package stats

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/gen"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
)

// jsonOf is v as the API writes it, without its source (as_of).
func jsonOf(t *testing.T, v any) string {
	t.Helper()
	switch x := v.(type) {
	case *PopulationStats:
		c := *x
		c.Source = Source{}
		v = &c
	case *HouseholdStats:
		c := *x
		c.Source = Source{}
		v = &c
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestSnapshotSameAsLive: on a generated city of several communities,
// the population (presets, the user's own bands, the pyramid) and the
// household counts summed from the snapshot equal the live counts of the
// same data, for the whole city, a district and a street, on a leap day,
// the day after a common year's 28 February and a day of no birthday
// edge; a community, a grid and a grid leader are counted live.
func TestSnapshotSameAsLive(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		sum, err := gen.Generate(ctx, db, gen.Options{Households: gen.DongxingHouseholds + 1500, CommunitySize: 500, Today: calendar.Date{Y: 2026, M: 12, D: 1}})
		if err != nil {
			t.Fatal(err)
		}
		if sum.Communities < 4 {
			t.Fatalf("%d communities, want several", sum.Communities)
		}
		scopes := map[string]org.Scope{"system": org.Everything}
		for _, k := range []org.Kind{org.City, org.District, org.Street} {
			us, err := org.Units(ctx, db, k)
			if err != nil || len(us) == 0 {
				t.Fatalf("%s: %v %v", k, us, err)
			}
			scopes[string(k)] = org.Scope{Paths: []string{us[len(us)-1].Path}, Reveal: true}
		}
		// A street of its own with one household, so that a scope is a
		// part of the city.
		district := scopes["district"].Paths[0]
		units, err := org.Units(ctx, db, org.District)
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(units, func(u org.Unit) bool { return u.Path == district })
		// It has a second community without households: a street of one
		// community is counted live.
		street := org.Unit{Kind: org.Street, Name: "新街道", ParentID: units[i].ID}
		community := org.Unit{Kind: org.Community, Name: "新社区"}
		grid := org.Unit{Kind: org.GridKind, Name: "新网格", Number: 1}
		empty := org.Unit{Kind: org.Community, Name: "空社区"}
		for _, u := range []*org.Unit{&street, &community, &grid, &empty} {
			if u != &street {
				u.ParentID = map[*org.Unit]int64{&community: street.ID, &grid: community.ID, &empty: street.ID}[u]
			}
			if err := org.CreateUnit(ctx, db, u); err != nil {
				t.Fatal(err)
			}
		}
		person := func(name string, g household.Gender, birth calendar.Date, ethnicity string) household.Person {
			return household.Person{Name: name, Gender: g, BirthDate: birth, Ethnicity: ethnicity, Relation: "child"}
		}
		if _, err := household.NewStore(db).CreateHousehold(ctx, household.Actor{Name: "test"},
			household.Household{GridID: grid.ID, Address: "新街1号"}, []household.Person{
				person("甲", household.Female, calendar.Date{Y: 2024, M: 2, D: 29}, "汉族"),
				person("乙", household.Male, calendar.Date{Y: 1967, M: 3, D: 1}, "藏族"),
				person("丙", household.Male, calendar.Date{Y: 1927, M: 2, D: 28}, ""),
			}); err != nil {
			t.Fatal(err)
		}
		scopes["new street"] = org.Scope{Paths: []string{street.Path}}

		custom, err := ParseBands("bands", "0-0,1-1,3-3,17-17,18-,59-60,100-150,0-150,65-")
		if err != nil {
			t.Fatal(err)
		}
		bandSets := [][]Band{Presets["article"], Presets["census"], custom}
		totals := map[string]int{}
		for _, day := range []string{"2028-02-29", "2027-03-01", "2026-12-06"} {
			clear(totals)
			on, _ := calendar.ParseDate("", day)
			now := on.Midnight().Add(3 * time.Hour)
			s, err := RefreshSnapshot(ctx, db, now)
			if err != nil {
				t.Fatal(err)
			}
			if got, err := SnapshotOf(ctx, db); err != nil || got != s || s.On != on || !s.Taken.Equal(now) {
				t.Fatalf("snapshot %+v (%v), refreshed %+v, want day %s at %s", got, err, s, on, now)
			}
			for name, scope := range scopes {
				for _, bands := range bandSets {
					live, err := Population(ctx, db, scope, on, bands, 0, WithPyramid())
					if err != nil {
						t.Fatal(err)
					}
					snap, err := Population(ctx, db, scope, calendar.Today(), bands, 0, WithPyramid(), FromSnapshot(false))
					if err != nil {
						t.Fatal(err)
					}
					if live.AsOf != nil || snap.AsOf == nil || !snap.AsOf.Equal(now) || !snap.SnapshotScope || live.Total < 3 {
						t.Errorf("%s on %s: live as of %v, snapshot as of %v (scope %v), %d people", name, day, live.AsOf, snap.AsOf, snap.SnapshotScope, live.Total)
					}
					totals[name] = live.Total
					if l, s := jsonOf(t, live), jsonOf(t, snap); l != s {
						t.Errorf("%s on %s, bands %s:\n live     %s\n snapshot %s", name, day, Spec(bands), l, s)
					}
				}
				live, err := Households(ctx, db, scope, 0)
				if err != nil {
					t.Fatal(err)
				}
				snap, err := Households(ctx, db, scope, 0, FromSnapshot(false))
				if err != nil {
					t.Fatal(err)
				}
				if snap.AsOf == nil || live.Total == 0 || name != "new street" && (live.KeyPersons == 0 || live.SpecialDifficulty == 0) {
					t.Errorf("%s households: snapshot as of %v, %d key persons, %d special-difficulty", name, snap.AsOf, live.KeyPersons, live.SpecialDifficulty)
				}
				if l, s := jsonOf(t, live), jsonOf(t, snap); l != s {
					t.Errorf("%s households:\n live     %s\n snapshot %s", name, l, s)
				}
			}
			// The street is a part of the city: the scope's condition is
			// applied to the snapshot.
			if totals["new street"] != 3 || totals["street"]+3 != totals["city"] || totals["city"] != totals["system"] {
				t.Errorf("on %s: totals %v, want 3 in the new street, the rest in the other, all in the city", day, totals)
			}
		}
	})
}

// TestSnapshotServes: the snapshot answers a street, a district and the
// city; a community, a grid, a grid leader, another day than the
// snapshot's, and any count before the first snapshot are counted live,
// and the answer says so. A change shows in the snapshot once refreshed.
func TestSnapshotServes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		f := w.f
		if _, err := testworld.Neighbour(ctx, db, f.Street.ID); err != nil {
			t.Fatal(err)
		}
		on := calendar.Date{Y: 2027, M: 9, D: 1}
		now := on.Midnight().Add(time.Hour)
		bands := Presets["article"]
		street := org.Scope{Paths: []string{f.Street.Path}}
		count := func(scope org.Scope, grid int64, day calendar.Date, dayAsked bool) *PopulationStats {
			t.Helper()
			p, err := Population(ctx, db, scope, day, bands, grid, FromSnapshot(dayAsked))
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
		if p := count(street, 0, on, false); p.AsOf != nil || !p.SnapshotScope || p.Total != 6 {
			t.Errorf("before any snapshot: as of %v, snapshot scope %v, total %d; want live, 6", p.AsOf, p.SnapshotScope, p.Total)
		}
		if _, err := RefreshSnapshot(ctx, db, now); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name     string
			scope    org.Scope
			grid     int64
			day      calendar.Date
			dayAsked bool
			snapshot bool
		}{
			{"street", street, 0, calendar.Date{Y: 2027, M: 9, D: 6}, false, true},
			{"district", org.Scope{Paths: []string{f.District.Path}}, 0, on, true, true},
			{"city", org.Scope{Paths: []string{f.City.Path}}, 0, on, false, true},
			{"system", org.Everything, 0, on, false, true},
			{"another day", street, 0, calendar.Date{Y: 2027, M: 9, D: 2}, true, false},
			{"community", org.Scope{Paths: []string{f.Community.Path}}, 0, on, false, false},
			{"grid", org.Everything, f.Grids[0].ID, on, false, false},
			{"grid leader", org.Scope{GridIDs: []int64{f.Grids[0].ID, f.Grids[1].ID}}, 0, on, false, false},
		} {
			p := count(c.scope, c.grid, c.day, c.dayAsked)
			if (p.AsOf != nil) != c.snapshot || c.snapshot && (!p.AsOf.Equal(now) || p.On != on) {
				t.Errorf("%s: as of %v on %s, want snapshot %v", c.name, p.AsOf, p.On, c.snapshot)
			}
		}

		p, err := Population(ctx, db, street, on, bands, 0, Live())
		if err != nil || p.AsOf != nil || !p.SnapshotScope {
			t.Errorf("asked live: as of %v, snapshot scope %v (%v); want live in a snapshot's scope", p.AsOf, p.SnapshotScope, err)
		}

		// A new member counts live at once, and from the snapshot after
		// the next refresh.
		_, err = household.NewStore(db).CreateHousehold(ctx, household.Actor{Name: "test"},
			household.Household{BuildingID: f.Buildings[0].ID, Unit: "2", Room: "201"},
			[]household.Person{{Name: "马新", Gender: household.Male, BirthDate: calendar.Date{Y: 1990, M: 1, D: 1}, Relation: "householder"}})
		if err != nil {
			t.Fatal(err)
		}
		if p := count(street, 0, on, false); p.Total != 6 {
			t.Errorf("before the refresh the snapshot counts %d, want 6", p.Total)
		}
		if p := count(street, 0, on, false); p.Total != 6 || slices.ContainsFunc(p.ByGrid, func(c Count) bool { return c.Count > 4 }) {
			t.Errorf("stale snapshot: %d, by grid %v", p.Total, p.ByGrid)
		}
		if _, err := RefreshSnapshot(ctx, db, now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if p := count(street, 0, on, false); p.Total != 7 || !p.AsOf.Equal(now.Add(time.Hour)) {
			t.Errorf("after the refresh: %d as of %v, want 7", p.Total, p.AsOf)
		}
	})
}

// TestSnapshotOneCommunity: where the whole database is one community
// (an office set up with wanhu init, whose first administrator is an
// administrator of the city), even the city's counts are live, so today's
// new households show at once.
func TestSnapshotOneCommunity(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		on := calendar.Date{Y: 2027, M: 9, D: 1}
		if _, err := RefreshSnapshot(ctx, db, on.Midnight().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		for name, scope := range map[string]org.Scope{"system": org.Everything, "city": {Paths: []string{w.f.City.Path}}} {
			p, err := Population(ctx, db, scope, on, Presets["article"], 0, FromSnapshot(false))
			if err != nil {
				t.Fatal(err)
			}
			h, err := Households(ctx, db, scope, 0, FromSnapshot(false))
			if err != nil {
				t.Fatal(err)
			}
			if p.AsOf != nil || h.AsOf != nil || p.Total != 6 {
				t.Errorf("%s of one community: population as of %v (%d people), households as of %v; want live, 6", name, p.AsOf, p.Total, h.AsOf)
			}
		}
	})
}

// TestSnapshotRefreshesAtOnce: a refresh the next day writes the counts
// that differ (one changes, one goes); refreshes at once (the daily job
// on one server, imports on others) leave the snapshot a single refresh
// takes, whichever of them wrote only what differed and whichever
// rewrote it all.
func TestSnapshotRefreshesAtOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		// check says whether the snapshot is what a count on day on
		// gives, row for row.
		check := func(on calendar.Date, when string) {
			t.Helper()
			c, err := countGrids(ctx, db, on)
			if err != nil {
				t.Fatal(err)
			}
			for _, tb := range c {
				rows, err := scanRows(ctx, db, len(tb.cols), `SELECT `+strings.Join(tb.cols, ", ")+` FROM `+tb.table)
				if err != nil {
					t.Fatal(err)
				}
				if d := tb.diff(rows); len(d.insert)+len(d.update)+len(d.remove) != 0 || tb.table == "stats_snapshot_ages" && len(rows) == 0 {
					t.Errorf("%s: %s, %d rows, %d to insert, %d to update, %d to remove; want some, none to change", when, tb.table,
						len(rows), len(d.insert), len(d.update), len(d.remove))
				}
			}
		}
		// Two brothers, 37 and 36 on 1 September, both 37 the next day:
		// a row's count changes and another's goes.
		if _, err := household.NewStore(db).CreateHousehold(ctx, household.Actor{Name: "test"},
			household.Household{BuildingID: w.f.Buildings[0].ID, Unit: "2", Room: "202"},
			[]household.Person{{Name: "马新", Gender: household.Male, BirthDate: calendar.Date{Y: 1990, M: 9, D: 1}, Relation: "householder"},
				{Name: "马力", Gender: household.Male, BirthDate: calendar.Date{Y: 1990, M: 9, D: 2}, Relation: "sibling"}}); err != nil {
			t.Fatal(err)
		}
		on, next := calendar.Date{Y: 2027, M: 9, D: 1}, calendar.Date{Y: 2027, M: 9, D: 2}
		for _, day := range []calendar.Date{on, next} {
			if _, err := RefreshSnapshot(ctx, db, day.Midnight().Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			check(day, "refreshed on "+day.String())
		}
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = RefreshSnapshot(ctx, db, on.Midnight().Add(time.Duration(i+1)*time.Second))
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("refresh %d: %v", i, err)
			}
		}
		check(on, "four refreshes at once, a day back")
		if _, err := RefreshSnapshot(ctx, db, on.Midnight().Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		check(on, "refreshed again")
	})
}
