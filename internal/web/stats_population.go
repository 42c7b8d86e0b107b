package web

import (
	"net/http"
	"slices"
	"strings"

	"wanhu/internal/calendar"
	"wanhu/internal/stats"
)

// statsPeopleList is the people list behind a population figure.
const statsPeopleList = "/rosters/people"

// statsPopulation is /stats/population: people by age band (a preset or
// the user's own bands) on any day, the pyramid, and by sex, ethnicity,
// grid, compound and building.
func (h *handler) statsPopulation(w http.ResponseWriter, r *http.Request) {
	v := h.statsPage(r, "population")
	q, l := r.URL.Query(), v.L
	gf, err := h.statsGrids(r, l)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	grid := gf.GridID
	// The form sends the select, the bands field and the bands it showed:
	// bands left as shown follow the select, bands typed over are the
	// user's own. A link may give either alone.
	preset, spec := q.Get("preset"), strings.TrimSpace(q.Get("bands"))
	switch {
	case preset != "" && spec == strings.TrimSpace(q.Get("shown")):
		if preset != stats.Custom {
			spec = ""
		}
	case spec != "":
		preset = stats.Custom
	}
	bands, preset, err := stats.BandsOf(preset, spec)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	on := h.currentDay()
	if s := q.Get("on"); s != "" {
		if on, err = calendar.ParseDate("on", s); err != nil {
			h.showError(w, r, err)
			return
		}
	}
	opts := append(statsOptions(r, q.Get("on") != ""), stats.WithPyramid())
	p, err := stats.Population(r.Context(), h.db, gf.Scope, on, bands, grid, opts...)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	// The day shown is the one counted: the snapshot's, if it answered.
	v.Filter = statsFilter{Grid: gf, Bands: stats.Spec(bands), On: p.On.String(), Live: statsLive(r)}
	v.Source = statsSourceOf(r, l, p.Source)
	for _, name := range append(slices.Clone(stats.PresetNames), stats.Custom) {
		v.Filter.Presets = append(v.Filter.Presets, Option{Value: name, Label: l.T("stats.preset." + name), Selected: name == preset})
	}
	v.Notes = append(v.Notes, l.T("stats.population.note", p.On.String(), p.Total))
	populationFigures(&v, p, gf.place())
	if h.statsDownload(w, r, &v) {
		return
	}
	h.render(w, r, http.StatusOK, "stats", v)
}

// populationFigures fills the charts and tables of the population.
func populationFigures(v *statsView, p *stats.PopulationStats, place []string) {
	l, on := v.L, p.On.String()
	people := func(kv ...string) string {
		return statLink(statsPeopleList, slices.Concat([]string{"on", on}, place, kv)...)
	}

	bands := statTable{ID: "bands", Title: l.T("stats.population.bands"), Head: []string{l.T("stats.people")}}
	bandChart := chartData{Kind: "bar", Series: []chartSeries{{Name: l.T("stats.people")}}}
	for _, b := range p.Bands {
		link := people("age", b.Band)
		bands.Rows = append(bands.Rows, statRow{Label: statsBand(l, b.Band), Cells: []statCell{statCount(b.Count, link)}})
		bandChart.Labels = append(bandChart.Labels, statsBand(l, b.Band))
		bandChart.Series[0].Data = append(bandChart.Series[0].Data, b.Count)
		bandChart.Series[0].Links = append(bandChart.Series[0].Links, link)
	}
	bands.Rows = append(bands.Rows, statRow{Label: l.T("stats.total"), Total: true, Cells: []statCell{statCount(p.Total, people())}})

	pyr := statTable{ID: "pyramid", Title: l.T("stats.population.pyramid"), Head: []string{l.T("gender.male"), l.T("gender.female"), l.T("stats.total")}}
	pyrChart := chartData{Kind: "pyramid", Series: []chartSeries{{Name: l.T("gender.male"), Key: "male"}, {Name: l.T("gender.female"), Key: "female"}}}
	for _, g := range p.Pyramid {
		m, f := people("age", g.Group, "sex", "male"), people("age", g.Group, "sex", "female")
		pyr.Rows = append(pyr.Rows, statRow{Label: statsBand(l, g.Group), Cells: []statCell{statCount(g.Male, m), statCount(g.Female, f), statCount(g.Male+g.Female, people("age", g.Group))}})
		pyrChart.Labels = append(pyrChart.Labels, g.Group)
		pyrChart.Series[0].Data, pyrChart.Series[0].Links = append(pyrChart.Series[0].Data, g.Male), append(pyrChart.Series[0].Links, m)
		pyrChart.Series[1].Data, pyrChart.Series[1].Links = append(pyrChart.Series[1].Data, g.Female), append(pyrChart.Series[1].Links, f)
	}
	v.Charts = append(v.Charts, statChart{ID: "chart-bands", Title: bands.Title, Data: bandChart},
		statChart{ID: "chart-pyramid", Title: pyr.Title, Data: pyrChart})

	breakdown := func(id, param string, cs []stats.Count, name func(stats.Count) string) statTable {
		t := statTable{ID: id, Title: l.T("stats.population.by_" + id), Head: []string{l.T("stats.people")}}
		for _, c := range cs {
			link := ""
			if c.Key != "" && param != "" {
				link = people(param, c.Key)
			}
			t.Rows = append(t.Rows, statRow{Label: name(c), Cells: []statCell{statCount(c.Count, link)}})
		}
		if len(t.Rows) > maxPageRows {
			t.Long = l.T("stats.long_table", len(t.Rows))
		}
		return t
	}
	named := func(c stats.Count) string {
		if c.Key == "" {
			return l.T("stats.none")
		}
		return c.Name
	}
	v.Tables = append(v.Tables, bands, pyr,
		breakdown("sex", "sex", p.BySex, func(c stats.Count) string { return l.Enum("gender", c.Key) }),
		breakdown("ethnicity", "ethnicity", p.ByEthnicity, named),
		breakdown("grid", "grid", p.ByGrid, named),
		breakdown("compound", "compound", p.ByCompound, named),
		breakdown("building", "building", p.ByBuilding, named))
}

// statsBand writes a band for people: "0-3 岁", "60 岁及以上".
func statsBand(l *Locale, band string) string {
	if from, ok := strings.CutSuffix(band, "-"); ok {
		return l.T("stats.age_over", from)
	}
	return l.T("stats.age_band", band)
}
