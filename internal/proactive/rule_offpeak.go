package proactive

import (
	"context"
	"fmt"

	"wanhu/internal/calendar"
	"wanhu/internal/store"
)

// offpeak: after Misses not-at-home visits in a row, the household is
// offered an evening or weekend appointment. This rule is the one
// mechanism: the visit code flags the household for an off-peak visit
// (households.offpeak, which the plans and the booking page follow)
// after MissesBeforeOffpeak misses, this rule's parameter, and the daily
// run makes the task. The period is the streak (since the last meeting).
type offpeak struct{}

// OffpeakRule is the code of the off-peak rule.
const OffpeakRule = "offpeak_appointment"

// DefaultOffpeakMisses is the default number of misses in a row after
// which a household is visited off-peak.
const DefaultOffpeakMisses = 2

func (offpeak) Code() string { return OffpeakRule }

func (offpeak) Params() []Param {
	return []Param{{Key: "misses", Kind: KindInt, Default: fmt.Sprint(DefaultOffpeakMisses), Min: 1, Max: 10}}
}

// MissesBeforeOffpeak returns after how many not-at-home visits in a row
// a household is flagged for an off-peak visit: the off-peak rule's
// parameter, or 0 (never) when the rule is turned off.
func MissesBeforeOffpeak(ctx context.Context, q store.Querier) (int, error) {
	s, err := LoadSettings(ctx, q)
	if err != nil {
		return 0, err
	}
	st := s[OffpeakRule]
	if !st.Enabled {
		return 0, nil
	}
	return st.Params.Int("misses"), nil
}

func (offpeak) Find(ctx context.Context, q store.Querier, on calendar.Date, v Values) ([]Finding, error) {
	rows, err := q.QueryContext(ctx, `SELECT h.id, h.misses, h.last_met_on FROM households h WHERE h.offpeak AND h.misses >= ?`, v.Int("misses"))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Finding
	for rows.Next() {
		var f Finding
		var misses int
		var met calendar.Date
		if err := rows.Scan(&f.HouseholdID, &misses, &met); err != nil {
			return nil, err
		}
		f.Period, f.Due = "met:never", addDays(on, 2)
		if !met.IsZero() {
			f.Period = "met:" + met.String()
		}
		f.Reason = fmt.Sprintf("连续%d次上门不在家：电话联系，约晚上或周末上门", misses)
		out = append(out, f)
	}
	return out, rows.Err()
}
