package proactive

import (
	"context"
	"fmt"

	"wanhu/internal/calendar"
	"wanhu/internal/store"
)

// birthday: a person turning one of Ages (60: elderly benefits, 80: the
// high-age allowance 高龄补贴, 3: nursery, 6: school) within Days days;
// the household is told what they can apply for. The tasks of this rule
// are the birthday list (filter the tasks by rule).
type birthday struct{}

func (birthday) Code() string { return "birthday" }

func (birthday) Params() []Param {
	return []Param{
		{Key: "ages", Kind: KindInts, Default: "60,80,3,6", Min: 1, Max: 120},
		{Key: "days", Kind: KindInt, Default: "30", Min: 1, Max: 120},
	}
}

// milestones says what each age brings.
var milestones = map[int]string{60: "可享老年人优待", 80: "可申领高龄补贴", 3: "可入托入园", 6: "可报名入学"}

func (birthday) Find(ctx context.Context, q store.Querier, on calendar.Date, v Values) ([]Finding, error) {
	last := addDays(on, v.Int("days"))
	var out []Finding
	for _, age := range v.Ints("ages") {
		rows, err := q.QueryContext(ctx, `SELECT p.household_id, p.id, p.name, p.birth_date FROM persons p
			WHERE `+current+` AND p.birth_date >= ? AND p.birth_date <= ?`, on.AddYears(-age), last.AddYears(-age))
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var f Finding
			var name string
			var born calendar.Date
			if err := rows.Scan(&f.HouseholdID, &f.PersonID, &name, &born); err != nil {
				rows.Close()
				return nil, err
			}
			day := born.AddYears(age)
			if day.Before(on) || day.After(last) { // 29 February
				continue
			}
			f.Period, f.Due = fmt.Sprintf("person:%d:%d", f.PersonID, age), day
			f.Reason = fmt.Sprintf("%s将于%d月%d日满%d周岁", name, int(day.M), day.D, age)
			if m := milestones[age]; m != "" {
				f.Reason += "，" + m
			}
			f.Reason += "，告知家庭"
			out = append(out, f)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
