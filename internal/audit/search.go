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
// Scoped limits the entries to those about the org subtrees Paths
// ("/1/2/"), the scope of an auditor or admin: those of users who hold a
// role within one of them, and those about an object that lies within one
// now (a household, a person, a request…), whoever made them. A root path
// ("/1/") sees everything, including failed logins of unknown names and
// the system's own entries. Scoped with no paths sees nothing.
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

// scope returns the condition that keeps a scoped reader to the entries
// about their subtrees: those of users who hold a role within them, and
// those about an object that lies within them, whoever made them (a
// department's officer resolving a community's request, an administrator
// above the community changing one of its households).
func (f Filter) scope() (string, []any) {
	if !f.Scoped {
		return "", nil
	}
	var paths []string
	for _, p := range f.Paths {
		if p == "" {
			continue
		}
		if strings.Count(p, "/") <= 2 {
			return "", nil // the root of the tree: everything
		}
		paths = append(paths, p)
	}
	if len(paths) == 0 {
		return "1 = 0", nil
	}
	within := func(col string) (string, []any) {
		var ors []string
		var args []any
		for _, p := range paths {
			ors, args = append(ors, "substr("+col+", 1, ?) = ?"), append(args, len(p), p)
		}
		return "(" + strings.Join(ors, " OR ") + ")", args
	}
	cond, args := within("o.path")
	ors := []string{`username IN (SELECT u.username FROM users u JOIN user_roles ur ON ur.user_id = u.id
		JOIN org_units o ON o.id = ur.org_unit_id WHERE ` + cond + `)`}
	for _, k := range objectKinds {
		cond, a := within(k.path)
		ors, args = append(ors, "object IN (SELECT '"+k.kind+":' || x.id "+k.from+" WHERE "+cond+")"), append(args, a...)
	}
	return "(" + strings.Join(ors, "\n\t\tOR ") + ")", args
}

// objectKinds are the objects whose place in the org tree the log can
// find (see Filter.scope): the kind in an entry's object ("household:42"),
// the table it is a row of (as x) and the org path it lies under. "plan:"
// is left out: it names a household's measure (/plan/{id}) and a grid's
// weekly plan (/plans/{id}) alike.
var objectKinds = []struct{ kind, from, path string }{
	{"household", "FROM households x JOIN org_units g ON g.id = x.grid_id", "g.path"},
	{"person", "FROM persons x JOIN households h ON h.id = x.household_id JOIN org_units g ON g.id = h.grid_id", "g.path"},
	{"need", "FROM needs x JOIN households h ON h.id = x.household_id JOIN org_units g ON g.id = h.grid_id", "g.path"},
	{"visit", "FROM visits x JOIN org_units g ON g.id = x.grid_id", "g.path"},
	{"appointment", "FROM appointments x JOIN org_units g ON g.id = x.grid_id", "g.path"},
	{"request", "FROM requests x", "x.org_path"},
	{"org-unit", "FROM org_units x", "x.path"},
}
