package web

import (
	"bytes"
	"html/template"
	"io"
	"strconv"
	"strings"
	"text/template/parse"
)

// Pages are executed by text/template through reflection: every {{.L.T
// "key"}} looks up the field L (through the embedded Page, the slowest
// lookup reflect has), then the method T, calls it, then calls the HTML
// escaper on the result, each call through reflect.Value.Call. On the
// household file that was most of the page's rendering, itself a quarter
// of the page's CPU. Yet a label's translation depends only on the
// language, so each page is parsed once per language and its constant
// parts are folded before it serves:
//
//   - before escaping, {{.L.T "key"}} and {{$.L.T "key"}} (one argument,
//     a key of the catalogue), {{.L.Lang}}, {{.L.EN}} and {{static
//     "name"}} become constants, which html/template then escapes for
//     their context as it escaped the calls;
//   - after escaping, an action that only prints a constant through the
//     HTML or attribute escaper becomes the text it prints.
//
// Every .L of the templates is the page's locale (Page.L, or a copy of it
// in a table's view), the one the set was folded for. In tests each page
// is also rendered unfolded and the two must be the same, byte for byte
// (pages.check).

// foldConstants folds, before escaping, the calls of tree that give the
// same value for every page in the language of l.
func foldConstants(n parse.Node, l *Locale) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n != nil {
			for _, c := range n.Nodes {
				foldConstants(c, l)
			}
		}
	case *parse.ActionNode:
		foldConstants(n.Pipe, l)
	case *parse.IfNode:
		foldBranch(&n.BranchNode, l)
	case *parse.RangeNode:
		foldBranch(&n.BranchNode, l)
	case *parse.WithNode:
		foldBranch(&n.BranchNode, l)
	case *parse.TemplateNode:
		foldConstants(n.Pipe, l)
	case *parse.PipeNode:
		if n != nil {
			for _, c := range n.Cmds {
				foldConstants(c, l)
			}
		}
	case *parse.CommandNode:
		if c := constantOf(n, l); c != nil {
			n.Args = []parse.Node{c}
			return
		}
		for _, a := range n.Args {
			foldConstants(a, l)
		}
	}
}

func foldBranch(b *parse.BranchNode, l *Locale) {
	foldConstants(b.Pipe, l)
	foldConstants(b.List, l)
	foldConstants(b.ElseList, l)
}

// constantOf returns the constant a command always gives in the language
// of l, or nil.
func constantOf(c *parse.CommandNode, l *Locale) parse.Node {
	str := func(s string) parse.Node {
		return &parse.StringNode{NodeType: parse.NodeString, Pos: c.Pos, Quoted: strconv.Quote(s), Text: s}
	}
	locale := localeField(c.Args[0])
	switch {
	case len(c.Args) == 2 && locale == "T":
		if key, ok := c.Args[1].(*parse.StringNode); ok && l.Has(key.Text) {
			return str(l.T(key.Text))
		}
	case len(c.Args) == 1 && locale == "Lang":
		return str(l.Lang)
	case len(c.Args) == 1 && locale == "EN":
		return &parse.BoolNode{NodeType: parse.NodeBool, Pos: c.Pos, True: l.EN()}
	case len(c.Args) == 2:
		fn, isIdent := c.Args[0].(*parse.IdentifierNode)
		name, isString := c.Args[1].(*parse.StringNode)
		if isIdent && isString && fn.Ident == "static" {
			if url, err := assets().url(name.Text); err == nil {
				return str(url)
			}
		}
	}
	return nil
}

// localeField returns X of .L.X or $.L.X, or "".
func localeField(n parse.Node) string {
	var id []string
	switch n := n.(type) {
	case *parse.FieldNode:
		id = n.Ident
	case *parse.VariableNode:
		if len(n.Ident) == 0 || n.Ident[0] != "$" {
			return ""
		}
		id = n.Ident[1:]
	}
	if len(id) != 2 || id[0] != "L" {
		return ""
	}
	return id[1]
}

// escaperProbes execute html/template's own escapers on a string: the
// escaped form of a constant, in the contexts folded after escaping.
var escaperProbes = map[string]struct {
	t             *template.Template
	before, after string
}{
	"_html_template_htmlescaper":   {template.Must(template.New("").Parse(`{{.}}`)), "", ""},
	"_html_template_attrescaper":   {template.Must(template.New("").Parse(`<a title="{{.}}">`)), `<a title="`, `">`},
	"_html_template_rcdataescaper": {template.Must(template.New("").Parse(`<title>{{.}}</title>`)), "<title>", "</title>"},
}

func escapeConstant(escaper, s string) ([]byte, bool) {
	p, ok := escaperProbes[escaper]
	if !ok {
		return nil, false
	}
	var b bytes.Buffer
	if err := p.t.Execute(&b, s); err != nil {
		return nil, false
	}
	out, ok := strings.CutPrefix(b.String(), p.before)
	if !ok {
		return nil, false
	}
	out, ok = strings.CutSuffix(out, p.after)
	return []byte(out), ok
}

// escapeNow makes html/template escape the set's page now (it does so at
// a set's first execution): executed with no data, it stops at the first
// field, having written nothing that matters.
func escapeNow(t *template.Template) error {
	err := t.ExecuteTemplate(io.Discard, "page", struct{}{})
	if _, isEscape := err.(*template.Error); isEscape {
		return err
	}
	return nil
}

// foldPrinted replaces, in an escaped tree, every action that prints a
// constant through one escaper by the text it prints.
func foldPrinted(n parse.Node) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for i, c := range n.Nodes {
			if text := printedConstant(c); text != nil {
				n.Nodes[i] = &parse.TextNode{NodeType: parse.NodeText, Pos: c.Position(), Text: text}
				continue
			}
			foldPrinted(c)
		}
	case *parse.IfNode:
		foldPrinted(n.List)
		foldPrinted(n.ElseList)
	case *parse.RangeNode:
		foldPrinted(n.List)
		foldPrinted(n.ElseList)
	case *parse.WithNode:
		foldPrinted(n.List)
		foldPrinted(n.ElseList)
	}
}

// printedConstant returns what an action {{"constant" | escaper}} prints,
// or nil for any other node.
func printedConstant(n parse.Node) []byte {
	a, ok := n.(*parse.ActionNode)
	if !ok || len(a.Pipe.Decl) > 0 || len(a.Pipe.Cmds) != 2 || len(a.Pipe.Cmds[0].Args) != 1 || len(a.Pipe.Cmds[1].Args) != 1 {
		return nil
	}
	s, isString := a.Pipe.Cmds[0].Args[0].(*parse.StringNode)
	fn, isIdent := a.Pipe.Cmds[1].Args[0].(*parse.IdentifierNode)
	if !isString || !isIdent {
		return nil
	}
	text, ok := escapeConstant(fn.Ident, s.Text)
	if !ok {
		return nil
	}
	return text
}
