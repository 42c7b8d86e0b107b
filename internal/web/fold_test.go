package web

import (
	"bytes"
	"html/template"
	"testing"
	"text/template/parse"
)

// TestFoldConstants: a page's labels, its language and its assets become
// text, escaped for their context as html/template escaped the calls; what
// depends on the view stays an action; and the page prints the same.
func TestFoldConstants(t *testing.T) {
	c, err := LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	src := `{{define "page"}}<html lang="{{.L.Lang}}"><title>{{.L.T "app.name"}}</title>` +
		`<a title="{{$.L.T "action.save"}}" href="{{static "app.css"}}">{{.L.T "action.save"}}{{if .L.EN}}en{{end}} {{.Title}}</a>` +
		`<p>{{.L.T "tasks.due" "2026-06-01"}}</p>{{end}}`
	parse1 := func() *template.Template { return template.Must(template.New("t").Funcs(funcs).Parse(src)) }
	for _, lang := range Languages {
		l := c.Locale(lang)
		view := Page{L: l, Title: `<b>&</b>`}
		var plain, folded bytes.Buffer
		if err := parse1().ExecuteTemplate(&plain, "page", view); err != nil {
			t.Fatal(err)
		}
		f := parse1()
		for _, x := range f.Templates() {
			if x.Tree != nil {
				foldConstants(x.Tree.Root, l)
			}
		}
		if err := escapeNow(f); err != nil {
			t.Fatal(err)
		}
		for _, x := range f.Templates() {
			if x.Tree != nil {
				foldPrinted(x.Tree.Root)
			}
		}
		if err := f.ExecuteTemplate(&folded, "page", view); err != nil {
			t.Fatal(err)
		}
		if plain.String() != folded.String() {
			t.Errorf("%s: folded %q, unfolded %q", lang, folded.String(), plain.String())
		}
		// Left as actions: .Title, the label with an argument and the
		// asset's URL in href (a constant, through the URL filters, which
		// are not folded); the {{if}} tests a constant; the rest is text.
		actions := 0
		for _, n := range f.Lookup("page").Tree.Root.Nodes {
			if _, ok := n.(*parse.ActionNode); ok {
				actions++
			}
		}
		if actions != 3 {
			t.Errorf("%s: %d actions left in %s, want 3", lang, actions, f.Lookup("page").Tree.Root)
		}
	}
}
