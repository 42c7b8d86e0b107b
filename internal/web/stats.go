package web

import (
	"net/http"
	"net/url"
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
	Grid      *gridFilter // its selects shown when the scope has more than one grid
	Community *gridFilter // its community select alone (a page without a grid filter)
	Presets   []Option
	Bands     string
	On        string
	From, To  string
	Types     []Option
	Live      bool // ?live=1, kept by the form
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

// statsGrids returns the grid filter of the user's statistics scope
// (?community=, ?grid=); its selects are shown when there is more than
// one grid to choose from. A scope over several communities chooses the
// community first whatever its size, and with none chosen the page
// counts by community (stats' ByCommunity: a row per community, each a
// link to its page of grids, the page a community's administrator sees).
func (h *handler) statsGrids(r *http.Request, l *Locale) (*gridFilter, error) {
	gf, err := h.gridFilterFrom(r, r.URL.Query(), "grid", statsScope(r), l.T("filter.all_grids"), 0)
	if err != nil {
		return nil, err
	}
	if gf.Communities == nil && len(gf.Grids) <= 1 {
		gf.Options = nil
	}
	return gf, nil
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
