package importer

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"wanhu/internal/org"
	"wanhu/internal/store/storetest"
)

// TestReadPreview: the preview of the messy workbook finds each sheet's
// header (the merged one under a title too), says what each column is read as, with
// the mapping over it, and shows the first rows with no ID or phone
// number in full, in a column not recognised either.
func TestReadPreview(t *testing.T) {
	path := tempFile(t, "messy.xlsx")
	messyWorkbook(t, path)
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// A column the importer does not know, holding phone numbers, and a
	// sheet without a header.
	f.SetCellValue("2号楼", "J1", "户主手机")
	f.SetCellValue("2号楼", "J2", "13912345678")
	f.SetCellValue("2号楼", "K1", "健康状况")
	f.SetCellValue("2号楼", "K2", "高血压")
	f.NewSheet("说明")
	f.SetCellValue("说明", "A1", "填表说明：身份证号 630105199001011234 请设为文本")
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	p, err := ReadPreview(path, Mapping{"民族": Ignore}, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Sheets) != 3 {
		t.Fatalf("%d sheets", len(p.Sheets))
	}
	one, two, notes := p.Sheets[0], p.Sheets[1], p.Sheets[2]
	// The merged two-row header of 1号楼 reads whole on its lower row.
	if one.HeaderRow != 4 || two.HeaderRow != 1 || notes.HeaderRow != 0 {
		t.Errorf("header rows %d, %d, %d; want 4 (under a title and the header's upper row), 1 and 0 (none)", one.HeaderRow, two.HeaderRow, notes.HeaderRow)
	}
	read := map[string]PreviewColumn{}
	for _, c := range append(one.Columns, two.Columns...) {
		if _, ok := read[c.Header]; !ok {
			read[c.Header] = c
		}
	}
	for header, want := range map[string]PreviewColumn{
		"小区":     {Letter: "D", Field: "compound", Known: true},
		"民族":     {Field: "", Known: true},
		"户主手机":   {Letter: "J", Field: "", Known: false},
		"公民身份号码": {Letter: "F", Field: "id_number", Known: true},
	} {
		got, ok := read[header]
		if !ok || got.Field != want.Field || got.Known != want.Known || want.Letter != "" && got.Letter != want.Letter {
			t.Errorf("column %s: %+v, want %+v", header, got, want)
		}
	}
	if len(one.Rows) != 3 || one.Rows[0].Row != 5 || len(one.Rows[0].Cells) != len(one.Columns) {
		t.Errorf("the rows of 1号楼: %+v", one.Rows)
	}
	all := ""
	for _, s := range p.Sheets {
		for _, r := range s.Rows {
			all += strings.Join(r.Cells, " ") + "\n"
		}
	}
	if m := regexp.MustCompile(`\d{11,}|\d\.\d{9,}`).FindString(all); m != "" {
		t.Errorf("the preview shows %s in full:\n%s", m, all)
	}
	if strings.Contains(all, "高血压") {
		t.Errorf("the preview shows a health note:\n%s", all)
	}
	for _, want := range []string{"王建国", "139****5678", "63****************", "填表说明", "***"} {
		if !strings.Contains(all, want) {
			t.Errorf("the preview lacks %q:\n%s", want, all)
		}
	}
}

// TestProgressUnknown: a workbook written by a program that leaves its
// sheets' dimension at A1 (excelize does) has an unknown fraction while
// it is read, not 1 at once.
func TestProgressUnknown(t *testing.T) {
	db := storetest.SQLite(t)
	fixture(t, db)
	path := tempFile(t, "many.xlsx")
	f := excelize.NewFile()
	set(t, f, "Sheet1", "A1", "姓名", "出生日期", "小区", "楼栋", "房号")
	for i := 2; i < 1200; i++ {
		set(t, f, "Sheet1", cellName(0, i), "张三", "1990-01-02", "一化小区", "1号楼", i)
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	f.Close()
	var seen []Progress
	if _, err := Run(context.Background(), db, Options{Path: path, DryRun: true, Progress: func(p Progress) { seen = append(seen, p) },
		Scope: org.Everything}); err != nil {
		t.Fatal(err)
	}
	if len(seen) < 3 {
		t.Fatalf("progress %v", seen)
	}
	for _, p := range seen[:len(seen)-1] {
		if p.Fraction != 0 {
			t.Errorf("at row %d the fraction is %v, want 0 (unknown)", p.Rows, p.Fraction)
		}
	}
	if last := seen[len(seen)-1]; last.Fraction != 1 {
		t.Errorf("at the end the fraction is %v", last.Fraction)
	}
}
