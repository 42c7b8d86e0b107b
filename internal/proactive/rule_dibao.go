package proactive

import (
	"context"
	"fmt"

	"wanhu/internal/calendar"
	"wanhu/internal/store"
)

// dibaoVisit: a dibao household (a current member on 低保) not visited
// this month is visited by the month's end; the rule looks from day
// FromDay of the month, so the usual visits come first. The period is
// the month.
type dibaoVisit struct{}

func (dibaoVisit) Code() string { return "dibao_visit" }

func (dibaoVisit) Params() []Param {
	return []Param{{Key: "from_day", Kind: KindInt, Default: "20", Min: 1, Max: 28}}
}

func (dibaoVisit) Find(ctx context.Context, q store.Querier, on calendar.Date, v Values) ([]Finding, error) {
	if on.D < v.Int("from_day") {
		return nil, nil
	}
	first := calendar.Date{Y: on.Y, M: on.M, D: 1}
	end := addDays(calendar.DateOf(first.Time().AddDate(0, 1, 0)), -1)
	rows, err := q.QueryContext(ctx, `SELECT DISTINCT p.household_id FROM persons p WHERE `+current+` AND p.dibao = 'dibao'
		AND NOT EXISTS (SELECT 1 FROM visits v WHERE v.household_id = p.household_id AND v.at >= ?)`, first.Midnight())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Finding
	for rows.Next() {
		f := Finding{Period: fmt.Sprintf("%04d-%02d", on.Y, int(on.M)), Due: end}
		if err := rows.Scan(&f.HouseholdID); err != nil {
			return nil, err
		}
		f.Reason = fmt.Sprintf("低保户%d月尚未走访：月底（%d月%d日）前上门", int(on.M), int(end.M), end.D)
		out = append(out, f)
	}
	return out, rows.Err()
}
