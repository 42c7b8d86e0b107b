package export

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"io"
	"mime"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

var cols = []Column{{Header: "姓名", Width: 10}, {Header: "年龄"}, {Header: "登记时间", Width: 18}, {Header: "低保"}}

func writeAll(t *testing.T, w Writer) {
	t.Helper()
	at := time.Date(2026, 8, 31, 16, 30, 0, 0, time.UTC) // 00:30 on 1 September in Beijing
	for _, row := range [][]any{{"张三", 7, at, true}, {"=SUM(A1)", -3, nil, false}} {
		if err := w.Row(row...); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestXLSX(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewXLSX(&buf, "四点半课堂", cols)
	if err != nil {
		t.Fatal(err)
	}
	writeAll(t, w)
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatalf("not an xlsx file: %v", err)
	}
	defer f.Close()
	rows, err := f.GetRows("四点半课堂")
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"姓名", "年龄", "登记时间", "低保"}, {"张三", "7", "2026-09-01 00:30", "是"}, {"=SUM(A1)", "-3"}}
	if len(rows) != 3 || strings.Join(rows[0], "|") != strings.Join(want[0], "|") ||
		strings.Join(rows[1], "|") != strings.Join(want[1], "|") || strings.Join(rows[2][:2], "|") != strings.Join(want[2], "|") {
		t.Errorf("rows = %q, want %q", rows, want)
	}
	if formula, _ := f.GetCellFormula("四点半课堂", "A3"); formula != "" {
		t.Errorf("A3 is a formula %q, want text", formula)
	}
	panes, err := f.GetPanes("四点半课堂")
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("panes = %+v, %v; want the header row frozen", panes, err)
	}
	if width, _ := f.GetColWidth("四点半课堂", "A"); width != 10 {
		t.Errorf("width of A = %v, want 10", width)
	}
	if width, _ := f.GetColWidth("四点半课堂", "B"); width != 12 {
		t.Errorf("width of B = %v, want the default 12", width)
	}
}

func TestCSV(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewCSV(&buf, cols)
	if err != nil {
		t.Fatal(err)
	}
	writeAll(t, w)
	if !bytes.HasPrefix(buf.Bytes(), []byte("\xEF\xBB\xBF")) {
		t.Fatalf("no byte-order mark: %q", buf.Bytes()[:8])
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := "姓名,年龄,登记时间,低保;张三,7,2026-09-01 00:30,是;'=SUM(A1),-3,,否"
	var got []string
	for _, r := range recs {
		got = append(got, strings.Join(r, ","))
	}
	if strings.Join(got, ";") != want {
		t.Errorf("csv = %q, want %q", strings.Join(got, ";"), want)
	}
}

func TestFormatOf(t *testing.T) {
	for _, c := range []struct {
		url, accept string
		want        Format
		bad         bool
	}{
		{"/x", "", JSON, false},
		{"/x?format=xlsx", "", XLSX, false},
		{"/x?format=csv", xlsxType, CSV, false},
		{"/x", "text/csv", CSV, false},
		{"/x", xlsxType, XLSX, false},
		{"/x?format=pdf", "", "", true},
	} {
		r := httptest.NewRequest("GET", c.url, nil)
		r.Header.Set("Accept", c.accept)
		got, err := FormatOf(r)
		if got != c.want || (err != nil) != c.bad {
			t.Errorf("FormatOf(%s, Accept %q) = %q, %v", c.url, c.accept, got, err)
		}
	}
}

func TestDownloadName(t *testing.T) {
	rec := httptest.NewRecorder()
	w, err := Download(rec, XLSX, "低保/低保边缘复核名单", "roster-dibao_review", "2026-11-29", cols)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	want := `attachment; filename="roster-dibao_review-2026-11-29.xlsx"; filename*=UTF-8''` +
		url.PathEscape("低保、低保边缘复核名单") + "-2026-11-29.xlsx"
	if got := rec.Header().Get("Content-Disposition"); got != want {
		t.Errorf("Content-Disposition = %q, want %q", got, want)
	}
	_, params, err := mime.ParseMediaType(rec.Header().Get("Content-Disposition"))
	if err != nil || params["filename"] != "低保、低保边缘复核名单-2026-11-29.xlsx" {
		t.Errorf("a client reads the name as %q (%v)", params["filename"], err)
	}
	f, err := excelize.OpenReader(rec.Body)
	if err != nil {
		t.Fatalf("the download is not an xlsx file: %v", err)
	}
	defer f.Close()
	if got := f.GetSheetList(); len(got) != 1 || got[0] != "低保、低保边缘复核名单" {
		t.Errorf("sheets %q, want the file's name", got)
	}
	rec = httptest.NewRecorder()
	if _, err := Download(rec, CSV, "统计-人口", "", "2026-11-29", cols); err != nil {
		t.Fatal(err)
	}
	if got := rec.Header().Get("Content-Disposition"); !strings.HasPrefix(got, `attachment; filename="download-2026-11-29.csv"; filename*=UTF-8''%E7%BB%9F`) {
		t.Errorf("without an ASCII name: %q", got)
	}
}

func TestNames(t *testing.T) {
	for in, want := range map[string]string{
		"四点半课堂名单": "四点半课堂名单", "a/b\\c": "a、b、c", "x:y*z?[1]": "x_y_z__1_", "'引号'": "引号", "": "Sheet1",
		strings.Repeat("长", 40): strings.Repeat("长", 31),
	} {
		if got := SheetName(in); got != want {
			t.Errorf("SheetName(%q) = %q, want %q", in, got, want)
		}
	}
	if got := FileName(`统计:年龄/性别 "2026"|<>` + "\n"); got != `统计_年龄、性别 _2026_____` {
		t.Errorf("FileName = %q", got)
	}
	if got := Disposition("名单.csv", "roster \"x\"\\.csv"); got != `attachment; filename="roster x.csv"; filename*=UTF-8''%E5%90%8D%E5%8D%95.csv` {
		t.Errorf("Disposition = %q", got)
	}
}

// dimension returns the dimension ref of the first sheet of an xlsx file.
func dimension(t *testing.T, file []byte) string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(file), int64(len(file)))
	if err != nil {
		t.Fatal(err)
	}
	r, err := z.Open("xl/worksheets/sheet1.xml")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`<dimension ref="([^"]*)"`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("no dimension in %.300s", b)
	}
	return string(m[1])
}

// TestXLSXDimension: the sheet declares the extent of what it holds, which
// readers that trust it (openpyxl read-only) go by.
func TestXLSXDimension(t *testing.T) {
	for _, c := range []struct {
		rows [][]any
		want string
	}{
		{nil, "A1:D1"},
		{[][]any{{"张三", 7, 1.5, "x"}, {"李四"}}, "A1:D3"},
		{[][]any{{1, 2, 3, 4, 5, 6}}, "A1:F2"}, // a row wider than the header
	} {
		var buf bytes.Buffer
		w, err := NewXLSX(&buf, "名单", cols)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range c.rows {
			if err := w.Row(r...); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if got := dimension(t, buf.Bytes()); got != c.want {
			t.Errorf("%d rows: dimension %q, want %q", len(c.rows), got, c.want)
		}
	}
	// Many rows: all of them come back, each cell as written.
	var buf bytes.Buffer
	w, err := NewXLSX(&buf, "名单", cols)
	if err != nil {
		t.Fatal(err)
	}
	const n = 5000
	for i := range n {
		if err := w.Row("居民"+strconv.Itoa(i), i, float64(i)/4, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if got := dimension(t, buf.Bytes()); got != "A1:D5001" {
		t.Errorf("dimension %q, want A1:D5001", got)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("名单")
	if err != nil || len(rows) != n+1 || strings.Join(rows[n], "|") != "居民4999|4999|1249.75" {
		t.Errorf("%d rows (%v), last %q", len(rows), err, rows[len(rows)-1])
	}
	if v, _ := f.GetCellType("名单", "B3"); v != excelize.CellTypeNumber && v != excelize.CellTypeUnset {
		t.Errorf("B3 is of type %v, want a number", v)
	}
}
