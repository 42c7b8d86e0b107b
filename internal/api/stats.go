package api

import (
	"errors"
	"net/http"

	"wanhu/internal/access"
	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/org"
	"wanhu/internal/stats"
)

// The population and household statistics of the files in scope. They
// count by org unit: administrators see their subtree, grid leaders their
// grids. A visitor's scope is a list of households, not a place to count,
// so visitors (and roles without household files) get 403.

// errStatsGrid answers ?grid= naming a grid that is not there or not in
// the caller's scope: the same 404 either way.
var errStatsGrid = &apiError{http.StatusNotFound, "not_found", "no such grid", "grid"}

// statsScope is the scope the caller may count (access.StatsScope), with
// errForbidden when there is none, else the first bad parameter of q: the
// order every statistics handler answers in.
func statsScope(r *http.Request, q *query) (org.Scope, error) {
	s, ok := access.StatsScope(user(r))
	if !ok {
		return s, errForbidden
	}
	return s, q.err
}

// population counts the people in scope on ?on= (YYYY-MM-DD, default
// today in China) by the age ?bands= ("0-3,4-12,60-") or the named
// ?preset= (article, the default, or census; the rule is stats.BandsOf),
// with breakdowns by sex, ethnicity, grid, compound and building; ?grid=
// counts one grid; ?pyramid=true adds the population pyramid (five-year
// groups by sex). A street, a district or the city is summed from the
// statistics snapshot, on its day unless ?on= asks for another, and says
// as of when; ?live=1 counts live (statsSource).
func (h *handler) population(w http.ResponseWriter, r *http.Request) {
	q := &query{r: r}
	grid := q.id("grid")
	var opts []stats.Option
	if q.oneOf("pyramid", []string{"true", "false"}) == "true" {
		opts = append(opts, stats.WithPyramid())
	}
	opts = append(opts, statsSource(q, q.str("on") != "")...)
	preset, spec := q.str("preset"), q.str("bands")
	scope, err := statsScope(r, q)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	bands, _, err := stats.BandsOf(preset, spec)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	on := calendar.DayOf(h.now())
	if s := q.str("on"); s != "" {
		on, err = calendar.ParseDate("on", s)
		if err != nil {
			h.fail(w, r, err)
			return
		}
	}
	out, err := stats.Population(r.Context(), h.d.DB, scope, on, bands, grid, opts...)
	h.writeStats(w, r, out, err)
}

// householdStats counts the households in scope (?grid= one grid,
// ?community= one community's) by kind, occupancy and colour, and each
// grid's colours, and each community's too for a scope over several
// (by_community): from the snapshot for a street, a district or the city
// unless ?live=1.
func (h *handler) householdStats(w http.ResponseWriter, r *http.Request) {
	q := &query{r: r}
	grid, community := q.id("grid"), q.id("community")
	opts := statsSource(q, false)
	scope, err := statsScope(r, q)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if scope, err = h.inCommunity(r, scope, community); err != nil {
		h.fail(w, r, err)
		return
	}
	out, err := stats.Households(r.Context(), h.d.DB, scope, grid, opts...)
	h.writeStats(w, r, out, err)
}

// inCommunity narrows scope to ?community= when given (not 0): one of the
// communities under the scope's org paths (org.Communities), else
// errCommunity, as the visit reports answer.
func (h *handler) inCommunity(r *http.Request, scope org.Scope, community int64) (org.Scope, error) {
	if community == 0 {
		return scope, nil
	}
	cs, err := org.Communities(r.Context(), h.d.DB, scope)
	if err != nil {
		return scope, err
	}
	for _, c := range cs {
		if c.ID == community {
			return scope.InCommunity(c), nil
		}
	}
	return scope, errCommunity
}

// statsSource reads ?live= (1 or true: count live) and returns the
// option that lets the snapshot answer otherwise; dayAsked says that ?on=
// was given, so only a snapshot of that day serves.
func statsSource(q *query, dayAsked bool) []stats.Option {
	switch q.oneOf("live", []string{"1", "true", "0", "false"}) {
	case "1", "true":
		return []stats.Option{stats.Live()}
	}
	return []stats.Option{stats.FromSnapshot(dayAsked)}
}

// writeStats answers out, or err (a grid not found names the parameter).
func (h *handler) writeStats(w http.ResponseWriter, r *http.Request, out any, err error) {
	if errors.Is(err, apperr.ErrNotFound) {
		err = errStatsGrid
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, out)
}
