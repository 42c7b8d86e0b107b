package importer

import (
	"testing"

	"wanhu/internal/apperr"
)

func code(err error) string {
	if fe, ok := apperr.AsField(err); ok {
		return fe.Code
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

func TestReadDate(t *testing.T) {
	for _, c := range []struct {
		in     string
		serial bool
		want   string
		code   string
	}{
		{"1990-01-02", false, "1990-01-02", ""},
		{"1990/1/2", false, "1990-01-02", ""},
		{"1990.1.2", false, "1990-01-02", ""},
		{"19900102", false, "1990-01-02", ""},
		{"1990年1月2日", false, "1990-01-02", ""},
		{"１９９０年１月２日", false, "1990-01-02", ""},
		{"199〇-01-02", false, "1990-01-02", ""},
		{"1990-01-02 00:00:00", false, "1990-01-02", ""},
		{"32875", true, "1990-01-02", ""},
		{"20090", true, "1955-01-01", ""},
		{"32875", false, "", "date_format"},
		{"1990-02-30", false, "", "date_invalid"},
		{"1890-01-01", false, "", "date_range"},
		{"2200/1/1", false, "", "date_range"},
		{"1990.01", false, "", "date_format"},
		{"", false, "", ""},
	} {
		d, err := readDate("birth_date", c.in, c.serial)
		if d.String() != c.want || code(err) != c.code {
			t.Errorf("readDate(%q, %v) = %s, %v; want %s, %s", c.in, c.serial, d, err, c.want, c.code)
		}
	}
}

func TestReadIDNumber(t *testing.T) {
	for _, c := range []struct{ in, want, code string }{
		{"630105195501011234", "630105195501011234", ""},
		{fullWidth("630105195501011234"), "630105195501011234", ""},
		{" 63010519550101123x ", "63010519550101123X", ""},
		{"63010519550101O234", "630105195501010234", ""},
		{"1.30105E+17", "", "id_digits_lost"},
		{"6.30105199001011E+17", "", "id_digits_lost"},
		{"630105550101123", "630105550101123", ""}, // upgraded by household.ParseIDNumber
		{"", "", ""},
	} {
		got, err := readIDNumber(c.in)
		if got != c.want || code(err) != c.code {
			t.Errorf("readIDNumber(%q) = %q, %v; want %q, %s", c.in, got, err, c.want, c.code)
		}
	}
}

func TestCells(t *testing.T) {
	if got := cleanCode("王\u00a0秀兰 "); got != "王秀兰" {
		t.Errorf("cleanCode = %q", got)
	}
	if got := cleanCode("John  Smith"); got != "John Smith" {
		t.Errorf("cleanCode = %q", got)
	}
	if got := cleanText("腿脚不便，需上门\u200b"); got != "腿脚不便，需上门" {
		t.Errorf("cleanText = %q (free text keeps its punctuation)", got)
	}
	if got := cleanDigits("2〇1"); got != "201" {
		t.Errorf("cleanDigits = %q", got)
	}
	if got := cleanDigits("Oak"); got != "Oak" {
		t.Errorf("cleanDigits(Oak) = %q", got)
	}
	for in, want := range map[string]int{"3": 3, "第3网格": 3, "第三网格": 3, "三": 3, "十二": 12, "第十一网格": 11, "二十": 20} {
		if n, _ := readGrid(in); n != want {
			t.Errorf("readGrid(%q) = %d, want %d", in, n, want)
		}
	}
	for in, want := range map[string]bool{"是": true, "√": true, "Y": true, "否": false, "": false, "×": false} {
		if got, err := readYesNo("x", in); got != want || err != nil {
			t.Errorf("readYesNo(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := readYesNo("x", "也许"); code(err) != "yes_no" {
		t.Errorf("readYesNo(也许) = %v", err)
	}
	for in, want := range map[string]string{"户主": "householder", "本人": "householder", "妻": "spouse", "长子": "child", "孙女": "grandchild", "儿媳/女婿": "child_in_law"} {
		if got, err := relations.read(in); got != want || err != nil {
			t.Errorf("relation %q = %q, %v", in, got, err)
		}
	}
	if _, err := relations.read("邻居"); code(err) != "one_of" {
		t.Errorf("relation 邻居: %v", err)
	}
	for in, want := range map[string][2]any{"肢体二级": {"physical", 2}, "视力残疾1级": {"visual", 1}, "精神/四级": {"mental", 4}, "": {"", 0}} {
		kind, grade, err := readDisability(in)
		if kind != want[0] || grade != want[1] || err != nil {
			t.Errorf("readDisability(%q) = %s %d %v", in, kind, grade, err)
		}
	}
	if got := buildingKey("一号楼"); got != buildingKey("1栋") || got != "1" {
		t.Errorf("buildingKey = %q, %q", got, buildingKey("1栋"))
	}
}

func TestDetectEncoding(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string
	}{
		{"\xef\xbb\xbf姓名", "utf-8"},
		{"姓名,身份证号", "utf-8"},
		{"姓名,身份证号\xe5", "utf-8"},        // a character cut at the end of the sample
		{"\xd0\xd5\xc3\xfb", "gb18030"}, // 姓名 in GBK
	} {
		if got := detectEncoding([]byte(c.in)); got != c.want {
			t.Errorf("detectEncoding(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}

// TestDetectHeader finds a two-row header whose group title is written
// once (merged cells as a large file gives them, without their ranges),
// under a title row and a blank row.
func TestDetectHeader(t *testing.T) {
	rows := [][]string{
		{"东兴社区住户登记表"},
		{},
		{"序号", "姓名", "地址", "", "", "身份证号（18位）", "户主电话"},
		{"", "", "小区", "楼栋", "房号", "", ""},
		{"1", "王建国", "一化小区", "1号楼", "101", "630105195501011234", "13900001111"},
	}
	tb, ok := detectHeader(rows, Mapping{"户主电话": "household_phone"})
	if !ok || tb.rows != 2 || tb.first != 5 {
		t.Fatalf("header %+v", tb)
	}
	want := map[Field]int{Name: 1, Compound: 2, Building: 3, Room: 4, IDNumber: 5, HouseholdPhone: 6}
	for f, i := range want {
		if tb.byField[f] != i {
			t.Errorf("%s in column %d, want %d (%+v)", f, tb.byField[f], i, tb.columns)
		}
	}
	if len(tb.byField) != len(want) || tb.label(3) != "地址/楼栋" {
		t.Errorf("fields %v, label %q", tb.byField, tb.label(3))
	}
	if _, ok := detectHeader([][]string{{"说明"}, {"本表用于登记"}}, nil); ok {
		t.Error("a sheet of notes has a header")
	}
}

// TestExportHeadersRecognised: every header the export writes is read back
// as its field.
func TestExportHeadersRecognised(t *testing.T) {
	for _, h := range ExportHeaders() {
		f, ok := Mapping(nil).lookup(h)
		if !ok || f.Header() != h {
			t.Errorf("%s is read as %q", h, f)
		}
	}
}

// TestPlainIsClean checks cleanCode's shortcut: every string plain lets
// through is one the slow way leaves as it is, for every character of
// the Basic Multilingual Plane and beyond, alone and between others.
func TestPlainIsClean(t *testing.T) {
	passed := 0
	for r := rune(0); r < 0x20000; r++ {
		for _, s := range []string{string(r), "a" + string(r) + "1", "王" + string(r) + "兰"} {
			if plain(s) {
				passed++
				if got := foldCode(s); got != s {
					t.Fatalf("plain(%q) but cleanCode gives %q", s, got)
				}
			}
		}
	}
	if passed < 100_000 || plain("１２３") || plain(" a") || plain("a b") || plain("'123") {
		t.Errorf("plain passes %d strings, or passes one it must not", passed)
	}
}
