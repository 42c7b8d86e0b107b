package household

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/org"
	"wanhu/internal/pii"
	"wanhu/internal/store"
)

// memberHouseholds selects the households of a team member (see
// org.Scope.MemberID); its parameters are the member twice and this week.
// Plans are the visit package's: their tables join here because a plan
// is how a grid leader hands a household to a visitor for a week.
const memberHouseholds = `SELECT household_id FROM household_assignments WHERE team_member_id = ?
	UNION SELECT i.household_id FROM plan_items i JOIN plans p ON p.id = i.plan_id WHERE i.team_member_id = ? AND p.week >= ?`

// memberArgs are the parameters of memberHouseholds for member id.
func memberArgs(id int64) []any {
	y, w := time.Now().In(calendar.China).ISOWeek()
	return []any{id, id, fmt.Sprintf("%04d-W%02d", y, w)}
}

// Where returns scope s as an SQL condition on the households alias h
// ("" for everything): the households of the grids under its paths and
// among its grids, and those of its team member (see memberHouseholds).
// Every query of households goes through it, the other domains' too. A
// Store applies its scope to every read, list, count, export and write, so
// a household out of scope looks exactly like one that does not exist
// (apperr.ErrNotFound).
func Where(s org.Scope) (string, []any) { return scopeWhere(s, "", false) }

// WhereRow is Where for a query that finds its households by id (a
// file, a check of one household): the same households, but each part of
// the scope is a correlated EXISTS that looks up the row's grid or
// assignment and stops at its first match. Where's lists (the grids under
// a path, a member's households) would be built in full by SQLite for
// every such query, a few hundred rows to check one: a third of the CPU of
// a visitor's household file at city scale. Lists and counts keep Where,
// whose lists lead their plans. Its parameters are Where's, in the same
// order.
func WhereRow(s org.Scope) (string, []any) { return scopeWhere(s, "", true) }

// scopeWhere is Where, or WhereRow when byRow, with lead before the
// columns it compares: "+" makes the condition one no index serves, so
// SQLite checks it on the households another index found instead of
// letting it lead (see searchplan.go).
func scopeWhere(s org.Scope, lead string, byRow bool) (string, []any) {
	if s.All {
		return "", nil
	}
	var args []any
	for _, p := range s.Paths {
		args = append(args, p+"%")
	}
	for _, id := range s.GridIDs {
		args = append(args, id)
	}
	if s.MemberID != 0 {
		args = append(args, memberArgs(s.MemberID)...)
	}
	return scopeText(scopeShape{len(s.Paths), len(s.GridIDs), s.MemberID != 0, lead, byRow}), args
}

// scopeShape is what the text of a scope's condition depends on: how many
// org paths and grids it names, whether it has a team member, and how
// scopeWhere writes it.
type scopeShape struct {
	paths, grids int
	member       bool
	lead         string
	byRow        bool
}

// scopeTexts keeps the texts of the shapes met (a few: every household
// read builds its scope's condition, which showed in profiles; issue 15),
// up to maxScopeTexts of them.
var scopeTexts = struct {
	sync.RWMutex
	m map[scopeShape]string
}{m: map[scopeShape]string{}}

const maxScopeTexts = 200

// scopeText is the text of scopeWhere's condition of shape sh; its
// arguments are the paths, then the grids, then memberArgs.
func scopeText(sh scopeShape) string {
	scopeTexts.RLock()
	text, ok := scopeTexts.m[sh]
	scopeTexts.RUnlock()
	if ok {
		return text
	}
	lead := sh.lead
	underPath := lead + "h.grid_id IN (SELECT id FROM org_units WHERE kind = 'grid' AND path LIKE ?)"
	members := lead + "h.id IN (" + memberHouseholds + ")"
	if sh.byRow {
		underPath = "EXISTS (SELECT 1 FROM org_units u WHERE u.id = " + lead + "h.grid_id AND u.kind = 'grid' AND u.path LIKE ?)"
		members = "EXISTS (SELECT 1 FROM household_assignments a WHERE a.team_member_id = ? AND a.household_id = " + lead + "h.id)" +
			" OR EXISTS (SELECT 1 FROM plan_items i JOIN plans p ON p.id = i.plan_id WHERE i.team_member_id = ? AND i.household_id = " + lead + "h.id AND p.week >= ?)"
	}
	var or []string
	for range sh.paths {
		or = append(or, underPath)
	}
	if sh.grids > 0 {
		or = append(or, lead+"h.grid_id IN (?"+strings.Repeat(", ?", sh.grids-1)+")")
	}
	if sh.member {
		or = append(or, members)
	}
	text = "1 = 0"
	if len(or) > 0 {
		text = "(" + strings.Join(or, " OR ") + ")"
	}
	scopeTexts.Lock()
	if len(scopeTexts.m) < maxScopeTexts {
		scopeTexts.m[sh] = text
	}
	scopeTexts.Unlock()
	return text
}

// outside is the statement that finds a household the org paths of
// scope s (not All, with paths) do not reach: the first household of a
// grid outside the paths, or of an org unit that is not a grid (which
// Where never reaches; none should hold households). It reads the org
// tree and asks the households' grid index once per unit it meets,
// grids first: a community's administrator in a city stops at the first
// grid of another community, the city's administrator of a database of
// one city reads the few hundred units above the grids (well under a
// millisecond).
func outside(s org.Scope) Stmt {
	var args []any
	for _, p := range s.Paths {
		args = append(args, p+"%")
	}
	has := ` AND EXISTS (SELECT 1 FROM households h WHERE h.grid_id = u.id)`
	return Stmt{`SELECT 1 FROM org_units u WHERE u.kind = 'grid' AND NOT (` +
		strings.TrimSuffix(strings.Repeat("u.path LIKE ? OR ", len(s.Paths)), " OR ") + `)` + has +
		` UNION ALL SELECT 1 FROM org_units u WHERE u.kind <> 'grid'` + has + ` LIMIT 1`, args}
}

// ReachesAll reports whether scope s reaches every household there is
// now: the system, or an administrator whose org paths hold every grid
// that has households (a city's administrator in a database of one
// city, a community's in a database of one community). Where's condition
// then selects nothing less than no condition, so a list, a count or a
// statistic may leave it out: at a million households the check of each
// household a search found against the city's 1,568 grids was most of a
// city administrator's search on PostgreSQL. It is asked of the database
// on each call, never remembered: several servers share one database,
// and a grid or a household added outside the paths counts from the next
// request on. A visitor's households or a grid leader's grids alone
// never count as everything (they are few; their condition leads).
func ReachesAll(ctx context.Context, q store.Querier, s org.Scope) (bool, error) {
	all, _, err := reachesAll(ctx, q, s)
	return all, err
}

// reachesAll is ReachesAll, with the statement it asked (none when the
// scope alone answers).
func reachesAll(ctx context.Context, q store.Querier, s org.Scope) (bool, []Stmt, error) {
	if s.All {
		return true, nil, nil
	}
	if len(s.Paths) == 0 {
		return false, nil, nil
	}
	st := outside(s)
	var one int
	err := q.QueryRowContext(ctx, st.SQL, st.Args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return true, []Stmt{st}, nil
	}
	return false, []Stmt{st}, err
}

// whereScope is the scope whose condition (Where) a list's statements
// carry: scope itself, or when it reaches every household there is now
// (ReachesAll) the system's, which carries none. What the reader may see
// of each household (masking) still follows scope.
func whereScope(ctx context.Context, q store.Querier, scope org.Scope) (org.Scope, []Stmt, error) {
	all, asked, err := reachesAll(ctx, q, scope)
	if err != nil || !all || scope.All {
		return scope, asked, err
	}
	return org.Scope{All: true}, asked, nil
}

// ListScope is the scope whose condition a statement over many
// households' rows carries (a report, a roster, a list): scope itself, or
// when it reaches every household there is now (ReachesAll: a city's
// administrator) the system's, which carries none, so the rows' own
// conditions lead instead of every grid under the paths. What the reader
// may see of each row still follows scope.
func ListScope(ctx context.Context, q store.Querier, scope org.Scope) (org.Scope, error) {
	s, _, err := whereScope(ctx, q, scope)
	return s, err
}

// rowsScope is the store's scope as the condition of a list of rows of
// households (ledger events, benefit cases): on the household's row
// (WhereRow) for one household's, not through the list of every household
// in scope; else Where of whereScope, none when the scope reaches every
// household, so the rows lead instead of each household of a city being
// asked for its rows.
func (s *Store) rowsScope(ctx context.Context, one bool) (string, []any, error) {
	if one {
		cond, args := WhereRow(s.scope)
		return cond, args, nil
	}
	cs, _, err := whereScope(ctx, s.db, s.scope)
	if err != nil {
		return "", nil, err
	}
	cond, args := Where(cs)
	return cond, args, nil
}

// GridWhere returns the grids of scope s as an SQL condition on the org
// unit alias g ("" for everything), as Where does for households: a
// visitor's are the grids of their households.
func GridWhere(s org.Scope) (string, []any) {
	if s.All {
		return "", nil
	}
	var or []string
	var args []any
	for _, p := range s.Paths {
		or, args = append(or, "g.path LIKE ?"), append(args, p+"%")
	}
	if len(s.GridIDs) > 0 {
		or = append(or, "g.id IN (?"+strings.Repeat(", ?", len(s.GridIDs)-1)+")")
		for _, id := range s.GridIDs {
			args = append(args, id)
		}
	}
	if s.MemberID != 0 {
		or = append(or, "g.id IN (SELECT hh.grid_id FROM households hh WHERE hh.id IN ("+memberHouseholds+"))")
		args = append(args, memberArgs(s.MemberID)...)
	}
	if len(or) == 0 {
		return "1 = 0", nil
	}
	return "(" + strings.Join(or, " OR ") + ")", args
}

// In returns a Store that sees only the households in scope.
func (s *Store) In(scope org.Scope) *Store {
	c := *s
	c.scope = scope
	return &c
}

// visible returns apperr.ErrNotFound unless household id exists and is in
// the store's scope.
func (s *Store) visible(ctx context.Context, q store.Querier, id int64) error {
	cond, args := WhereRow(s.scope)
	if cond != "" {
		cond = " AND " + cond
	}
	var one int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM households h WHERE h.id = ?`+cond, append([]any{id}, args...)...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.ErrNotFound
	}
	return err
}

// Visible returns apperr.ErrNotFound unless household id exists and is in
// the store's scope: the check of a household's visits, schedule or
// ledger, without reading its file.
func (s *Store) Visible(ctx context.Context, id int64) error {
	return s.visible(ctx, s.db, id)
}

// gridInScope returns a FieldError on grid_id unless new households may be
// placed in grid id: only scopes by org path or grid can create households.
func (s *Store) gridInScope(ctx context.Context, q store.Querier, gridID int64) error {
	if s.scope.All {
		return nil
	}
	var path string
	if err := q.QueryRowContext(ctx, `SELECT path FROM org_units WHERE id = ?`, gridID).Scan(&path); err == nil {
		for _, p := range s.scope.Paths {
			if strings.HasPrefix(path, p) {
				return nil
			}
		}
		for _, g := range s.scope.GridIDs {
			if g == gridID {
				return nil
			}
		}
	}
	return apperr.Field("grid_id", "not_found", "grid %d does not exist", gridID)
}

// outOfScope is the answer to placing household h in a grid out of
// scope (err from gridInScope): in a building, the building's own "does
// not exist", as for a building that is missing.
func outOfScope(h *Household, err error) error {
	if err != nil && h.BuildingID != 0 {
		return apperr.Field("building_id", "not_found", "building %d does not exist", h.BuildingID)
	}
	return err
}

// Assign gives team member memberID the households ids to visit. Assigned
// households are in the member's scope.
func (s *Store) Assign(ctx context.Context, memberID int64, ids ...int64) error {
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		for _, id := range ids {
			if err := s.visible(ctx, tx, id); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO household_assignments(team_member_id, household_id) VALUES (?, ?)
				ON CONFLICT DO NOTHING`, memberID, id); err != nil {
				return err
			}
		}
		return nil
	})
}

// GridVisible reports whether grid id is within scope: a grid under one of
// its org paths, one of its grids, or a grid where one of its assigned
// households is.
func (s *Store) GridVisible(ctx context.Context, gridID int64) (bool, error) {
	if s.scope.All {
		return true, nil
	}
	if s.gridInScope(ctx, s.db, gridID) == nil {
		return true, nil
	}
	if s.scope.MemberID == 0 {
		return false, nil
	}
	var one int
	err := s.db.QueryRowContext(ctx, `SELECT 1 FROM households h WHERE h.grid_id = ? AND h.id IN (`+memberHouseholds+`) LIMIT 1`,
		append([]any{gridID}, memberArgs(s.scope.MemberID)...)...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// Grids lists the grids within scope (see GridVisible), in one query
// that counts the households of those grids only.
func (s *Store) Grids(ctx context.Context) ([]org.Grid, error) {
	cond, args := GridWhere(s.scope)
	out, err := org.GridsWhere(ctx, s.db, cond, args...)
	if out == nil && err == nil {
		out = []org.Grid{}
	}
	return out, err
}

// GridChoices is Grids without their households counted (Households is
// 0): the grids a form or a filter offers.
func (s *Store) GridChoices(ctx context.Context) ([]org.Grid, error) {
	cond, args := GridWhere(s.scope)
	return org.GridChoicesWhere(ctx, s.db, cond, args...)
}

// BuildingChoices lists at most limit (0: all) active buildings in scope
// where a household can be placed, by compound (see
// org.BuildingChoicesWhere); gridID, unless 0, keeps those of that grid
// only, none when it is out of scope.
func (s *Store) BuildingChoices(ctx context.Context, gridID int64, limit int) ([]org.BuildingChoice, error) {
	cond, args := GridWhere(s.scope)
	if gridID != 0 {
		if cond != "" {
			cond += " AND "
		}
		cond, args = cond+"g.id = ?", append(args, gridID)
	}
	return org.BuildingChoicesWhere(ctx, s.db, limit, cond, args...)
}

// Team lists the active visiting team within scope: the members of the
// visible grids and the helpers without a grid of those grids' communities,
// contacts shown as showTeam says.
func (s *Store) Team(ctx context.Context) ([]org.TeamMember, error) {
	all, err := org.TeamMembers(ctx, s.db)
	if err != nil || s.scope.All {
		return all, err
	}
	grids, err := s.Grids(ctx)
	if err != nil {
		return nil, err
	}
	out := org.TeamOfGrids(all, grids)
	for i := range out {
		showTeam(s.scope, &out[i])
	}
	return out, nil
}

// TeamMember returns team member id, active or not, when the scope sees
// them as Team does, contacts shown as showTeam says; apperr.ErrNotFound
// otherwise.
func (s *Store) TeamMember(ctx context.Context, id int64) (org.TeamMember, error) {
	m, err := org.TeamMemberByID(ctx, s.db, id)
	if err != nil || s.scope.All {
		return m, err
	}
	grids, err := s.Grids(ctx)
	if err != nil {
		return m, err
	}
	if len(org.TeamOfGrids([]org.TeamMember{m}, grids)) == 0 {
		return org.TeamMember{}, apperr.ErrNotFound
	}
	showTeam(s.scope, &m)
	return m, nil
}

// showTeam masks a team member's phone and WeChat for a reader who manages
// no one (a visitor sees their colleagues' names, roles, languages and
// hours, not their numbers: issue 11). Those who plan the visits of a grid
// or more see them, to reach the team.
func showTeam(scope org.Scope, m *org.TeamMember) {
	if !scope.Any() {
		m.Phone, m.WeChat = pii.MaskPhone(m.Phone), pii.MaskPhone(m.WeChat)
	}
}

// Seen returns which of the households ids are in the store's scope.
func (s *Store) Seen(ctx context.Context, ids []int64) (map[int64]bool, error) {
	seen := map[int64]bool{}
	if len(ids) == 0 {
		return seen, nil
	}
	args := make([]any, 0, len(ids))
	for _, id := range ids {
		args = append(args, id)
	}
	q := `SELECT h.id FROM households h WHERE h.id IN (?` + strings.Repeat(", ?", len(ids)-1) + `)`
	if cond, a := Where(s.scope); cond != "" {
		q += " AND " + cond
		args = append(args, a...)
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		seen[id] = true
	}
	return seen, rows.Err()
}
