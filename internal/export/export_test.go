package export

import (
	"bytes"
	"encoding/csv"
	"net/http/httptest"
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
	w, err := Download(rec, XLSX, "四点半课堂", "2026-11-29", cols)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if got := rec.Header().Get("Content-Disposition"); got != `attachment; filename*=utf-8''%E5%9B%9B%E7%82%B9%E5%8D%8A%E8%AF%BE%E5%A0%82-2026-11-29.xlsx` {
		t.Errorf("Content-Disposition = %q", got)
	}
	if _, err := excelize.OpenReader(rec.Body); err != nil {
		t.Errorf("the download is not an xlsx file: %v", err)
	}
}
