package web

import (
	"bytes"
	"html/template"
	"reflect"
	"strconv"
	"strings"
	"text/template/parse"
)

// After folding, what a page still prints goes through html/template's
// escapers, one call each through reflect (text/template calls every
// function so), with its arguments as a new slice (they are variadic):
// {{.H.ID}} in a link is two calls, the URL's and the attribute's. On the
// household file these calls were about a third of the rendering. Yet
// most values are numbers or plain text that no escaper changes, so in
// the folded sets every chain of escapers of an action becomes one call
// of a function (fastEscaper) that returns such a value as it is, and
// gives any other to the chain itself (html/template's own escapers, run
// on the value by a probe template): the same text either way, which the
// tests check on every page they render (pages.check).

// escaperSafe reports, for each of html/template's escapers handled here,
// whether it prints byte c of a plain string (or of a number) unchanged.
var escaperSafe = map[string]func(c byte) bool{
	// htmlReplacementTable: NUL, the quotes, &, +, < and >.
	"_html_template_htmlescaper":   htmlSafe,
	"_html_template_attrescaper":   htmlSafe,
	"_html_template_rcdataescaper": htmlSafe,
	// processURLOnto: the unreserved characters.
	"_html_template_urlescaper": urlUnreserved,
	// … and the reserved ones but %, when normalizing.
	"_html_template_urlnormalizer": func(c byte) bool {
		return urlUnreserved(c) || strings.IndexByte("!#$&*+,/:;=?@[]", c) >= 0
	},
	// isSafeURL: a URL without a scheme.
	"_html_template_urlfilter": func(c byte) bool { return c != ':' },
}

func htmlSafe(c byte) bool { return c != 0 && strings.IndexByte(`"&'+<>`, c) < 0 }

func urlUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
}

// fastEscaper is one chain of escapers: safe holds for the bytes every one
// of them leaves as they are; probe runs the chain itself.
type fastEscaper struct {
	safe  [256]bool
	probe *template.Template
}

// newFastEscaper returns the escaper of chain (names of html/template's
// escapers, in their order), or nil if one of them is not handled here.
func newFastEscaper(chain []string) *fastEscaper {
	e := &fastEscaper{}
	for c := range e.safe {
		e.safe[c] = true
	}
	for _, name := range chain {
		safe, ok := escaperSafe[name]
		if !ok {
			return nil
		}
		for c := range e.safe {
			e.safe[c] = e.safe[c] && safe(byte(c))
		}
	}
	// The probe: {{.}} escaped by html/template (which gives its set all
	// its escapers), then made to print its data through chain.
	probe := template.Must(template.New("").Parse(`{{.}}`))
	if err := probe.Execute(&bytes.Buffer{}, ""); err != nil {
		return nil
	}
	a, ok := probe.Tree.Root.Nodes[0].(*parse.ActionNode)
	if !ok || len(a.Pipe.Cmds) < 1 {
		return nil
	}
	cmds := a.Pipe.Cmds[:1]
	for _, name := range chain {
		cmds = append(cmds, escaperCommand(probe.Tree, a.Pos, name))
	}
	a.Pipe.Cmds = cmds
	e.probe = probe
	return e
}

func escaperCommand(tr *parse.Tree, pos parse.Pos, name string) *parse.CommandNode {
	id := parse.NewIdentifier(name).SetTree(tr).SetPos(pos)
	return &parse.CommandNode{NodeType: parse.NodeCommand, Pos: pos, Args: []parse.Node{id}}
}

// escape is what the chain prints of v.
func (e *fastEscaper) escape(v any) (string, error) {
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case int64:
		s = strconv.FormatInt(x, 10)
	case int:
		s = strconv.Itoa(x)
	default:
		return e.slow(v)
	}
	for i := 0; i < len(s); i++ {
		if !e.safe[s[i]] {
			return e.slow(v)
		}
	}
	return s, nil
}

// escapeValue is escape of v.Interface(), without making an interface of
// a plain string or integer.
func (e *fastEscaper) escapeValue(v reflect.Value) (string, error) {
	var s string
	switch v.Type() {
	case stringType:
		s = v.String()
	case int64Type, intType:
		s = strconv.FormatInt(v.Int(), 10)
	default:
		return e.slow(v.Interface())
	}
	for i := 0; i < len(s); i++ {
		if !e.safe[s[i]] {
			return e.slow(v.Interface())
		}
	}
	return s, nil
}

var (
	stringType = reflect.TypeFor[string]()
	int64Type  = reflect.TypeFor[int64]()
	intType    = reflect.TypeFor[int]()
)

func (e *fastEscaper) slow(v any) (string, error) {
	var b strings.Builder
	err := e.probe.Execute(&b, v)
	return b.String(), err
}

// fastEscapers replaces, in the escaped tree of set t, the chain of
// escapers ending each action by one call of its fastEscaper, registered
// in t as "_wanhu_escape_N", and returns them by name.
func fastEscapers(t *template.Template) map[string]*fastEscaper {
	names := map[string]string{} // chain → function
	funcs := template.FuncMap{}
	byName := map[string]*fastEscaper{}
	replaceNodes(t, "", func(n parse.Node, tr *parse.Tree) parse.Node {
		a, ok := n.(*parse.ActionNode)
		if !ok {
			return nil
		}
		p := a.Pipe
		if p == nil || len(p.Decl) > 0 {
			return nil
		}
		i := len(p.Cmds)
		for i > 1 && isEscaper(p.Cmds[i-1]) {
			i--
		}
		if i == len(p.Cmds) || i == 0 {
			return nil
		}
		var chain []string
		for _, c := range p.Cmds[i:] {
			chain = append(chain, c.Args[0].(*parse.IdentifierNode).Ident)
		}
		key := strings.Join(chain, " ")
		name, ok := names[key]
		if !ok {
			if e := newFastEscaper(chain); e != nil {
				name = "_wanhu_escape_" + strconv.Itoa(len(funcs))
				funcs[name] = e.escape
				byName[name] = e
			}
			names[key] = name // "": a chain left as it is
		}
		if name == "" {
			return nil
		}
		p.Cmds = append(p.Cmds[:i:i], escaperCommand(tr, p.Cmds[i].Pos, name))
		return nil
	})
	t.Funcs(funcs)
	return byName
}

// isEscaper reports whether c is a call of one of html/template's
// escapers on the pipeline's value alone.
func isEscaper(c *parse.CommandNode) bool {
	if len(c.Args) != 1 {
		return false
	}
	id, ok := c.Args[0].(*parse.IdentifierNode)
	return ok && strings.HasPrefix(id.Ident, "_html_template_")
}
