package proactive

import (
	"context"
	"fmt"

	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/store"
)

// insurance: in the medical insurance payment window (医保缴费期, From to
// To each year; a window may run into the next year), every household
// with a member of Age or more and no payment recorded since the window
// opened (the ledger event insurance_paid) is offered help paying on
// their phone. The period is the window.
type insurance struct{}

func (insurance) Code() string { return "insurance_payment" }

func (insurance) Params() []Param {
	return []Param{
		{Key: "from", Kind: KindMonthDay, Default: "09-01"},
		{Key: "to", Kind: KindMonthDay, Default: "12-31"},
		{Key: "age", Kind: KindInt, Default: "60", Min: 18, Max: 100},
	}
}

// window returns the payment window on is in, and false when it is in
// none.
func window(on calendar.Date, v Values) (from, to calendar.Date, ok bool) {
	for _, y := range []int{on.Y, on.Y - 1} {
		from, to = v.Day("from", y), v.Day("to", y)
		if to.Before(from) {
			to = v.Day("to", y+1)
		}
		if !on.Before(from) && !on.After(to) {
			return from, to, true
		}
	}
	return calendar.Date{}, calendar.Date{}, false
}

func (insurance) Find(ctx context.Context, q store.Querier, on calendar.Date, v Values) ([]Finding, error) {
	from, to, ok := window(on, v)
	if !ok {
		return nil, nil
	}
	rows, err := q.QueryContext(ctx, `SELECT h.id FROM households h WHERE h.id IN (`+elderlyHouseholds+`)
		AND NOT EXISTS (SELECT 1 FROM ledger_events e WHERE e.household_id = h.id AND e.type = ? AND e.at >= ?)`,
		on.AddYears(-v.Int("age")), household.EvInsurancePaid, from.Midnight())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Finding
	for rows.Next() {
		f := Finding{Period: "window:" + from.String(), Due: to}
		if err := rows.Scan(&f.HouseholdID); err != nil {
			return nil, err
		}
		f.Reason = fmt.Sprintf("医保缴费期（%d月%d日至%d月%d日）：户内老人尚无缴费记录，电话联系，帮助在手机上缴费",
			int(from.M), from.D, int(to.M), to.D)
		out = append(out, f)
	}
	return out, rows.Err()
}
