package proactive

import (
	"context"
	"fmt"

	"wanhu/internal/calendar"
	"wanhu/internal/store"
)

// aloneElderly: a living-alone elderly person not met in Days days is
// visited today. One task per gap: the period is the day they were last
// met, so a visit that meets them ends it and the next gap makes another.
type aloneElderly struct{}

func (aloneElderly) Code() string { return "alone_elderly_visit" }

func (aloneElderly) Params() []Param {
	return []Param{{Key: "days", Kind: KindInt, Default: "7", Min: 1, Max: 90}}
}

func (aloneElderly) Find(ctx context.Context, q store.Querier, on calendar.Date, v Values) ([]Finding, error) {
	days := v.Int("days")
	rows, err := q.QueryContext(ctx, `SELECT h.id, p.id, p.name, h.last_met_on FROM persons p
		JOIN person_tags t ON t.person_id = p.id AND t.tag = 'living_alone_elderly'
		JOIN households h ON h.id = p.household_id
		WHERE `+current+` AND (h.last_met_on IS NULL OR h.last_met_on <= ?)`, addDays(on, -days))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Finding
	for rows.Next() {
		var f Finding
		var name string
		var met calendar.Date
		if err := rows.Scan(&f.HouseholdID, &f.PersonID, &name, &met); err != nil {
			return nil, err
		}
		f.Due, f.Period = on, "met:never"
		f.Reason = fmt.Sprintf("独居老人%s尚无见面记录，今天上门走访", name)
		if !met.IsZero() {
			f.Period = "met:" + met.String()
			f.Reason = fmt.Sprintf("独居老人%s已%d天未见面（上次%s），今天上门走访", name, daysBetween(met, on), met)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}
