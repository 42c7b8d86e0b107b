package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/stats"
)

// statsLedger is /stats/ledger: the ledger events of the chosen types per
// month (by default the twelve months up to today), a line per type.
func (h *handler) statsLedger(w http.ResponseWriter, r *http.Request) {
	v := h.statsPage(r, "ledger")
	q, l := r.URL.Query(), v.L
	gf, err := h.statsGrids(r, l)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	grid := gf.GridID
	today := h.currentDay()
	types, err := stats.ParseTypes("types", strings.Join(q["types"], ","))
	if err != nil {
		h.showError(w, r, err)
		return
	}
	to, from := today, stats.TrendYear(today)
	if s := q.Get("to"); s != "" {
		if to, err = calendar.ParseDate("to", s); err != nil {
			h.showError(w, r, err)
			return
		}
		if q.Get("from") == "" {
			from = stats.TrendYear(to)
		}
	}
	if s := q.Get("from"); s != "" {
		if from, err = calendar.ParseDate("from", s); err != nil {
			h.showError(w, r, err)
			return
		}
	}
	tr, err := stats.LedgerTrend(r.Context(), h.db, gf.Scope, from, to, types, grid)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	v.Filter = statsFilter{Grid: gf, From: from.String(), To: to.String()}
	for _, t := range stats.TrendTypes {
		v.Filter.Types = append(v.Filter.Types, Option{Value: t, Label: l.Enum("event", t), Selected: slices.Contains(types, t)})
	}
	// The ledger page lists the events of the last N days: enough to
	// reach back to from.
	days := int(today.Time().Sub(from.Time())/(24*time.Hour)) + 1
	ledgerFigures(&v, tr, gf.place(), strconv.Itoa(max(days, 1)))
	if h.statsDownload(w, r, &v) {
		return
	}
	h.render(w, r, http.StatusOK, "stats", v)
}

// ledgerFigures fills the chart and table of a ledger trend.
func ledgerFigures(v *statsView, tr *stats.LedgerTrendStats, place []string, days string) {
	l := v.L
	t := statTable{ID: "ledger", Title: l.T("stats.ledger.by_month"), Head: append(slices.Clone(tr.Months), l.T("stats.total"))}
	c := chartData{Kind: "line", Labels: tr.Months}
	for _, x := range tr.Types {
		link := statLink("/ledger", slices.Concat([]string{"type", x.Type, "days", days}, place)...)
		row := statRow{Label: l.Enum("event", x.Type)}
		for _, n := range x.Counts {
			row.Cells = append(row.Cells, statCount(n, link))
		}
		row.Cells = append(row.Cells, statCount(x.Total, link))
		t.Rows = append(t.Rows, row)
		c.Series = append(c.Series, chartSeries{Name: row.Label, Data: x.Counts, Key: x.Type})
	}
	v.Charts = append(v.Charts, statChart{ID: "chart-ledger", Title: t.Title, Data: c})
	v.Tables = append(v.Tables, t)
}
