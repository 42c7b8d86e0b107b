package household_test

import (
	"context"
	"slices"
	"testing"

	"wanhu/internal/household"
	"wanhu/internal/household/householdtest"
	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// searchWorld is the widow (王秀兰, 一化小区 1号楼 2单元 302, phone
// …5678), the family (李建国 and 张丽, 2号楼 1单元 101, 张丽's phone
// …2222), a household outside any building at "南山路 12号" whose
// phone is a landline, and one at 1号楼 1单元 302 to tell units apart.
type searchWorld struct {
	widow, family, street, neighbour int64
	visitor                          org.Scope
	grid1                            org.Scope
}

func newSearchWorld(t *testing.T, ctx context.Context, db *store.DB) (*household.Store, searchWorld) {
	t.Helper()
	var w searchWorld
	s, o := setup(t, db)
	mk := func(h household.Household, ms []household.Person) int64 {
		t.Helper()
		got, err := s.CreateHousehold(ctx, clerk, h, ms)
		if err != nil {
			t.Fatal(err)
		}
		return got.ID
	}
	w.widow = mk(householdtest.Widow(o))
	fh, fm := householdtest.Family(o)
	fm[1].Phone = "137-0000-2222"
	w.family = mk(fh, fm)
	w.street = mk(household.Household{GridID: o.Grids[0].ID, Address: "南山路 12号", Phone: "0971-8123456"},
		[]household.Person{{Name: "马明", Relation: "householder", BirthDate: mustDate("1970-01-01"), Gender: household.Male}})
	w.neighbour = mk(household.Household{BuildingID: o.Buildings[0].ID, Unit: "1", Room: "302"},
		[]household.Person{{Name: "王立红", Relation: "householder", BirthDate: mustDate("1970-01-01"), Gender: household.Female}})
	member := org.TeamMember{CommunityID: o.Community.ID, GridID: o.Grids[1].ID, Name: "志愿者", Role: org.RoleVolunteer}
	if err := org.CreateTeamMember(ctx, db, &member); err != nil {
		t.Fatal(err)
	}
	if err := s.Assign(ctx, member.ID, w.family); err != nil {
		t.Fatal(err)
	}
	w.visitor = org.Scope{MemberID: member.ID}
	w.grid1 = org.Scope{GridIDs: []int64{o.Grids[0].ID}}
	return s, w
}

// found returns the ids of the households s finds for q, sorted.
func found(t *testing.T, ctx context.Context, s *household.Store, q string) []int64 {
	t.Helper()
	list, total, err := s.List(ctx, household.Filter{Q: q})
	if err != nil {
		t.Fatalf("search %q: %v", q, err)
	}
	if total != len(list) {
		t.Errorf("search %q: total %d, %d listed", q, total, len(list))
	}
	var ids []int64
	for _, h := range list {
		ids = append(ids, h.ID)
	}
	slices.Sort(ids)
	return ids
}

func TestSearchForms(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, w := newSearchWorld(t, ctx, db)
		for q, want := range searchCases(w) {
			slices.Sort(want)
			if got := found(t, ctx, s, q); !slices.Equal(got, want) {
				t.Errorf("search %q: %v, want %v", q, got, want)
			}
		}
		searchEdits(t, ctx, s, w)
	})
}

// searchCases are searches in every form and what they find in w.
func searchCases(w searchWorld) map[string][]int64 {
	return map[string][]int64{
		// Addresses, with or without spaces, in every form.
		"一化小区1号楼":        {w.widow, w.neighbour},
		"一化小区 1号楼":       {w.widow, w.neighbour},
		"一化1号楼":          {w.widow, w.neighbour},
		"1号楼2单元302":      {w.widow},
		"1号楼 2单元 302":    {w.widow},
		"一化小区1号楼2单元302室": {w.widow},
		"1-2-302":        {w.widow},
		"１－２－３０２":        {w.widow},
		"1-1-302":        {w.neighbour},
		"1栋":             {w.widow, w.neighbour},
		"1幢2单元":          {w.widow},
		"2栋1单元101":       {w.family},
		"2-101":          {w.family},
		"11号楼":           nil,
		"3号楼":            nil,
		"新华小区1号楼":        nil,
		"南山路12号":         {w.street},
		"南山路 12号":        {w.street},
		"一化小区":           {w.widow, w.family, w.neighbour},
		// The last four digits of a mobile phone, the household's or a
		// member's; a landline's are not searchable (its mask shows two).
		"5678": {w.widow},
		"2222": {w.family},
		"3456": nil,
		// Names by pinyin, whole or by initials, as a contact list.
		"wxl":          {w.widow},
		"WXL":          {w.widow},
		"wangxiulan":   {w.widow},
		"wang xiu lan": {w.widow},
		"wangx":        {w.widow},
		"wl":           {w.neighbour},
		"w":            {w.widow, w.neighbour},
		"ljg":          {w.family},
		"zl":           {w.family},
		"zhangli":      {w.family},
		"mm":           {w.street},
		"xyz":          nil,
		// What worked before still does.
		"王秀":                     {w.widow},
		householdtest.WidowPhone: {w.widow},
	}
}

// searchEdits checks that searches follow edits of w: a member renamed, a
// phone changed.
func searchEdits(t *testing.T, ctx context.Context, s *household.Store, w searchWorld) {
	t.Helper()
	// Results still show masked phones.
	list, _, _ := s.List(ctx, household.Filter{Q: "5678"})
	if len(list) != 1 || list[0].Phone != "139****5678" {
		t.Errorf("last-four search shows %+v, want the masked phone", list)
	}

	// A renamed member is found by the new name's pinyin only.
	fam, err := s.HouseholdByID(ctx, w.family)
	if err != nil {
		t.Fatal(err)
	}
	p := fam.Members[1]
	p.Name, p.Phone = "赵丽", "13700003333"
	if _, err := s.UpdatePerson(ctx, clerk, p); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string][]int64{"zhaoli": {w.family}, "zhangli": nil, "3333": {w.family}, "2222": nil} {
		if got := found(t, ctx, s, q); !slices.Equal(got, want) {
			t.Errorf("after the edit, search %q: %v, want %v", q, got, want)
		}
	}
	// A household's new phone is found by its last four digits.
	h, _ := s.HouseholdByID(ctx, w.neighbour)
	h.Phone = "15811119999"
	if _, err := s.UpdateHousehold(ctx, clerk, *h); err != nil {
		t.Fatal(err)
	}
	if got := found(t, ctx, s, "9999"); !slices.Equal(got, []int64{w.neighbour}) {
		t.Errorf("search 9999 after the edit: %v", got)
	}
}

// TestSearchStaysInScope checks that a search by the last four digits or
// by pinyin finds only the reader's households.
func TestSearchStaysInScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, w := newSearchWorld(t, ctx, db)
		for _, c := range []struct {
			who   string
			scope org.Scope
			q     string
			want  []int64
		}{
			{"visitor", w.visitor, "5678", nil},
			{"visitor", w.visitor, "wxl", nil},
			{"visitor", w.visitor, "wangxiulan", nil},
			{"visitor", w.visitor, "1-2-302", nil},
			{"visitor", w.visitor, "2222", []int64{w.family}},
			{"visitor", w.visitor, "ljg", []int64{w.family}},
			{"grid 1 leader", w.grid1, "2222", nil},
			{"grid 1 leader", w.grid1, "zl", nil},
			{"grid 1 leader", w.grid1, "5678", []int64{w.widow}},
			{"grid 1 leader", w.grid1, "w", []int64{w.widow, w.neighbour}},
		} {
			if got := found(t, ctx, s.In(c.scope), c.q); !slices.Equal(got, c.want) {
				t.Errorf("%s searching %q: %v, want %v", c.who, c.q, got, c.want)
			}
		}
	})
}

// TestFillSearchForms checks that the search forms of rows written before
// they existed are derived once, and that imports (SyncBatch) write them.
func TestFillSearchForms(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, w := newSearchWorld(t, ctx, db)
		// As a database of the version before.
		for _, q := range []string{`UPDATE persons SET name_pinyin = NULL, name_initials = NULL, phone_tail_hash = NULL`,
			`UPDATE households SET phone_tail_hash = NULL`} {
			if _, err := db.ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		if got := found(t, ctx, s, "wxl"); got != nil {
			t.Fatalf("wxl found %v before the forms are filled", got)
		}
		n, err := household.FillSearchForms(ctx, db, 2)
		if err != nil || n != 8 { // 5 persons, 3 households with a phone
			t.Fatalf("filled %d rows, %v; want 8", n, err)
		}
		for q, want := range map[string][]int64{"wxl": {w.widow}, "5678": {w.widow}, "2222": {w.family}, "zhangli": {w.family}} {
			if got := found(t, ctx, s, q); !slices.Equal(got, want) {
				t.Errorf("after filling, search %q: %v, want %v", q, got, want)
			}
		}
		if n, err := household.FillSearchForms(ctx, db, 0); n != 0 || err != nil {
			t.Errorf("second fill: %d rows, %v; want none (the mark)", n, err)
		}

		// An import writes them with the rows.
		_, errs, err := s.SyncBatch(ctx, clerk, []household.Incoming{{
			Household: household.Household{GridID: w.grid1.GridIDs[0], Address: "东兴路 8号", Phone: "18900004321"},
			Members:   []household.Person{{Name: "钱老板", Relation: "householder", BirthDate: mustDate("1970-01-01"), Gender: household.Male, Phone: "18900008765"}},
			Fields:    map[string]bool{"grid_id": true, "address": true, "phone": true}, Householder: 0,
			MemberFields: map[string]bool{"name": true, "relation": true, "birth_date": true, "gender": true, "phone": true},
		}})
		if err != nil || errs[0] != nil {
			t.Fatal(err, errs)
		}
		for _, q := range []string{"qlb", "qianlaoban", "4321", "8765", "东兴路8号"} {
			if got := found(t, ctx, s, q); len(got) != 1 {
				t.Errorf("imported household by %q: %v", q, got)
			}
		}
	})
}
