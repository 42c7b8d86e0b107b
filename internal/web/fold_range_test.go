package web

import (
	"bytes"
	"html/template"
	"testing"
	"text/template/parse"
)

type methodOption struct{ Label string }

func (methodOption) Value() string { return "m" }

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
	foldRanges(f, fastEscapers(f))
	ranges := 0
	for _, n := range f.Lookup("page").Tree.Root.Nodes {
		if _, ok := n.(*parse.RangeNode); ok {
			ranges++
		}
	}
	if ranges != 3 { // the variables' two and the else's
		t.Errorf("%d ranges left in %s, want 3", ranges, f.Lookup("page").Tree.Root)
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
	foldRanges(g, fastEscapers(g))
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
