package proactive

import (
	"context"
	"fmt"

	"wanhu/internal/calendar"
	"wanhu/internal/mediation"
	"wanhu/internal/store"
)

// mediationFollowUp: a mediation case's follow-up day (回访日) within Days
// days, or passed in the last week (a server switched off over it), gets a
// visit to each of its parties to see whether the agreement holds. The
// period is the case, so a case is followed up once per household.
type mediationFollowUp struct{}

func (mediationFollowUp) Code() string { return "mediation_followup" }

func (mediationFollowUp) Params() []Param {
	return []Param{{Key: "days", Kind: KindInt, Default: "3", Min: 0, Max: 30}}
}

func (mediationFollowUp) Find(ctx context.Context, q store.Querier, on calendar.Date, v Values) ([]Finding, error) {
	rows, err := q.QueryContext(ctx, `SELECT c.id, c.title, c.outcome, c.follow_up_on, p.household_id FROM mediation_cases c
		JOIN mediation_parties p ON p.case_id = c.id
		WHERE c.follow_up_on <> '' AND c.follow_up_on >= ? AND c.follow_up_on <= ?
		ORDER BY c.id, p.household_id`, addDays(on, -7).String(), addDays(on, v.Int("days")).String())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Finding
	for rows.Next() {
		var f Finding
		var id int64
		var title, outcome, day string
		if err := rows.Scan(&id, &title, &outcome, &day, &f.HouseholdID); err != nil {
			return nil, err
		}
		if f.Due, err = calendar.ParseDate("follow_up_on", day); err != nil {
			return nil, err
		}
		f.Period = fmt.Sprintf("case:%d", id)
		f.Reason = fmt.Sprintf("调解回访：%s（%d月%d日）", title, int(f.Due.M), f.Due.D)
		if outcome == mediation.Agreed {
			f.Reason += "，了解调解协议履行情况"
		} else {
			f.Reason += "，了解矛盾是否缓和"
		}
		out = append(out, f)
	}
	return out, rows.Err()
}
