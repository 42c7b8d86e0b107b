package web

import (
	"bytes"
	"html/template"
	"runtime"
	"strings"
	"testing"
)

// TestFoldOutReused: a fold prints from a buffer that is used again, not
// from a string made for each run: the page is the same as text/template's
// run after run, also after a run in which the fold handed back having
// printed part of its rows, and a run allocates far less than it prints.
func TestFoldOutReused(t *testing.T) {
	src := `{{define "page"}}<ul>{{range .Rows}}<li id="r{{.ID}}">{{.Name}}{{if .Flag}}{{printf "%d!" .Count}}{{end}}</li>{{end}}</ul>{{end}}`
	parse1 := func() *template.Template { return template.Must(template.New("t").Funcs(funcs).Parse(src)) }
	f := parse1()
	if err := escapeNow(f); err != nil {
		t.Fatal(err)
	}
	folds := foldRanges(f, fastEscapers(f), "")
	if len(folds) == 0 {
		t.Fatal("nothing folded")
	}
	type view struct{ Rows []foldRow }
	rows := func(n int, flagAt int) view {
		var v view
		for i := range n {
			v.Rows = append(v.Rows, foldRow{ID: int64(i), Name: strings.Repeat("名", i%7+1), Count: i, Flag: i == flagAt})
		}
		return v
	}
	var out bytes.Buffer
	render := func(v view) string {
		t.Helper()
		var plain bytes.Buffer
		if err := parse1().ExecuteTemplate(&plain, "page", v); err != nil {
			t.Fatal(err)
		}
		out.Reset()
		if err := f.ExecuteTemplate(&out, "page", v); err != nil {
			t.Fatal(err)
		}
		if out.String() != plain.String() {
			t.Fatalf("folded %q, want %q", out.String(), plain.String())
		}
		return out.String()
	}
	for _, v := range []view{rows(3, -1), rows(50, 40), rows(2, -1), rows(50, 49), rows(0, -1), rows(200, -1), rows(1, -1)} {
		render(v)
	}
	if n := folds[0].slowRan.Load(); n != 2 {
		t.Errorf("the fold handed back %d times, want 2", n)
	}
	if raceOn {
		t.Skip("the pages above were checked; allocations are not: under -race sync.Pool drops some of what is put back, on purpose")
	}
	long := rows(200, -1)
	size := len(render(long))
	least := uint64(1 << 62)
	var m runtime.MemStats
	for range 20 {
		runtime.ReadMemStats(&m)
		before := m.TotalAlloc
		out.Reset()
		if err := f.ExecuteTemplate(&out, "page", long); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&m)
		least = min(least, m.TotalAlloc-before)
	}
	if least > uint64(size/4) {
		t.Errorf("a run allocated at least %d bytes for a page of %d", least, size)
	}
}
