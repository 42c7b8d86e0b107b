package staff

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/org"
	"wanhu/internal/request"
	"wanhu/internal/store"
)

// BadReview is one dissatisfied callback (回访不满意): when it was, why
// (Reason, one of request.CallbackReasons; "" when the callback predates
// reasons), the request, its category, grid and department, and who had
// handled it: the actor of the resolve step before the callback.
type BadReview struct {
	At            time.Time `json:"at"`
	RequestID     int64     `json:"request_id"`
	TrackingCode  string    `json:"tracking_code"`
	Reason        string    `json:"reason"`
	Comment       string    `json:"comment,omitempty"`
	Category      string    `json:"category"`
	CategoryName  string    `json:"category_name"`
	GridID        int64     `json:"grid_id,omitempty"`
	GridName      string    `json:"grid_name,omitempty"`
	DepartmentID  int64     `json:"department_id,omitempty"`
	Department    string    `json:"department,omitempty"`
	HandlerUserID int64     `json:"handler_user_id,omitempty"`
	HandlerMember int64     `json:"handler_member_id,omitempty"`
	Handler       string    `json:"handler"` // the account's name, or the name the resolve step was recorded under
}

// Count is one line of a breakdown.
type Count struct {
	Key   string `json:"key"`
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// Month is the bad reviews of one month, in all and by reason.
type Month struct {
	Month    string         `json:"month"` // "2026-07"
	Count    int            `json:"count"`
	ByReason map[string]int `json:"by_reason"`
}

// BadReviewReport is every bad review of a period and their breakdowns.
type BadReviewReport struct {
	From       string      `json:"from"`
	To         string      `json:"to"`
	Total      int         `json:"total"`
	Reviews    []BadReview `json:"reviews"`
	ByReason   []Count     `json:"by_reason"`
	ByStaff    []Count     `json:"by_staff"`
	ByCategory []Count     `json:"by_category"`
	ByMonth    []Month     `json:"by_month"`
}

// badReviews lists the dissatisfied callbacks made from from (inclusive) to
// to (exclusive) on requests in scope, oldest first. members maps linked
// accounts to their team members.
func badReviews(ctx context.Context, q store.Querier, scope org.Scope, from, to time.Time, members map[int64]int64) ([]BadReview, error) {
	cond, args := request.Where(scope)
	rows, err := q.QueryContext(ctx, `SELECT e.at, e.note, e.data, r.id, r.tracking_code, r.category, c.name_zh, COALESCE(r.grid_id, 0),
		COALESCE(g.name, ''), COALESCE(r.department_id, 0), COALESCE(d.name, ''), COALESCE(h.actor_id, 0), COALESCE(h.actor, ''),
		COALESCE(NULLIF(u.display_name, ''), u.username, '')
		FROM request_events e JOIN requests r ON r.id = e.request_id JOIN request_categories c ON c.code = r.category
		LEFT JOIN org_units g ON g.id = r.grid_id LEFT JOIN org_units d ON d.id = r.department_id
		LEFT JOIN request_events h ON h.id = (SELECT MAX(x.id) FROM request_events x WHERE x.request_id = e.request_id AND x.kind = 'resolve' AND x.id < e.id)
		LEFT JOIN users u ON u.id = h.actor_id
		WHERE e.kind = 'callback' AND e.data LIKE ? AND e.at >= ? AND e.at < ? AND `+cond+` ORDER BY e.at, e.id`,
		append([]any{`%"result":"dissatisfied"%`, from.UTC(), to.UTC()}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []BadReview{}
	for rows.Next() {
		var b BadReview
		var data, actor, account string
		if err := rows.Scan(&b.At, &b.Comment, &data, &b.RequestID, &b.TrackingCode, &b.Category, &b.CategoryName, &b.GridID, &b.GridName,
			&b.DepartmentID, &b.Department, &b.HandlerUserID, &actor, &account); err != nil {
			return nil, err
		}
		var d struct{ Result, Reason string }
		if json.Unmarshal([]byte(data), &d) != nil || d.Result != "dissatisfied" {
			continue
		}
		b.At, b.Reason, b.Handler, b.HandlerMember = b.At.In(calendar.China), d.Reason, cmp.Or(account, actor), members[b.HandlerUserID]
		out = append(out, b)
	}
	return out, rows.Err()
}

// BadReviews analyses the dissatisfied callbacks of period p (From to To)
// on the requests in scope: every one of them, and their counts by
// reason, by handling staff, by category and by month.
func BadReviews(ctx context.Context, q store.Querier, scope org.Scope, p Period) (*BadReviewReport, error) {
	members, err := linkedMembers(ctx, q)
	if err != nil {
		return nil, err
	}
	rs, err := badReviews(ctx, q, scope, start(p.From), end(p.To), members)
	if err != nil {
		return nil, err
	}
	rep := &BadReviewReport{From: p.From.String(), To: p.To.String(), Total: len(rs), Reviews: rs}
	reasons, staff, cats := counter{}, counter{}, counter{}
	months := map[string]*Month{}
	for _, b := range rs {
		reasons.add(b.Reason, b.Reason)
		staffKey := "name:" + b.Handler
		if b.HandlerUserID != 0 {
			staffKey = fmt.Sprintf("user:%d", b.HandlerUserID)
		}
		staff.add(staffKey, b.Handler)
		cats.add(b.Category, b.CategoryName)
		m := b.At.Format("2006-01")
		if months[m] == nil {
			months[m] = &Month{Month: m, ByReason: map[string]int{}}
		}
		months[m].Count++
		months[m].ByReason[b.Reason]++
	}
	rep.ByMonth = []Month{}
	for _, m := range months {
		rep.ByMonth = append(rep.ByMonth, *m)
	}
	slices.SortFunc(rep.ByMonth, func(a, b Month) int { return cmp.Compare(a.Month, b.Month) })
	rep.ByReason, rep.ByStaff, rep.ByCategory = reasons.list(), staff.list(), cats.list()
	return rep, nil
}

// counter counts by key, keeping a name per key.
type counter map[string]*Count

func (c counter) add(key, name string) {
	if c[key] == nil {
		c[key] = &Count{Key: key, Name: name}
	}
	c[key].Count++
}

// list returns the counts, the largest first.
func (c counter) list() []Count {
	out := []Count{}
	for _, n := range c {
		out = append(out, *n)
	}
	slices.SortFunc(out, func(a, b Count) int { return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Key, b.Key)) })
	return out
}

// linkedMembers maps the accounts linked to a team member to the member.
func linkedMembers(ctx context.Context, q store.Querier) (map[int64]int64, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, team_member_id FROM users WHERE team_member_id IS NOT NULL`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]int64{}
	for rows.Next() {
		var u, m int64
		if err := rows.Scan(&u, &m); err != nil {
			return nil, err
		}
		out[u] = m
	}
	return out, rows.Err()
}
