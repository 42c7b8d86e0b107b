package household

import (
	"context"
	"slices"
	"strings"

	"wanhu/internal/calendar"
)

// BenefitCount is one row of the benefit statistics, for one kind:
//
//   - Households, Persons, PersonTimes: the cases granted in the period —
//     approved with a decision date in it — as distinct households,
//     distinct persons and person-times (the persons covered, summed over
//     the cases). A case that has ended since still counts here: it was
//     granted on its decision date, and ending it does not change last
//     year's figures.
//   - PaidHouseholds, PaidPersons, PersonMonths: the cases paid in the
//     period's months (the calendar months of from through to), whenever
//     they were granted — a case is paid in each month from its decision's
//     through the month of the day before it ended (ended_on is the day its
//     payment stops), or on, if it has not ended; a one-off benefit
//     (OneOffBenefit) only in its decision's month — as distinct
//     households and persons, and
//     person-months (each case's persons times its months paid in the
//     period, summed over the cases).
type BenefitCount struct {
	Kind           string `json:"kind"`
	Households     int    `json:"households"`
	Persons        int    `json:"persons"`
	PersonTimes    int    `json:"person_times"`
	PaidHouseholds int    `json:"paid_households"`
	PaidPersons    int    `json:"paid_persons"`
	PersonMonths   int    `json:"person_months"`
}

// BenefitStats counts the cases of the households in scope by kind, as
// BenefitCount says: those granted in [from, to] (China calendar days,
// both included) and those paid in its months. A row for every kind of
// BenefitKinds in its order, zero when there is none. Nothing is masked:
// these are counts.
func (s *Store) BenefitStats(ctx context.Context, from, to calendar.Date) ([]BenefitCount, error) {
	out := make([]BenefitCount, len(BenefitKinds))
	for i, k := range BenefitKinds {
		out[i].Kind = k
	}
	if err := s.benefitsGranted(ctx, from, to, out); err != nil {
		return nil, err
	}
	if err := s.benefitsPaid(ctx, from, to, out); err != nil {
		return nil, err
	}
	return out, nil
}

// benefitsGranted fills the counts of the cases granted in [from, to]:
// approved or ended since, by decision date.
func (s *Store) benefitsGranted(ctx context.Context, from, to calendar.Date, out []BenefitCount) error {
	where := []string{"c.status IN (?, ?)", "c.decided_on >= ?", "c.decided_on <= ?"}
	args := []any{BenefitApproved, BenefitEnded, from.String(), to.String()}
	if cond, a := Where(s.scope); cond != "" {
		where, args = append(where, cond), append(args, a...)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT c.kind, COUNT(DISTINCT c.household_id), COUNT(DISTINCT b.person_id), COUNT(b.person_id)
		FROM benefit_cases c JOIN households h ON h.id = c.household_id JOIN benefit_persons b ON b.case_id = c.id
		WHERE `+strings.Join(where, " AND ")+` GROUP BY c.kind`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var kind string
		var hh, persons, times int
		if err := rows.Scan(&kind, &hh, &persons, &times); err != nil {
			return err
		}
		if i := slices.Index(BenefitKinds, kind); i >= 0 {
			out[i].Households, out[i].Persons, out[i].PersonTimes = hh, persons, times
		}
	}
	return rows.Err()
}

// monthOf is the SQL of a "YYYY-MM-DD" column's month as a number
// (year × 12 + month), the same on both engines.
func monthOf(col string) string {
	return `(CAST(substr(` + col + `, 1, 4) AS INTEGER) * 12 + CAST(substr(` + col + `, 6, 2) AS INTEGER))`
}

// benefitsPaid fills the counts of the cases paid in the months of from
// through to: approved or ended, decided by to, and paid in a month of
// the period (first, last: the months a case is paid in, clipped to the
// period's).
func (s *Store) benefitsPaid(ctx context.Context, from, to calendar.Date, out []BenefitCount) error {
	lo, hi := from.Y*12+int(from.M), to.Y*12+int(to.M)
	decided := monthOf("c.decided_on")
	// The last month paid: the decision's for a one-off benefit, none for
	// a case ended on (or before) its decision day, else the month of the
	// day before it ended, or the period's last if it has not ended.
	last := `CASE WHEN ` + oneOffSQL + ` THEN ` + decided + `
		WHEN c.ended_on = '' THEN ?
		WHEN c.ended_on <= c.decided_on THEN ` + decided + ` - 1
		WHEN substr(c.ended_on, 9, 2) = '01' THEN ` + monthOf("c.ended_on") + ` - 1
		ELSE ` + monthOf("c.ended_on") + ` END`
	where := []string{"c.status IN (?, ?)", "c.decided_on <> ''", "c.decided_on <= ?"}
	// The arguments in the order of their places: the outer select's
	// clipping, the last month of a case not ended, the inner where, the
	// outer where.
	args := []any{hi, hi, lo, lo, hi, BenefitApproved, BenefitEnded, to.String()}
	if cond, a := Where(s.scope); cond != "" {
		where, args = append(where, cond), append(args, a...)
	}
	args = append(args, lo, hi)
	rows, err := s.db.QueryContext(ctx, `SELECT kind, COUNT(DISTINCT household_id), COUNT(DISTINCT person_id),
		COALESCE(SUM((CASE WHEN last_month < ? THEN last_month ELSE ? END) - (CASE WHEN first_month > ? THEN first_month ELSE ? END) + 1), 0)
		FROM (SELECT c.kind, c.household_id, b.person_id, `+decided+` AS first_month, `+last+` AS last_month
			FROM benefit_cases c JOIN households h ON h.id = c.household_id JOIN benefit_persons b ON b.case_id = c.id
			WHERE `+strings.Join(where, " AND ")+`) paid
		WHERE last_month >= ? AND first_month <= ? AND last_month >= first_month GROUP BY kind`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var kind string
		var hh, persons, months int
		if err := rows.Scan(&kind, &hh, &persons, &months); err != nil {
			return err
		}
		if i := slices.Index(BenefitKinds, kind); i >= 0 {
			out[i].PaidHouseholds, out[i].PaidPersons, out[i].PersonMonths = hh, persons, months
		}
	}
	return rows.Err()
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
