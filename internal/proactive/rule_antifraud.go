package proactive

import (
	"context"
	"fmt"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/store"
)

// antiFraud: anti-fraud outreach (反诈宣传) to every household with a
// member of Age or more, once a quarter, due by the quarter's end. The
// period is the quarter.
type antiFraud struct{}

func (antiFraud) Code() string { return "anti_fraud" }

func (antiFraud) Params() []Param {
	return []Param{{Key: "age", Kind: KindInt, Default: "60", Min: 18, Max: 100}}
}

// quarter returns on's quarter (1–4) and its last day.
func quarter(on calendar.Date) (int, calendar.Date) {
	n := (int(on.M)-1)/3 + 1
	next := calendar.DateOf(time.Date(on.Y, time.Month(n*3+1), 1, 0, 0, 0, 0, time.UTC)) // the day after the quarter
	return n, addDays(next, -1)
}

func (antiFraud) Find(ctx context.Context, q store.Querier, on calendar.Date, v Values) ([]Finding, error) {
	n, end := quarter(on)
	rows, err := q.QueryContext(ctx, elderlyHouseholds, on.AddYears(-v.Int("age")))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Finding
	for rows.Next() {
		f := Finding{Period: fmt.Sprintf("%d-Q%d", on.Y, n), Due: end}
		if err := rows.Scan(&f.HouseholdID); err != nil {
			return nil, err
		}
		f.Reason = fmt.Sprintf("%d年第%d季度反诈宣传：向户内老人讲解常见骗局，提醒不轻信、不转账", on.Y, n)
		out = append(out, f)
	}
	return out, rows.Err()
}
