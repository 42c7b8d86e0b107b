package web

import (
	"net/http"
	"slices"

	"wanhu/internal/household"
	"wanhu/internal/stats"
)

// statsHouseholdList is the household list behind a household figure.
const statsHouseholdList = "/rosters/households"

// statsHouseholds is /stats/households: homes and shops (kind),
// occupancy, and the colours, in all (a donut) and by grid (stacked bars);
// by community for a scope that spans several, unless ?community= picks
// one (statsGrids).
func (h *handler) statsHouseholds(w http.ResponseWriter, r *http.Request) {
	v := h.statsPage(r, "households")
	l := v.L
	gf, err := h.statsGrids(r, l)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	grid := gf.GridID
	s, err := stats.Households(r.Context(), h.db, gf.Scope, grid, statsOptions(r, false)...)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	tags, _, err := h.tagNames(r.Context(), v.L)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	v.Filter = statsFilter{Grid: gf, Live: statsLive(r)}
	v.Source = statsSourceOf(r, l, s.Source)
	householdFigures(&v, s, gf.place(), tags)
	if h.statsDownload(w, r, &v) {
		return
	}
	h.render(w, r, http.StatusOK, "stats", v)
}

// householdFigures fills the charts and tables of the households; tags
// names the key-person tags.
func householdFigures(v *statsView, s *stats.HouseholdStats, place []string, tags tagNames) {
	l := v.L
	list := func(kv ...string) string {
		return statLink(statsHouseholdList, slices.Concat(place, kv)...)
	}
	enum := func(field string, values []string, counts map[string]int) (statTable, chartData) {
		t := statTable{ID: field, Title: l.T("stats.households.by_" + field), Head: []string{l.T("stats.households")}}
		c := chartData{Kind: "donut", Series: []chartSeries{{Name: t.Title}}}
		for _, val := range values {
			link := list(field, val)
			t.Rows = append(t.Rows, statRow{Label: l.Enum(field, val), Cells: []statCell{statCount(counts[val], link)}})
			c.Labels = append(c.Labels, l.Enum(field, val))
			c.Series[0].Data = append(c.Series[0].Data, counts[val])
			c.Series[0].Links = append(c.Series[0].Links, link)
		}
		t.Rows = append(t.Rows, statRow{Label: l.T("stats.total"), Total: true, Cells: []statCell{statCount(s.Total, list())}})
		return t, c
	}
	kind, kindChart := enum("kind", household.Kinds, s.Kind)
	occ, _ := enum("occupancy", household.Occupancies, s.Occupancy)
	colour, colourChart := enum("colour", household.Colours, s.Colour)
	colourChart.Series[0].Key = "colours"

	byGrid, stacked := placeColours(l, s)
	v.Charts = append(v.Charts, statChart{ID: "chart-kind", Title: kind.Title, Data: kindChart},
		statChart{ID: "chart-colour", Title: colour.Title, Data: colourChart},
		statChart{ID: "chart-grid-colours", Title: byGrid.Title, Data: stacked})
	key := statTable{ID: "key-persons", Title: l.T("stats.households.key"), Head: []string{l.T("stats.people_or_households")}}
	for _, t := range s.KeyPersonsByTag {
		key.Rows = append(key.Rows, statRow{Label: tags.list([]string{t.Key})[0], Cells: []statCell{
			statCount(t.Count, statLink("/rosters/key_persons", slices.Concat([]string{"tag", t.Key}, place)...))}})
	}
	key.Rows = append(key.Rows,
		statRow{Label: l.T("stats.households.key_total"), Total: true, Cells: []statCell{statCount(s.KeyPersons, statLink("/rosters/key_persons", place...))}},
		statRow{Label: l.T("stats.households.special"), Total: true, Cells: []statCell{statCount(s.SpecialDifficulty, statLink("/rosters/special_difficulty", place...))}})
	v.Tables = append(v.Tables, kind, occ, colour, byGrid, key)
}

// placeColours is the table and the stacked bars of the colours by grid,
// or by community when s has them (a scope over several communities, none
// chosen): a community links to its page of grids (?community=), a
// grid's figures to its households.
func placeColours(l *Locale, s *stats.HouseholdStats) (statTable, chartData) {
	t := statTable{ID: "grid", Title: l.T("stats.households.by_grid")}
	places, link := s.ByGrid, func(key, colour string) string {
		return statLink(statsHouseholdList, "grid", key, "colour", colour)
	}
	if s.ByCommunity != nil {
		t = statTable{ID: "community", Title: l.T("stats.households.by_community")}
		places, link = s.ByCommunity, func(key, _ string) string { return statLink("/stats/households", "community", key) }
	}
	stacked := chartData{Kind: "stacked"}
	for _, c := range household.Colours {
		t.Head = append(t.Head, l.Enum("colour", c))
		stacked.Series = append(stacked.Series, chartSeries{Name: l.Enum("colour", c), Key: c})
	}
	t.Head = append(t.Head, l.T("stats.total"))
	for _, g := range places {
		row := statRow{Label: g.Name}
		if s.ByCommunity != nil {
			row.Link = link(g.Key, "")
		}
		stacked.Labels = append(stacked.Labels, g.Name)
		for i, c := range household.Colours {
			cell := statCount(g.Colour[c], link(g.Key, c))
			if s.ByCommunity != nil {
				cell.Link = "" // the row's link, the community's page
			}
			row.Cells = append(row.Cells, cell)
			stacked.Series[i].Data = append(stacked.Series[i].Data, g.Colour[c])
			stacked.Series[i].Links = append(stacked.Series[i].Links, link(g.Key, c))
		}
		row.Cells = append(row.Cells, statCount(g.Count.Count, link(g.Key, "")))
		t.Rows = append(t.Rows, row)
	}
	return t, stacked
}
