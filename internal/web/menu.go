package web

import (
	"bytes"
	"html/template"
	"strconv"
	"strings"
	"sync"
	"text/template/parse"

	"wanhu/internal/access"
	"wanhu/internal/auth"
)

// The layout's menu ({{define "menu"}} in layouts/base.html) is the same
// on every page of a language for every user whose roles answer its
// questions alike, but text/template evaluated it on every page: some
// forty reflective calls (can, .User.Has, eq, and, or, the escapers),
// about a third of the household file's rendering. In the folded sets the
// {{template "menu" .}} of the layout becomes one call of a function
// (menuCache.html) that prints the menu from a cache: the key is the
// page's Nav and the answers, computed in Go, to the questions the menu
// asks of its user; a miss renders the set's own escaped "menu" template.
//
// The menu's tree says what it asks (menuQuestions): `can .User "action"`,
// `.User.Has "role"`, whether .User.TeamMemberID is set, and .Nav; any
// other use of the data (a field, a variable, with, range) leaves the menu
// to the template, as before. The team member's id is the one value the
// menu prints: a miss renders it with a stand-in id, and the cache holds
// the text around it. In tests every page is also rendered unfolded
// (pages.check), so the cached menu is checked against the template on
// every page the tests render.

// menuName is the layout's menu template.
const menuName = "menu"

// menuStandIn is the team member id a miss renders the menu with: it is
// cut out of the text and replaced by the user's own.
const menuStandIn int64 = 7_305_019_483_226_510_917

// menuMax bounds the cache (navs × answer sets are few; a bug that made
// keys of data would otherwise grow it).
const menuMax = 4096

// menuQuestion is one question the menu asks of its user.
type menuQuestion struct {
	can  access.Action // can .User "action"
	has  auth.Role     // .User.Has "role"
	team bool          // .User.TeamMemberID (set or not)
}

func (q menuQuestion) answer(u *auth.User) bool {
	switch {
	case q.team:
		return u.TeamMemberID != 0
	case q.has != "":
		return u.Has(q.has)
	default:
		return access.Can(u, q.can)
	}
}

type menuKey struct {
	nav     string
	answers uint64
}

// menuCache prints the menu of one folded set.
type menuCache struct {
	t         *template.Template // the set, whose "menu" is escaped
	questions []menuQuestion
	mu        sync.RWMutex
	menus     map[menuKey][]string // the menu's text around the team member's id
}

// foldMenu replaces, in the escaped set t, the layout's {{template "menu"
// .}} by a call of the menu's cache, if the menu asks only questions the
// cache can answer. It reports whether it did.
func foldMenu(t *template.Template) bool {
	m := t.Lookup(menuName)
	if m == nil || m.Tree == nil {
		return false
	}
	questions, ok := menuQuestions(m.Tree.Root)
	if !ok || len(questions) > 64 {
		return false
	}
	c := &menuCache{t: t, questions: questions, menus: map[menuKey][]string{}}
	const fn = "_wanhu_menu"
	replaced := false
	replaceNodes(t, menuName, func(n parse.Node, tr *parse.Tree) parse.Node {
		m, ok := n.(*parse.TemplateNode)
		if !ok || m.Name != menuName || m.Pipe == nil || len(m.Pipe.Decl) > 0 || len(m.Pipe.Cmds) != 1 {
			return nil
		}
		if len(m.Pipe.Cmds[0].Args) != 1 || m.Pipe.Cmds[0].Args[0].Type() != parse.NodeDot {
			return nil
		}
		replaced = true
		call := &parse.CommandNode{NodeType: parse.NodeCommand, Pos: m.Pos, Args: []parse.Node{
			parse.NewIdentifier(fn).SetTree(tr).SetPos(m.Pos), &parse.DotNode{NodeType: parse.NodeDot, Pos: m.Pos},
		}}
		return &parse.ActionNode{NodeType: parse.NodeAction, Pos: m.Pos, Line: m.Line,
			Pipe: &parse.PipeNode{NodeType: parse.NodePipe, Pos: m.Pos, Line: m.Line, Cmds: []*parse.CommandNode{call}}}
	})
	if replaced {
		t.Funcs(template.FuncMap{fn: c.html})
	}
	return replaced
}

// html prints the menu of page p.
func (c *menuCache) html(p Page) (string, error) {
	if p.User == nil {
		return c.render(p)
	}
	k := menuKey{nav: p.Nav}
	for i, q := range c.questions {
		if q.answer(p.User) {
			k.answers |= 1 << i
		}
	}
	c.mu.RLock()
	parts, ok := c.menus[k]
	c.mu.RUnlock()
	if !ok {
		standIn := *p.User
		if standIn.TeamMemberID != 0 {
			standIn.TeamMemberID = menuStandIn
		}
		q := p
		q.User = &standIn
		s, err := c.render(q)
		if err != nil {
			return "", err
		}
		parts = strings.Split(s, strconv.FormatInt(menuStandIn, 10))
		c.mu.Lock()
		if len(c.menus) < menuMax {
			c.menus[k] = parts
		}
		c.mu.Unlock()
	}
	if len(parts) == 1 {
		return parts[0], nil
	}
	return strings.Join(parts, strconv.FormatInt(p.User.TeamMemberID, 10)), nil
}

// render runs the set's escaped menu template on p.
func (c *menuCache) render(p Page) (string, error) {
	var b bytes.Buffer
	err := c.t.ExecuteTemplate(&b, menuName, p)
	return b.String(), err
}

// menuQuestions returns the questions the menu's tree asks, or false if it
// uses its data otherwise than by asking them (or testing .Nav).
func menuQuestions(root *parse.ListNode) ([]menuQuestion, bool) {
	var qs []menuQuestion
	add := func(q menuQuestion) {
		for _, x := range qs {
			if x == q {
				return
			}
		}
		qs = append(qs, q)
	}
	// arg checks an argument of a command: constants, .Nav, and the
	// questions as parenthesised pipelines.
	var pipe func(p *parse.PipeNode) bool
	var cmd func(c *parse.CommandNode, first bool) bool
	arg := func(fn string, n parse.Node) bool {
		switch n := n.(type) {
		case *parse.StringNode, *parse.BoolNode, *parse.NumberNode, *parse.NilNode:
			return true
		case *parse.FieldNode:
			switch strings.Join(n.Ident, ".") {
			case "Nav":
				return true
			case "User.TeamMemberID": // tested, not compared
				add(menuQuestion{team: true})
				return fn == "and" || fn == "or" || fn == "not"
			}
			return false
		case *parse.PipeNode:
			return pipe(n)
		}
		return false
	}
	cmd = func(c *parse.CommandNode, first bool) bool {
		switch a0 := c.Args[0].(type) {
		case *parse.IdentifierNode:
			switch fn := a0.Ident; {
			case fn == "can":
				if len(c.Args) != 3 {
					return false
				}
				u, isField := c.Args[1].(*parse.FieldNode)
				action, isString := c.Args[2].(*parse.StringNode)
				if !isField || !isString || strings.Join(u.Ident, ".") != "User" {
					return false
				}
				add(menuQuestion{can: access.Action(action.Text)})
				return true
			case fn == "and" || fn == "or" || fn == "not" || fn == "eq" || fn == "ne":
				if !first {
					return false
				}
				for _, a := range c.Args[1:] {
					if !arg(fn, a) {
						return false
					}
				}
				return true
			case strings.HasPrefix(fn, "_html_template_") || strings.HasPrefix(fn, "_wanhu_escape_"):
				// An escaper, after the value it prints.
				return !first && len(c.Args) == 1
			}
			return false
		case *parse.FieldNode:
			switch strings.Join(a0.Ident, ".") {
			case "User.Has":
				role, isString := c.Args[len(c.Args)-1].(*parse.StringNode)
				if len(c.Args) != 2 || !isString {
					return false
				}
				add(menuQuestion{has: auth.Role(role.Text)})
				return true
			case "User.TeamMemberID":
				// Tested, or printed (the one value the cache replaces).
				add(menuQuestion{team: true})
				return len(c.Args) == 1 && first
			case "Nav":
				return len(c.Args) == 1 && first
			}
			return false
		case *parse.StringNode, *parse.BoolNode:
			return len(c.Args) == 1
		case *parse.PipeNode:
			return len(c.Args) == 1 && pipe(a0)
		}
		return false
	}
	pipe = func(p *parse.PipeNode) bool {
		if p == nil || len(p.Decl) > 0 || len(p.Cmds) == 0 {
			return false
		}
		for i, c := range p.Cmds {
			if !cmd(c, i == 0) {
				return false
			}
		}
		return true
	}
	var list func(l *parse.ListNode) bool
	list = func(l *parse.ListNode) bool {
		if l == nil {
			return true
		}
		for _, n := range l.Nodes {
			switch n := n.(type) {
			case *parse.TextNode, *parse.CommentNode:
			case *parse.ActionNode:
				if !pipe(n.Pipe) {
					return false
				}
			case *parse.IfNode:
				if !pipe(n.Pipe) || !list(n.List) || !list(n.ElseList) {
					return false
				}
			default: // with, range, template, break, continue
				return false
			}
		}
		return true
	}
	if !list(root) {
		return nil, false
	}
	return qs, true
}
