// Package programme holds the community's programmes and activities of
// issue 17 (R18): a programme is a recurring service whose candidates come
// from a roster (the four-thirty class 四点半课堂 for children 6–12, free
// check-ups for the elderly, a rehabilitation visit series, a class for new
// parents), with its sessions (when, where, who taught or served),
// enrolments and attendance; an activity is a one-off event (a
// neighbourhood festival 邻里节, a policy talk, an anti-fraud lecture)
// that residents sign up for from the contact card's QR page, without an
// account, limited per household, with attendance on the day.
//
// Enrolments and attendance at an activity are written to the household's
// ledger (household.EvJoinedProgramme) in the same transaction.
// ServedHours gives the hours team members taught or served, for their
// volunteer hours.
//
// Scope: a programme or activity belongs to a community. An administrator
// reaches those of their subtree; a grid account those of a community
// holding one of their grids; a visitor those of their member's
// community. Enrolments and sign-ups are shown for the households the
// user reaches only. What is out of scope answers apperr.ErrNotFound.
// Children's data are personal data: lists carry names, ages and the
// household's address, never ID numbers or phones.
package programme

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/store"
)

// Kinds of programme.
const (
	FourThirty = "four_thirty" // 四点半课堂
	Checkup    = "checkup"     // 老年人免费体检
	Rehab      = "rehab"       // 康复上门
	Parenting  = "parenting"   // 新手父母课堂
	Other      = "other"
)

// Kinds lists the kinds of programme.
var Kinds = []string{FourThirty, Checkup, Rehab, Parenting, Other}

// ActivityKinds lists the kinds of activity.
var ActivityKinds = []string{"festival", "ethnic_unity", "policy_talk", "anti_fraud", "other"}

// Interest is a child's interest in the four-thirty class, with the
// skills of the team file that can teach it.
type Interest struct {
	Code    string   `json:"code"`
	LabelZH string   `json:"label_zh"`
	LabelEN string   `json:"label_en"`
	Skills  []string `json:"skills"`
}

// Interests is the vocabulary of the four-thirty class: the article's
// drawing, singing and homework help, and a few more. A team member whose
// skill contains one of Skills (美术老师 contains 美术) can teach it.
var Interests = []Interest{
	{Code: "drawing", LabelZH: "画画", LabelEN: "Drawing", Skills: []string{"美术", "画画", "绘画", "书法"}},
	{Code: "singing", LabelZH: "唱歌", LabelEN: "Singing", Skills: []string{"音乐", "唱歌", "声乐", "合唱"}},
	{Code: "homework", LabelZH: "作业辅导", LabelEN: "Homework help", Skills: []string{"作业辅导", "辅导", "教师", "语文", "数学", "英语"}},
	{Code: "reading", LabelZH: "阅读", LabelEN: "Reading", Skills: []string{"阅读", "语文", "图书"}},
	{Code: "sports", LabelZH: "体育", LabelEN: "Sports", Skills: []string{"体育", "运动", "篮球", "足球"}},
	{Code: "crafts", LabelZH: "手工", LabelEN: "Crafts", Skills: []string{"手工", "剪纸"}},
}

// InterestCodes lists the codes of Interests.
func InterestCodes() []string {
	out := make([]string, len(Interests))
	for i, in := range Interests {
		out[i] = in.Code
	}
	return out
}

// InterestOf returns the interest of code.
func InterestOf(code string) (Interest, bool) {
	for _, in := range Interests {
		if in.Code == code {
			return in, true
		}
	}
	return Interest{}, false
}

// Teaches reports whether a member with skills can teach interest in.
func (in Interest) Teaches(skills []string) bool {
	for _, s := range skills {
		for _, k := range in.Skills {
			if strings.Contains(s, k) {
				return true
			}
		}
	}
	return false
}

// Store keeps programmes and activities within a scope.
type Store struct {
	db    *store.DB
	files *household.Store
	scope org.Scope
	now   func() time.Time
	// PerClientHour caps public sign-ups per client address in an hour
	// (as appointments are capped, visit.SlotConfig.PerClientHour).
	PerClientHour int
}

// NewStore returns a Store that sees everything; faces serving users call
// In. files is the household store the same user works through.
func NewStore(db *store.DB, files *household.Store) *Store {
	return &Store{db: db, files: files, scope: org.Everything, now: time.Now, PerClientHour: 10}
}

// In returns a Store limited to scope, with the household files as the
// same user sees them.
func (s *Store) In(scope org.Scope, files *household.Store) *Store {
	c := *s
	c.scope, c.files = scope, files
	return &c
}

// SetClock replaces the clock, for tests and the demo.
func (s *Store) SetClock(now func() time.Time) { s.now = now }

// ErrTooMany answers a public sign-up over the rate limit.
var ErrTooMany = errors.New("too many sign-ups")

// communityWhere returns the scope as an SQL condition on a record of
// alias a (with org_path): the communities the user reaches.
func (s *Store) communityWhere(ctx context.Context, a string) (string, []any, error) {
	if s.scope.All {
		return "1 = 1", nil, nil
	}
	var or []string
	var args []any
	for _, p := range s.scope.Paths {
		or, args = append(or, a+".org_path LIKE ?"), append(args, p+"%")
	}
	paths, err := s.memberCommunities(ctx)
	if err != nil {
		return "", nil, err
	}
	for _, p := range paths {
		or, args = append(or, a+".org_path = ?"), append(args, p)
	}
	if len(or) == 0 {
		return "1 = 0", nil, nil
	}
	return "(" + strings.Join(or, " OR ") + ")", args, nil
}

// memberCommunities returns the paths of the communities of the user's
// grids and team member.
func (s *Store) memberCommunities(ctx context.Context) ([]string, error) {
	var out []string
	for _, id := range s.scope.GridIDs {
		g, err := org.UnitByID(ctx, s.db, id)
		if err != nil {
			continue
		}
		if c, err := org.CommunityOf(ctx, s.db, g.Path); err == nil && !slices.Contains(out, c.Path) {
			out = append(out, c.Path)
		}
	}
	if s.scope.MemberID != 0 {
		if m, err := org.TeamMemberByID(ctx, s.db, s.scope.MemberID); err == nil {
			if c, err := org.UnitByID(ctx, s.db, m.CommunityID); err == nil && !slices.Contains(out, c.Path) {
				out = append(out, c.Path)
			}
		}
	}
	return out, nil
}

// reaches reports whether the user reaches the community of path.
func (s *Store) reaches(ctx context.Context, path string) bool {
	if s.scope.All {
		return true
	}
	for _, p := range s.scope.Paths {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	paths, _ := s.memberCommunities(ctx)
	return slices.Contains(paths, path)
}

// households returns the scope as an SQL condition on households alias h.
func (s *Store) households() (string, []any) { return s.householdsWhere(false) }

// householdsWhere is households, or with byRow the same condition as a
// correlated EXISTS on each row's household (household.WhereRow), for
// the reads of one household or one record: they check that row only
// instead of building the scope's lists.
func (s *Store) householdsWhere(byRow bool) (string, []any) {
	where := household.Where
	if byRow {
		where = household.WhereRow
	}
	cond, args := where(s.scope)
	if cond == "" {
		return "1 = 1", nil
	}
	return cond, args
}

// community returns the community a new record belongs to: communityID,
// which must be a community the user reaches, or else the community of
// home (the org path of the user's first grant, set by the face).
func (s *Store) community(ctx context.Context, communityID int64, home string) (org.Unit, error) {
	if communityID == 0 {
		if home == "" {
			return org.Unit{}, apperr.Field("community_id", "required", "is required")
		}
		c, err := org.CommunityOf(ctx, s.db, home)
		if err != nil {
			return org.Unit{}, apperr.Field("community_id", "required", "is required: your own unit is above the communities")
		}
		return c, nil
	}
	c, err := org.UnitByID(ctx, s.db, communityID)
	if err != nil || c.Kind != org.Community || !s.reaches(ctx, c.Path) {
		return org.Unit{}, apperr.Field("community_id", "not_found", "community %d does not exist", communityID)
	}
	return c, nil
}

// checkMembers checks that ids are active team members of community c.
func checkMembers(ctx context.Context, q store.Querier, field string, communityID int64, ids []int64) ([]int64, error) {
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	for _, id := range ids {
		m, err := org.TeamMemberByID(ctx, q, id)
		if err != nil || m.CommunityID != communityID {
			return nil, apperr.Field(field, "not_found", "team member %d does not exist in this community", id)
		}
	}
	return ids, nil
}

// text trims s and checks it is text of at most max characters; required
// refuses an empty one.
func text(field string, s *string, max int, required bool) error {
	*s = strings.TrimSpace(*s)
	switch {
	case required && *s == "":
		return apperr.Field(field, "required", "is required")
	case len([]rune(*s)) > max:
		return apperr.Field(field, "too_long", "must be at most %d characters", max)
	}
	return apperr.Text(field, *s)
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func noRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// Member is a team member who taught or served.
type Member struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Role string `json:"role"`
}

// members returns the team members of the rows of query (id, name, role).
func members(ctx context.Context, q store.Querier, query string, args ...any) ([]Member, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Member{}
	for rows.Next() {
		var m Member
		if err := rows.Scan(&m.ID, &m.Name, &m.Role); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func setStaff(ctx context.Context, tx *store.Tx, table, col string, id int64, ids []int64) error {
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`DELETE FROM %s WHERE %s = ?`, table, col), id); err != nil {
		return err
	}
	for _, m := range ids {
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`INSERT INTO %s(%s, team_member_id) VALUES (?, ?)`, table, col), id, m); err != nil {
			return err
		}
	}
	return nil
}
