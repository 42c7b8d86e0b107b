package api

import (
	"net/http"

	"wanhu/internal/calendar"
	"wanhu/internal/stats"
	"wanhu/internal/visit"
)

// The dashboard's other figures (issue 6): the ledger trend and the visit
// coverage, counted in the statistics scope like the population.

// ledgerTrend counts the ledger events of ?types= (comma-separated; by
// default the life events: lost jobs, started school, worsened health …)
// per month of China time from ?from to ?to (YYYY-MM-DD, both included;
// default the twelve months up to today), in scope or in ?grid=.
func (h *handler) ledgerTrend(w http.ResponseWriter, r *http.Request) {
	q := &query{r: r}
	grid := q.id("grid")
	scope, err := statsScope(r, q)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	types, err := stats.ParseTypes("types", q.str("types"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	to := calendar.DayOf(h.now())
	if s := q.str("to"); s != "" {
		if to, err = calendar.ParseDate("to", s); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	from := stats.TrendYear(to)
	if s := q.str("from"); s != "" {
		if from, err = calendar.ParseDate("from", s); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	out, err := stats.LedgerTrend(r.Context(), h.d.DB, scope, from, to, types, grid)
	h.writeStats(w, r, out, err)
}

// visitCoverage is the visit coverage in the statistics scope: the
// occupied households of each grid and how many were visited this week,
// month, quarter and year (visit.CoverageByGrid), with the sum as
// "overall"; ?grid= one grid.
type visitCoverage struct {
	On calendar.Date `json:"on"`
	list[visit.GridCoverage]
	Overall visit.GridCoverage `json:"overall"`
}

// visitStats answers the visit coverage of the grids in scope.
func (h *handler) visitStats(w http.ResponseWriter, r *http.Request) {
	q := &query{r: r}
	grid := q.id("grid")
	scope, err := statsScope(r, q)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if grid != 0 {
		if err := stats.CheckGrid(r.Context(), h.d.DB, scope, grid); err != nil {
			h.writeStats(w, r, nil, err) // a grid not found names the parameter
			return
		}
	}
	vs := visit.NewStore(h.d.DB, h.d.Households).In(scope)
	vs.SetClock(h.now)
	cs, err := vs.CoverageByGrid(r.Context(), grid)
	if err != nil {
		h.writeStats(w, r, nil, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, &visitCoverage{calendar.DayOf(h.now()), listOf(cs, len(cs)), visit.CoverageTotal(cs)})
}
