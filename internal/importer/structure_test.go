package importer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"wanhu/internal/apperr"
	"wanhu/internal/audit"
	"wanhu/internal/auth"
	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
)

// structured runs a structure import of path with o's flags, the
// system's scope by default.
func structured(t *testing.T, db *store.DB, path string, o StructureOptions) *StructureReport {
	t.Helper()
	o.Path = path
	if !o.Scope.All && len(o.Scope.Paths) == 0 {
		o.Scope = org.Everything
	}
	rep, err := RunStructure(context.Background(), db, o)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// fixtureFile writes testworld.StructureWorkbook to a temporary file.
func fixtureFile(t *testing.T) string {
	t.Helper()
	path := tempFile(t, "东兴社区结构.xlsx")
	if err := testworld.StructureWorkbook(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// structureRows sums what a structure import may change, row by row.
func structureRows(t *testing.T, db *store.DB) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{
		`SELECT id, kind, name, number, COALESCE(leader_id, 0), phone, path FROM org_units ORDER BY id`,
		`SELECT id, name FROM compounds ORDER BY id`,
		`SELECT id, compound_id, grid_id, name FROM buildings ORDER BY id`,
		`SELECT id, COALESCE(grid_id, 0), name, role, phone, wechat, skills, languages, availability, active, version FROM team_members ORDER BY id`,
		`SELECT id, username, password_hash, COALESCE(team_member_id, 0), must_change_password FROM users ORDER BY id`,
		`SELECT user_id, role, org_unit_id FROM user_roles ORDER BY user_id, role, org_unit_id`,
		`SELECT id, grid_id, version FROM households ORDER BY id`,
		`SELECT COUNT(*) FROM ledger_events`,
	} {
		rows, err := db.QueryContext(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "%v\n", vals)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	return b.String()
}

func noStructureErrors(t *testing.T, rep *StructureReport) {
	t.Helper()
	if rep.ErrorsTotal != 0 {
		b, _ := json.MarshalIndent(rep.Errors, "", " ")
		t.Fatalf("errors: %s", b)
	}
}

// gridByNumber returns the active grid of number n.
func gridByNumber(t *testing.T, db *store.DB, n int) org.Grid {
	t.Helper()
	gs, err := org.Grids(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range gs {
		if g.Number == n {
			return g
		}
	}
	t.Fatalf("no grid %d", n)
	return org.Grid{}
}

// teamMember returns the member named name.
func teamMember(t *testing.T, db *store.DB, name string) org.TeamMember {
	t.Helper()
	ms, err := org.AllTeamMembers(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.Name == name {
			return m
		}
	}
	t.Fatalf("no team member %s", name)
	return org.TeamMember{}
}

// TestStructureWorkbook imports the messy structure workbook with
// accounts on both engines: its grids, places, team, leaders and
// departments arrive, each account has a one-time password that must be
// changed (the web session may only change it, the API refuses it), and
// a second import changes nothing.
func TestStructureWorkbook(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := fixture(t, db)
		path := fixtureFile(t)
		rep := structured(t, db, path, StructureOptions{Accounts: true, Log: audit.New(db), Entry: audit.Entry{Username: "test"}})
		noStructureErrors(t, rep)
		want := StructureReport{Grids: Counts{Created: 2, Updated: 2}, Compounds: Counts{Created: 1, Unchanged: 1},
			Buildings: Counts{Created: 5, Unchanged: 2}, Team: Counts{Created: 8}, Departments: Counts{Created: 3}}
		if !rep.Applied || rep.Grids != want.Grids || rep.Compounds != want.Compounds || rep.Buildings != want.Buildings ||
			rep.Team != want.Team || rep.Departments != want.Departments || rep.CommunityID != f.Community.ID {
			b, _ := json.Marshal(rep)
			t.Fatalf("report %s", b)
		}
		if !slices.Equal(rep.SkippedSheets, []string{"说明"}) || len(rep.Sheets) != 3 {
			t.Errorf("sheets %+v, skipped %v", rep.Sheets, rep.SkippedSheets)
		}
		g4 := gridByNumber(t, db, 4)
		if g4.Name != "东区网格" || g4.LeaderName != "刘洋" || gridByNumber(t, db, 3).LeaderName != "王强" ||
			gridByNumber(t, db, 1).LeaderName != "马学军" || gridByNumber(t, db, 2).LeaderName != "李娟" {
			t.Errorf("grid 4 %+v, leaders %s %s %s", g4, gridByNumber(t, db, 1).LeaderName, gridByNumber(t, db, 2).LeaderName, gridByNumber(t, db, 3).LeaderName)
		}
		places := map[string]int64{}
		cs, _ := org.Compounds(ctx, db)
		for _, c := range cs {
			for _, b := range c.Buildings {
				places[c.Name+" "+b.Name] = b.GridID
			}
		}
		g1, g3 := gridByNumber(t, db, 1).ID, gridByNumber(t, db, 3).ID
		for name, grid := range map[string]int64{"一化小区 1号楼": g1, "一化小区 2号楼": f.Grids[1].ID, "一化小区 3号楼": g1, "一化小区 4号楼": g1,
			"新华小区 1号楼": g3, "新华小区 2号楼": g3, "新华小区 3号楼": g4.ID} {
			if places[name] != grid {
				t.Errorf("%s in grid %d, want %d (%v)", name, places[name], grid, places)
			}
		}
		ma := teamMember(t, db, "马学军")
		if ma.GridID != g1 || ma.Role != org.RoleGridWorker || ma.WeChat != "mxj_grid1" || !slices.Equal(ma.Languages, []string{"bo"}) ||
			!slices.Equal(ma.Skills, []string{"政策解读", "矛盾调解"}) || !slices.Equal(ma.Availability, []string{"daytime", "evening"}) {
			t.Errorf("马学军 = %+v", ma)
		}
		if liu := teamMember(t, db, "刘洋"); liu.Phone != "13912340009" || liu.GridID != g4.ID || liu.Role != org.RoleCommunityStaff {
			t.Errorf("刘洋 = %+v", liu)
		}
		if zm := teamMember(t, db, "卓玛"); zm.GridID != 0 || zm.Role != org.RoleVolunteer || !slices.Equal(zm.Availability, []string{"weekend"}) {
			t.Errorf("卓玛 = %+v", zm)
		}
		if w := teamMember(t, db, "王强"); w.Role != org.RoleCommunityStaff || !slices.Equal(w.Availability, org.Availabilities) {
			t.Errorf("王强 = %+v", w)
		}
		depts, _ := org.Units(ctx, db, org.Department)
		parents := map[string]int64{}
		for _, d := range depts {
			parents[d.Name] = d.ParentID
		}
		if parents["区文体旅游科技局"] != f.District.ID || parents["韵家口镇派出所"] != f.Street.ID || parents["自来水公司"] != f.Street.ID {
			t.Errorf("departments %v", parents)
		}

		var names []string
		for _, a := range rep.Accounts {
			names = append(names, a.Username+":"+string(a.Role)+":"+a.DisplayName)
			if len(a.Password) != 14 || a.Existing || a.TeamMemberID == 0 {
				t.Errorf("account %+v", a)
			}
		}
		if want := []string{"g1-leader:grid_leader:马学军", "g2-leader:grid_leader:李娟", "g3-leader:grid_leader:王强",
			"g4-leader:grid_leader:刘洋", "g3-01:visitor:赵刚"}; !slices.Equal(names, want) {
			t.Errorf("accounts %v, want %v", names, want)
		}
		a := auth.NewStore(db)
		zhao := rep.Accounts[4]
		u, err := a.UserByUsername(ctx, "g3-01")
		if err != nil || !u.MustChangePassword || u.TeamMemberID != teamMember(t, db, "赵刚").ID ||
			!slices.Equal(u.Grants, []auth.Grant{{Role: auth.Visitor, OrgUnitID: g3, Path: u.Grants[0].Path}}) {
			t.Fatalf("g3-01 = %+v, %v", u, err)
		}
		if _, _, err := a.Login(ctx, "g3-01", zhao.Password, auth.API); !errors.Is(err, auth.ErrChangePassword) {
			t.Errorf("an API sign-in with the one-time password: %v", err)
		}
		_, sess, err := a.Login(ctx, "g3-01", zhao.Password, auth.Web)
		if err != nil || !sess.ChangePassword {
			t.Fatalf("a web sign-in with the one-time password: %+v, %v", sess, err)
		}
		if err := a.ChangePassword(ctx, "g3-01", zhao.Password, "my-own-password-2026", ""); err != nil {
			t.Fatal(err)
		}
		if _, sess, err := a.Login(ctx, "g3-01", "my-own-password-2026", auth.API); err != nil || sess.ChangePassword {
			t.Errorf("after the change: %+v, %v", sess, err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = 'user.add'`); n != 5 {
			t.Errorf("%d accounts in the audit log", n)
		}
		var detail string
		if err := db.QueryRowContext(ctx, `SELECT detail FROM audit_log WHERE action = 'import.structure'`).Scan(&detail); err != nil ||
			!strings.Contains(detail, "grids 2 created, 2 updated") || !strings.Contains(detail, "5 accounts made") || strings.Contains(detail, "1391234") {
			t.Errorf("the import's audit entry %q, %v", detail, err)
		}

		before := structureRows(t, db)
		again := structured(t, db, path, StructureOptions{Accounts: true})
		noStructureErrors(t, again)
		if again.Grids != (Counts{Unchanged: 4}) || again.Buildings != (Counts{Unchanged: 7}) || again.Compounds != (Counts{Unchanged: 2}) ||
			again.Team != (Counts{Unchanged: 7}) || again.Departments != (Counts{Unchanged: 3}) || len(again.Accounts) != 5 {
			b, _ := json.Marshal(again)
			t.Fatalf("the same workbook again: %s", b)
		}
		for _, a := range again.Accounts {
			if !a.Existing || a.Password != "" {
				t.Errorf("account again %+v", a)
			}
		}
		if after := structureRows(t, db); after != before {
			t.Errorf("the same workbook again changed the database:\n%s\n---\n%s", before, after)
		}
	})
}

// badStructure writes a structure workbook with a problem on most rows.
func badStructure(t *testing.T, path string) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	f.SetSheetName("Sheet1", "网格")
	for i, r := range [][]any{
		{"网格", "网格长", "小区", "楼栋", "房号范围"},
		{"第一网格", "马学军", "一化小区", "1号楼", "101-1302"},
		{"第二网格", "李娟", "一化小区", "1号楼", "1401-2602"},
		{"第二网格", "王五", nil, "5号楼"},
		{"第三网格", nil, "一化小区", "6-1号楼"},
		{"第三网格", nil, "一化小区", "7号楼", "2602-101"},
		{nil, nil, "新村"},
	} {
		set(t, f, "网格", cellName(0, i+1), r...)
	}
	f.NewSheet("队伍")
	for i, r := range [][]any{
		{"姓名", "身份", "网格", "电话", "语言", "可走访时间"},
		{"马学军", "网格员", 1, "13912340001", "藏语", "晚上"},
		{"马学军", "网格员", 1, "13912340001"},
		{"张三", "保安", 1, "13912340003"},
		{"李四", "网格员", "第九网格", "13912340004"},
		{"王六", "志愿者", nil, "1.39123E+10"},
		{"赵七", "志愿者", nil, "13912340007", "abc"},
		{"孙八", "党员", nil, nil, nil, "有空"},
		{"周九", "网格长"},
	} {
		set(t, f, "队伍", cellName(0, i+1), r...)
	}
	f.NewSheet("部门")
	for i, r := range [][]any{
		{"部门名称", "上级", "电话"},
		{"某局", "火星区"},
		{nil, "城东区", "0971-8000009"},
	} {
		set(t, f, "部门", cellName(0, i+1), r...)
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

// TestStructureProblems: every problem is reported on its cell (sheet,
// row, column, value with phones masked, code), a building given to two
// grids among them, and nothing of the workbook is written.
func TestStructureProblems(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fixture(t, db)
		path := tempFile(t, "坏.xlsx")
		badStructure(t, path)
		before := structureRows(t, db)
		rep := structured(t, db, path, StructureOptions{Accounts: true})
		if rep.Applied || structureRows(t, db) != before {
			t.Fatalf("a workbook with problems was applied: %+v", rep)
		}
		got := map[string]string{}
		for _, p := range rep.Errors {
			got[p.Sheet+"!"+p.Cell] = p.Code
			if strings.Contains(p.Value, "1391234") || strings.Contains(p.Message, "1391234") {
				t.Errorf("a full phone in %+v", p)
			}
		}
		want := map[string]string{
			"网格!E3": "building_split", "网格!B4": "leader_conflict", "网格!D5": "building_range", "网格!E6": "room_range",
			"网格!D7": "building_missing",
			"队伍!A3": "member_duplicate", "队伍!B4": "team_role", "队伍!C5": "grid_unknown", "队伍!D6": "phone_digits_lost",
			"队伍!E7": "team_language", "队伍!F8": "team_availability", "队伍!B9": "leader_grid_missing",
			"部门!B2": "parent_unknown", "部门!A3": "required",
		}
		for cell, code := range want {
			if got[cell] != code {
				t.Errorf("%s: %q, want %q", cell, got[cell], code)
			}
		}
		if len(rep.Errors) != len(want) {
			b, _ := json.MarshalIndent(rep.Errors, "", " ")
			t.Errorf("%d problems, want %d: %s", len(rep.Errors), len(want), b)
		}
		for _, p := range rep.Errors {
			if p.Code == "building_split" && (p.Row != 3 || p.Column != "房号范围" || p.Value != "1401-2602" || !strings.Contains(p.Message, "第一网格 on row 2")) {
				t.Errorf("the split %+v", p)
			}
		}
		for _, a := range rep.Accounts {
			if a.Password != "" {
				t.Errorf("a refused import shows a password: %+v", a)
			}
		}
	})
}

// TestStructureDryRun: a dry run reports what the import would do, the
// accounts' usernames without passwords, and writes nothing.
func TestStructureDryRun(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fixture(t, db)
		before := structureRows(t, db)
		rep := structured(t, db, fixtureFile(t), StructureOptions{Accounts: true, DryRun: true})
		noStructureErrors(t, rep)
		if rep.Applied || !rep.DryRun || rep.Grids.Created != 2 || rep.Team.Created != 8 || len(rep.Accounts) != 5 || structureRows(t, db) != before {
			t.Fatalf("dry run %+v", rep)
		}
		for _, a := range rep.Accounts {
			if a.Username == "" || a.Password != "" {
				t.Errorf("dry account %+v", a)
			}
		}
	})
}

// TestStructureScope: an administrator of another community cannot import
// into this one (answered as a community that does not exist); a
// community's administrator imports its grids and team but may not add
// departments, which hang above the community, and lists those that exist
// unchanged.
func TestStructureScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := fixture(t, db)
		other := org.Unit{Kind: org.Community, ParentID: f.Street.ID, Name: "西山社区"}
		if err := org.CreateUnit(ctx, db, &other); err != nil {
			t.Fatal(err)
		}
		path := fixtureFile(t)
		before := structureRows(t, db)
		stranger := org.Scope{Paths: []string{other.Path}}
		_, err := RunStructure(ctx, db, StructureOptions{Path: path, Scope: stranger, Community: f.Community.ID})
		_, missing := RunStructure(ctx, db, StructureOptions{Path: path, Scope: stranger, Community: 987654321})
		fe, ok := apperr.AsField(err)
		fm, _ := apperr.AsField(missing)
		if !ok || fm == nil || fe.Code != "community_unknown" || fe.Code != fm.Code || structureRows(t, db) != before {
			t.Fatalf("another community's administrator: %v (a missing community: %v)", err, missing)
		}

		mine := org.Scope{Paths: []string{f.Community.Path}}
		rep := structured(t, db, path, StructureOptions{Scope: mine})
		if rep.Applied || rep.ErrorsTotal != 3 || structureRows(t, db) != before {
			t.Fatalf("a community's administrator adding departments: %+v", rep.Errors)
		}
		for _, p := range rep.Errors {
			if p.Code != "department_scope" || p.Sheet != "部门" || p.Column != "上级（区/街道）" {
				t.Errorf("problem %+v", p)
			}
		}
		if rep := structured(t, db, path, StructureOptions{Community: f.Community.ID}); !rep.Applied {
			t.Fatalf("the system: %+v", rep.Errors)
		}
		rep = structured(t, db, path, StructureOptions{Scope: mine})
		noStructureErrors(t, rep)
		if rep.Departments != (Counts{Unchanged: 3}) {
			t.Errorf("the departments that exist, for the community's administrator: %+v", rep.Departments)
		}
	})
}

// TestStructureMovesBuilding: a building the workbook gives to another
// grid moves there with its households, each move a ledger event.
func TestStructureMovesBuilding(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := fixture(t, db)
		hs := household.NewStore(db)
		h, err := hs.CreateHousehold(ctx, household.Actor{Name: "test"}, household.Household{BuildingID: f.Buildings[1].ID, Unit: "1", Room: "101"},
			[]household.Person{{Name: "李建国", Gender: household.Male, BirthDate: day(t, "1980-07-01"), Relation: "householder"}})
		if err != nil {
			t.Fatal(err)
		}
		path := tempFile(t, "调整.xlsx")
		w := excelize.NewFile()
		set(t, w, "Sheet1", "A1", "网格", "小区", "楼栋")
		set(t, w, "Sheet1", "A2", "1", "一化", "2")
		if err := w.SaveAs(path); err != nil {
			t.Fatal(err)
		}
		rep := structured(t, db, path, StructureOptions{Actor: household.Actor{Name: "管理员"}})
		noStructureErrors(t, rep)
		if rep.Buildings != (Counts{Updated: 1}) || rep.HouseholdsMoved != 1 || rep.Grids != (Counts{Unchanged: 1}) {
			t.Fatalf("report %+v", rep)
		}
		got, err := hs.HouseholdByID(ctx, h.ID)
		if err != nil || got.GridID != f.Grids[0].ID {
			t.Fatalf("the household %+v, %v", got, err)
		}
		var actor string
		if err := db.QueryRowContext(ctx, `SELECT actor FROM ledger_events WHERE household_id = ? AND field = 'grid_id'`, h.ID).Scan(&actor); err != nil ||
			actor != "管理员（导入 调整.xlsx）" {
			t.Errorf("the move's ledger event: %q, %v", actor, err)
		}
	})
}

// TestStructureCSV: a CSV file is one sheet of the workbook, here the team.
func TestStructureCSV(t *testing.T) {
	db := storetest.SQLite(t)
	fixture(t, db)
	path := tempFile(t, "队伍.csv")
	if err := os.WriteFile(path, []byte("\ufeff姓名,身份,网格,电话\n马学军,网格员,第一网格,13912340001\n卓玛,志愿者,,\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	rep := structured(t, db, path, StructureOptions{})
	noStructureErrors(t, rep)
	if rep.Team != (Counts{Created: 2}) || len(rep.Sheets) != 1 || rep.Sheets[0].Kind != "team" {
		t.Fatalf("report %+v", rep)
	}
}

// TestStructureCells reads the cells of a structure workbook as clerks
// fill them in.
func TestStructureCells(t *testing.T) {
	for _, c := range []struct {
		in     string
		role   org.Role
		leader bool
		bad    bool
	}{{"网格员", org.RoleGridWorker, false, false}, {" 网格长 ", org.RoleCommunityStaff, true, false}, {"物业", org.RolePropertyStaff, false, false},
		{"volunteer", org.RoleVolunteer, false, false}, {"社区两委", org.RoleCommunityStaff, false, false}, {"保安", "", false, true}} {
		role, leader, err := readTeamRole(c.in)
		if role != c.role || leader != c.leader || (err != nil) != c.bad {
			t.Errorf("readTeamRole(%q) = %q %v %v", c.in, role, leader, err)
		}
	}
	for in, want := range map[string]string{"普通话、藏语": "bo", "藏语,英语,藏文": "bo en", "撒拉语": "other", "": "", "手语；蒙语": "sign mn", "xyz": "!"} {
		got, err := readLanguages(in)
		if s := strings.Join(got, " "); err != nil && want != "!" || err == nil && s != want {
			t.Errorf("readLanguages(%q) = %v %v", in, got, err)
		}
	}
	for in, want := range map[string]string{"工作日白天、晚上": "daytime evening", "周末": "weekend", "随时": "daytime evening weekend",
		"工作日晚上": "daytime evening", "evening": "evening", "": "", "有空": "!"} {
		got, err := readAvailability(in)
		if s := strings.Join(got, " "); err != nil && want != "!" || err == nil && s != want {
			t.Errorf("readAvailability(%q) = %v %v", in, got, err)
		}
	}
	for in, want := range map[string]string{"1-3号楼": "1号楼 2号楼 3号楼", "1号楼、5号楼": "1号楼 5号楼", "2~3栋": "2栋 3栋", "7": "7",
		"第1至2幢": "1幢 2幢", "1#-2#": "1# 2#", "9-1号楼": "!", "1-500号楼": "!"} {
		got, err := readBuildings(in)
		if s := strings.Join(got, " "); err != nil && want != "!" || err == nil && s != want {
			t.Errorf("readBuildings(%q) = %v %v", in, got, err)
		}
	}
	for in, ok := range map[string]bool{"101-2602": true, "101～１３０２": true, "全部": true, "101-602、701-1302": true, "1302": true,
		"2602-101": false, "一楼": false} {
		if err := readRooms(in); (err == nil) != ok {
			t.Errorf("readRooms(%q) = %v", in, err)
		}
	}
}

func day(t *testing.T, s string) calendar.Date {
	t.Helper()
	d, err := calendar.ParseDate("", s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestStructureNotStructure: a workbook of households has the columns of
// a grids sheet (网格, 小区, 楼栋, 房号) but is not one: its sheets are
// skipped and the import refused; an old .xls workbook or a broken file
// is an input error on the file, naming it.
func TestStructureNotStructure(t *testing.T) {
	db := storetest.SQLite(t)
	fixture(t, db)
	path := tempFile(t, "登记表.xlsx")
	messyWorkbook(t, path)
	before := structureRows(t, db)
	rep := structured(t, db, path, StructureOptions{})
	if rep.Applied || len(rep.Sheets) != 0 || len(rep.SkippedSheets) != 2 || rep.ErrorsTotal != 1 || rep.Errors[0].Code != "no_structure" ||
		structureRows(t, db) != before {
		t.Fatalf("a household workbook: %+v", rep)
	}
	for name, code := range map[string]string{"旧.xls": "workbook_xls", "坏.xlsx": "workbook_unreadable"} {
		p := tempFile(t, name)
		os.WriteFile(p, []byte("PK\x03\x04 not a zip"), 0o600)
		_, err := RunStructure(context.Background(), db, StructureOptions{Path: p, Name: name, Scope: org.Everything})
		if fe, ok := apperr.AsField(err); !ok || fe.Field != "file" || fe.Code != code || !strings.Contains(fe.Msg, name) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestStructureGridByName: a grid the workbook names only by its usual
// name (第五网格) is grid 5, not the next free number.
func TestStructureGridByName(t *testing.T) {
	db := storetest.SQLite(t)
	fixture(t, db)
	path := tempFile(t, "网格.xlsx")
	w := excelize.NewFile()
	set(t, w, "Sheet1", "A1", "网格名称", "小区", "楼栋")
	set(t, w, "Sheet1", "A2", "第五网格", "一化小区", "5号楼")
	set(t, w, "Sheet1", "A3", "东区网格", "一化小区", "6号楼")
	if err := w.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	rep := structured(t, db, path, StructureOptions{})
	noStructureErrors(t, rep)
	if g := gridByNumber(t, db, 5); g.Name != "第五网格" || rep.Grids.Created != 2 {
		t.Errorf("grid 5 = %+v, report %+v", g, rep.Grids)
	}
	if g := gridByNumber(t, db, 6); g.Name != "东区网格" {
		t.Errorf("the next free number: %+v", g)
	}
}

// TestStructureUploads: an upload is its uploader's, for an hour; an
// expired one is gone from the database.
func TestStructureUploads(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u, err := auth.NewStore(db).CreateUser(ctx, "admin", "", "dongxing-2025")
		if err != nil {
			t.Fatal(err)
		}
		other, err := auth.NewStore(db).CreateUser(ctx, "admin2", "", "dongxing-2025")
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		tok, err := SaveUpload(ctx, db, u.ID, "结构.xlsx", []byte("data"), now)
		if err != nil {
			t.Fatal(err)
		}
		if name, data, err := Upload(ctx, db, u.ID, tok, now.Add(59*time.Minute)); err != nil || name != "结构.xlsx" || string(data) != "data" {
			t.Fatalf("the upload: %q %q %v", name, data, err)
		}
		if _, _, err := Upload(ctx, db, other.ID, tok, now); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("another user's upload: %v", err)
		}
		if _, _, err := Upload(ctx, db, u.ID, tok, now.Add(61*time.Minute)); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("an expired upload: %v", err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM structure_uploads`); n != 0 {
			t.Errorf("%d expired uploads kept", n)
		}
	})
}
