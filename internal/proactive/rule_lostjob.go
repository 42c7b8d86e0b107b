package proactive

import (
	"context"
	"fmt"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/store"
)

// lostJob: a "lost job" ledger event (失业) of the last Lookback days
// gets an employment-support follow-up Days days after it, with an offer
// of a near-dibao (低保边缘) assessment. The period is the event.
type lostJob struct{}

func (lostJob) Code() string { return "lost_job" }

func (lostJob) Params() []Param {
	return []Param{
		{Key: "days", Kind: KindInt, Default: "14", Min: 1, Max: 90},
		{Key: "lookback", Kind: KindInt, Default: "30", Min: 1, Max: 365},
	}
}

func (lostJob) Find(ctx context.Context, q store.Querier, on calendar.Date, v Values) ([]Finding, error) {
	rows, err := q.QueryContext(ctx, `SELECT e.id, e.household_id, COALESCE(e.person_id, 0), COALESCE(p.name, ''), e.at FROM ledger_events e
		LEFT JOIN persons p ON p.id = e.person_id
		WHERE e.type = ? AND e.at >= ? AND e.at < ?`,
		household.EvLostJob, addDays(on, -v.Int("lookback")).Midnight(), addDays(on, 1).Midnight())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Finding
	for rows.Next() {
		var f Finding
		var id int64
		var name string
		var at time.Time
		if err := rows.Scan(&id, &f.HouseholdID, &f.PersonID, &name, &at); err != nil {
			return nil, err
		}
		day := calendar.DayOf(at)
		f.Period, f.Due = fmt.Sprintf("event:%d", id), addDays(day, v.Int("days"))
		f.Reason = fmt.Sprintf("%s于%d月%d日失业：%d天内回访，提供就业帮扶，并告知可申请低保边缘评估", name, int(day.M), day.D, v.Int("days"))
		out = append(out, f)
	}
	return out, rows.Err()
}
