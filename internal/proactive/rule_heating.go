package proactive

import (
	"context"
	"fmt"

	"wanhu/internal/calendar"
	"wanhu/internal/store"
)

// heating: in the heating season (Xining: 15 October to 15 April), the
// heating of every living-alone elderly and disabled household is checked
// once, within Days days of the start (of the first run, when that is
// later). The period is the season.
type heating struct{}

func (heating) Code() string { return "heating_check" }

func (heating) Params() []Param {
	return []Param{
		{Key: "start", Kind: KindMonthDay, Default: "10-15"},
		{Key: "end", Kind: KindMonthDay, Default: "04-15"},
		{Key: "days", Kind: KindInt, Default: "7", Min: 1, Max: 60},
	}
}

// season returns the start of the season on is in, and false when on is
// out of season.
func season(on calendar.Date, v Values) (calendar.Date, bool) {
	for _, y := range []int{on.Y, on.Y - 1} {
		start, end := v.Day("start", y), v.Day("end", y)
		if end.Before(start) {
			end = v.Day("end", y+1)
		}
		if !on.Before(start) && !on.After(end) {
			return start, true
		}
	}
	return calendar.Date{}, false
}

func (heating) Find(ctx context.Context, q store.Querier, on calendar.Date, v Values) ([]Finding, error) {
	start, ok := season(on, v)
	if !ok {
		return nil, nil
	}
	due := addDays(start, v.Int("days"))
	if due.Before(on) {
		due = addDays(on, v.Int("days"))
	}
	rows, err := q.QueryContext(ctx, `SELECT p.household_id, p.id, p.name, t.tag FROM persons p
		JOIN person_tags t ON t.person_id = p.id AND t.tag IN ('living_alone_elderly', 'disabled')
		WHERE `+current+` ORDER BY p.household_id, t.tag DESC, p.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Finding
	for rows.Next() {
		var f Finding
		var name, tag string
		if err := rows.Scan(&f.HouseholdID, &f.PersonID, &name, &tag); err != nil {
			return nil, err
		}
		if len(out) > 0 && out[len(out)-1].HouseholdID == f.HouseholdID {
			continue
		}
		who := "独居老人"
		if tag == "disabled" {
			who = "残疾人"
		}
		f.Period, f.Due = fmt.Sprintf("season:%d", start.Y), due
		f.Reason = fmt.Sprintf("供暖季（%d月%d日起）：检查%s%s家的暖气是否正常", int(start.M), start.D, who, name)
		out = append(out, f)
	}
	return out, rows.Err()
}
