package visit

import (
	"context"
	"time"

	"wanhu/internal/household"
)

// Stop is a household on a visitor's round of a week, with its latest
// visit since the week began (none: not visited yet this week).
type Stop struct {
	HouseholdID int64            `json:"household_id"`
	GridID      int64            `json:"grid"`
	Colour      household.Colour `json:"colour"`
	Reason      string           `json:"reason"`
	Address     string           `json:"address"`
	Householder string           `json:"householder"`
	Outcome     string           `json:"outcome,omitempty"`
	VisitedAt   *time.Time       `json:"visited_at,omitempty"`
}

// Round returns the households the plans of week give team member
// memberID, in walking order, grid by grid, in one query.
func (s *Store) Round(ctx context.Context, memberID int64, week Week) ([]Stop, error) {
	cond, args := household.Where(s.scope)
	args = append([]any{startOf(week.Monday()), memberID, week.String()}, args...)
	rows, err := s.db.QueryContext(ctx, `SELECT i.household_id, p.grid_id, h.colour, i.reason, h.address, h.householder,
		COALESCE(v.outcome, ''), v.at
		FROM plan_items i JOIN plans p ON p.id = i.plan_id JOIN households h ON h.id = i.household_id
		LEFT JOIN visits v ON v.id = (SELECT l.id FROM visits l WHERE l.household_id = i.household_id AND l.at >= ?
			ORDER BY l.at DESC, l.id DESC LIMIT 1)
		WHERE i.team_member_id = ? AND p.week = ?`+and(cond)+`
		ORDER BY p.grid_id, i.position, i.household_id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Stop{}
	for rows.Next() {
		var st Stop
		if err := rows.Scan(&st.HouseholdID, &st.GridID, &st.Colour, &st.Reason, &st.Address, &st.Householder, &st.Outcome, &st.VisitedAt); err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, rows.Err()
}
