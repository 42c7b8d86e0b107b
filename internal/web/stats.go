package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"wanhu/internal/access"
	"wanhu/internal/org"
)

// The statistics pages (统计, issue 6): an overview and four sections —
// population, households, the ledger trend and service outcomes. Each
// counts what access.StatsScope lets the user count (an administrator's
// subtree, a grid leader's grids), shows its charts (ECharts, fed by JSON
// in the page and drawn by static/stats.js) with a plain table under each,
// links every number to the list behind it, and downloads its tables with
// ?format=xlsx or csv.

// statsSections are the sections of the statistics, in menu order.
var statsSections = []string{"population", "households", "ledger", "services"}

// statsView is every statistics page: the section, its filters, its
// charts and its tables.
type statsView struct {
	Page
	Section  string
	Sections []Option // Value is the path, Selected the current one
	Filter   statsFilter
	Charts   []statChart
	Tables   []statTable
	Export   string // the page's URL with "format=" last, to add xlsx or csv
	Notes    []string
	// Source says that the counts were summed from the snapshot, and
	// when; nil for a count that is always live.
	Source *statsSourceNote
}

// statsFilter is the filter form of a section; a field left empty (nil)
// is not shown.
type statsFilter struct {
	Communities []Option // shown when the scope spans several communities
	Grids       []Option // shown when the scope has more than one grid, in one community
	Presets     []Option
	Bands       string
	On          string
	From, To    string
	Types       []Option
	Live        bool // ?live=1, kept by the form
}

// statChart is one chart: its kind (bar, pyramid, donut, stacked, line)
// and its data, written into the page as JSON for static/stats.js.
type statChart struct {
	ID    string
	Title string
	Data  chartData
}

type chartData struct {
	Kind   string        `json:"kind"`
	Labels []string      `json:"labels"`
	Series []chartSeries `json:"series"`
}

type chartSeries struct {
	Name  string   `json:"name"`
	Data  []int    `json:"data"`
	Links []string `json:"links,omitempty"`
	Key   string   `json:"key,omitempty"` // a colour or sex, for the chart's palette
}

// statTable is a table of figures: the page shows it, the export writes
// its cells one per row.
type statTable struct {
	ID    string
	Title string
	Head  []string // the column headers after the first
	Rows  []statRow
	// Long, for a table with too many rows for a page (a city's
	// buildings), is what the page says instead; the download has them all.
	Long string
}

// maxPageRows is the most rows a table shows on a page.
const maxPageRows = 300

type statRow struct {
	Label string
	Link  string
	Cells []statCell
	Total bool // a total line
}

// statCell is one figure: Value (an int, or a float64 percentage) for the
// export, Text as shown, Link to the list behind it.
type statCell struct {
	Text  string
	Value any
	Link  string
}

// statCount is a cell of n people or households, linked to link.
func statCount(n int, link string) statCell {
	return statCell{Text: strconv.Itoa(n), Value: n, Link: link}
}

// statRate is a cell of a share from 0 to 1 shown as a percentage ("96%",
// "95.5%"); nil (nothing to count on) is a dash.
func statRate(f *float64, link string) statCell {
	if f == nil {
		return statCell{Text: "—", Link: link}
	}
	pct := *f * 100
	s := strconv.FormatFloat(pct, 'f', 1, 64)
	s = strings.TrimSuffix(s, ".0")
	v, _ := strconv.ParseFloat(s, 64)
	return statCell{Text: s + "%", Value: v, Link: link}
}

// statsOnly lets through the users who have something to count.
func (h *handler) statsOnly(fn http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if _, ok := access.StatsScope(user(r)); !ok {
			h.forbidden(w, r)
			return
		}
		fn(w, r)
	}
}

// statsPage starts the view of section ("" for the overview).
func (h *handler) statsPage(r *http.Request, section string) statsView {
	title := "stats.title"
	if section != "" {
		title = "stats." + section + ".title"
	}
	v := statsView{Page: h.page(r, title, "stats"), Section: section}
	for _, s := range statsSections {
		v.Sections = append(v.Sections, Option{Value: "/stats/" + s, Label: v.L.T("stats." + s + ".title"), Selected: s == section})
	}
	q := r.URL.Query()
	q.Del("format")
	v.Export = r.URL.Path + "?"
	if enc := q.Encode(); enc != "" {
		v.Export += enc + "&"
	}
	v.Export += "format="
	return v
}

// statsScope is the user's statistics scope (statsOnly made sure there
// is one).
func statsScope(r *http.Request) org.Scope {
	s, _ := access.StatsScope(user(r))
	return s
}

// statsPlace is where a statistics page counts: the user's statistics
// scope, narrowed to ?community= when that is one of the communities of
// a scope that spans several (org.Communities; another is ignored, as on
// /visits/coverage). Such a scope with no community chosen is read by
// community (ByCommunity): a row per community, each a link to its page
// of grids, the page a community's administrator sees.
type statsPlace struct {
	Scope       org.Scope
	Community   *org.CommunityChoice // the community chosen, if any
	Communities []Option             // offered when the scope spans several
	ByCommunity bool
}

// statsPlaceOf reads ?community= against the user's statistics scope.
func (h *handler) statsPlaceOf(r *http.Request, l *Locale) (statsPlace, error) {
	p := statsPlace{Scope: statsScope(r)}
	cs, err := org.Communities(r.Context(), h.db, p.Scope)
	if err != nil || len(cs) < 2 {
		return p, err
	}
	raw := r.URL.Query().Get("community")
	p.Communities = []Option{{Value: "", Label: l.T("coverage.all_communities")}}
	for _, c := range cs {
		id := strconv.FormatInt(c.ID, 10)
		if id == raw {
			p.Community, p.Scope = &c, p.Scope.InCommunity(c)
		}
		p.Communities = append(p.Communities, Option{Value: id, Label: c.Name, Selected: id == raw})
	}
	p.Communities[0].Selected = p.Community == nil
	p.ByCommunity = p.Community == nil
	return p, nil
}

// statsGrids returns the grid chosen by ?grid= (0 for all) and the grids
// to choose from in the place: offered when there is more than one, and
// not for a place read by community (a city's 1,568 grids are not one
// select). A grid outside the community chosen (left in the form when
// the community was changed) is ignored.
func (h *handler) statsGrids(r *http.Request, l *Locale, p statsPlace) (int64, []Option, error) {
	raw := r.URL.Query().Get("grid")
	grid, _ := strconv.ParseInt(raw, 10, 64)
	if p.ByCommunity {
		return grid, nil, nil
	}
	gs, err := h.households.In(p.Scope).GridChoices(r.Context())
	if err != nil {
		return 0, nil, err
	}
	if p.Community != nil && grid != 0 && !slices.ContainsFunc(gs, func(g org.Grid) bool { return g.ID == grid }) {
		grid, raw = 0, ""
	}
	var opts []Option
	if len(gs) > 1 {
		opts = gridOptions(gs, raw, l.T("filter.all_grids"))
	}
	return grid, opts, nil
}

// statLink is the URL of a list with the query parameters kv (name,
// value pairs; empty values left out).
func statLink(path string, kv ...string) string {
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" && kv[i+1] != "0" {
			q.Set(kv[i], kv[i+1])
		}
	}
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// statGrid writes a grid id for a link: "" for all.
func statGrid(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}

// statsOverview is /stats: what each section answers, with links.
func (h *handler) statsOverview(w http.ResponseWriter, r *http.Request) {
	v := h.statsPage(r, "")
	h.render(w, r, http.StatusOK, "stats", v)
}
