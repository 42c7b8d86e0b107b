package audit

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Filter selects entries. User is a username; Action matches itself and
// its dotted sub-actions ("login" finds "login.failure"); Object matches
// exactly, or by kind when it ends with a colon ("household:"). From is
// inclusive, To exclusive; zero times are open.
//
// Scoped limits the entries to those of users who hold a role within one
// of the org subtrees Paths ("/1/2/"), the scope of an auditor or admin;
// a root path ("/1/") sees everything, including failed logins of unknown
// names and the system's own entries. Scoped with no paths sees nothing.
type Filter struct {
	User, Action, Object string
	From, To             time.Time
	Page, PerPage        int
	Scoped               bool
	Paths                []string
}

// MaxPerPage caps a page of Search.
const MaxPerPage = 500

// where returns the WHERE clause and its arguments.
func (f Filter) where() (string, []any) {
	var conds []string
	var args []any
	if f.User != "" {
		conds, args = append(conds, "username = ?"), append(args, f.User)
	}
	if a := strings.TrimSuffix(f.Action, "."); a != "" {
		conds = append(conds, "(action = ? OR substr(action, 1, ?) = ?)")
		args = append(args, a, len(a)+1, a+".")
	}
	switch o := f.Object; {
	case o == "":
	case strings.HasSuffix(o, ":"):
		conds, args = append(conds, "substr(object, 1, ?) = ?"), append(args, len(o), o)
	default:
		conds, args = append(conds, "object = ?"), append(args, o)
	}
	if !f.From.IsZero() {
		conds, args = append(conds, "at >= ?"), append(args, f.From.UTC())
	}
	if !f.To.IsZero() {
		conds, args = append(conds, "at < ?"), append(args, f.To.UTC())
	}
	if c, a := f.scope(); c != "" {
		conds, args = append(conds, c), append(args, a...)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// Search returns a page of the entries f selects, newest first, and how
// many there are in all.
func (l *Log) Search(ctx context.Context, f Filter) ([]Record, int, error) {
	if l == nil {
		return nil, 0, fmt.Errorf("audit: no log")
	}
	where, args := f.where()
	var total int
	if err := l.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log`+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("audit: count: %w", err)
	}
	per := f.PerPage
	if per <= 0 {
		per = 50
	}
	per = min(per, MaxPerPage)
	page := max(f.Page, 1)
	rows, err := l.db.QueryContext(ctx, `SELECT `+recordColumns+` FROM audit_log`+where+` ORDER BY id DESC LIMIT ? OFFSET ?`,
		append(args, per, (page-1)*per)...)
	if err != nil {
		return nil, 0, fmt.Errorf("audit: search: %w", err)
	}
	recs, err := scanRecords(rows)
	return recs, total, err
}

// scope returns the condition that keeps a scoped reader to the entries of
// users within their subtrees.
func (f Filter) scope() (string, []any) {
	if !f.Scoped {
		return "", nil
	}
	var ors []string
	var args []any
	for _, p := range f.Paths {
		if p == "" {
			continue
		}
		if strings.Count(p, "/") <= 2 {
			return "", nil // the root of the tree: everything
		}
		ors, args = append(ors, "substr(o.path, 1, ?) = ?"), append(args, len(p), p)
	}
	if len(ors) == 0 {
		return "1 = 0", nil
	}
	return `username IN (SELECT u.username FROM users u JOIN user_roles ur ON ur.user_id = u.id
		JOIN org_units o ON o.id = ur.org_unit_id WHERE ` + strings.Join(ors, " OR ") + `)`, args
}
