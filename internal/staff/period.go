package staff

import (
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/visit"
)

// Period is what a scorecard counts: requests, complaints and training from
// From to To (days in China, both included; this year by default), visits
// from VisitsFrom to VisitsTo (this ISO week by default, the same days as
// the rest when the period is chosen), and the visits of Week, the week
// that holds today, against the weekly target.
type Period struct {
	From       calendar.Date `json:"from"`
	To         calendar.Date `json:"to"`
	VisitsFrom calendar.Date `json:"visits_from"`
	VisitsTo   calendar.Date `json:"visits_to"`
	Week       string        `json:"week"`
	WeekFrom   calendar.Date `json:"week_from"`
	WeekTo     calendar.Date `json:"week_to"`
}

// PeriodOf reads the period of ?from and ?to ("YYYY-MM-DD" or "") on
// day today. A bad date is a FieldError on its name; so is a to before
// from.
func PeriodOf(from, to string, today calendar.Date) (Period, error) {
	week := visit.WeekOf(today)
	p := Period{From: calendar.Date{Y: today.Y, M: time.January, D: 1}, To: today,
		VisitsFrom: week.Monday(), VisitsTo: week.Sunday(), Week: week.String(), WeekFrom: week.Monday(), WeekTo: week.Sunday()}
	var err error
	if p.From, p.To, err = calendar.Days(from, to, p.From, p.To); err != nil {
		return p, err
	}
	if from != "" || to != "" {
		p.VisitsFrom, p.VisitsTo = p.From, p.To
	}
	return p, nil
}

// start is the UTC instant day d begins in China; end that the day after
// d begins.
func start(d calendar.Date) time.Time { return d.Midnight().UTC() }

func end(d calendar.Date) time.Time { return start(d).AddDate(0, 0, 1) }

// visitWeeks is how many weeks the visit period spans, at least one: the
// weekly target times this is the period's target.
func (p Period) visitWeeks() float64 {
	days := end(p.VisitsTo).Sub(start(p.VisitsFrom)).Hours() / 24
	return max(days/7, 1)
}

// months is how many months the period spans (days ÷ 30.4375), at least
// one: the monthly hours target times this is the period's.
func (p Period) months() float64 {
	days := end(p.To).Sub(start(p.From)).Hours() / 24
	return max(days/30.4375, 1)
}
