package household

import (
	"context"
	"slices"
	"strings"

	"wanhu/internal/calendar"
)

// BenefitCount is one row of the benefit statistics: the approved cases
// of one kind decided in a period, as distinct households, distinct
// persons and person-times (the persons covered, summed over the cases).
type BenefitCount struct {
	Kind        string `json:"kind"`
	Households  int    `json:"households"`
	Persons     int    `json:"persons"`
	PersonTimes int    `json:"person_times"`
}

// BenefitStats counts the approved cases of the households in scope whose
// decision date (a China calendar day) falls in [from, to], both
// included, by kind: a row for every kind of BenefitKinds in its order,
// zero when there is none. Nothing is masked: these are counts.
func (s *Store) BenefitStats(ctx context.Context, from, to calendar.Date) ([]BenefitCount, error) {
	where := []string{"c.status = ?", "c.decided_on >= ?", "c.decided_on <= ?"}
	args := []any{BenefitApproved, from.String(), to.String()}
	if cond, a := Where(s.scope); cond != "" {
		where, args = append(where, cond), append(args, a...)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT c.kind, COUNT(DISTINCT c.household_id), COUNT(DISTINCT b.person_id), COUNT(b.person_id)
		FROM benefit_cases c JOIN households h ON h.id = c.household_id JOIN benefit_persons b ON b.case_id = c.id
		WHERE `+strings.Join(where, " AND ")+` GROUP BY c.kind`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]BenefitCount, len(BenefitKinds))
	for i, k := range BenefitKinds {
		out[i].Kind = k
	}
	for rows.Next() {
		var c BenefitCount
		if err := rows.Scan(&c.Kind, &c.Households, &c.Persons, &c.PersonTimes); err != nil {
			return nil, err
		}
		if i := slices.Index(BenefitKinds, c.Kind); i >= 0 {
			out[i] = c
		}
	}
	return out, rows.Err()
}

// BenefitReport is the answer of GET /api/v1/stats/benefits and of
// `wanhu stats benefits --format json`: the period and its counts.
type BenefitReport struct {
	From  string         `json:"from"`
	To    string         `json:"to"`
	Items []BenefitCount `json:"items"`
}

// BenefitReport counts as BenefitStats does, with the period.
func (s *Store) BenefitReport(ctx context.Context, from, to calendar.Date) (*BenefitReport, error) {
	items, err := s.BenefitStats(ctx, from, to)
	if err != nil {
		return nil, err
	}
	return &BenefitReport{From: from.String(), To: to.String(), Items: items}, nil
}
