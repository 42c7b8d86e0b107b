package roster_test

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"testing"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/roster"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
)

var clerk = household.Actor{Name: "测试员"}

func day(s string) calendar.Date {
	d, err := calendar.ParseDate("", s)
	if err != nil {
		panic(err)
	}
	return d
}

// person is a member born on birth, of sex g.
func person(name, birth string, g household.Gender, rel string) household.Person {
	return household.Person{Name: name, BirthDate: day(birth), Gender: g, Relation: rel, Ethnicity: "汉族"}
}

// fixture makes households in the two grids of an org fixture:
// grid 1: 王家 (a householder with a phone and the children of the age
// edges), 李家 (the elderly of the check-up edges); grid 2: 赵家 (a child
// of 8 whose householder is her grandfather) and a shop.
func fixture(t *testing.T, db *store.DB) (*household.Store, *testworld.Org, map[string]int64) {
	t.Helper()
	ctx := context.Background()
	f, err := testworld.NewOrg(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	s := household.NewStore(db)
	s.SetClock(func() time.Time { return time.Date(2026, 4, 1, 2, 0, 0, 0, time.UTC) })
	ids := map[string]int64{}
	add := func(b int, hh household.Household, ps ...household.Person) *household.Household {
		hh.BuildingID = f.Buildings[b].ID
		h, err := s.CreateHousehold(ctx, clerk, hh, ps)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range h.Members {
			ids[m.Name] = m.ID
		}
		return h
	}
	father := person("王建国", "1990-01-01", household.Male, "householder")
	father.Phone = "13912345678"
	add(0, household.Household{Unit: "1", Room: "101"}, father,
		person("王六岁", "2020-09-01", household.Female, "child"), // 6 on 2026-09-01
		person("王五岁", "2020-09-02", household.Male, "child"),   // 5 on 2026-09-01
		person("王闰日", "2020-02-29", household.Female, "child"), // 6 on 2026-03-01, not on 2026-02-28
		person("王十二", "2013-09-02", household.Male, "child"),   // 12 on 2026-09-01
		person("王十三", "2013-09-01", household.Female, "child"), // 13 on 2026-09-01
		person("王三岁", "2023-08-31", household.Male, "child"),   // 3 on 2026-08-31: kindergarten
		person("王两岁", "2023-09-01", household.Female, "child"), // 2 on 2026-08-31
		person("王七岁", "2019-09-01", household.Male, "child"),   // 6 on 2026-08-31: school
	)
	old := person("李六十", "1966-05-01", household.Male, "householder") // 60 on 2026-05-01
	old.Dibao = "near_dibao"
	add(0, household.Household{Unit: "1", Room: "102"}, old,
		person("李未满", "1966-05-02", household.Female, "spouse"), // 59 on 2026-05-01
		person("李已检", "1950-01-01", household.Female, "parent"),
		person("李去年", "1951-01-01", household.Male, "parent"),
	)
	add(1, household.Household{Unit: "2", Room: "201"},
		person("赵爷爷", "1955-03-03", household.Male, "householder"),
		person("赵八岁", "2018-06-01", household.Female, "grandchild"))
	shop := add(1, household.Household{Unit: "1", Room: "1", Kind: household.Commercial, ShopName: "兴旺小卖部", BusinessType: "零售",
		Tags: []string{"fire_safety_focus"}}, person("孙店主", "1980-01-01", household.Male, "householder"))
	ids["shop"] = shop.ID
	// 李已检 had this year's check-up; 李去年 only last year's.
	last := household.NewStore(db)
	last.SetClock(func() time.Time { return time.Date(2025, 6, 1, 2, 0, 0, 0, time.UTC) })
	if _, err := last.RecordEvent(ctx, clerk, ids["李去年"], household.Event{Type: household.EvHealthCheck}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordEvent(ctx, clerk, ids["李已检"], household.Event{Type: household.EvHealthCheck}); err != nil {
		t.Fatal(err)
	}
	return s, f, ids
}

// names lists the rows of roster name with the parameters v, and their total.
func names(t *testing.T, rs *roster.Store, name string, v url.Values) ([]string, []roster.Item) {
	t.Helper()
	q, err := roster.Parse(name, v, day("2026-05-01"))
	if err != nil {
		t.Fatalf("%s %v: %v", name, v, err)
	}
	items, total, _, err := rs.List(context.Background(), q, 1, 100)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	n, err := rs.Count(context.Background(), q)
	if err != nil || n != total || total != len(items) {
		t.Fatalf("%s: count %d (%v), total %d, %d items", name, n, err, total, len(items))
	}
	var out []string
	for _, it := range items {
		if it.Name != "" {
			out = append(out, it.Name)
		} else {
			out = append(out, it.ShopName)
		}
	}
	return out, items
}

func want(t *testing.T, what string, got []string, w ...string) {
	t.Helper()
	if !slices.Equal(got, w) {
		t.Errorf("%s = %v, want %v", what, got, w)
	}
}

func TestBuiltinRosters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		_, f, ids := fixture(t, db)
		rs := roster.New(db, org.Everything)
		on := func(d string) url.Values { return url.Values{"on": {d}} }

		got, items := names(t, rs, "four_thirty", on("2026-09-01"))
		want(t, "four_thirty on 2026-09-01", got, "王六岁", "王闰日", "王十二", "王七岁", "赵八岁")
		if g := items[0].Guardian; g == nil || g.Name != "王建国" || g.Relation != "householder" || g.Phone != "139****5678" {
			t.Errorf("guardian of 王六岁 = %+v, want 王建国, householder, masked phone", g)
		}
		if g := items[4].Guardian; g == nil || g.Name != "赵爷爷" {
			t.Errorf("guardian of 赵八岁 = %+v, want her grandfather", g)
		}
		// 29 February: six on 1 March in a common year, not on 28 February.
		got, _ = names(t, rs, "four_thirty", on("2026-02-28"))
		if slices.Contains(got, "王闰日") {
			t.Errorf("four_thirty on 2026-02-28 has 王闰日 (born 2020-02-29, still 5): %v", got)
		}
		got, _ = names(t, rs, "four_thirty", on("2026-03-01"))
		if !slices.Contains(got, "王闰日") {
			t.Errorf("four_thirty on 2026-03-01 lacks 王闰日 (6 that day): %v", got)
		}

		// 60 on the day counts; this year's check-up takes one off.
		got, items = names(t, rs, "elderly_checkup", on("2026-05-01"))
		want(t, "elderly_checkup", got, "李六十", "李去年", "赵爷爷")
		if items[1].LastCheckOn != day("2025-06-01") || !items[0].LastCheckOn.IsZero() {
			t.Errorf("last checks %v, %v; want none and 2025-06-01", items[0].LastCheckOn, items[1].LastCheckOn)
		}
		got, _ = names(t, rs, "elderly_checkup", url.Values{"on": {"2026-05-01"}, "age_from": {"65"}})
		want(t, "elderly_checkup 65+", got, "李去年", "赵爷爷")
		got, _ = names(t, rs, "elderly_checkup", on("2026-04-30"))
		want(t, "elderly_checkup the day before 李六十 is 60", got, "李去年", "赵爷爷")

		// Kindergarten at 3 and school at 6 on 31 August (王六岁, born 1 September, is
		// still 5 then); after 31 August the next year's cut-off counts.
		got, items = names(t, rs, "school_start", on("2026-05-01"))
		want(t, "school_start", got, "王闰日", "王三岁", "王七岁")
		starts := []string{items[0].Start, items[1].Start, items[2].Start}
		want(t, "starts", starts, "school", "kindergarten", "school")
		got, _ = names(t, rs, "school_start", on("2026-09-01")) // the cut-off is 2027-08-31
		want(t, "school_start after 31 August", got, "王六岁", "王五岁", "王两岁")

		got, _ = names(t, rs, "dibao_review", nil)
		want(t, "dibao_review", got, "李六十")
		got, items = names(t, rs, "fire_safety", nil)
		want(t, "fire_safety", got, "兴旺小卖部")
		if !items[0].FireSafetyFocus || items[0].BusinessType != "零售" || items[0].HouseholdID != ids["shop"] {
			t.Errorf("fire_safety row %+v", items[0])
		}
		if items[0].LastRoundAt != nil {
			t.Errorf("a shop never checked has a last check %v", items[0].LastRoundAt)
		}
		// Two fire-safety checks: the roster shows the later, with 1 failed item.
		for i, failed := range []int{0, 1} {
			at := time.Date(2026, 4, 10+i, 12, 0, 0, 0, time.UTC)
			if _, err := db.ExecContext(t.Context(), `INSERT INTO rounds(template, grid_id, org_path, household_id, state, started_at, done_at, failed, created_at)
				VALUES ('shop_fire', ?, '/', ?, 'done', ?, ?, ?, ?)`, f.Grids[1].ID, ids["shop"], at, at, failed, at); err != nil {
				t.Fatal(err)
			}
		}
		_, items = names(t, rs, "fire_safety", nil)
		if it := items[0]; it.LastRoundAt == nil || it.LastRoundAt.Day() != 11 || it.LastRoundFailed == nil || *it.LastRoundFailed != 1 {
			t.Errorf("fire_safety last check %v, failed %v; want 2026-04-11 with 1 failed", it.LastRoundAt, it.LastRoundFailed)
		}

		// A grid leader's scope: the second grid only.
		grid2 := roster.New(db, org.Scope{GridIDs: []int64{f.Grids[1].ID}})
		got, _ = names(t, grid2, "four_thirty", on("2026-09-01"))
		want(t, "four_thirty of grid 2", got, "赵八岁")
		got, _ = names(t, rs, "four_thirty", url.Values{"on": {"2026-09-01"}, "grid": {itoa(f.Grids[1].ID)}})
		want(t, "four_thirty ?grid=2", got, "赵八岁")
		if err := grid2.Check(context.Background(), roster.Query{GridID: f.Grids[0].ID}); !isField(err, "grid") {
			t.Errorf("grid out of scope: %v, want a field error on grid", err)
		}
	})
}

func TestCustomRosters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fixture(t, db)
		rs := roster.New(db, org.Everything)
		got, _ := names(t, rs, roster.People, url.Values{"age": {"60-"}, "on": {"2026-05-01"}, "sex": {"female"}})
		want(t, "women 60+", got, "李已检")
		got, _ = names(t, rs, roster.People, url.Values{"age": {"6-12"}, "on": {"2026-09-01"}, "ethnicity": {"01"}, "sex": {"male"}})
		want(t, "boys 6-12", got, "王十二", "王七岁")
		got, _ = names(t, rs, roster.Households, url.Values{"kind": {"commercial"}})
		want(t, "shops", got, "兴旺小卖部")

		for _, c := range []struct{ name, param, value string }{
			{roster.People, "age", "12-6"}, {roster.People, "age", "0-3,4-6"}, {roster.People, "sex", "x"},
			{roster.People, "ethnicity", "火星族"}, {roster.People, "on", "2026-13-01"}, {roster.People, "kind", "commercial"},
			{roster.Households, "colour", "blue"}, {roster.Households, "grid", "abc"}, {"elderly_checkup", "age_from", "200"},
		} {
			_, err := roster.Parse(c.name, url.Values{c.param: {c.value}}, day("2026-05-01"))
			if !isField(err, c.param) {
				t.Errorf("%s?%s=%s: %v, want a field error on %s", c.name, c.param, c.value, err, c.param)
			}
		}
		q, _ := roster.Parse(roster.People, url.Values{"tag": {"no_such_tag"}}, day("2026-05-01"))
		if err := rs.Check(context.Background(), q); !isField(err, "tag") {
			t.Errorf("unknown tag: %v", err)
		}
		if _, err := roster.Parse("nope", nil, day("2026-05-01")); err != apperr.ErrNotFound {
			t.Errorf("unknown roster: %v", err)
		}
	})
}

func TestSavedRosters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var uid int64
		if err := db.QueryRowContext(ctx, `INSERT INTO users(username, display_name, password_hash, created_at, password_changed_at)
			VALUES ('u1', 'U', 'x', ?, ?) RETURNING id`, time.Now().UTC(), time.Now().UTC()).Scan(&uid); err != nil {
			t.Fatal(err)
		}
		sv := roster.NewSaves(db)
		x, err := sv.Save(ctx, uid, " 女性老人 ", roster.People, url.Values{"age": {"60-"}, "sex": {"female"}, "page": {"2"}})
		if err != nil {
			t.Fatal(err)
		}
		if x.Name != "女性老人" || x.Path() != "/rosters/people?age=60-&sex=female" {
			t.Errorf("saved %q at %s", x.Name, x.Path())
		}
		if _, err := sv.Save(ctx, uid, "女性老人", roster.People, nil); !isField(err, "name") {
			t.Errorf("duplicate name: %v", err)
		}
		if _, err := sv.Save(ctx, uid, "坏", roster.People, url.Values{"sex": {"x"}}); !isField(err, "sex") {
			t.Errorf("bad filter: %v", err)
		}
		list, err := sv.List(ctx, uid)
		if err != nil || len(list) != 1 || list[0].Filter["sex"] != "female" {
			t.Fatalf("list %+v %v", list, err)
		}
		if _, err := sv.Get(ctx, uid+1, x.ID); err != apperr.ErrNotFound {
			t.Errorf("another user's saved roster: %v", err)
		}
		if err := sv.Delete(ctx, uid, x.ID); err != nil {
			t.Fatal(err)
		}
		if err := sv.Delete(ctx, uid, x.ID); err != apperr.ErrNotFound {
			t.Errorf("deleted twice: %v", err)
		}
	})
}

func isField(err error, field string) bool {
	fe, ok := apperr.AsField(err)
	return ok && fe.Field == field
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
