package web

import (
	"bytes"
	"errors"
	"html/template"
	"strings"
	"testing"
	"text/template/parse"

	"wanhu/internal/auth"
)

type methodOption struct{ Label string }

func (methodOption) Value() string { return "m" }

// foldRow is a row of TestFoldRangeBodies: fields, promoted fields, a
// method, a method with an error, and a nested list.
type foldRow struct {
	foldInner
	ID     int64
	Name   string
	Status string
	Kind   string
	Count  int
	Tags   []string
	Ptr    *foldInner
	Any    any
	Fails  bool
	Flag   bool
}

type foldInner struct{ Note string }

func (r foldRow) Upper() string { return strings.ToUpper(r.Name) }

func (r foldRow) Boom() string {
	if r.Count == 99 {
		panic("boom")
	}
	return ""
}

func (r *foldRow) Checked() (bool, error) {
	if r.Fails {
		return false, errors.New("checked: failed")
	}
	return r.Count > 1, nil
}

// TestFoldRanges: a range of text, printed fields or elements and {{if
// .Field}} runs in Go and prints what text/template prints, escapes and
// all, for empty, nil, pointed-to and special-character lists; a range
// that does more stays a range; an element whose "field" is a method is
// an error, not another text.
func TestFoldRanges(t *testing.T) {
	src := `{{define "page"}}<select>{{range .Opts}}<option value="{{.Value}}"{{if .Selected}} selected{{end}}>{{.Label}}</option>{{end}}</select>` +
		`<a href="/x/{{range .Tags}}{{.}}/{{end}}">{{range .Tags}}<span title="{{.}}">{{.}}</span>{{end}}</a>` +
		`{{range .Ptr}}<i>{{.Label}}</i>{{end}}` +
		`{{range $i, $o := .Opts}}{{$i}}{{end}}{{range .Opts}}{{$.Title}}{{end}}{{range .Tags}}x{{else}}none{{end}}{{end}}`
	type view struct {
		Opts  []Option
		Tags  []string
		Ptr   *[]Option
		Title string
	}
	parse1 := func() *template.Template { return template.Must(template.New("t").Funcs(funcs).Parse(src)) }
	f := parse1()
	if err := escapeNow(f); err != nil {
		t.Fatal(err)
	}
	foldRanges(f, fastEscapers(f), "")
	ranges := 0
	for _, n := range f.Lookup("page").Tree.Root.Nodes {
		if _, ok := n.(*parse.RangeNode); ok {
			ranges++
		}
	}
	if ranges != 1 { // the variables'
		t.Errorf("%d ranges left in %s, want 1", ranges, f.Lookup("page").Tree.Root)
	}
	opts := []Option{{Value: "a", Label: "甲"}, {Value: `<"&'>`, Label: "<b>&amp;</b>", Selected: true}, {Value: "a b+c", Label: "+"}}
	for _, v := range []view{
		{},
		{Opts: []Option{}, Tags: []string{}},
		{Opts: opts, Tags: []string{"a", "b c", "<&>", "%2F", "javascript:x"}, Ptr: &opts, Title: "<t>"},
	} {
		var plain, folded bytes.Buffer
		perr, ferr := parse1().ExecuteTemplate(&plain, "page", v), f.ExecuteTemplate(&folded, "page", v)
		if (perr == nil) != (ferr == nil) || (v.Ptr == nil) != (perr != nil) {
			t.Errorf("errors: unfolded %v, folded %v", perr, ferr)
		}
		if plain.String() != folded.String() {
			t.Errorf("folded %q, unfolded %q", folded.String(), plain.String())
		}
	}
	// Another kind of list is ranged by text/template: a method of the
	// element's type (which it calls), an embedded struct's field, a nil
	// embedded pointer (an error), a map's values, elements behind
	// pointers or interfaces.
	g := template.Must(template.New("t").Funcs(funcs).Parse(`{{define "page"}}{{range .}}<option value="{{.Value}}">{{.Label}}</option>{{end}}{{end}}`))
	if err := escapeNow(g); err != nil {
		t.Fatal(err)
	}
	foldRanges(g, fastEscapers(g), "")
	type embedded struct{ Option }
	type embeddedPtr struct{ *Option }
	for _, data := range []any{
		[]methodOption{{Label: "<x>"}},
		[]embedded{{Option{Value: "v", Label: "l&"}}},
		[]embeddedPtr{{&Option{Value: "v", Label: "l"}}, {}},
		map[string]Option{"b": {Value: "2", Label: "二"}, "a": {Value: "1", Label: "一"}},
		[]*Option{{Value: "p", Label: "<p>"}},
		[]any{Option{Value: "i", Label: "i"}, methodOption{Label: "m"}},
		[]map[string]string{{"Value": "mv", "Label": "ml"}},
	} {
		var plain, folded bytes.Buffer
		p := template.Must(template.New("t").Funcs(funcs).Parse(`{{define "page"}}{{range .}}<option value="{{.Value}}">{{.Label}}</option>{{end}}{{end}}`))
		perr, ferr := p.ExecuteTemplate(&plain, "page", data), g.ExecuteTemplate(&folded, "page", data)
		if (perr == nil) != (ferr == nil) || perr == nil && plain.String() != folded.String() {
			t.Errorf("%T: folded %q (%v), unfolded %q (%v)", data, folded.String(), ferr, plain.String(), perr)
		}
		if _, isPtr := data.([]embeddedPtr); isPtr != (perr != nil) {
			t.Errorf("%T: error %v", data, perr)
		}
	}
}

// TestFoldRangeBodies: a range whose body calls a template, tests with
// if/else, not, and, or, eq and ne, reads nested and promoted fields and
// methods, ranges again and reads $ runs in Go and prints what
// text/template prints; one that meets what it does not know (a function
// call under an if, a map, a nil pointer, a method's error) hands the
// range back to text/template, which prints the same or fails the same.
func TestFoldRangeBodies(t *testing.T) {
	src := `{{define "row"}}<tr id="r-{{.ID}}"><td title="{{$.Name}}">{{.Name}}{{if .Status}} <span>{{.Status}}</span>{{else}}—{{end}}</td>` +
		`<td>{{if eq .Kind "a"}}A{{else if ne .Kind "b"}}{{.Kind}}{{end}}{{if eq .Count 2}} two{{end}}</td>` +
		`<td>{{if or .Status .Note}}{{.Note}}{{end}}{{if and .Name (not .Tags)}} bare{{end}}{{with .Ptr}}<i>{{.Note}}</i>{{else}}-{{end}}</td>` +
		`<td>{{range .Tags}}<b>{{.}}</b> {{else}}none{{end}}</td><td>{{.Upper}}{{.Boom}}{{if .Checked}} ✓{{end}}{{if .Any}}{{.Any}}{{end}}</td>` +
		`{{if .Flag}}{{printf "%d!" .Count}}{{end}}</tr>{{end}}` +
		`{{define "page"}}<table>{{range .Rows}}{{template "row" .}}{{else}}<tr><td>{{$.Title}}</td></tr>{{end}}</table>` +
		`<p>{{range .Rows}}{{if $.Edit}}<a href="/r/{{.ID}}">{{$.Title}}</a>{{end}}{{end}}</p>{{end}}`
	type view struct {
		Rows  any
		Title string
		Edit  bool
	}
	parse1 := func() *template.Template { return template.Must(template.New("t").Funcs(funcs).Parse(src)) }
	f := parse1()
	if err := escapeNow(f); err != nil {
		t.Fatal(err)
	}
	folds := foldRanges(f, fastEscapers(f), "")
	for _, n := range f.Lookup("page").Tree.Root.Nodes {
		if _, ok := n.(*parse.RangeNode); ok {
			t.Errorf("a range left unfolded in %s", f.Lookup("page").Tree.Root)
		}
	}
	rows := []foldRow{
		{ID: 1, Name: "甲", Status: "<x>", Kind: "a", Count: 2, Tags: []string{"t1", "<&>"}, Ptr: &foldInner{Note: "n&"}},
		{ID: 2, Name: "b\"", Kind: "c", Count: 1, foldInner: foldInner{Note: "promoted"}, Any: "any<"},
		{ID: 3, Kind: "b", Tags: []string{}, Any: 7},
	}
	check := func(what string, v view, wantFast bool) {
		t.Helper()
		slow := func() (n int64) {
			for _, fo := range folds {
				n += fo.slowRan.Load()
			}
			return n
		}
		before := slow()
		var plain, folded bytes.Buffer
		perr, ferr := parse1().ExecuteTemplate(&plain, "page", v), f.ExecuteTemplate(&folded, "page", v)
		if (perr == nil) != (ferr == nil) || plain.String() != folded.String() {
			t.Errorf("%s: folded %q (%v), unfolded %q (%v)", what, folded.String(), ferr, plain.String(), perr)
		}
		if handedBack := slow() != before; handedBack == wantFast {
			t.Errorf("%s: handed back to text/template: %v", what, handedBack)
		}
	}
	check("rows", view{Rows: rows, Title: "<T>", Edit: true}, true)
	check("pointer to rows", view{Rows: &rows, Title: "T"}, true)
	check("no rows", view{Rows: []foldRow{}, Title: "<none>"}, true)
	check("nil", view{Title: "nil"}, true)
	check("a function under an if", view{Rows: []foldRow{{ID: 9, Count: 6, Flag: true}}}, false)
	check("a method's error", view{Rows: []foldRow{{ID: 9, Fails: true}}}, false)
	check("a method that panics", view{Rows: []foldRow{{ID: 9, Count: 99}}}, false)
	check("a map", view{Rows: map[string]foldRow{"a": rows[0]}}, false)
	check("interfaces", view{Rows: []any{&rows[1], &rows[0]}}, true)
	check("a method of the address of a value in an interface", view{Rows: []any{rows[1]}}, false)
	check("a nil pointer", view{Rows: []*foldRow{&rows[0], nil}}, false)
}

// TestFoldCalls: in a folded range, can of a user and an action and a
// translation with arguments ($.L.T "key" .N) run in Go and print what
// text/template prints, for a user who may, one who may not and none; a
// key the locale lacks, a receiver that is not a locale and a user of
// another type hand the range back, which prints the same.
func TestFoldCalls(t *testing.T) {
	c, err := LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	src := `{{define "page"}}<ul>{{range .Rows}}<li title="{{$.L.T "visit.overdue_days" .Count}}">` +
		`{{if can $.User "visits.record"}}{{$.L.T "rounds.failed_n" .Name}}{{else}}-{{end}}` +
		`{{if and .Flag (can $.User "households.read")}} r{{end}}{{if $.Other}}{{$.L.T "no.such_key" 1}}{{end}}</li>{{end}}</ul>{{end}}`
	type view struct {
		L     *Locale
		User  any
		Rows  []foldRow
		Other bool
	}
	parse1 := func() *template.Template { return template.Must(template.New("t").Funcs(funcs).Parse(src)) }
	f := parse1()
	if err := escapeNow(f); err != nil {
		t.Fatal(err)
	}
	folds := foldRanges(f, fastEscapers(f), "")
	if len(folds) != 1 {
		t.Fatalf("%d folds, want 1: %s", len(folds), f.Lookup("page").Tree.Root)
	}
	rows := []foldRow{{Name: "<甲>", Count: 3, Flag: true}, {Name: "b&", Count: 0}}
	visitor := &auth.User{Username: "v", Grants: []auth.Grant{{Role: auth.Visitor}}}
	for _, tc := range []struct {
		what     string
		v        view
		wantFast bool
	}{
		{"a visitor, in English", view{L: c.Locale("en"), User: visitor, Rows: rows}, true},
		{"a visitor, in Chinese", view{L: c.Locale("zh-CN"), User: visitor, Rows: rows}, true},
		{"no user", view{L: c.Locale("en"), User: (*auth.User)(nil), Rows: rows}, true},
		{"a disabled user", view{L: c.Locale("en"), User: &auth.User{Disabled: true, Grants: visitor.Grants}, Rows: rows}, true},
		{"a user that is not one", view{L: c.Locale("en"), User: "admin", Rows: rows}, false},
		{"a key the locale lacks", view{L: c.Locale("en"), User: visitor, Rows: rows, Other: true}, false},
	} {
		before := folds[0].slowRan.Load()
		var plain, folded bytes.Buffer
		perr, ferr := parse1().ExecuteTemplate(&plain, "page", tc.v), f.ExecuteTemplate(&folded, "page", tc.v)
		if (perr == nil) != (ferr == nil) || plain.String() != folded.String() {
			t.Errorf("%s: folded %q (%v), unfolded %q (%v)", tc.what, folded.String(), ferr, plain.String(), perr)
		}
		if handedBack := folds[0].slowRan.Load() != before; handedBack == tc.wantFast {
			t.Errorf("%s: handed back to text/template: %v", tc.what, handedBack)
		}
	}
}
