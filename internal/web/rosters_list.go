package web

import (
	"cmp"
	"net/http"
	"net/url"
	"strconv"

	"wanhu/internal/access"
	"wanhu/internal/apperr"
	"wanhu/internal/export"
	"wanhu/internal/household"
	"wanhu/internal/roster"
)

// The service rosters (名册, R18) of package roster: an index, one page
// per roster with its filters, print and downloads, and the filters a
// user saves. The older key-person and special-difficulty pages stay at
// their addresses (rosters.go).

const rosterListPerPage = 50

// rosterCell is one cell of a roster table.
type rosterCell struct {
	Label, Text string
	Link        string // the household file, for the address
}

// rosterListView is one roster page.
type rosterListView struct {
	Page
	Name    string
	Custom  bool
	Headers []string
	Rows    [][]rosterCell
	Pager   pager
	Error   string
	Filter  rosterFilterForm
	// XLSX and CSV are the download links; empty without the permission.
	XLSX, CSV string
	// Saving is the current filter, kept by the "save as roster" form.
	Saving []Option
	On     string
}

// rosterFilterForm is what the filter form of a roster offers.
type rosterFilterForm struct {
	Params                            map[string]bool
	Values                            url.Values
	Grid                              *gridFilter
	Tags, Sexes, Dibao, Kinds         []Option
	Colours, Occupancies, Ethnicities []Option
}

// rosterLabels names coded values in the page's language.
type rosterLabels struct {
	l    *Locale
	tags tagNames
}

func (rl rosterLabels) Enum(field, value string) string {
	if field == "start" {
		return rl.l.T("rosters.start." + value)
	}
	return rl.l.Enum(field, value)
}

func (rl rosterLabels) Tag(code string) string {
	if n, ok := rl.tags[code]; ok {
		return n
	}
	return code
}

// rosters returns the rosters the user of r may see.
func (h *handler) rosters(r *http.Request) *roster.Store {
	return roster.New(h.db, access.Scope(user(r)))
}

// rosterQuery reads roster name and its filters from r.
func (h *handler) rosterQuery(r *http.Request, name string) (roster.Query, error) {
	v := r.URL.Query()
	v.Del("community") // the page's grid filter's (gridFilterOf), not the roster's
	q, err := roster.Parse(name, v, h.currentDay())
	if err != nil {
		return q, err
	}
	return q, h.rosters(r).Check(r.Context(), q)
}

// rosterList shows one roster, or downloads it (?format=xlsx|csv).
func (h *handler) rosterList(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	d, err := roster.Lookup(name)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	format, ferr := export.FormatOf(r)
	if ferr == nil && format != export.JSON {
		h.rosterDownload(w, r, name, format)
		return
	}
	v := &rosterListView{Page: h.page(r, "", "rosters"), Name: name, Custom: d.Custom}
	v.Title = d.Title(v.L.Lang)
	tn, tags, err := h.tagNames(r.Context(), v.L)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	q, err := h.rosterQuery(r, name)
	err = cmp.Or(err, ferr) // a bad filter first, then a bad format
	switch fe, isField := apperr.AsField(err); {
	case isField:
		// A bad filter shows the page with the error beside the form (400).
		v.Error = v.L.T("rosters.param."+fe.Field) + ": " + v.L.Err(fe)
		q, _ = roster.Parse(name, nil, h.currentDay())
	case err != nil:
		h.showError(w, r, err)
		return
	}
	if err := h.rosterForm(r, v, q, d, tn, tags); err != nil {
		h.showError(w, r, err)
		return
	}
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	if v.Error == "" {
		q.GridID = v.Filter.Grid.GridID
	}
	items, total, more, err := roster.New(h.db, v.Filter.Grid.Scope).List(r.Context(), q, page, rosterListPerPage)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	labels := rosterLabels{v.L, tn}
	cols := d.Columns()
	for _, c := range cols {
		v.Headers = append(v.Headers, c.Header(v.L.Lang))
	}
	for i := range items {
		row := make([]rosterCell, len(cols))
		for j, c := range cols {
			row[j] = rosterCell{Label: v.Headers[j], Text: c.Text(&items[i], labels)}
			if c.Link {
				row[j].Link = "/households/" + strconv.FormatInt(items[i].HouseholdID, 10)
			}
		}
		v.Rows = append(v.Rows, row)
	}
	v.Pager = newPagerMore(r.URL.Path, r.URL.Query(), page, rosterListPerPage, total, more)
	if can(r, access.Export) && v.Error == "" {
		vals := q.Values()
		if c := v.Filter.Grid.Community; c != nil {
			vals.Set("community", strconv.FormatInt(c.ID, 10))
		}
		vals.Set("format", "xlsx")
		v.XLSX = "/rosters/" + name + "?" + vals.Encode()
		vals.Set("format", "csv")
		v.CSV = "/rosters/" + name + "?" + vals.Encode()
	}
	for k, vs := range q.Values() {
		v.Saving = append(v.Saving, Option{Value: vs[0], Label: k})
	}
	status := http.StatusOK
	if v.Error != "" {
		status = http.StatusBadRequest
	}
	h.render(w, r, status, "roster_list", v)
}

// rosterForm fills the filter form of roster d with q's values.
func (h *handler) rosterForm(r *http.Request, v *rosterListView, q roster.Query, d roster.Def, tn tagNames, tags []household.Tag) error {
	f := &v.Filter
	f.Values = q.Values()
	f.Params = map[string]bool{}
	for _, p := range d.Params() {
		f.Params[p] = true
	}
	v.On = q.On.String()
	var err error
	if f.Grid, err = h.gridFilterOf(r, access.Scope(v.User), v.L.T("filter.all_grids")); err != nil {
		return err
	}
	all := v.L.T("rosters.any")
	f.Tags = []Option{{Value: "", Label: v.L.T("filter.all_tags")}}
	for _, t := range tags {
		fits := (d.Name == "key_persons" && t.KeyPerson) || (d.Name == roster.People && t.AppliesTo == "person") || d.Name == roster.Households
		if fits {
			f.Tags = append(f.Tags, Option{Value: t.Code, Label: tn[t.Code], Selected: t.Code == q.Tag})
		}
	}
	f.Sexes = enumOptions(v.L, "gender", household.Genders, q.Sex, all)
	f.Dibao = enumOptions(v.L, "dibao", household.DibaoStatuses, q.Dibao, all)
	f.Kinds = enumOptions(v.L, "kind", household.Kinds, q.Kind, all)
	f.Colours = enumOptions(v.L, "colour", household.Colours, q.Colour, all)
	f.Occupancies = enumOptions(v.L, "occupancy", household.Occupancies, q.Occupancy, all)
	f.Ethnicities = []Option{{Value: "", Label: all}}
	for _, e := range household.Ethnicities {
		f.Ethnicities = append(f.Ethnicities, Option{Value: e.ZH, Label: v.L.Name(e.ZH, e.EN), Selected: e.ZH == q.Ethnicity})
	}
	return nil
}

// rosterDownload sends every row of roster name as xlsx or CSV, in
// Chinese, phones masked, after writing its audit entry.
func (h *handler) rosterDownload(w http.ResponseWriter, r *http.Request, name string, format export.Format) {
	if !can(r, access.Export) {
		h.forbidden(w, r)
		return
	}
	q, err := h.rosterQuery(r, name)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	gf, err := h.gridFilterOf(r, access.Scope(user(r)), "-")
	if err != nil {
		h.showError(w, r, err)
		return
	}
	q.GridID = gf.GridID
	rs := roster.New(h.db, gf.Scope)
	n, err := rs.Count(r.Context(), q)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	labels, err := roster.Chinese(r.Context(), h.db)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	if err := h.auditing().Export(w, r, roster.Download(r.Context(), rs, q, format, n, labels, h.currentDay())); err != nil {
		h.showError(w, r, err)
	}
}
