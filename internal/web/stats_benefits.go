package web

import (
	"net/http"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/household"
)

func init() { statsSections = append(statsSections, "benefits") }

// statsBenefits is /stats/benefits: the benefits granted from ?from to ?to
// (China days, both included; default 1 January of this year to today)
// by kind, as households, persons and person-times — the same counts as
// GET /api/v1/stats/benefits — with the xlsx download of the page.
func (h *handler) statsBenefits(w http.ResponseWriter, r *http.Request) {
	v := h.statsPage(r, "benefits")
	q, l := r.URL.Query(), v.L
	today := h.currentDay()
	from, to, err := calendar.Days(q.Get("from"), q.Get("to"), calendar.Date{Y: today.Y, M: time.January, D: 1}, today)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	rep, err := h.households.In(statsScope(r)).BenefitReport(r.Context(), from, to)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	v.Filter = statsFilter{From: rep.From, To: rep.To}
	v.Tables = append(v.Tables, benefitTable(l, rep))
	v.Notes = append(v.Notes, l.T("stats.benefits.note"), l.T("stats.benefits.paid_note"))
	if h.statsDownload(w, r, &v) {
		return
	}
	h.render(w, r, http.StatusOK, "stats", v)
}

// benefitTable is a row per kind of benefit: households, persons and
// person-times granted, then households, persons and person-months paid
// (household.BenefitCount).
func benefitTable(l *Locale, rep *household.BenefitReport) statTable {
	t := statTable{ID: "benefits", Title: l.T("stats.benefits.table", rep.From, rep.To),
		Head: []string{l.T("stats.benefits.households"), l.T("stats.benefits.persons"), l.T("stats.benefits.person_times"),
			l.T("stats.benefits.paid_households"), l.T("stats.benefits.paid_persons"), l.T("stats.benefits.person_months")}}
	for _, c := range rep.Items {
		t.Rows = append(t.Rows, statRow{Label: l.Enum("benefit_kind", c.Kind),
			Cells: []statCell{statCount(c.Households, ""), statCount(c.Persons, ""), statCount(c.PersonTimes, ""),
				statCount(c.PaidHouseholds, ""), statCount(c.PaidPersons, ""), statCount(c.PersonMonths, "")}})
	}
	return t
}
