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
// by grid this week, month, quarter and year. A scope over several
// communities reads the requests and the coverage by community, unless
// ?community= picks one (statsGrids): the city's coverage by grid was
// 1,570 rows, 520 KB of its 565 KB.
func (h *handler) statsServices(w http.ResponseWriter, r *http.Request) {
	v := h.statsPage(r, "services")
	q, ctx, l := r.URL.Query(), r.Context(), v.L
	today := h.currentDay()
	place, err := h.statsGrids(r, l)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	// The requests are those of the user's request scope, narrowed as
	// the place is (without the departments an officer's scope names).
	requests := access.Scope(user(r))
	if place.Community != nil {
		requests = requests.InCommunity(*place.Community)
		requests.DepartmentPaths = nil
	}
	from, to, err := calendar.DayRange(q.Get("from"), q.Get("to"), today)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	rep, err := request.Report(ctx, h.db, requests, from, to, h.now(), 0)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	survey, err := visit.SurveyStats(ctx, h.db, place.Scope, from, to, 0)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	cov, err := h.statsCoverage(r, l, place)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	v.Filter = statsFilter{Community: place, From: q.Get("from"), To: q.Get("to")}
	if v.Filter.To == "" {
		v.Filter.To = today.String()
	}
	byPlace := requestGroups(l, "grid", rep.ByGrid)
	if place.byCommunities() {
		byPlace = requestGroups(l, "community", rep.ByCommunity)
		for i, g := range rep.ByCommunity {
			byPlace.Rows[i].Link = statLink("/stats/services", "community", g.Key, "from", q.Get("from"), "to", q.Get("to"))
		}
	}
	v.Tables = append(v.Tables, requestTable(l, rep), requestGroups(l, "category", rep.ByCategory), byPlace,
		arrivalTable(l, rep), surveyTable(l, survey), cov)
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

// statsCoverage is the coverage table of the place: by grid, or by
// community when the place is read so, each community linked to its
// coverage by grid on /visits/coverage (its figures not linked one by
// one: 224 rows of five links were a third of the table).
func (h *handler) statsCoverage(r *http.Request, l *Locale, p *gridFilter) (statTable, error) {
	vs := visit.NewStore(h.db, h.households).In(p.Scope)
	if !p.byCommunities() {
		cs, err := vs.CoverageByGrid(r.Context(), 0)
		return coverageTable(l, cs), err
	}
	cs, err := vs.CoverageByCommunity(r.Context())
	if err != nil {
		return statTable{}, err
	}
	gs := make([]visit.GridCoverage, len(cs))
	for i, c := range cs {
		gs[i] = communityCoverage(c)
	}
	t := coverageTable(l, gs)
	t.ID, t.Title = "coverage-community", l.T("stats.services.coverage_by_community")
	for i, c := range cs {
		t.Rows[i].Link = "/visits/coverage?community=" + strconv.FormatInt(c.CommunityID, 10)
		for j := range t.Rows[i].Cells {
			t.Rows[i].Cells[j].Link = ""
		}
	}
	return t, nil
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
