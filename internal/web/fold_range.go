package web

import (
	"errors"
	"html/template"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"
	"text/template/parse"
)

// A list of choices, {{range .Kinds}}<option value="{{.Value}}"{{if
// .Selected}} selected{{end}}>{{.Label}}</option>{{end}}, costs
// text/template per choice a field lookup by name and a reflective call
// for each printed field, and one more for the test; the household file's
// member table and ledger entries, which call a template per row, more.
// In the folded sets, a range whose body is made of what this file knows
// runs in Go (rangeFold.run):
//
//   - text, and {{X | escaper}} through a fast escaper (fold_escape.go),
//     where X is the element, a chain of fields or of methods without
//     arguments of it or of $ ({{.E.Name}}, {{$.Edit}}), or a string;
//   - {{if C}}…{{else}}…{{end}} and {{with X}}…{{else}}…{{end}}, where C
//     is X, not X, and/or of Xs, or eq/ne of X and a string or an integer;
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
	run(b *strings.Builder, dot, root reflect.Value) error
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
func (f *rangeFold) run(dot, root any) (out *string) {
	if f.fast.Load() == 0 && f.slowRan.Load() >= slowOnly {
		return nil
	}
	defer func() {
		if recover() != nil {
			f.slowRan.Add(1)
			out = nil
		}
	}()
	var b strings.Builder
	b.Grow(int(f.size.Load()))
	if err := f.r.run(&b, reflect.ValueOf(dot), reflect.ValueOf(root)); err != nil {
		f.slowRan.Add(1)
		return nil
	}
	if f.fast.Load() == 0 {
		f.fast.Add(1)
	}
	if n := int64(b.Len()); n > f.size.Load() {
		f.size.Store(n)
	}
	s := b.String()
	return &s
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
		if len(p.Decl) > 0 || len(p.Cmds) != 2 || len(p.Cmds[0].Args) != 1 || len(p.Cmds[1].Args) != 1 {
			return nil
		}
		fn, ok := p.Cmds[1].Args[0].(*parse.IdentifierNode)
		if !ok || c.escapers[fn.Ident] == nil {
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

type foldList []foldNode

func (l foldList) run(b *strings.Builder, dot, root reflect.Value) error {
	for _, n := range l {
		if err := n.run(b, dot, root); err != nil {
			return err
		}
	}
	return nil
}

type foldText string

func (t foldText) run(b *strings.Builder, _, _ reflect.Value) error {
	b.WriteString(string(t))
	return nil
}

// handBack is a part this file does not know: met, it hands the range
// back to text/template.
type handBack struct{}

func (handBack) run(*strings.Builder, reflect.Value, reflect.Value) error { return errSlow }

// foldPrint prints x through a fast escaper.
type foldPrint struct {
	x   *operand
	esc *fastEscaper
}

func (p *foldPrint) run(b *strings.Builder, dot, root reflect.Value) error {
	if p.x.text != nil {
		s, err := p.esc.escape(*p.x.text)
		if err != nil {
			return errSlow
		}
		b.WriteString(s)
		return nil
	}
	v, err := p.x.eval(dot, root)
	if err != nil {
		return err
	}
	if v.Kind() == reflect.Interface && !v.IsNil() {
		v = v.Elem()
	}
	if !v.IsValid() || !v.CanInterface() || v.Kind() == reflect.Interface {
		return errSlow
	}
	s, err := p.esc.escapeValue(v)
	if err != nil {
		return errSlow
	}
	b.WriteString(s)
	return nil
}

type foldIf struct {
	cond        *condition
	list, other foldList
}

func (f *foldIf) run(b *strings.Builder, dot, root reflect.Value) error {
	t, err := f.cond.eval(dot, root)
	if err != nil {
		return err
	}
	if t {
		return f.list.run(b, dot, root)
	}
	return f.other.run(b, dot, root)
}

type foldWith struct {
	x           *operand
	list, other foldList
}

func (f *foldWith) run(b *strings.Builder, dot, root reflect.Value) error {
	v, err := f.x.eval(dot, root)
	if err != nil {
		return err
	}
	t, ok := isTrue(indirectInterface(v))
	if !ok {
		return errSlow
	}
	if t {
		return f.list.run(b, v, root)
	}
	return f.other.run(b, dot, root)
}

// foldRange ranges over x: body for each element of a slice or array,
// other if there is none.
type foldRange struct {
	x           *operand
	body, other foldList
}

func (f *foldRange) run(b *strings.Builder, dot, root reflect.Value) error {
	v, err := f.x.eval(dot, root)
	if err != nil {
		return err
	}
	if v.Kind() == reflect.Interface && v.IsNil() && v.NumMethod() == 0 {
		v = reflect.Value{} // text/template's pipeline forgets an empty interface
	}
	v, _ = indirect(v)
	switch v.Kind() {
	case reflect.Invalid:
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			if err := f.body.run(b, v.Index(i), root); err != nil {
				return err
			}
		}
		if v.Len() > 0 {
			return nil
		}
	default: // a map, a number, a nil pointer…
		return errSlow
	}
	return f.other.run(b, dot, root)
}

// foldTemplate runs a template's body with x as its dot and $.
type foldTemplate struct {
	x    *operand
	body foldList
}

func (f *foldTemplate) run(b *strings.Builder, dot, root reflect.Value) error {
	v, err := f.x.eval(dot, root)
	if err != nil {
		return err
	}
	return f.body.run(b, v, v)
}

// operand is ., $, a chain of fields or methods of either, or a string.
type operand struct {
	root  bool
	steps []*fieldStep
	text  *string
}

func operandOf(n parse.Node) *operand {
	switch n := n.(type) {
	case *parse.DotNode:
		return &operand{}
	case *parse.FieldNode:
		return &operand{steps: stepsOf(n.Ident)}
	case *parse.VariableNode:
		if len(n.Ident) == 0 || n.Ident[0] != "$" {
			return nil
		}
		return &operand{root: true, steps: stepsOf(n.Ident[1:])}
	case *parse.StringNode:
		s := n.Text
		return &operand{text: &s}
	}
	return nil
}

func stepsOf(names []string) []*fieldStep {
	steps := make([]*fieldStep, len(names))
	for i, name := range names {
		steps[i] = &fieldStep{name: name}
	}
	return steps
}

func (x *operand) eval(dot, root reflect.Value) (reflect.Value, error) {
	if x.text != nil {
		return reflect.ValueOf(*x.text), nil
	}
	v := dot
	if x.root {
		v = root
	}
	for _, s := range x.steps {
		var err error
		if v, err = s.eval(v); err != nil {
			return v, err
		}
	}
	return v, nil
}

// fieldStep is .name of a value, looked up once per type.
type fieldStep struct {
	name string
	last atomic.Pointer[fieldLookup]
}

// fieldLookup is how .name reads a value whose address (or itself, if not
// addressable) has type typ.
type fieldLookup struct {
	typ    reflect.Type
	method int   // ≥ 0: the method of that index of typ, called
	index  []int // else the field
	slow   bool
}

var errorType = reflect.TypeFor[error]()

func (s *fieldStep) eval(v reflect.Value) (reflect.Value, error) {
	if !v.IsValid() {
		return v, errSlow
	}
	v, isNil := indirect(v)
	if isNil {
		return v, errSlow
	}
	ptr := v
	if ptr.Kind() != reflect.Interface && ptr.Kind() != reflect.Pointer && ptr.CanAddr() {
		ptr = ptr.Addr()
	}
	l := s.last.Load()
	if l == nil || l.typ != ptr.Type() {
		l = s.lookup(ptr.Type())
		s.last.Store(l)
	}
	switch {
	case l.slow:
		return v, errSlow
	case l.method >= 0:
		out := ptr.Method(l.method).Call(nil)
		if len(out) == 2 && !out[1].IsNil() {
			return v, errSlow
		}
		return out[0], nil
	}
	f, err := v.FieldByIndexErr(l.index)
	if err != nil {
		return v, errSlow
	}
	return f, nil
}

// lookup finds .name for values whose address (or themselves) have type
// pt, as text/template's evalField does: a method first (here only one
// without arguments giving a value, or a value and an error), then an
// exported field of a struct.
func (s *fieldStep) lookup(pt reflect.Type) *fieldLookup {
	l := &fieldLookup{typ: pt, method: -1}
	if m, ok := pt.MethodByName(s.name); ok {
		mt := m.Type // with the receiver
		if pt.Kind() == reflect.Interface {
			l.slow = true
			return l
		}
		good := mt.NumIn() == 1 && (mt.NumOut() == 1 || mt.NumOut() == 2 && mt.Out(1) == errorType) &&
			mt.Out(0) != reflect.TypeFor[reflect.Value]()
		if !good {
			l.slow = true
			return l
		}
		l.method = m.Index
		return l
	}
	t := pt
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		l.slow = true
		return l
	}
	sf, ok := t.FieldByName(s.name)
	if !ok || !sf.IsExported() || sf.Type.Kind() == reflect.Func || sf.Type.Kind() == reflect.Chan {
		l.slow = true
		return l
	}
	l.index = sf.Index
	return l
}

// condition is the test of an if: x, not x, and/or of operands, eq/ne of
// an operand and a constant.
type condition struct {
	op    string // "", "not", "and", "or", "eq", "ne"
	args  []*operand
	subs  []*condition  // not, and, or: (a parenthesized test) in place of args[i] == nil
	value reflect.Value // eq, ne: the constant
}

func condOf(p *parse.PipeNode) *condition {
	if p == nil || len(p.Decl) > 0 || len(p.Cmds) != 1 {
		return nil
	}
	args := p.Cmds[0].Args
	if len(args) == 1 {
		x := operandOf(args[0])
		if x == nil || x.text != nil {
			return nil
		}
		return &condition{args: []*operand{x}}
	}
	fn, ok := args[0].(*parse.IdentifierNode)
	if !ok {
		return nil
	}
	c := &condition{op: fn.Ident}
	switch fn.Ident {
	case "not":
		if len(args) != 2 {
			return nil
		}
	case "and", "or":
	case "eq", "ne":
		if len(args) != 3 {
			return nil
		}
		switch k := args[2].(type) {
		case *parse.StringNode:
			c.value = reflect.ValueOf(k.Text)
		case *parse.NumberNode:
			if !k.IsInt {
				return nil
			}
			c.value = reflect.ValueOf(k.Int64)
		default:
			return nil
		}
		args = args[:2]
	default:
		return nil
	}
	for _, a := range args[1:] {
		if p, ok := a.(*parse.PipeNode); ok && c.op != "eq" && c.op != "ne" {
			sub := condOf(p)
			if sub == nil || sub.op == "" {
				return nil
			}
			c.args = append(c.args, nil)
			c.subs = append(c.subs, sub)
			continue
		}
		x := operandOf(a)
		if x == nil || x.text != nil {
			return nil
		}
		c.args = append(c.args, x)
		c.subs = append(c.subs, nil)
	}
	return c
}

// truth is whether argument i is true, as text/template tests it.
func (c *condition) truth(i int, dot, root reflect.Value) (bool, error) {
	if c.args[i] == nil {
		return c.subs[i].eval(dot, root)
	}
	v, err := c.args[i].eval(dot, root)
	if err != nil {
		return false, err
	}
	t, ok := isTrue(indirectInterface(v))
	if !ok {
		return false, errSlow
	}
	return t, nil
}

func (c *condition) eval(dot, root reflect.Value) (bool, error) {
	switch c.op {
	case "eq", "ne":
		v, err := c.args[0].eval(dot, root)
		if err != nil {
			return false, err
		}
		v = indirectInterface(v)
		var same bool
		switch {
		case !v.IsValid():
			return false, errSlow
		case c.value.Kind() == reflect.String && v.Kind() == reflect.String:
			same = v.String() == c.value.String()
		case c.value.Kind() == reflect.Int64 && v.CanInt():
			same = v.Int() == c.value.Int()
		default:
			return false, errSlow
		}
		return same == (c.op == "eq"), nil
	case "and", "or":
		// text/template returns the first false (and) or true (or)
		// argument, or the last, and tests it.
		for i := range c.args {
			t, err := c.truth(i, dot, root)
			if err != nil {
				return false, err
			}
			if t == (c.op == "or") || i == len(c.args)-1 {
				return t, nil
			}
		}
		return false, errSlow // no arguments: text/template's error
	}
	t, err := c.truth(0, dot, root)
	if err != nil {
		return false, err
	}
	if c.op == "not" {
		return !t, nil
	}
	return t, nil
}

// isTrue, indirect and indirectInterface are text/template's.
func isTrue(val reflect.Value) (truth, ok bool) {
	if !val.IsValid() {
		return false, true
	}
	switch val.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		truth = val.Len() > 0
	case reflect.Bool:
		truth = val.Bool()
	case reflect.Complex64, reflect.Complex128:
		truth = val.Complex() != 0
	case reflect.Chan, reflect.Func, reflect.Pointer, reflect.UnsafePointer, reflect.Interface:
		truth = !val.IsNil()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		truth = val.Int() != 0
	case reflect.Float32, reflect.Float64:
		truth = val.Float() != 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		truth = val.Uint() != 0
	case reflect.Struct:
		truth = true
	default:
		return
	}
	return truth, true
}

func indirect(v reflect.Value) (rv reflect.Value, isNil bool) {
	for ; v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface; v = v.Elem() {
		if v.IsNil() {
			return v, true
		}
	}
	return v, false
}

func indirectInterface(v reflect.Value) reflect.Value {
	if v.Kind() != reflect.Interface {
		return v
	}
	if v.IsNil() {
		return reflect.Value{}
	}
	return v.Elem()
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
