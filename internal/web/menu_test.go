package web

import (
	"bytes"
	"html/template"
	"strings"
	"testing"
	"text/template/parse"

	"wanhu/internal/auth"
)

// TestMenuFolded: the layout's menu, printed from the cache, is the
// template's, byte for byte, for every role (and none, and a disabled
// account), with and without a team member, on every section's page, in
// both languages; the team member's id is the user's own, not the cached
// one's; and the folded layout no longer runs the template.
func TestMenuFolded(t *testing.T) {
	c, err := LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	p, err := loadPages(c)
	if err != nil {
		t.Fatal(err)
	}
	roles := [][]auth.Role{nil, {auth.Admin}, {auth.GridLeader}, {auth.Visitor}, {auth.Officer}, {auth.Resident}, {auth.Auditor},
		{auth.Visitor, auth.GridLeader}, {auth.Admin, auth.Auditor}}
	navs := []string{"", "households", "ledger", "today", "tasks", "visits", "plans", "staff", "requests", "talk", "programmes", "settings", "users", "tokens", "audit"}
	for _, lang := range Languages {
		folded, err := p.set(lang, "error")
		if err != nil {
			t.Fatal(err)
		}
		if hasTemplateCall(folded.Lookup("base").Tree.Root, menuName) {
			t.Fatalf("%s: the folded layout still runs the menu template", lang)
		}
		for _, rs := range roles {
			for _, team := range []int64{0, 41, 1234567} {
				for _, disabled := range []bool{false, true} {
					u := &auth.User{ID: 1, Username: "u<1>", DisplayName: "名", TeamMemberID: team, Disabled: disabled}
					for _, r := range rs {
						u.Grants = append(u.Grants, auth.Grant{Role: r, OrgUnitID: 8, Path: "/8/"})
					}
					for _, nav := range navs {
						v := errorView{Page: Page{L: c.Locale(lang), User: u, CSRF: "tok", Path: "/x?a=1&b=2", Title: "T", Nav: nav}, Message: "m"}
						var a, b bytes.Buffer
						if err := folded.ExecuteTemplate(&a, "page", v); err != nil {
							t.Fatal(err)
						}
						if err := p.plain["error"].ExecuteTemplate(&b, "page", v); err != nil {
							t.Fatal(err)
						}
						if a.String() != b.String() {
							t.Fatalf("%s %v team %d disabled %v nav %q: cached menu differs:\n%s\n---\n%s", lang, rs, team, disabled, nav, a.String(), b.String())
						}
						if strings.Contains(a.String(), "7305019483226510917") {
							t.Fatalf("the stand-in team member id is printed")
						}
					}
				}
			}
		}
		// A visitor's own page link carries their id.
		u := &auth.User{ID: 1, TeamMemberID: 987, Grants: []auth.Grant{{Role: auth.Visitor, OrgUnitID: 8}}}
		var a bytes.Buffer
		if err := folded.ExecuteTemplate(&a, "page", errorView{Page: Page{L: c.Locale(lang), User: u}}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(a.String(), `href="/staff/987"`) {
			t.Errorf("%s: the visitor's own staff link is missing: %s", lang, a.String())
		}
	}
}

// TestMenuQuestions: the cache answers a menu that asks can, .User.Has and
// whether there is a team member, and tests .Nav; any other use of the
// data leaves the menu to the template.
func TestMenuQuestions(t *testing.T) {
	for src, want := range map[string]bool{
		`{{if can .User "households.read"}}a{{end}}{{if eq .Nav "x" "y"}}b{{end}}`:                            true,
		`{{if and .User.TeamMemberID (or (.User.Has "admin") (can .User "x"))}}{{.User.TeamMemberID}}{{end}}`: true,
		`<a href="/staff/{{.User.TeamMemberID}}">`:                                                            true,
		`{{.User.Username}}`:                            false,
		`{{if eq .User.TeamMemberID 3}}x{{end}}`:        false,
		`{{if .User}}x{{end}}`:                          false,
		`{{with .User}}{{.Username}}{{end}}`:            false,
		`{{range .L}}x{{end}}`:                          false,
		`{{if can .User .Nav}}x{{end}}`:                 false,
		`{{$.Path}}`:                                    false,
		`{{template "x" .}}`:                            false,
		`{{.CSRF}}`:                                     false,
		`{{if .User.Has "admin" | not}}x{{end}}`:        false,
		`{{if not (.User.Has "admin")}}{{.Nav}}{{end}}`: true,
	} {
		tr := template.Must(template.New("t").Funcs(funcs).Funcs(template.FuncMap{"x": func() string { return "" }}).Parse(src + `{{define "x"}}{{end}}`))
		_, ok := menuQuestions(tr.Tree.Root)
		if ok != want {
			t.Errorf("%s: cacheable %v, want %v", src, ok, want)
		}
	}
}

// hasTemplateCall reports whether l calls template name.
func hasTemplateCall(l *parse.ListNode, name string) bool {
	if l == nil {
		return false
	}
	for _, n := range l.Nodes {
		switch n := n.(type) {
		case *parse.TemplateNode:
			if n.Name == name {
				return true
			}
		case *parse.IfNode:
			if hasTemplateCall(n.List, name) || hasTemplateCall(n.ElseList, name) {
				return true
			}
		case *parse.WithNode:
			if hasTemplateCall(n.List, name) || hasTemplateCall(n.ElseList, name) {
				return true
			}
		case *parse.RangeNode:
			if hasTemplateCall(n.List, name) || hasTemplateCall(n.ElseList, name) {
				return true
			}
		}
	}
	return false
}
