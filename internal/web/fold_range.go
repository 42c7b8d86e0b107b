package web

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"reflect"
	"strconv"
	"sync"
	"sync/atomic"
	"text/template/parse"
)

// A list of choices, {{range .Kinds}}<option value="{{.Value}}"{{if
// .Selected}} selected{{end}}>{{.Label}}</option>{{end}}, costs
// text/template per choice a field lookup by name and a reflective call
// for each printed field, and one more for the test; the household file's
// member table and ledger entries, which call a template per row, more.
// In the folded sets, a range whose body is made of what the fold
// compiles (fold_eval.go) runs in Go (rangeFold.run):
//
//   - text, and {{X | escaper}} through a fast escaper (fold_escape.go),
//     where X is the element, a chain of fields or of methods without
//     arguments of it or of $ ({{.E.Name}}, {{$.Edit}}), a string, or a
//     translation with arguments of the page's locale ({{$.L.T "key"
//     .N}}, whose key the locale has);
//   - {{if C}}…{{else}}…{{end}} and {{with X}}…{{else}}…{{end}}, where C
//     is X, not X, and/or of Xs, eq/ne of X and a string or an integer,
//     or can X "action" (the function can, of a user and an action);
//   - a range over X (with its else), and {{template "name" X}}, whose
//     body is compiled in its place.
//
// Fields and methods are looked up as text/template looks them up (a
// method of the value or of its address first, then a field of the
// struct, promoted ones too), once per type; tests as it makes them
// (isTrue). Anything else, or anything unusual met while running (a map,
// a nil pointer, a method's error, a value no fast escaper takes as it
// is), hands the whole range back to text/template: the range is
// replaced by {{with _wanhu_range_N . $}}{{.}}{{else}}the range{{end}},
// and the function returns nil to run the range as before. A part this
// file does not know (a function call, a variable) is allowed only
// under an if or with, where it may never run; elsewhere the range is
// left as it is. The tests render every page unfolded too (pages.check).

// errSlow hands a folded range back to text/template.
var errSlow = errors.New("folded range: left to text/template")

// foldNode is one compiled piece of a range's body.
type foldNode interface {
	run(b *bytes.Buffer, dot, root reflect.Value) error
}

// rangeFold runs one folded range, given the range's dot and $.
type rangeFold struct {
	r             foldNode
	fast, slowRan atomic.Int64 // runs done in Go, and handed back
	size          atomic.Int64 // the longest text printed, to size the next
}

// slowOnly: a fold handed back this many times and never done in Go
// stops trying (its lists are of a kind it does not run).
const slowOnly = 64

// foldRanges folds, in the escaped set t (but the template named skip),
// every run of consecutive nodes of a list that it can run in Go and that
// never hand back (an if, a with, a template call, printed fields…), and
// every range it can run in Go, into {{with _wanhu_range_N . $}}{{.}}{{else}}the
// nodes{{end}}, the function registered in t; it returns the folds in
// order. The lists of a node left as it is are walked in turn.
func foldRanges(t *template.Template, escapers map[string]*fastEscaper, skip string) []*rangeFold {
	funcs := template.FuncMap{}
	var folds []*rangeFold
	c := &foldCompiler{set: t, escapers: escapers, wrapped: map[*parse.WithNode][]parse.Node{}}
	wrap := func(nodes []parse.Node, body foldList, tr *parse.Tree) parse.Node {
		f := &rangeFold{r: body}
		folds = append(folds, f)
		name := "_wanhu_range_" + strconv.Itoa(len(funcs))
		funcs[name] = f.run
		pos, line := nodes[0].Position(), 0
		pipe := func(args ...parse.Node) *parse.PipeNode {
			return &parse.PipeNode{NodeType: parse.NodePipe, Pos: pos, Line: line,
				Cmds: []*parse.CommandNode{{NodeType: parse.NodeCommand, Pos: pos, Args: args}}}
		}
		dot := &parse.DotNode{NodeType: parse.NodeDot, Pos: pos}
		w := &parse.WithNode{BranchNode: parse.BranchNode{NodeType: parse.NodeWith, Pos: pos, Line: line,
			Pipe: pipe(parse.NewIdentifier(name).SetTree(tr).SetPos(pos), dot,
				&parse.VariableNode{NodeType: parse.NodeVariable, Pos: pos, Ident: []string{"$"}}),
			List: &parse.ListNode{NodeType: parse.NodeList, Pos: pos, Nodes: []parse.Node{
				&parse.ActionNode{NodeType: parse.NodeAction, Pos: pos, Line: line, Pipe: pipe(dot)}}},
			ElseList: &parse.ListNode{NodeType: parse.NodeList, Pos: pos, Nodes: nodes},
		}}
		c.wrapped[w] = nodes
		return w
	}
	var walk func(l *parse.ListNode, tr *parse.Tree)
	walk = func(l *parse.ListNode, tr *parse.Tree) {
		if l == nil {
			return
		}
		var out, run []parse.Node
		var body foldList
		worth := false // the run does more than print text
		flush := func() {
			if worth {
				out = append(out, wrap(run, body, tr))
			} else {
				out = append(out, run...)
			}
			run, body, worth = nil, nil, false
		}
		for _, n := range l.Nodes {
			backs := c.handBacks
			f := c.node(n, 0, false)
			if f != nil && c.handBacks == backs {
				run = append(run, n)
				body = append(body, f)
				if _, isText := f.(foldText); !isText {
					worth = true
				}
				continue
			}
			flush()
			if r, ok := n.(*parse.RangeNode); ok && f != nil {
				// A range that may hand back: alone.
				out = append(out, wrap([]parse.Node{r}, foldList{f}, tr))
				continue
			}
			if b := branchOf(n); b != nil {
				walk(b.List, tr)
				walk(b.ElseList, tr)
			}
			out = append(out, n)
		}
		flush()
		l.Nodes = out
	}
	for _, x := range t.Templates() {
		if x.Tree != nil && x.Name() != skip {
			walk(x.Tree.Root, x.Tree)
		}
	}
	if len(funcs) > 0 {
		t.Funcs(funcs)
	}
	return folds
}

// run prints the range, or returns nil to leave it to text/template (a
// method that panics too: text/template reports it as its error).
func (f *rangeFold) run(dot, root any) (out *foldOut) {
	if f.fast.Load() == 0 && f.slowRan.Load() >= slowOnly {
		return nil
	}
	o := foldOuts.Get().(*foldOut)
	defer func() {
		if recover() != nil {
			f.slowRan.Add(1)
			out = nil
		}
	}()
	o.b.Grow(int(f.size.Load()))
	if err := f.r.run(&o.b, reflect.ValueOf(dot), reflect.ValueOf(root)); err != nil {
		f.slowRan.Add(1)
		o.done()
		return nil
	}
	if f.fast.Load() == 0 {
		f.fast.Add(1)
	}
	if n := int64(o.b.Len()); n > f.size.Load() {
		f.size.Store(n)
	}
	return o
}

// foldOut is what a fold printed, in a buffer of foldOuts: the page is
// written from it (text/template prints the fold's {{.}} through fmt,
// which calls Format), and the buffer is used again, instead of a string
// made for each fold of each page (15 KB a household page; issue 15).
// The buffer is a field, not embedded: text/template asks of every value
// it prints whether it is an error or a Stringer, by reflection, which
// reads through the pointer's whole method set, and bytes.Buffer's thirty
// methods made that 6% of the household page's CPU.
type foldOut struct{ b bytes.Buffer }

var foldOuts = sync.Pool{New: func() any { return new(foldOut) }}

// Format writes o's bytes and gives o back to foldOuts: a fold's {{.}}
// prints it once.
func (o *foldOut) Format(f fmt.State, _ rune) {
	f.Write(o.b.Bytes())
	o.done()
}

// String is o's text (fmt calls Format: String makes text/template print
// *foldOut itself, not a copy of its fields).
func (o *foldOut) String() string { return o.b.String() }

// done empties o and gives it back to foldOuts, unless a long list grew it.
func (o *foldOut) done() {
	if o.b.Cap() > 64<<10 {
		return
	}
	o.b.Reset()
	foldOuts.Put(o)
}

// foldCompiler compiles the bodies of the ranges of one escaped set.
type foldCompiler struct {
	set      *template.Template
	escapers map[string]*fastEscaper
	wrapped  map[*parse.WithNode][]parse.Node // folded nodes, met again in a template
	// handBacks counts the parts compiled as handing back.
	handBacks int
}

// maxInline bounds the templates inlined into one another.
const maxInline = 8

// list compiles the nodes of l; under says whether they run only under
// an if or with (where an unknown part is allowed: it hands back when
// met). nil, false: l cannot be compiled.
func (c *foldCompiler) list(l *parse.ListNode, depth int, under bool) (foldList, bool) {
	if l == nil {
		return nil, true
	}
	var out foldList
	for _, n := range l.Nodes {
		f := c.node(n, depth, under)
		if f == nil {
			if !under {
				return nil, false
			}
			f = handBack{}
			c.handBacks++
		}
		if t, ok := f.(foldText); ok && len(out) > 0 {
			if prev, ok := out[len(out)-1].(foldText); ok {
				out[len(out)-1] = prev + t
				continue
			}
		}
		out = append(out, f)
	}
	return out, true
}

// node compiles one node, or returns nil.
func (c *foldCompiler) node(n parse.Node, depth int, under bool) foldNode {
	switch n := n.(type) {
	case *parse.TextNode:
		return foldText(n.Text)
	case *parse.CommentNode:
		return foldText("")
	case *parse.ActionNode:
		p := n.Pipe
		if len(p.Decl) > 0 || len(p.Cmds) != 2 || len(p.Cmds[1].Args) != 1 {
			return nil
		}
		fn, ok := p.Cmds[1].Args[0].(*parse.IdentifierNode)
		if !ok || c.escapers[fn.Ident] == nil {
			return nil
		}
		if call := localeCallOf(p.Cmds[0].Args); call != nil {
			return &foldCallPrint{call: call, esc: c.escapers[fn.Ident]}
		}
		if len(p.Cmds[0].Args) != 1 {
			return nil
		}
		x := operandOf(p.Cmds[0].Args[0])
		if x == nil {
			return nil
		}
		return &foldPrint{x: x, esc: c.escapers[fn.Ident]}
	case *parse.IfNode:
		cond := condOf(n.Pipe)
		if cond == nil {
			return nil
		}
		list, ok1 := c.list(n.List, depth, true)
		other, ok2 := c.list(n.ElseList, depth, true)
		if !ok1 || !ok2 {
			return nil
		}
		return &foldIf{cond: cond, list: list, other: other}
	case *parse.WithNode:
		if nodes, ok := c.wrapped[n]; ok {
			var l foldList
			for _, x := range nodes {
				f := c.node(x, depth, under)
				if f == nil {
					return nil
				}
				l = append(l, f)
			}
			return l
		}
		if len(n.Pipe.Decl) > 0 || len(n.Pipe.Cmds) != 1 || len(n.Pipe.Cmds[0].Args) != 1 {
			return nil
		}
		x := operandOf(n.Pipe.Cmds[0].Args[0])
		if x == nil {
			return nil
		}
		list, ok1 := c.list(n.List, depth, true)
		other, ok2 := c.list(n.ElseList, depth, true)
		if !ok1 || !ok2 {
			return nil
		}
		return &foldWith{x: x, list: list, other: other}
	case *parse.RangeNode:
		if fr := c.rangeOf(n, depth, under); fr != nil {
			return fr
		}
		return nil
	case *parse.TemplateNode:
		if depth >= maxInline {
			return nil
		}
		var x *operand
		if n.Pipe != nil {
			if len(n.Pipe.Decl) > 0 || len(n.Pipe.Cmds) != 1 || len(n.Pipe.Cmds[0].Args) != 1 {
				return nil
			}
			if x = operandOf(n.Pipe.Cmds[0].Args[0]); x == nil || x.text != nil {
				return nil
			}
		}
		called := c.set.Lookup(n.Name)
		if x == nil || called == nil || called.Tree == nil {
			return nil
		}
		body, ok := c.list(called.Tree.Root, depth+1, under)
		if !ok {
			return nil
		}
		return &foldTemplate{x: x, body: body}
	}
	return nil
}

// rangeOf compiles range r, or returns nil.
func (c *foldCompiler) rangeOf(r *parse.RangeNode, depth int, under bool) *foldRange {
	p := r.Pipe
	if p == nil || len(p.Decl) > 0 || len(p.Cmds) != 1 || len(p.Cmds[0].Args) != 1 || r.List == nil {
		return nil
	}
	x := operandOf(p.Cmds[0].Args[0])
	if x == nil || x.text != nil {
		return nil
	}
	body, ok1 := c.list(r.List, depth, under)
	other, ok2 := c.list(r.ElseList, depth, under)
	if !ok1 || !ok2 {
		return nil
	}
	return &foldRange{x: x, body: body, other: other}
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
			if b := branchOf(n); b != nil {
				walk(b.List, tr)
				walk(b.ElseList, tr)
			}
		}
	}
	for _, x := range t.Templates() {
		if x.Tree != nil && (skip == "" || x.Name() != skip) {
			walk(x.Tree.Root, x.Tree)
		}
	}
}

// branchOf returns the branch of an if, range or with node, or nil.
func branchOf(n parse.Node) *parse.BranchNode {
	switch n := n.(type) {
	case *parse.IfNode:
		return &n.BranchNode
	case *parse.RangeNode:
		return &n.BranchNode
	case *parse.WithNode:
		return &n.BranchNode
	}
	return nil
}
