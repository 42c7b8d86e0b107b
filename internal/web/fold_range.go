package web

import (
	"fmt"
	"html/template"
	"reflect"
	"strconv"
	"strings"
	"sync"
	texttemplate "text/template"
	"text/template/parse"
)

// A list of choices, {{range .Kinds}}<option value="{{.Value}}"{{if
// .Selected}} selected{{end}}>{{.Label}}</option>{{end}}, costs
// text/template per choice a field lookup by name and a reflective call
// for each printed field, and one more for the test: the household file
// has a dozen such lists. In the folded sets, a range whose body is only
// text, fields or the element itself printed through a fast escaper
// (fold_escape.go), and {{if .Field}} around text, becomes one call of a
// function (rangeFold.run) that walks the list in Go: the element type's
// fields found once, the escapers called directly, the tests made as
// text/template makes them (template.IsTrue). A list of another kind (not
// a slice of structs whose fields are their own, or with a method of the
// field's name, which text/template would call) is ranged by text/template
// itself, over the same escaped body. Anything else in the body (another
// action, a variable, a template, an else) leaves the range as it is. The
// tests render every page unfolded too (pages.check).

// rangePart is one piece of a folded range's body: text, a printed field
// (or the element itself, field ""), or text printed if a field is true.
type rangePart struct {
	text   string
	field  string
	print  *fastEscaper
	ifText string // printed if field is true (test)
	test   bool
}

// rangeFold runs one folded range.
type rangeFold struct {
	parts  []rangePart
	fields []string               // the fields the body reads
	byName map[string]int         // field → its place in fields
	types  sync.Map               // element type → []int (each field's index), or nil: the slow way
	slow   *texttemplate.Template // {{range .}}body{{end}}, escaped as the page
}

// foldRanges replaces, in the escaped set t, every range it can run in Go
// by a call of its rangeFold, registered in t as "_wanhu_range_N".
func foldRanges(t *template.Template, escapers map[string]*fastEscaper) {
	funcs := template.FuncMap{}
	replaceNodes(t, "", func(n parse.Node, tr *parse.Tree) parse.Node {
		r, ok := n.(*parse.RangeNode)
		if !ok {
			return nil
		}
		f := newRangeFold(r, escapers)
		if f == nil {
			return nil
		}
		name := "_wanhu_range_" + strconv.Itoa(len(funcs))
		funcs[name] = f.run
		cmds := append(r.Pipe.Cmds[:len(r.Pipe.Cmds):len(r.Pipe.Cmds)], &parse.CommandNode{NodeType: parse.NodeCommand, Pos: r.Pos,
			Args: []parse.Node{parse.NewIdentifier(name).SetTree(tr).SetPos(r.Pos)}})
		return &parse.ActionNode{NodeType: parse.NodeAction, Pos: r.Pos, Line: r.Line,
			Pipe: &parse.PipeNode{NodeType: parse.NodePipe, Pos: r.Pipe.Pos, Line: r.Pipe.Line, Cmds: cmds}}
	})
	if len(funcs) > 0 {
		t.Funcs(funcs)
	}
}

// newRangeFold returns the fold of range r, or nil if its body does more
// than it handles.
func newRangeFold(r *parse.RangeNode, escapers map[string]*fastEscaper) *rangeFold {
	if r.Pipe == nil || len(r.Pipe.Decl) > 0 || len(r.Pipe.Cmds) == 0 || r.ElseList != nil || r.List == nil {
		return nil
	}
	f := &rangeFold{byName: map[string]int{}}
	// The slow way: the same body, escapers and all, run by text/template
	// (the body calls no function but the fast escapers).
	used := texttemplate.FuncMap{}
	use := func(field string) {
		if _, ok := f.byName[field]; !ok {
			f.byName[field] = len(f.fields)
			f.fields = append(f.fields, field)
		}
	}
	for _, n := range r.List.Nodes {
		switch n := n.(type) {
		case *parse.TextNode:
			f.parts = append(f.parts, rangePart{text: string(n.Text)})
		case *parse.ActionNode:
			p := n.Pipe
			if len(p.Decl) > 0 || len(p.Cmds) != 2 || len(p.Cmds[0].Args) != 1 || len(p.Cmds[1].Args) != 1 {
				return nil
			}
			fn, ok := p.Cmds[1].Args[0].(*parse.IdentifierNode)
			if !ok || escapers[fn.Ident] == nil {
				return nil
			}
			field, ok := fieldOf(p.Cmds[0].Args[0])
			if !ok {
				return nil
			}
			if field != "" {
				use(field)
			}
			f.parts = append(f.parts, rangePart{field: field, print: escapers[fn.Ident]})
			used[fn.Ident] = escapers[fn.Ident].escape
		case *parse.IfNode:
			p := n.Pipe
			if len(p.Decl) > 0 || len(p.Cmds) != 1 || len(p.Cmds[0].Args) != 1 || n.ElseList != nil || n.List == nil {
				return nil
			}
			field, ok := fieldOf(p.Cmds[0].Args[0])
			if !ok || field == "" {
				return nil
			}
			var text strings.Builder
			for _, c := range n.List.Nodes {
				t, ok := c.(*parse.TextNode)
				if !ok {
					return nil
				}
				text.Write(t.Text)
			}
			use(field)
			f.parts = append(f.parts, rangePart{field: field, test: true, ifText: text.String()})
		default:
			return nil
		}
	}
	body := r.List.CopyList()
	dot := &parse.PipeNode{NodeType: parse.NodePipe, Pos: r.Pos, Line: r.Line,
		Cmds: []*parse.CommandNode{{NodeType: parse.NodeCommand, Pos: r.Pos, Args: []parse.Node{&parse.DotNode{NodeType: parse.NodeDot, Pos: r.Pos}}}}}
	tree := &parse.Tree{Name: "range", Root: &parse.ListNode{NodeType: parse.NodeList, Pos: r.Pos, Nodes: []parse.Node{
		&parse.RangeNode{BranchNode: parse.BranchNode{NodeType: parse.NodeRange, Pos: r.Pos, Line: r.Line, Pipe: dot, List: body}},
	}}}
	slow, err := texttemplate.New("range").Funcs(used).AddParseTree("range", tree)
	if err != nil {
		return nil
	}
	f.slow = slow
	return f
}

// fieldOf returns X of {{.X}}, "" for {{.}}, or false.
func fieldOf(n parse.Node) (string, bool) {
	switch n := n.(type) {
	case *parse.DotNode:
		return "", true
	case *parse.FieldNode:
		if len(n.Ident) == 1 {
			return n.Ident[0], true
		}
	}
	return "", false
}

// run prints the range over list, as the range's body would.
func (f *rangeFold) run(list any) (string, error) {
	v := reflect.ValueOf(list)
	for v.Kind() == reflect.Pointer && !v.IsNil() {
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Invalid:
		return "", nil // nothing to range over: text/template prints nothing
	case reflect.Slice, reflect.Array:
		if v.Len() == 0 {
			return "", nil
		}
	default: // a map, a number, a nil pointer…
		return f.slowly(list)
	}
	var index []int
	if len(f.fields) > 0 {
		if index = f.indexOf(v.Type().Elem()); index == nil {
			return f.slowly(list)
		}
	}
	var b strings.Builder
	for i := 0; i < v.Len(); i++ {
		e := v.Index(i)
		for _, p := range f.parts {
			switch {
			case p.print == nil && !p.test:
				b.WriteString(p.text)
			case p.test:
				if t, ok := template.IsTrue(e.Field(index[f.byName[p.field]]).Interface()); !ok {
					return "", fmt.Errorf("folded range: if .%s: not a truth value", p.field)
				} else if t {
					b.WriteString(p.ifText)
				}
			default:
				x := e
				if p.field != "" {
					x = e.Field(index[f.byName[p.field]])
				}
				s, err := p.print.escape(x.Interface())
				if err != nil {
					return "", err
				}
				b.WriteString(s)
			}
		}
	}
	return b.String(), nil
}

// slowly ranges over list with text/template.
func (f *rangeFold) slowly(list any) (string, error) {
	var b strings.Builder
	err := f.slow.Execute(&b, list)
	return b.String(), err
}

// indexOf returns the index in struct type t of each field the body
// reads, or nil unless text/template would read each as that field of
// its own: t is a struct, and neither t nor *t has a method of the name
// (text/template would call it).
func (f *rangeFold) indexOf(t reflect.Type) []int {
	if x, ok := f.types.Load(t); ok {
		return x.([]int)
	}
	index := fieldIndex(t, f.fields)
	f.types.Store(t, index)
	return index
}

func fieldIndex(t reflect.Type, fields []string) []int {
	if t.Kind() != reflect.Struct {
		return nil
	}
	var index []int
	for _, name := range fields {
		if _, ok := reflect.PointerTo(t).MethodByName(name); ok {
			return nil
		}
		sf, ok := t.FieldByName(name)
		if !ok || !sf.IsExported() || len(sf.Index) != 1 {
			return nil
		}
		index = append(index, sf.Index[0])
	}
	return index
}

// replaceNodes puts in place of each node of the templates of t (but the
// one named skip) the node replace returns for it, if not nil; the lists
// of if, range and with whose node it keeps are walked in turn.
func replaceNodes(t *template.Template, skip string, replace func(n parse.Node, tr *parse.Tree) parse.Node) {
	var walk func(l *parse.ListNode, tr *parse.Tree)
	walk = func(l *parse.ListNode, tr *parse.Tree) {
		if l == nil {
			return
		}
		for i, n := range l.Nodes {
			if r := replace(n, tr); r != nil {
				l.Nodes[i] = r
				continue
			}
			switch n := n.(type) {
			case *parse.IfNode:
				walk(n.List, tr)
				walk(n.ElseList, tr)
			case *parse.RangeNode:
				walk(n.List, tr)
				walk(n.ElseList, tr)
			case *parse.WithNode:
				walk(n.List, tr)
				walk(n.ElseList, tr)
			}
		}
	}
	for _, x := range t.Templates() {
		if x.Tree != nil && (skip == "" || x.Name() != skip) {
			walk(x.Tree.Root, x.Tree)
		}
	}
}
