package web

import (
	"bytes"
	"reflect"
	"sync/atomic"
	"text/template/parse"

	"wanhu/internal/access"
	"wanhu/internal/auth"
)

// The pieces a folded run of nodes is compiled into (fold_range.go) and
// how they run: text, printed operands, if, with, range and template
// calls, the operands' fields and methods looked up as text/template
// looks them up, and its tests of truth.

type foldList []foldNode

func (l foldList) run(b *bytes.Buffer, dot, root reflect.Value) error {
	for _, n := range l {
		if err := n.run(b, dot, root); err != nil {
			return err
		}
	}
	return nil
}

type foldText string

func (t foldText) run(b *bytes.Buffer, _, _ reflect.Value) error {
	b.WriteString(string(t))
	return nil
}

// handBack is a part the fold does not compile: met, it hands the range
// back to text/template.
type handBack struct{}

func (handBack) run(*bytes.Buffer, reflect.Value, reflect.Value) error { return errSlow }

// foldPrint prints x through a fast escaper.
type foldPrint struct {
	x   *operand
	esc *fastEscaper
}

func (p *foldPrint) run(b *bytes.Buffer, dot, root reflect.Value) error {
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

// foldCallPrint prints a translation with arguments through a fast
// escaper.
type foldCallPrint struct {
	call *localeCall
	esc  *fastEscaper
}

func (p *foldCallPrint) run(b *bytes.Buffer, dot, root reflect.Value) error {
	t, err := p.call.eval(dot, root)
	if err != nil {
		return err
	}
	s, err := p.esc.escape(t)
	if err != nil {
		return errSlow
	}
	b.WriteString(s)
	return nil
}

// localeCall is {{X.T "key" args…}}: the method T of X, a *Locale, called
// with a constant key and operands.
type localeCall struct {
	recv *operand
	key  string
	args []*operand
}

// localeCallOf compiles the arguments of a command that calls .L.T or
// $.L.T with a constant key and operands, or returns nil.
func localeCallOf(args []parse.Node) *localeCall {
	if len(args) < 2 || localeField(args[0]) != "T" {
		return nil
	}
	key, ok := args[1].(*parse.StringNode)
	if !ok {
		return nil
	}
	var recv *operand
	switch n := args[0].(type) {
	case *parse.FieldNode:
		recv = &operand{steps: stepsOf(n.Ident[:len(n.Ident)-1])}
	case *parse.VariableNode:
		recv = &operand{root: true, steps: stepsOf(n.Ident[1 : len(n.Ident)-1])}
	default:
		return nil
	}
	c := &localeCall{recv: recv, key: key.Text}
	for _, a := range args[2:] {
		x := operandOf(a)
		if x == nil {
			return nil
		}
		c.args = append(c.args, x)
	}
	return c
}

var localeType = reflect.TypeFor[*Locale]()

// eval calls T as text/template calls it (each argument as its value, an
// interface's held value), or hands back: a receiver not a *Locale, or a
// key the locale does not have (T records it as missing).
func (c *localeCall) eval(dot, root reflect.Value) (string, error) {
	v, err := c.recv.eval(dot, root)
	if err != nil {
		return "", err
	}
	if v = indirectInterface(v); !v.IsValid() || v.Type() != localeType || v.IsNil() {
		return "", errSlow
	}
	l := v.Interface().(*Locale)
	if !l.Has(c.key) {
		return "", errSlow
	}
	args := make([]any, len(c.args))
	for i, a := range c.args {
		x, err := a.eval(dot, root)
		if err != nil {
			return "", err
		}
		if !x.IsValid() || !x.CanInterface() {
			return "", errSlow
		}
		args[i] = x.Interface()
	}
	return l.T(c.key, args...), nil
}

type foldIf struct {
	cond        *condition
	list, other foldList
}

func (f *foldIf) run(b *bytes.Buffer, dot, root reflect.Value) error {
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

func (f *foldWith) run(b *bytes.Buffer, dot, root reflect.Value) error {
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

func (f *foldRange) run(b *bytes.Buffer, dot, root reflect.Value) error {
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

func (f *foldTemplate) run(b *bytes.Buffer, dot, root reflect.Value) error {
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

var userType = reflect.TypeFor[*auth.User]()

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
// an operand and a constant, can of an operand and an action.
type condition struct {
	op    string // "", "not", "and", "or", "eq", "ne", "can"
	args  []*operand
	subs  []*condition  // not, and, or: (a parenthesized test) in place of args[i] == nil
	value reflect.Value // eq, ne: the constant; can: the action
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
	case "can":
		if len(args) != 3 {
			return nil
		}
		action, ok := args[2].(*parse.StringNode)
		if !ok {
			return nil
		}
		c.value = reflect.ValueOf(access.Action(action.Text))
		args = args[:2]
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
		if p, ok := a.(*parse.PipeNode); ok && c.op != "eq" && c.op != "ne" && c.op != "can" {
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
	case "can":
		// The function can of the page's funcs: a user, exactly, and an
		// action.
		v, err := c.args[0].eval(dot, root)
		if err != nil {
			return false, err
		}
		// text/template passes an interface's value.
		if v = indirectInterface(v); !v.IsValid() || v.Type() != userType {
			return false, errSlow
		}
		return access.Can(v.Interface().(*auth.User), c.value.Interface().(access.Action)), nil
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
