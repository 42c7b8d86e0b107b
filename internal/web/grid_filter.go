package web

import (
	"net/http"
	"net/url"
	"strconv"

	"wanhu/internal/org"
)

// gridFilterLimit is the most grids a page's grid filter lists at once:
// a scope with more (a street's or the city's administrator) chooses the
// community first, then among that community's grids, so that the page
// does not grow with the city (as the household form does, placeLimit).
// A variable so that tests can lower it (export_test.go).
var gridFilterLimit = placeLimit

// gridFilter is the choice of a grid on a list page (?grid=) and, in a
// scope of more than gridFilterLimit grids over several communities,
// of a community first (?community=). The "grid_filter" template shows
// its selects inside the page's GET form; without JavaScript its submit
// button shows the chosen community's grids.
type gridFilter struct {
	L *Locale
	// Communities is the community select; nil in a small scope.
	Communities []Option
	// Options is the grid select: every grid of a small scope, the
	// chosen community's in a large one (none before one is chosen).
	Options []Option
	// Grids are the grids offered.
	Grids []org.Grid
	// GridID is the chosen grid, 0 for all.
	GridID int64
	// Community is the chosen community, nil for all.
	Community *org.CommunityChoice
	// Scope is the page's scope, narrowed to the chosen community: the
	// page builds its store on it, so a community alone filters the list.
	Scope org.Scope
}

// gridFilterOf reads ?community= and ?grid= of r against the grids of
// scope. all labels the choice of every grid; with all "" a grid must be
// chosen, the first offered by default (a page that shows one grid: the
// week's plan, its progress). A community outside the scope is ignored;
// without ?community= (a link that names a grid), the grid's community is
// chosen; with ?community= empty (the select's "all"), no grid is.
func (h *handler) gridFilterOf(r *http.Request, scope org.Scope, all string) (*gridFilter, error) {
	return h.gridFilterFrom(r, r.URL.Query(), "grid", scope, all, gridFilterLimit)
}

// gridFilterFrom is gridFilterOf reading form values q, the grid from
// q[gridKey] (a form that posts the grid as "grid_id"), choosing the
// community first above limit grids (the statistics: above none, for
// their tables by community).
func (h *handler) gridFilterFrom(r *http.Request, q url.Values, gridKey string, scope org.Scope, all string, limit int) (*gridFilter, error) {
	ctx := r.Context()
	f := &gridFilter{L: h.locale(r), Scope: scope}
	f.GridID, _ = strconv.ParseInt(q.Get(gridKey), 10, 64)
	gs, err := h.households.In(scope).GridChoices(ctx)
	if err != nil {
		return nil, err
	}
	if len(gs) > limit {
		cs, err := org.Communities(ctx, h.db, scope)
		if err != nil {
			return nil, err
		}
		if len(cs) > 1 {
			gs = f.byCommunity(cs, gs, q.Get("community"), q.Has("community"), all == "")
		}
	}
	f.Grids = gs
	if all == "" && f.GridID == 0 && len(gs) > 0 {
		f.GridID = gs[0].ID
	}
	if f.Communities != nil && f.Community == nil {
		return f, nil // no grid to offer before a community is chosen
	}
	if all != "" {
		f.Options = []Option{{Value: "", Label: all, Selected: f.GridID == 0}}
	}
	label := gridLabels(gs)
	for _, g := range gs {
		f.Options = append(f.Options, Option{Value: strconv.FormatInt(g.ID, 10), Label: label(g), Selected: g.ID == f.GridID})
	}
	return f, nil
}

// byCommunities reports whether the page reads its scope by community:
// several communities are offered and none is chosen.
func (f *gridFilter) byCommunities() bool { return f.Communities != nil && f.Community == nil }

// place is the chosen community and grid as a statistics link's query
// pairs (statLink leaves out the empty ones), so that a figure's list
// shows what was counted.
func (f *gridFilter) place() []string {
	var c string
	if f.Community != nil {
		c = strconv.FormatInt(f.Community.ID, 10)
	}
	return []string{"community", c, "grid", statGrid(f.GridID)}
}

// byCommunity fills the community select with cs and chooses the
// community raw names (asked: ?community= was sent), else the chosen
// grid's (or, when a grid must be chosen, the first grid's); it returns
// the chosen community's grids among gs, none without one.
func (f *gridFilter) byCommunity(cs []org.CommunityChoice, gs []org.Grid, raw string, asked, first bool) []org.Grid {
	var id int64
	for _, c := range cs {
		if strconv.FormatInt(c.ID, 10) == raw {
			id = c.ID
		}
	}
	if id == 0 && (!asked || raw != "" || first) {
		for _, g := range gs {
			if g.ID == f.GridID {
				id = g.CommunityID
			}
		}
	}
	if id == 0 && first {
		id = gs[0].CommunityID
	}
	f.Communities = []Option{}
	if !first { // a page of one grid has no "all"
		f.Communities = append(f.Communities, Option{Value: "", Label: f.L.T("filter.all_communities"), Selected: id == 0})
	}
	for i, c := range cs {
		f.Communities = append(f.Communities, Option{Value: strconv.FormatInt(c.ID, 10), Label: c.Name, Selected: c.ID == id})
		if c.ID == id {
			f.Community = &cs[i]
		}
	}
	var out []org.Grid
	if f.Community == nil {
		f.GridID = 0
		return nil
	}
	in := false
	for _, g := range gs {
		if g.CommunityID == id {
			out = append(out, g)
			in = in || g.ID == f.GridID
		}
	}
	if !in {
		f.GridID = 0
	}
	f.Scope = f.Scope.InCommunity(*f.Community)
	return out
}
