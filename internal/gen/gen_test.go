package gen_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/gen"
	"wanhu/internal/household"
	"wanhu/internal/secret"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// articleDay is the day of the seed article, the reference day of the tests.
var articleDay = calendar.Date{Y: 2025, M: time.October, D: 15}

const keyPersonsSQL = `SELECT COUNT(*) FROM persons p WHERE p.active AND p.id IN
	(SELECT pt.person_id FROM person_tags pt JOIN tags t ON t.code = pt.tag WHERE t.key_person)`

func count(t *testing.T, db *store.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func TestDongxing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		calls := 0
		start := time.Now()
		sum, err := gen.Generate(ctx, db, gen.Options{Today: articleDay, Progress: func(done, total int) { calls++ }})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("generated in %s: %+v", time.Since(start).Round(time.Millisecond), sum)
		if calls == 0 {
			t.Error("Progress never called")
		}
		for _, c := range []struct {
			what string
			got  int
			want int
		}{
			{"households", count(t, db, `SELECT COUNT(*) FROM households`), 4470},
			{"summary households", sum.Households, 4470},
			{"communities", count(t, db, `SELECT COUNT(*) FROM org_units WHERE kind = 'community' AND name = '东兴社区'`), 1},
			{"grids", count(t, db, `SELECT COUNT(*) FROM org_units WHERE kind = 'grid' AND parent_id = ?`, sum.CommunityID), 7},
			{"compounds", count(t, db, `SELECT COUNT(*) FROM compounds WHERE name IN ('一化小区', '城馨丽锦小区', '东府嘉和小区')`), 3},
			{"all compounds", count(t, db, `SELECT COUNT(*) FROM compounds`), 3},
			{"key persons", count(t, db, keyPersonsSQL), 254},
			{"summary key persons", sum.KeyPersons, 254},
			{"special-difficulty households", count(t, db, `SELECT COUNT(*) FROM household_tags WHERE tag = 'special_difficulty'`), 134},
			{"team", count(t, db, `SELECT COUNT(*) FROM team_members`), 26},
			{"grid workers", count(t, db, `SELECT COUNT(*) FROM team_members WHERE role = 'grid_worker'`), 7},
			{"sunk cadres", count(t, db, `SELECT COUNT(*) FROM team_members WHERE role = 'sunk_cadre'`), 3},
			{"police deputy", count(t, db, `SELECT COUNT(*) FROM team_members WHERE role = 'police_deputy_secretary'`), 1},
			{"building heads", count(t, db, `SELECT COUNT(*) FROM team_members WHERE role = 'building_head'`), 5},
			{"party members", count(t, db, `SELECT COUNT(*) FROM team_members WHERE role = 'party_member'`), 4},
			{"property staff", count(t, db, `SELECT COUNT(*) FROM team_members WHERE role = 'property_staff'`), 3},
			{"volunteers", count(t, db, `SELECT COUNT(*) FROM team_members WHERE role = 'volunteer'`), 3},
			{"Tibetan-speaking volunteer", count(t, db, `SELECT COUNT(*) FROM team_members WHERE role = 'volunteer' AND name = '卓玛' AND languages = 'bo'`), 1},
			{"grids led by a grid worker", count(t, db, `SELECT COUNT(*) FROM org_units g JOIN team_members m ON m.id = g.leader_id AND m.grid_id = g.id WHERE g.kind = 'grid'`), 7},
			{"household_created events", count(t, db, `SELECT COUNT(*) FROM ledger_events WHERE type = 'household_created'`), 4470},
			{"dibao approved this year (article: 8 people)", count(t, db, `SELECT COUNT(*) FROM ledger_events WHERE type = 'dibao_approved' AND after = 'dibao'`), 8},
			{"dibao households approved (article: 4)", count(t, db, `SELECT COUNT(DISTINCT household_id) FROM ledger_events WHERE type = 'dibao_approved' AND after = 'dibao'`), 4},
			{"near-dibao approved (article: 2 people)", count(t, db, `SELECT COUNT(*) FROM ledger_events WHERE type = 'dibao_approved' AND after = 'near_dibao'`), 2},
		} {
			if c.got != c.want {
				t.Errorf("%s: got %d, want %d", c.what, c.got, c.want)
			}
		}
		for n := 1; n <= 7; n++ {
			name := []string{"第一网格", "第二网格", "第三网格", "第四网格", "第五网格", "第六网格", "第七网格"}[n-1]
			if got := count(t, db, `SELECT COUNT(*) FROM org_units WHERE kind = 'grid' AND number = ? AND name = ?`, n, name); got != 1 {
				t.Errorf("grid %d %s: %d", n, name, got)
			}
			if hs := count(t, db, `SELECT COUNT(*) FROM households h JOIN org_units g ON g.id = h.grid_id WHERE g.number = ?`, n); hs < 550 || hs > 730 {
				t.Errorf("grid %d has %d households, want about 640", n, hs)
			}
		}
		for _, colour := range household.Colours {
			if n := count(t, db, `SELECT COUNT(*) FROM households WHERE colour = ?`, colour); n == 0 {
				t.Errorf("no %s household", colour)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM households h JOIN compounds c ON c.id = h.compound_id
			WHERE c.name = '一化小区' AND h.colour = 'red' AND h.colour_reasons LIKE '%"living_alone_elderly"%'`); n == 0 {
			t.Error("no red household of an elderly person living alone in 一化小区")
		}
		if n := count(t, db, `SELECT COUNT(*) FROM households WHERE kind <> 'residential' AND building_id IS NULL AND shop_name <> '' AND business_type <> ''`); n < 50 {
			t.Errorf("only %d shops", n)
		}
		persons := count(t, db, `SELECT COUNT(*) FROM persons`)
		if avg := float64(persons) / 4470; avg < 2.2 || avg > 2.9 {
			t.Errorf("%.2f persons per household", avg)
		}
		checkIDNumbers(t, db)
		checkDerivedTags(t, db)
		checkAgainstStore(t, db, 4470, true)
	})
}

// checkIDNumbers: every ID number is valid, agrees with birth date and
// gender, and is unique among current persons.
func checkIDNumbers(t *testing.T, db *store.DB) {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), `SELECT id_number, birth_date, gender, active FROM persons WHERE id_number IS NOT NULL`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := map[string]bool{}
	n := 0
	for rows.Next() {
		var num string
		var birth calendar.Date
		var gender household.Gender
		var active bool
		if err := rows.Scan(&num, &birth, &gender, &active); err != nil {
			t.Fatal(err)
		}
		if num, err = db.Keys().Open(num); err != nil { // stored sealed
			t.Fatal(err)
		}
		id, err := household.ParseIDNumber("id_number", num, articleDay)
		if err == nil {
			err = household.CheckIDAgainst(id, birth, gender)
		}
		if err != nil && n < 5 {
			t.Errorf("%s: %v", num, err)
			n++
		}
		if active && seen[num] {
			t.Errorf("%s is used twice", num)
		}
		seen[num] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(seen) < 4000 {
		t.Errorf("only %d ID numbers", len(seen))
	}
}

// checkDerivedTags: a person carries a derived tag exactly when the field
// says so.
func checkDerivedTags(t *testing.T, db *store.DB) {
	t.Helper()
	for tag, cond := range map[string]string{
		"disabled":   "p.disability_grade > 0",
		"dibao":      "p.dibao = 'dibao'",
		"near_dibao": "p.dibao = 'near_dibao'",
		"unemployed": "p.employment = 'unemployed'",
	} {
		q := `SELECT COUNT(*) FROM persons p WHERE (` + cond + `) <> (p.id IN (SELECT person_id FROM person_tags WHERE tag = ?))`
		if n := count(t, db, q, tag); n != 0 {
			t.Errorf("%d persons disagree between tag %s and %s", n, tag, cond)
		}
	}
}

// checkAgainstStore loads households through the household store and checks
// that the stored colour, reasons, householder and member count are what the
// store computes; with recolour, it also runs Recolour and expects no change.
func checkAgainstStore(t *testing.T, db *store.DB, n int, recolour bool) {
	t.Helper()
	ctx := context.Background()
	s := household.NewStore(db)
	s.SetClock(func() time.Time { return articleDay.Time().Add(4 * time.Hour) })
	step := max(n/400, 1)
	for id := int64(1); id <= int64(n); id += int64(step) {
		h, err := s.HouseholdByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		colour, reasons := household.Evaluate(household.DefaultRules, h.Tags, h.Members, articleDay)
		householder, current := "", 0
		for _, p := range h.Members {
			if p.Current() {
				current++
				if householder == "" || p.Relation == "householder" {
					householder = p.Name
				}
			}
		}
		if colour != h.Colour || household.EncodeReasons(reasons) != household.EncodeReasons(h.ColourReasons) ||
			householder != h.Householder || current != h.MemberCount {
			t.Errorf("household %d: stored %s %s %q %d, store computes %s %s %q %d", id, h.Colour, household.EncodeReasons(h.ColourReasons),
				h.Householder, h.MemberCount, colour, household.EncodeReasons(reasons), householder, current)
		}
		if h.BuildingID != 0 {
			want := strings.Join([]string{h.CompoundName, h.BuildingName, h.Unit + "单元", h.Room + "室"}, " ")
			if h.Address != want {
				t.Errorf("household %d address %q, want %q", id, h.Address, want)
			}
		}
	}
	if !recolour {
		return
	}
	before := count(t, db, `SELECT COUNT(*) FROM ledger_events`)
	changed, err := s.Recolour(ctx, household.Actor{Name: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if changed != 0 {
		t.Errorf("Recolour changed %d households", changed)
	}
	if after := count(t, db, `SELECT COUNT(*) FROM ledger_events`); after != before {
		t.Errorf("Recolour wrote %d ledger events", after-before)
	}
}

func TestDeterministic(t *testing.T) {
	ctx := context.Background()
	dump := func(seed int64) string {
		db := storetest.SQLite(t)
		if _, err := gen.Generate(ctx, db, gen.Options{Households: 1500, Seed: seed, Today: articleDay}); err != nil {
			t.Fatal(err)
		}
		h := sha256.New()
		for _, table := range []string{"org_units", "team_members", "households", "persons", "person_tags", "ledger_events", "plan_measures", "needs", "visits", "visit_visitors"} {
			order := "id"
			switch table {
			case "person_tags":
				order = "person_id, tag"
			case "visit_visitors":
				order = "visit_id, team_member_id"
			}
			rows, err := db.QueryContext(ctx, `SELECT * FROM `+table+` ORDER BY `+order)
			if err != nil {
				t.Fatal(err)
			}
			cols, _ := rows.Columns()
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			for rows.Next() {
				if err := rows.Scan(ptrs...); err != nil {
					t.Fatal(err)
				}
				for i, v := range vals { // sealed values differ by their random nonces
					if s, ok := v.(string); ok && strings.HasPrefix(s, secret.Prefix) {
						if vals[i], err = db.Keys().Open(s); err != nil {
							t.Fatal(err)
						}
					}
				}
				fmt.Fprintln(h, table, vals)
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			rows.Close()
		}
		return fmt.Sprintf("%x", h.Sum(nil))
	}
	a, b, c := dump(7), dump(7), dump(8)
	if a != b {
		t.Error("two runs with the same seed differ")
	}
	if a == c {
		t.Error("runs with different seeds are the same")
	}
}

func TestCityScale(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	db := storetest.SQLite(t)
	ctx := context.Background()
	const n = 20000
	sum, err := gen.Generate(ctx, db, gen.Options{Households: n, Seed: 3, Today: articleDay})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", sum)
	wantKey := (n*254*2 + 4470) / (2 * 4470)
	wantSpecial := (n*134*2 + 4470) / (2 * 4470)
	for _, c := range []struct {
		what      string
		got, want int
	}{
		{"households", count(t, db, `SELECT COUNT(*) FROM households`), n},
		{"communities", count(t, db, `SELECT COUNT(*) FROM org_units WHERE kind = 'community'`), 5},
		{"grids", count(t, db, `SELECT COUNT(*) FROM org_units WHERE kind = 'grid'`), 35},
		{"team", count(t, db, `SELECT COUNT(*) FROM team_members`), 5 * 26},
		{"key persons", count(t, db, keyPersonsSQL), wantKey},
		{"special-difficulty households", count(t, db, `SELECT COUNT(*) FROM household_tags WHERE tag = 'special_difficulty'`), wantSpecial},
		{"distinct community names", count(t, db, `SELECT COUNT(DISTINCT name) FROM org_units WHERE kind = 'community'`), 5},
	} {
		if c.got != c.want {
			t.Errorf("%s: got %d, want %d", c.what, c.got, c.want)
		}
	}
	if first := count(t, db, `SELECT id FROM org_units WHERE kind = 'community' ORDER BY id LIMIT 1`); int64(first) != sum.CommunityID {
		t.Errorf("first community %d, summary says %d", first, sum.CommunityID)
	}
	checkIDNumbers(t, db)
	checkAgainstStore(t, db, n, false)
}

func TestRefusesNonEmpty(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	if _, err := gen.Generate(ctx, db, gen.Options{Households: 100, Today: articleDay}); err != nil {
		t.Fatal(err)
	}
	if _, err := gen.Generate(ctx, db, gen.Options{Households: 100, Today: articleDay}); err == nil {
		t.Error("second Generate into the same database succeeded")
	}
}
