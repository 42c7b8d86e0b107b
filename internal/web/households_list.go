package web

import (
	"net/http"
	"strconv"

	"wanhu/internal/access"
	"wanhu/internal/household"
	"wanhu/internal/org"
)

const listPerPage = 30

// listRow is one household of the list; phone numbers are always masked.
type listRow struct {
	ID          int64
	Address     string
	Shop        string
	Householder string
	Members     int
	Badge       Badge
	Reasons     []string
	Phone       string
}

// listView is the household list with its filters.
type listView struct {
	Page
	Q        string
	Filtered bool
	Grid     *gridFilter
	Colours  []Option
	Kinds    []Option
	Tags     []Option
	Rows     []listRow
	Pager    pager
}

// householdList shows the households matching the filters, a page at a time.
func (h *handler) householdList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v := listView{Page: h.page(r, "households.title", "households"), Q: q.Get("q")}
	f := household.Filter{Colour: household.Colour(q.Get("colour")), Kind: household.Kind(q.Get("kind")),
		Tag: q.Get("tag"), Q: q.Get("q"), PerPage: listPerPage}
	v.Filtered = q.Get("grid") != "" || q.Get("community") != "" || f.Colour != "" || f.Kind != "" || f.Tag != ""
	f.Page, _ = strconv.Atoi(q.Get("page"))
	if f.Page < 1 {
		f.Page = 1
	}
	ctx := r.Context()
	gf, err := h.gridFilterOf(r, access.Scope(v.User), v.L.T("filter.all_grids"))
	if err != nil {
		h.showError(w, r, err)
		return
	}
	v.Grid, f.GridID = gf, gf.GridID
	tn, tags, err := h.tagNames(ctx, v.L)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	v.Colours = enumOptions(v.L, "colour", household.Colours, q.Get("colour"), v.L.T("filter.all_colours"))
	v.Kinds = enumOptions(v.L, "kind", household.Kinds, q.Get("kind"), v.L.T("filter.all_kinds"))
	v.Tags = []Option{{Value: "", Label: v.L.T("filter.all_tags")}}
	for _, t := range tags {
		v.Tags = append(v.Tags, Option{Value: t.Code, Label: tn[t.Code], Selected: t.Code == f.Tag})
	}
	list, err := h.households.In(gf.Scope).ListPage(ctx, f)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	for _, hh := range list.Households {
		v.Rows = append(v.Rows, listRow{ID: hh.ID, Address: hh.Address, Shop: hh.ShopName, Householder: hh.Householder,
			Members: hh.MemberCount, Badge: badge(v.L, hh.Colour), Reasons: reasons(v.L, hh.ColourReasons),
			Phone: hh.Phone})
	}
	v.Pager = newPagerMore("/households", q, f.Page, listPerPage, list.Total, list.More)
	h.render(w, r, http.StatusOK, "households", v)
}

// gridOptions is a grid filter select.
func gridOptions(grids []org.Grid, cur, all string) []Option {
	opts := []Option{{Value: "", Label: all, Selected: cur == ""}}
	label := gridLabels(grids)
	for _, g := range grids {
		id := strconv.FormatInt(g.ID, 10)
		opts = append(opts, Option{Value: id, Label: label(g), Selected: id == cur})
	}
	return opts
}

// gridLabels returns how a choice among grids names a grid: by its name,
// or, when grids span several communities (a street's or the city's,
// where every community has its 第一网格), by its community's and its own.
func gridLabels(grids []org.Grid) func(org.Grid) string {
	for _, g := range grids {
		if g.CommunityID != grids[0].CommunityID {
			return func(g org.Grid) string { return g.CommunityName + " · " + g.Name }
		}
	}
	return func(g org.Grid) string { return g.Name }
}

// enumOptions is a filter select of an enumeration.
func enumOptions(l *Locale, key string, values []string, cur, all string) []Option {
	opts := make([]Option, 1, len(values)+1)
	opts[0] = Option{Value: "", Label: all, Selected: cur == ""}
	for _, val := range values {
		opts = append(opts, Option{Value: val, Label: l.T(key + "." + val), Selected: val == cur})
	}
	return opts
}
