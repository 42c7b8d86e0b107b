package web

import (
	"fmt"
	"net/http"
	"strconv"

	"wanhu/internal/access"
	"wanhu/internal/calendar"
	"wanhu/internal/request"
	"wanhu/internal/visit"
)

// statsServices is /stats/services: the service outcomes of R21 — the
// requests' three rates and on-time rate (request.Report), the survey's
// awareness, participation and satisfaction rates (visit.SurveyStats),
// from ?from to ?to (all until today by default), and the visit coverage
// by grid this week, month, quarter and year.
func (h *handler) statsServices(w http.ResponseWriter, r *http.Request) {
	v := h.statsPage(r, "services")
	q, ctx, l := r.URL.Query(), r.Context(), v.L
	today := h.currentDay()
	from, to, err := calendar.DayRange(q.Get("from"), q.Get("to"), today)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	rep, err := request.Report(ctx, h.db, access.Scope(user(r)), from, to, h.now(), 0)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	survey, err := visit.SurveyStats(ctx, h.db, statsScope(r), from, to, 0)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	cov, err := visit.NewStore(h.db, h.households).In(statsScope(r)).CoverageByGrid(ctx, 0)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	v.Filter = statsFilter{From: q.Get("from"), To: q.Get("to")}
	if v.Filter.To == "" {
		v.Filter.To = today.String()
	}
	v.Tables = append(v.Tables, requestTable(l, rep), requestGroups(l, "category", rep.ByCategory), requestGroups(l, "grid", rep.ByGrid),
		arrivalTable(l, rep), surveyTable(l, survey), coverageTable(l, cov))
	if h.statsDownload(w, r, &v) {
		return
	}
	h.render(w, r, http.StatusOK, "stats", v)
}

// requestTable is the requests' rates, each with what it is counted on.
func requestTable(l *Locale, rep *request.Stats) statTable {
	t := statTable{ID: "requests", Title: l.T("stats.services.requests"), Head: []string{l.T("stats.value"), l.T("stats.basis")}}
	basis := func(n, of int) statCell { s := fmt.Sprintf("%d/%d", n, of); return statCell{Text: s, Value: s} }
	f := rep.Figures
	t.Rows = []statRow{
		{Label: l.T("stats.services.total"), Cells: []statCell{statCount(f.Total, "/requests"), {}}},
		{Label: l.T("stats.services.resolved"), Cells: []statCell{statCount(f.Resolved, "/requests"), {}}},
		{Label: l.T("stats.services.response_rate"), Cells: []statCell{statRate(f.ResponseRate, ""), {Text: l.T("stats.services.accepted", f.Accepted), Value: f.Accepted}}},
		{Label: l.T("stats.services.resolution_rate"), Cells: []statCell{statRate(f.ResolutionRate, ""), basis(f.Resolved, f.Due)}},
		{Label: l.T("stats.services.on_time_rate"), Cells: []statCell{statRate(f.OnTimeRate, ""), basis(f.OnTime, f.Resolved)}},
		{Label: l.T("stats.services.satisfaction_rate"), Cells: []statCell{statRate(f.SatisfactionRate, ""), basis(f.Satisfied, f.Rated)}},
	}
	return t
}

// requestGroups is the requests of each category or grid: received,
// resolved, and the callbacks' satisfaction.
func requestGroups(l *Locale, by string, gs []request.Group) statTable {
	t := statTable{ID: "requests-" + by, Title: l.T("stats.services.requests_by_" + by),
		Head: []string{l.T("stats.services.total"), l.T("stats.services.resolved"), l.T("stats.services.satisfaction_rate"), l.T("stats.basis")}}
	for _, g := range gs {
		b := fmt.Sprintf("%d/%d", g.Satisfied, g.Rated)
		t.Rows = append(t.Rows, statRow{Label: g.Name, Cells: []statCell{statCount(g.Total, ""), statCount(g.Resolved, ""),
			statRate(g.SatisfactionRate, ""), {Text: b, Value: b}}})
	}
	return t
}

// surveyTable is the survey's three rates, each over the households that
// answered.
func surveyTable(l *Locale, s *visit.SurveyReport) statTable {
	t := statTable{ID: "survey", Title: l.T("stats.services.survey"), Head: []string{l.T("stats.value"), l.T("stats.basis")}}
	for _, x := range []struct {
		key  string
		rate *float64
		t    visit.Tally
	}{{"awareness", s.AwarenessRate, s.Awareness}, {"participation", s.ParticipationRate, s.Participation}, {"satisfaction", s.SatisfactionRate, s.Satisfaction}} {
		b := fmt.Sprintf("%d/%d", x.t.Positive, x.t.Answered)
		t.Rows = append(t.Rows, statRow{Label: l.T("stats.services.survey_" + x.key), Cells: []statCell{statRate(x.rate, ""), {Text: b, Value: b}}})
	}
	return t
}

// coverageTable is the visit coverage by grid, as on /visits/coverage.
func coverageTable(l *Locale, cs []visit.GridCoverage) statTable {
	t := statTable{ID: "coverage", Title: l.T("stats.services.coverage"),
		Head: []string{l.T("coverage.households"), l.T("plan.coverage_week"), l.T("plan.coverage_month"), l.T("plan.coverage_quarter"), l.T("plan.coverage_year")}}
	row := func(label, progress string, c visit.GridCoverage) statRow {
		pct := func(n int, f float64) statCell {
			return statCell{Text: fmt.Sprintf("%d（%s%%）", n, strconv.FormatFloat(f*100, 'f', 1, 64)), Value: n, Link: progress}
		}
		return statRow{Label: label, Cells: []statCell{statCount(c.Households, ""),
			pct(c.Visited.Week, c.Week), pct(c.Visited.Month, c.Month), pct(c.Visited.Quarter, c.Quarter), pct(c.Visited.Year, c.Year)}}
	}
	for _, c := range cs {
		r := row(c.GridName, "/visits/progress?grid="+strconv.FormatInt(c.GridID, 10), c)
		r.Cells[0].Link = statLink(statsHouseholdList, "grid", strconv.FormatInt(c.GridID, 10))
		t.Rows = append(t.Rows, r)
	}
	total := row(l.T("stats.total"), "/visits/coverage", visit.CoverageTotal(cs))
	total.Total = true
	return statTable{ID: t.ID, Title: t.Title, Head: t.Head, Rows: append(t.Rows, total)}
}
