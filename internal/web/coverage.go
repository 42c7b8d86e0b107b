package web

import (
	"net/http"
	"net/url"
	"strconv"

	"wanhu/internal/access"
	"wanhu/internal/calendar"
	"wanhu/internal/visit"
)

// coveragePage is the administrator's page: coverage by grid, visits per
// visitor per week and per month, and the households not visited this
// year. An administrator whose scope spans several communities (a
// street's, a district's, the city's) first sees the coverage by
// community (ByCommunity) and the households not visited, and picks a
// community (?community=) for its grids and its visitors, the page its
// own administrator sees: the city's 1,568 grids and 5,824 team members
// are not one page.
type coveragePage struct {
	Page
	Periods     []string
	ByCommunity bool
	Communities []Option // offered when the scope spans several
	Community   string   // the community chosen among them, if any
	Grids       []coverageRow
	Total       coverageRow
	Weeks       visitorTable
	Months      visitorTable
	Year        int
	Never       []neverRow
	NeverTotal  int
	Pager       pager
}

type coverageRow struct {
	GridID     int64 // a community's id when by community
	Name       string
	Link       string
	Households int
	Cells      []coverageCell
}

type coverageCell struct {
	Visited int
	Percent string // one decimal: 6 of 634 households is 0.9 %, not 1 %
}

type visitorTable struct {
	L       *Locale
	Periods []string
	Rows    []visit.VisitorCounts
}

type neverRow struct {
	visit.Unvisited
	Badge Badge
	Last  string
}

const neverPerPage = 50

func coverageRowOf(c visit.GridCoverage) coverageRow {
	pct := func(f float64) string { return strconv.FormatFloat(f*100, 'f', 1, 64) }
	return coverageRow{GridID: c.GridID, Name: c.GridName, Link: "/visits/progress?grid=" + strconv.FormatInt(c.GridID, 10),
		Households: c.Households, Cells: []coverageCell{
			{c.Visited.Week, pct(c.Week)}, {c.Visited.Month, pct(c.Month)}, {c.Visited.Quarter, pct(c.Quarter)}, {c.Visited.Year, pct(c.Year)}}}
}

// communityCoverage is a community's coverage as a grid's, for the table
// and the total.
func communityCoverage(c visit.CommunityCoverage) visit.GridCoverage {
	return visit.GridCoverage{GridID: c.CommunityID, GridName: c.CommunityName, Coverage: c.Coverage, Visited: c.Visited}
}

// coveragePeriods names the columns of the coverage by grid with the days
// each covers, "本周（11月30日–12月6日）": a week begun in the previous
// month can show more coverage than the month.
func coveragePeriods(l *Locale, today calendar.Date) []string {
	day := func(d calendar.Date) string { return l.T("coverage.day", int(d.M), d.D) }
	var out []string
	for i, k := range []string{"plan.coverage_week", "plan.coverage_month", "plan.coverage_quarter", "plan.coverage_year"} {
		p := visit.CoveragePeriods(today)[i]
		out = append(out, l.T("coverage.period", l.T(k), day(p[0]), day(p[1])))
	}
	return out
}

// visitCoverage shows the coverage reports of the user's scope; ?year=
// picks the year of the never-visited list, ?page= its page.
func (h *handler) visitCoverage(w http.ResponseWriter, r *http.Request) {
	v := coveragePage{Page: h.page(r, "coverage.title", "coverage")}
	q, ctx, vs, l := r.URL.Query(), r.Context(), h.visits(r), v.L
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	v.Year = h.currentDay().Y
	if y, err := strconv.Atoi(q.Get("year")); err == nil && y >= 2000 && y <= v.Year {
		v.Year = y
	}
	v.Periods = coveragePeriods(l, h.currentDay())
	// A scope over several communities chooses one whatever its size, as
	// the statistics do (gridFilterFrom without a limit; the page has no
	// grid select, so ?grid= is not read): with none chosen the page reads
	// by community.
	gf, err := h.gridFilterFrom(r, url.Values{"community": q["community"]}, "grid", access.Scope(v.User), "-", 0)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	if gf.Communities != nil {
		v.Communities, v.ByCommunity = gf.Communities, gf.byCommunities()
		if gf.Community != nil {
			v.Community = strconv.FormatInt(gf.Community.ID, 10)
			vs = vs.In(gf.Scope)
		}
	}
	if v.ByCommunity {
		h.coverageByCommunity(w, r, vs, &v, page)
		return
	}
	cs, err := vs.CoverageByGrid(ctx, 0)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	for _, c := range cs {
		v.Grids = append(v.Grids, coverageRowOf(c))
	}
	v.Total = coverageRowOf(visit.CoverageTotal(cs))
	for _, t := range []struct {
		period string
		into   *visitorTable
	}{{visit.ByWeek, &v.Weeks}, {visit.ByMonth, &v.Months}} {
		rep, err := vs.VisitsByVisitor(ctx, t.period)
		if err != nil {
			h.showError(w, r, err)
			return
		}
		*t.into = visitorTable{L: l, Periods: rep.Periods, Rows: rep.Visitors}
	}
	h.coverageNever(w, r, vs, &v, page)
}

// coverageByCommunity ends the page of an administrator whose scope spans
// several communities: their coverage, each a link to the community's
// page, and the households not visited.
func (h *handler) coverageByCommunity(w http.ResponseWriter, r *http.Request, vs *visit.Store, v *coveragePage, page int) {
	cs, err := vs.CoverageByCommunity(r.Context())
	if err != nil {
		h.showError(w, r, err)
		return
	}
	var sum []visit.GridCoverage
	for _, c := range cs {
		g := communityCoverage(c)
		row := coverageRowOf(g)
		row.Link = "/visits/coverage?community=" + strconv.FormatInt(c.CommunityID, 10)
		v.Grids, sum = append(v.Grids, row), append(sum, g)
	}
	v.Total = coverageRowOf(visit.CoverageTotal(sum))
	h.coverageNever(w, r, vs, v, page)
}

// coverageNever adds the households not visited in the page's year and
// renders the page.
func (h *handler) coverageNever(w http.ResponseWriter, r *http.Request, vs *visit.Store, v *coveragePage, page int) {
	l, q := v.L, r.URL.Query()
	us, total, err := vs.NeverVisited(r.Context(), v.Year, 0, page, neverPerPage)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	v.NeverTotal = total
	for _, u := range us {
		row := neverRow{Unvisited: u, Badge: badge(l, u.Colour), Last: l.T("coverage.never_visited")}
		if u.LastVisitAt != nil {
			row.Last = l.Time(*u.LastVisitAt)
		}
		v.Never = append(v.Never, row)
	}
	v.Pager = newPager("/visits/coverage", q, page, neverPerPage, total)
	h.render(w, r, http.StatusOK, "coverage", *v)
}
