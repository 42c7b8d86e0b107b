package stats

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/gen"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
)

func day(t *testing.T, s string) calendar.Date {
	t.Helper()
	d, err := calendar.ParseDate("", s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestBornBy: for every day around the cut-off, "born on or before
// bornBy(on, n)" is exactly "at least n on day on" as calendar.AgeOn
// counts, on and around 29 February of leap and common years.
func TestBornBy(t *testing.T) {
	for _, on := range []string{"2024-02-29", "2025-02-28", "2025-03-01", "2024-02-28", "2024-03-01", "2026-12-31", "2027-01-01", "2027-09-01", "2100-02-28"} {
		o := day(t, on)
		for _, n := range []int{0, 1, 3, 4, 5, 6, 13, 60, 65, 80, 100} {
			cut := bornBy(o, n)
			for b := o.AddYears(-n - 1).Time(); !b.After(o.AddYears(-n + 1).Time()); b = b.AddDate(0, 0, 1) {
				birth := calendar.DateOf(b)
				if got, want := !birth.After(cut), calendar.AgeOn(birth, o) >= n; got != want {
					t.Fatalf("on %s, n %d, born %s: cut-off %s says %v, AgeOn %d", on, n, birth, cut, got, calendar.AgeOn(birth, o))
				}
			}
		}
	}
}

// TestParseBands: bands parse and print back; presets are the issue's;
// bad bands are errors on the field that name the band.
func TestParseBands(t *testing.T) {
	bs, err := ParseBands("bands", " 0-3, 4-12,6-12,60-,100-150")
	if err != nil {
		t.Fatal(err)
	}
	if got := Spec(bs); got != "0-3,4-12,6-12,60-,100-150" {
		t.Errorf("bands = %s", got)
	}
	for name, want := range map[string]string{"article": "0-3,4-12,6-12,60-,65-", "census": "0-14,15-59,60-,65-,80-"} {
		if got := Spec(Presets[name]); got != want {
			t.Errorf("preset %s = %s", name, got)
		}
	}
	for _, c := range []struct{ in, code, band string }{
		{"", "required", ""},
		{"12-4", "band_order", `"12-4"`},
		{"0-3,abc", "band_format", `"abc"`},
		{"0-3,-5", "band_format", `"-5"`},
		{"7", "band_format", `"7"`},
		{"1-2-3", "band_format", `"1-2-3"`},
		{"0-151", "band_format", `"0-151"`},
		{"0-3,1-2,0-3", "band_repeated", `"0-3"`},
		{strings.Repeat("1-2,", 30) + "3-4", "too_many", ""},
	} {
		_, err := ParseBands("bands", c.in)
		var fe *apperr.FieldError
		if !errors.As(err, &fe) || fe.Field != "bands" || fe.Code != c.code || !strings.Contains(fe.Msg, c.band) {
			t.Errorf("ParseBands(%q) = %v, want %s naming %s", c.in, err, c.code, c.band)
		}
	}
}

// world is a community with people whose birthdays sit on the edges:
// grid 1 (building 1 of the compound) has a family of four and two who no
// longer count (moved out, deceased); grid 2 a shop in building 2 and a
// mixed premises outside the compound.
type world struct {
	f                    *testworld.Org
	home, shop, workshop *household.Household
}

func newWorld(t *testing.T, db *store.DB) *world {
	ctx := context.Background()
	f, err := testworld.NewOrg(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	files := household.NewStore(db)
	a := household.Actor{Name: "test"}
	person := func(name string, g household.Gender, birth, ethnicity string) household.Person {
		return household.Person{Name: name, Gender: g, BirthDate: day(t, birth), Ethnicity: ethnicity, Relation: "child"}
	}
	moved, dead := person("马明", household.Male, "1950-05-05", "回族"), person("马奶奶", household.Female, "1940-01-01", "回族")
	moved.MovedOutOn, dead.DeceasedOn = day(t, "2025-01-01"), day(t, "2026-01-01")
	w := &world{f: f}
	for _, h := range []struct {
		into    **household.Household
		h       household.Household
		members []household.Person
	}{
		{&w.home, household.Household{BuildingID: f.Buildings[0].ID, Unit: "1", Room: "101"}, []household.Person{
			person("马小花", household.Female, "2024-09-01", "汉族"), // 3 on 1 September 2027
			person("马小龙", household.Male, "2024-09-02", "汉族"),   // still 2 that day
			person("马闰", household.Female, "2020-02-29", "汉族"),  // leap-day birthday
			person("马建", household.Male, "1966-03-01", "回族"),    // 60 on 1 March 2026
			moved, dead,
		}},
		{&w.shop, household.Household{BuildingID: f.Buildings[1].ID, Unit: "1", Room: "商铺1", Kind: household.Commercial, ShopName: "小卖部"},
			[]household.Person{person("李老板", household.Male, "1955-06-01", "汉族")}},
		{&w.workshop, household.Household{GridID: f.Grids[1].ID, Address: "东关大街12号", Kind: household.Mixed, ShopName: "修车铺", Occupancy: "rented"},
			[]household.Person{person("Anna", household.Female, "2000-01-01", "")}},
	} {
		if *h.into, err = files.CreateHousehold(ctx, a, h.h, h.members); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

// bandCounts renders the bands of p as "0-3:1 60-:2".
func bandCounts(p *PopulationStats) string {
	var s []string
	for _, b := range p.Bands {
		s = append(s, fmt.Sprintf("%s:%d", b.Band, b.Count))
	}
	return strings.Join(s, " ")
}

// counts renders a breakdown as "key=name:count …".
func counts(cs []Count) string {
	var s []string
	for _, c := range cs {
		s = append(s, fmt.Sprintf("%s=%s:%d", c.Key, c.Name, c.Count))
	}
	return strings.Join(s, " ")
}

// TestBandsOf: the one rule of the API, the pages and the CLI for a
// preset, the user's own bands, or neither.
func TestBandsOf(t *testing.T) {
	for _, c := range []struct {
		preset, spec, want, chosen, field, code string
	}{
		{"", "", "0-3,4-12,6-12,60-,65-", "article", "", ""},
		{"census", "", "0-14,15-59,60-,65-,80-", "census", "", ""},
		{"", " 60-,0-3 ", "60-,0-3", Custom, "", ""},
		{Custom, "0-6", "0-6", Custom, "", ""},
		{Custom, "", "", "", "bands", "required"},
		{"", "0-3,x", "", "", "bands", "band_format"},
		{"census", "0-3", "", "", "preset", "conflict"},
		{"elderly", "", "", "", "preset", "one_of"},
	} {
		bands, chosen, err := BandsOf(c.preset, c.spec)
		var fe *apperr.FieldError
		switch {
		case c.code == "" && (err != nil || Spec(bands) != c.want || chosen != c.chosen):
			t.Errorf("BandsOf(%q, %q) = %s %q %v, want %s %q", c.preset, c.spec, Spec(bands), chosen, err, c.want, c.chosen)
		case c.code != "" && (!errors.As(err, &fe) || fe.Field != c.field || fe.Code != c.code):
			t.Errorf("BandsOf(%q, %q) = %v, want %s on %s", c.preset, c.spec, err, c.code, c.field)
		}
	}
}

// TestPopulationBands: ages turn on the birthday (the day before does not
// count), a 29 February birthday turns on 1 March in a common year and on
// 29 February in a leap year, bands overlap and may be open, a future day
// counts who will be 3 by then, and people not yet born, moved out or
// deceased are not counted.
func TestPopulationBands(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		newWorld(t, db)
		for _, c := range []struct {
			on, bands string
			total     int
			want      string
		}{
			{"2027-09-01", "0-2,3-3,0-5,60-,65-", 6, "0-2:1 3-3:1 0-5:2 60-:2 65-:1"},
			{"2027-08-31", "0-2,3-3,0-5,60-,65-", 6, "0-2:2 3-3:0 0-5:2 60-:2 65-:1"},
			{"2025-02-28", "4-4,5-5", 6, "4-4:1 5-5:0"},
			{"2025-03-01", "4-4,5-5", 6, "4-4:0 5-5:1"},
			{"2024-02-29", "3-3,4-4", 4, "3-3:0 4-4:1"}, // the two babies are not born yet
			{"2024-02-28", "3-3,4-4", 4, "3-3:1 4-4:0"},
			{"2026-02-28", "59-59,60-", 6, "59-59:1 60-:1"},
			{"2026-03-01", "59-59,60-", 6, "59-59:0 60-:2"},
			{"1999-12-31", "0-", 2, "0-:2"},
		} {
			bands, err := ParseBands("bands", c.bands)
			if err != nil {
				t.Fatal(err)
			}
			p, err := Population(t.Context(), db, org.Everything, day(t, c.on), bands, 0)
			if err != nil {
				t.Fatal(err)
			}
			if got := bandCounts(p); got != c.want || p.Total != c.total || p.On.String() != c.on {
				t.Errorf("on %s: total %d, %s; want total %d, %s", c.on, p.Total, got, c.total, c.want)
			}
		}
	})
}

// TestPopulationBreakdowns: by sex, ethnicity (by GB/T 3304 code), grid,
// compound and building, none last; a grid filter and a grid leader's
// scope count only their grid, and a grid out of scope is not found.
func TestPopulationBreakdowns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := t.Context()
		on, bands := day(t, "2027-09-01"), Presets["article"]
		p, err := Population(ctx, db, org.Everything, on, bands, 0)
		if err != nil {
			t.Fatal(err)
		}
		g1, g2 := strconv.FormatInt(w.f.Grids[0].ID, 10), strconv.FormatInt(w.f.Grids[1].ID, 10)
		b1, b2 := strconv.FormatInt(w.f.Buildings[0].ID, 10), strconv.FormatInt(w.f.Buildings[1].ID, 10)
		cp := strconv.FormatInt(w.f.Compound.ID, 10)
		for _, c := range []struct{ what, got, want string }{
			{"bands", bandCounts(p), "0-3:2 4-12:1 6-12:1 60-:2 65-:1"},
			{"sex", counts(p.BySex), "male=男:3 female=女:3"},
			{"ethnicity", counts(p.ByEthnicity), "01=汉族:4 03=回族:1 =:1"},
			{"grid", counts(p.ByGrid), g1 + "=第一网格:4 " + g2 + "=第二网格:2"},
			{"compound", counts(p.ByCompound), cp + "=一化小区:5 =:1"},
			{"building", counts(p.ByBuilding), b1 + "=一化小区 1号楼:4 " + b2 + "=一化小区 2号楼:1 =:1"},
		} {
			if c.got != c.want {
				t.Errorf("%s: %s, want %s", c.what, c.got, c.want)
			}
		}

		p, err = Population(ctx, db, org.Everything, on, bands, w.f.Grids[1].ID)
		if err != nil || p.Total != 2 || counts(p.ByGrid) != g2+"=第二网格:2" || bandCounts(p) != "0-3:0 4-12:0 6-12:0 60-:1 65-:1" {
			t.Errorf("grid 2: %+v %v", p, err)
		}
		leader := org.Scope{GridIDs: []int64{w.f.Grids[0].ID}}
		p, err = Population(ctx, db, leader, on, bands, 0)
		if err != nil || p.Total != 4 || counts(p.ByGrid) != g1+"=第一网格:4" {
			t.Errorf("grid 1's leader: %+v %v", p, err)
		}
		if _, err := Population(ctx, db, leader, on, bands, w.f.Grids[1].ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("grid 2 for grid 1's leader: %v, want not found", err)
		}
		if _, err := Population(ctx, db, org.Everything, on, bands, w.f.Community.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("a community as grid: %v, want not found", err)
		}
		if p, err = Population(ctx, db, org.Scope{}, on, bands, 0); err != nil || p.Total != 0 || len(p.ByGrid) != 0 {
			t.Errorf("no scope: %+v %v", p, err)
		}
	})
}

// TestHouseholds: households by kind, occupancy and colour, every value
// present, and each grid's colours; a grid leader counts their grid only.
func TestHouseholds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := t.Context()
		if _, err := household.NewStore(db).SetColourOverride(ctx, household.Actor{Name: "test"}, w.shop.ID, household.Red, "消防隐患"); err != nil {
			t.Fatal(err)
		}
		s, err := Households(ctx, db, org.Everything, 0)
		if err != nil {
			t.Fatal(err)
		}
		if s.Total != 3 || fmt.Sprint(s.Kind) != "map[commercial:1 mixed:1 residential:1]" ||
			fmt.Sprint(s.Occupancy) != "map[owner:2 rented:1 vacant:0]" || s.Colour["red"] < 1 ||
			s.Colour["red"]+s.Colour["yellow"]+s.Colour["green"] != 3 {
			t.Errorf("households: %+v", s)
		}
		if len(s.ByGrid) != 2 || s.ByGrid[0].Name != "第一网格" || s.ByGrid[0].Count.Count != 1 ||
			s.ByGrid[1].Count.Count != 2 || s.ByGrid[1].Colour["red"] < 1 {
			t.Errorf("by grid: %+v", s.ByGrid)
		}
		s, err = Households(ctx, db, org.Scope{GridIDs: []int64{w.f.Grids[1].ID}}, 0)
		if err != nil || s.Total != 2 || s.Kind["residential"] != 0 || len(s.ByGrid) != 1 {
			t.Errorf("grid 2's leader: %+v %v", s, err)
		}
	})
}

// TestDemoPopulation: on the generated Dongxing community, the total is
// the number of current persons, and every band agrees with calendar.AgeOn
// applied to each person, today and on a future day.
func TestDemoPopulation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := gen.Generate(ctx, db, gen.Options{}); err != nil {
			t.Fatal(err)
		}
		rows, err := db.QueryContext(ctx, `SELECT birth_date, moved_out_on, deceased_on, active FROM persons`)
		if err != nil {
			t.Fatal(err)
		}
		var people []household.Person
		for rows.Next() {
			var p household.Person
			var active bool
			if err := rows.Scan(&p.BirthDate, &p.MovedOutOn, &p.DeceasedOn, &active); err != nil {
				t.Fatal(err)
			}
			if p.Current() != active {
				t.Fatalf("person born %s: active %v but current %v", p.BirthDate, active, p.Current())
			}
			people = append(people, p)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		bands := slices.Concat(Presets["article"], Presets["census"])
		for _, on := range []calendar.Date{calendar.Today(), day(t, "2027-09-01")} {
			p, err := Population(ctx, db, org.Everything, on, bands, 0)
			if err != nil {
				t.Fatal(err)
			}
			want := make([]int, len(bands))
			total := 0
			for _, x := range people {
				if !x.Current() || x.BirthDate.After(on) {
					continue
				}
				total++
				age := calendar.AgeOn(x.BirthDate, on)
				for i, b := range bands {
					if age >= b.From && (b.To < 0 || age <= b.To) {
						want[i]++
					}
				}
			}
			if p.Total != total || total < 4470 {
				t.Errorf("on %s: total %d, want %d current persons", on, p.Total, total)
			}
			for i, b := range p.Bands {
				if b.Count != want[i] {
					t.Errorf("on %s: band %s counts %d, want %d", on, b.Band, b.Count, want[i])
				}
			}
			sum := 0
			for _, g := range p.ByGrid {
				sum += g.Count
			}
			if len(p.ByGrid) != 7 || sum != total {
				t.Errorf("on %s: %d grids sum to %d, want 7 and %d", on, len(p.ByGrid), sum, total)
			}
		}
		// The article's 254 key persons and 134 special-difficulty
		// households, as their rosters list them.
		s, err := Households(ctx, db, org.Everything, 0)
		if err != nil {
			t.Fatal(err)
		}
		tagged := 0
		for _, c := range s.KeyPersonsByTag {
			tagged += c.Count
		}
		if s.KeyPersons != 254 || s.SpecialDifficulty != 134 || tagged < s.KeyPersons || len(s.KeyPersonsByTag) < 5 {
			t.Errorf("key persons %d (%d tags, %d tagged), special-difficulty households %d; want 254 and 134",
				s.KeyPersons, len(s.KeyPersonsByTag), tagged, s.SpecialDifficulty)
		}
		ks, total, err := household.NewStore(db).KeyPersons(ctx, household.RosterFilter{PerPage: 1})
		if err != nil || total != s.KeyPersons || len(ks) != 1 {
			t.Errorf("the key-person roster lists %d (%v), the statistics count %d", total, err, s.KeyPersons)
		}
	})
}

// TestPopulationOfEveryHousehold: a city's administrator counts without
// the scope's condition while their city holds every household there is
// (household.ReachesAll, asked per call), and a household in a second
// city is left out of their count from the next call on.
func TestPopulationOfEveryHousehold(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := t.Context()
		on, bands := day(t, "2027-09-01"), Presets["article"]
		admin := org.Scope{Paths: []string{w.f.City.Path}}
		total := func(sc org.Scope) int {
			t.Helper()
			p, err := Population(ctx, db, sc, on, bands, 0)
			if err != nil {
				t.Fatal(err)
			}
			return p.Total
		}
		if got := total(admin); got != 6 || total(org.Everything) != 6 {
			t.Errorf("one city: the administrator counts %d, want 6", got)
		}
		units := []org.Unit{{Kind: org.City, Name: "海东市"}, {Kind: org.District, Name: "乐都区"},
			{Kind: org.Street, Name: "碾伯镇"}, {Kind: org.Community, Name: "东关社区"}, {Kind: org.GridKind, Name: "第一网格", Number: 1}}
		for i := range units {
			if i > 0 {
				units[i].ParentID = units[i-1].ID
			}
			if err := org.CreateUnit(ctx, db, &units[i]); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := household.NewStore(db).CreateHousehold(ctx, household.Actor{Name: "test"}, household.Household{GridID: units[4].ID, Address: "东关街 1号"},
			[]household.Person{{Name: "王晓丽", Gender: household.Female, BirthDate: day(t, "1960-01-01"), Relation: "householder"}}); err != nil {
			t.Fatal(err)
		}
		if got := total(admin); got != 6 || total(org.Everything) != 7 {
			t.Errorf("two cities: the first one's administrator counts %d, want 6", got)
		}
	})
}
