package importer

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"wanhu/internal/audit"
	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
)

// imported runs an import of path with o's flags, the system's scope by
// default.
func imported(t *testing.T, db *store.DB, path string, o Options) *Report {
	t.Helper()
	o.Path = path
	if !o.Scope.All && len(o.Scope.Paths) == 0 {
		o.Scope = org.Everything
	}
	rep, err := Run(context.Background(), db, o)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// files returns every household in full (ExportFull), by address.
func files(t *testing.T, db *store.DB) map[string]*household.Household {
	t.Helper()
	out := map[string]*household.Household{}
	_, _, err := household.NewStore(db).ExportFull(context.Background(), audit.New(db), audit.Entry{Username: "test"},
		func(h *household.Household) error {
			c := *h
			out[h.Address] = &c
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func count(t *testing.T, db *store.DB, q string) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(context.Background(), q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func member(t *testing.T, h *household.Household, name string) household.Person {
	t.Helper()
	if h == nil {
		t.Fatalf("no household for %s", name)
	}
	for _, p := range h.Members {
		if p.Name == name {
			return p
		}
	}
	t.Fatalf("%s is not a member of %s: %+v", name, h.Address, h.Members)
	return household.Person{}
}

func fixture(t *testing.T, db *store.DB) *testworld.Org {
	t.Helper()
	f, err := testworld.NewOrg(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func noErrors(t *testing.T, rep *Report) {
	t.Helper()
	if rep.ErrorsTotal != 0 {
		t.Fatalf("errors: %+v", rep.Errors)
	}
}

// TestMessyWorkbook imports a workbook as a community keeps it and finds
// exactly its households; a second import of the same file changes
// nothing.
func TestMessyWorkbook(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fixture(t, db)
		path := tempFile(t, "登记表.xlsx")
		messyWorkbook(t, path)
		rep := imported(t, db, path, Options{})
		noErrors(t, rep)
		if rep.Households != 4 || rep.Persons != 7 || rep.Created != 4 || !rep.Applied {
			t.Fatalf("report %+v", rep)
		}
		hs := files(t, db)
		h := hs["一化小区 1号楼 1单元 101室"]
		wang := member(t, h, "王建国")
		if want, _ := household.ParseIDNumber("", wangID15, calendar.Date{}); wang.IDNumber != want.Number || len(wang.IDNumber) != 18 ||
			wang.BirthDate.String() != "1955-01-01" || wang.Gender != household.Male || wang.Ethnicity != "汉族" ||
			wang.Phone != "13912345678" || wang.Relation != "householder" {
			t.Errorf("王建国 = %+v", wang)
		}
		if li := member(t, h, "李秀英"); li.IDNumber != liID || li.BirthDate.String() != "1956-03-04" || li.Relation != "spouse" || li.Gender != household.Female {
			t.Errorf("李秀英 = %+v", li)
		}
		h = hs["一化小区 1号楼 1单元 202室"]
		zhang := member(t, h, "张桂兰")
		if zhang.Dibao != "dibao" || !slices.Contains(zhang.Tags, "living_alone_elderly") || zhang.Ethnicity != "回族" ||
			zhang.BirthDate.String() != "1940-05-06" || zhang.Phone != "0971-8123456" || h.Colour != household.Red {
			t.Errorf("张桂兰 = %+v in %+v", zhang, h)
		}
		h = hs["一化小区 1号楼 S01室"]
		if member(t, h, "赵志强"); h.Kind != household.Commercial || h.ShopName != "兴隆超市" || h.GridName != "第一网格" {
			t.Errorf("shop = %+v", h)
		}
		h = hs["一化小区 2号楼 2单元 301室"]
		member(t, h, "刘洋")
		member(t, h, "陈静")
		if kid := member(t, h, "刘小宝"); kid.BirthDate.String() != "2020-05-06" || kid.Relation != "child" {
			t.Errorf("刘小宝 = %+v", kid)
		}
		if h.GridName != "第二网格" || h.MemberCount != 3 || h.Householder != "刘洋" {
			t.Errorf("2号楼 301 = %+v", h)
		}
		var actor string
		if err := db.QueryRowContext(context.Background(), `SELECT actor FROM ledger_events ORDER BY id LIMIT 1`).Scan(&actor); err != nil || actor != "导入 登记表.xlsx" {
			t.Errorf("the ledger's actor is %q (%v), not the import", actor, err)
		}
		ledger := count(t, db, `SELECT COUNT(*) FROM ledger_events`)
		again := imported(t, db, path, Options{})
		noErrors(t, again)
		if again.Unchanged != 4 || again.Created+again.Updated != 0 || count(t, db, `SELECT COUNT(*) FROM ledger_events`) != ledger {
			t.Fatalf("a second import of the same file: %+v, ledger %d → %d", again, ledger, count(t, db, `SELECT COUNT(*) FROM ledger_events`))
		}
	})
}

// TestBadWorkbook: every problem is reported on its cell, nothing is
// written, no full number is repeated; --partial applies the rest; the
// report's copy of the workbook marks and comments each bad cell.
func TestBadWorkbook(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fixture(t, db)
		path := tempFile(t, "bad.xlsx")
		badWorkbook(t, path)
		rep := imported(t, db, path, Options{})
		if rep.Applied || count(t, db, `SELECT COUNT(*) FROM households`) != 0 || count(t, db, `SELECT COUNT(*) FROM ledger_events`) != 0 {
			t.Fatalf("a file with errors was applied: %+v", rep)
		}
		for _, want := range badRows {
			if !slices.ContainsFunc(rep.Errors, func(p Problem) bool {
				return p.Row == want.row && p.Code == want.code && p.Column == want.column && p.Sheet == "Sheet1"
			}) {
				t.Errorf("row %d: no %s on %s in %+v", want.row, want.code, want.column, rep.Errors)
			}
		}
		if rep.ErrorsTotal != len(badRows) {
			t.Errorf("%d errors, want %d: %+v", rep.ErrorsTotal, len(badRows), rep.Errors)
		}
		for _, p := range rep.Errors {
			for _, s := range []string{p.Message, p.Value} {
				if len(s) >= 15 && strings.ContainsAny(s, "0123456789") && strings.Contains(s, "630105") {
					t.Errorf("row %d repeats a number: %q", p.Row, s)
				}
			}
		}
		out := tempFile(t, "report.xlsx")
		w, err := os.Create(out)
		if err != nil {
			t.Fatal(err)
		}
		if err := WriteReport(path, rep, nil, w); err != nil {
			t.Fatal(err)
		}
		w.Close()
		checkMarked(t, out, "Sheet1", rep)

		part := imported(t, db, path, Options{Partial: true})
		if !part.Applied || part.Created != 3 || count(t, db, `SELECT COUNT(*) FROM households`) != 3 {
			t.Fatalf("partial: %+v", part)
		}
	})
}

// checkMarked checks that the report workbook at path has the file's rows
// and each problem's cell filled and commented.
func checkMarked(t *testing.T, path, sheet string, rep *Report) {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if v, _ := f.GetCellValue(sheet, "A1"); v == "" {
		t.Errorf("the report's %s lacks the file's rows", sheet)
	}
	comments, err := f.GetComments(sheet)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range rep.Errors {
		style, err := f.GetCellStyle(sheet, p.Cell)
		if err != nil {
			t.Fatal(err)
		}
		s, err := f.GetStyle(style)
		if err != nil || len(s.Fill.Color) == 0 || s.Fill.Color[0] != "FFC7CE" {
			t.Errorf("%s is not highlighted (%+v, %v)", p.Cell, s, err)
		}
		if !slices.ContainsFunc(comments, func(c excelize.Comment) bool { return c.Cell == p.Cell && strings.Contains(commentText(c), p.Message) }) {
			t.Errorf("%s has no comment %q", p.Cell, p.Message)
		}
	}
}

func commentText(c excelize.Comment) string {
	s := c.Text
	for _, r := range c.Paragraph {
		s += r.Text
	}
	return s
}

// TestDryRun checks everything and writes nothing, not even the places it
// would create.
func TestDryRun(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fixture(t, db)
		path := tempFile(t, "p.csv")
		os.WriteFile(path, []byte("姓名,与户主关系,小区,楼栋,房号,网格,出生日期,性别\n吴芳,户主,新华小区,5号楼,101,2,1960-01-01,女\n"), 0o600)
		rep := imported(t, db, path, Options{DryRun: true, CreatePlaces: true})
		noErrors(t, rep)
		if rep.Applied || rep.Created != 1 || !slices.Equal(rep.NewPlaces, []string{"新华小区", "新华小区 5号楼"}) {
			t.Fatalf("dry run: %+v", rep)
		}
		if count(t, db, `SELECT COUNT(*) FROM households`)+count(t, db, `SELECT COUNT(*) FROM compounds WHERE name = '新华小区'`) != 0 {
			t.Fatal("a dry run wrote")
		}
	})
}

// TestCreatePlaces: an unknown compound or building is an error, unless
// --create-places, which creates them in the household's grid.
func TestCreatePlaces(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := fixture(t, db)
		path := tempFile(t, "p.csv")
		os.WriteFile(path, []byte("姓名,与户主关系,小区,楼栋,房号,网格,出生日期,性别\n吴芳,户主,新华小区,5号楼,101,第二网格,1960-01-01,女\n"), 0o600)
		rep := imported(t, db, path, Options{})
		if rep.Applied || len(rep.Errors) != 1 || rep.Errors[0].Code != "compound_unknown" || rep.Errors[0].Column != "小区" {
			t.Fatalf("unknown compound: %+v", rep)
		}
		rep = imported(t, db, path, Options{CreatePlaces: true})
		noErrors(t, rep)
		h := files(t, db)["新华小区 5号楼 101室"]
		if h == nil || h.GridID != f.Grids[1].ID {
			t.Fatalf("created in %+v", h)
		}
	})
}

// TestGBKCSV reads a CSV file saved by Chinese Excel (GBK, no byte-order
// mark).
func TestGBKCSV(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fixture(t, db)
		path := tempFile(t, "住户.csv")
		gbkCSV(t, path)
		rep := imported(t, db, path, Options{Partial: true})
		if rep.Encoding != "gb18030" || rep.Created != 1 || len(rep.Errors) != 1 || rep.Errors[0].Row != 3 || rep.Errors[0].Code != "required" {
			t.Fatalf("report %+v", rep)
		}
		sun := member(t, files(t, db)["一化小区 2号楼 3单元 501室"], "孙丽华")
		if sun.IDNumber != sunID || sun.Ethnicity != "藏族" || sun.Phone != "13711112222" {
			t.Fatalf("孙丽华 = %+v", sun)
		}
		// The report of a CSV file is a workbook of its rows, decoded.
		out := tempFile(t, "report.xlsx")
		w, err := os.Create(out)
		if err != nil {
			t.Fatal(err)
		}
		if err := WriteReport(path, rep, nil, w); err != nil {
			t.Fatal(err)
		}
		w.Close()
		checkMarked(t, out, "住户", rep)
	})
}

// TestMappingSaved: a header mapped by the user is read as its field, and
// the mapping is saved for the community and used by its next import.
func TestMappingSaved(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fixture(t, db)
		path := tempFile(t, "m.csv")
		write := func(phone string) {
			os.WriteFile(path, []byte("序号,姓名,与户主关系,小区,楼栋,房号,身份证号,户主电话\n1,孙丽华,户主,一化小区,2号楼,501,"+sunID+","+phone+"\n"), 0o600)
		}
		write("13711112222")
		m, err := ReadMapping(strings.NewReader(`{"户主电话": "phone", "序号": ""}`))
		if err != nil {
			t.Fatal(err)
		}
		rep := imported(t, db, path, Options{Mapping: m})
		noErrors(t, rep)
		if !slices.Contains(rep.Columns, Column{Sheet: "m.csv", Header: "户主电话", Field: "phone"}) {
			t.Errorf("columns %+v", rep.Columns)
		}
		write("13799998888")
		rep = imported(t, db, path, Options{})
		noErrors(t, rep)
		if rep.Updated != 1 || member(t, files(t, db)["一化小区 2号楼 501室"], "孙丽华").Phone != "13799998888" {
			t.Fatalf("the saved mapping was not used: %+v", rep)
		}
		if _, err := ReadMapping(strings.NewReader(`{"户主电话": "phon"}`)); err == nil || !strings.Contains(err.Error(), "phon") {
			t.Errorf("an unknown field in a mapping: %v", err)
		}
	})
}

// TestRegisteredElsewhere: a householder's ID number that belongs to a
// household outside the importer's scope says only that it is
// registered elsewhere.
func TestRegisteredElsewhere(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := fixture(t, db)
		other := org.Unit{Kind: org.Community, ParentID: f.Street.ID, Name: "东盛社区"}
		grid := org.Unit{Kind: org.GridKind, Name: "第一网格", Number: 1}
		if err := org.CreateUnit(ctx, db, &other); err != nil {
			t.Fatal(err)
		}
		grid.ParentID = other.ID
		if err := org.CreateUnit(ctx, db, &grid); err != nil {
			t.Fatal(err)
		}
		if _, err := household.NewStore(db).CreateHousehold(ctx, household.Actor{Name: "t"}, household.Household{GridID: grid.ID, Address: "东盛路1号"},
			[]household.Person{{Name: "孙丽华", IDNumber: sunID, Relation: "householder"}}); err != nil {
			t.Fatal(err)
		}
		path := tempFile(t, "p.csv")
		os.WriteFile(path, []byte("姓名,与户主关系,小区,楼栋,房号,身份证号\n孙丽华,户主,一化小区,2号楼,501,"+sunID+"\n"), 0o600)
		rep := imported(t, db, path, Options{Scope: org.Scope{Paths: []string{f.Community.Path}, Reveal: true}, Community: f.Community.ID})
		if len(rep.Errors) != 1 || rep.Errors[0].Code != "id_registered" || strings.Contains(rep.Errors[0].Message, "东盛") {
			t.Fatalf("report %+v", rep)
		}
	})
}
