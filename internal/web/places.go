package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"wanhu/internal/access"
	"wanhu/internal/apperr"
	"wanhu/internal/audit"
	"wanhu/internal/org"
)

// 小区与楼栋 (/settings/places): the compounds of the communities an
// administrator administers; each compound's page edits and retires it
// and its buildings, adds buildings, and moves a building to another
// grid with its households (see org.go).

// placeRow is one compound of the list.
type placeRow struct {
	ID        int64
	Name      string
	Community string
	Buildings int
}

// placesView is 小区与楼栋: the compounds and the form to add one.
type placesView struct {
	Page
	Rows      []placeRow
	Community *gridFilter // a large scope's choice of a community
	Add       *form       // nil when the administrator administers no community
	Error     string
}

// placesList shows the compounds.
func (h *handler) placesList(w http.ResponseWriter, r *http.Request) {
	h.showPlaces(w, r, http.StatusOK, url.Values{}, nil)
}

// showPlaces renders the compounds with the add form holding v and err.
func (h *handler) showPlaces(w http.ResponseWriter, r *http.Request, code int, v url.Values, err error) {
	ctx := r.Context()
	// A scope of many grids (a street's or the city's) chooses a
	// community first: its compounds are listed, not the city's.
	scope := access.Scope(user(r))
	gf, cerr := h.gridFilterOf(r, scope, "-")
	if cerr != nil {
		h.showError(w, r, cerr)
		return
	}
	var cs []org.Compound
	if gf.Communities == nil || gf.Community != nil {
		if cs, cerr = h.households.In(gf.Scope).Structure(actor(r)).Compounds(ctx); cerr != nil {
			h.showError(w, r, cerr)
			return
		}
	}
	mine, cerr := org.Communities(ctx, h.db, scope)
	if cerr != nil {
		h.showError(w, r, cerr)
		return
	}
	view := placesView{Page: h.page(r, "places.title", "settings")}
	if gf.Communities != nil {
		view.Community = gf
	}
	chosen := v.Get("community_id")
	if chosen == "" && gf.Community != nil {
		chosen = strconv.FormatInt(gf.Community.ID, 10)
	}
	names := map[int64]string{}
	var communities []Option
	for _, c := range mine {
		names[c.ID] = c.Name
		id := strconv.FormatInt(c.ID, 10)
		communities = append(communities, Option{Value: id, Label: c.Name, Selected: chosen == id})
	}
	for _, c := range cs {
		view.Rows = append(view.Rows, placeRow{ID: c.ID, Name: c.Name, Community: names[c.CommunityID], Buildings: len(c.Buildings)})
	}
	if len(communities) > 0 {
		f := newForm(view.L, v, err)
		f.add("community_id", "select", communities)
		compoundFields(f)
		view.Add = f
	}
	if err != nil {
		view.Error = view.L.T("form.fix")
	}
	h.render(w, r, code, "places", view)
}

// compoundFields adds the fields of a compound to f.
func compoundFields(f *form) {
	f.text("name").Label = f.l.T("places.compound_name")
	f.text("address")
	f.input("built_year", "number").Label = f.l.T("places.built_year")
	f.add("notes", "textarea", nil)
}

// placeCreate adds a compound and opens its page.
func (h *handler) placeCreate(w http.ResponseWriter, r *http.Request) {
	v := r.PostForm
	// fail shows the list again with the add form's input and err, or an
	// error page.
	fail := func(err error) {
		if h.failed(w, r, err) {
			h.showPlaces(w, r, http.StatusUnprocessableEntity, v, err)
		}
	}
	community, err := id64(v, "community_id")
	if err != nil {
		fail(err)
		return
	}
	c := org.Compound{CommunityID: community, Name: v.Get("name"), Address: v.Get("address"), Notes: v.Get("notes")}
	if c.BuiltYear, err = intField(v, "built_year"); err != nil {
		fail(err)
		return
	}
	if err := h.structure(r).CreateCompound(r.Context(), &c); err != nil {
		fail(err)
		return
	}
	seeOther(w, r, fmt.Sprintf("/settings/places/%d", c.ID))
}

// buildingRow is a building of a compound with its edit form.
type buildingRow struct {
	org.Building
	Form *form
}

// placeView is a compound's page; Failed names the form whose input was
// refused: "edit", "add", "retire" or "building-<id>".
type placeView struct {
	Page
	Compound  org.Compound
	Community string
	Edit, Add *form
	Buildings []buildingRow
	Failed    string
	Error     string
}

// placeShow shows a compound's page.
func (h *handler) placeShow(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r.PathValue("id"))
	if err != nil {
		h.showError(w, r, err)
		return
	}
	h.showPlace(w, r, http.StatusOK, id, "", nil, nil)
}

// showPlace renders compound id's page; the form named failed shows v and
// err.
func (h *handler) showPlace(w http.ResponseWriter, r *http.Request, code int, id int64, failed string, v url.Values, err error) {
	ctx := r.Context()
	st := h.structure(r)
	c, cerr := st.Compound(ctx, id)
	if cerr != nil {
		h.showError(w, r, cerr)
		return
	}
	tree, cerr := st.Tree(ctx, false)
	if cerr != nil {
		h.showError(w, r, cerr)
		return
	}
	view := placeView{Page: h.page(r, "places.title", "settings"), Compound: c, Failed: failed}
	view.Title = c.Name
	var grids []org.Unit
	for _, u := range tree {
		if u.ID == c.CommunityID {
			view.Community = u.Name
		}
		if u.Kind == org.GridKind && u.ParentID == c.CommunityID {
			grids = append(grids, u)
		}
	}
	// formOf is the form called name, its fields' names beginning with
	// prefix (the page holds several forms with the same fields).
	formOf := func(name, prefix string, stored url.Values) *form {
		f := newForm(view.L, withPrefix(prefix, stored), nil)
		if name == failed {
			f = newForm(view.L, v, prefixed(err, prefix))
		}
		f.prefix = prefix
		return f
	}
	if c.RetiredAt == nil {
		view.Edit = formOf("edit", "", url.Values{"name": {c.Name}, "address": {c.Address}, "notes": {c.Notes}, "built_year": {yearValue(c.BuiltYear)}})
		compoundFields(view.Edit)
		view.Add = formOf("add", newPrefix, url.Values{"floors": {"6"}, "units": {"2"}})
		buildingFields(view.Add, grids)
		for _, b := range c.Buildings {
			f := formOf(fmt.Sprintf("building-%d", b.ID), buildingPrefix(b.ID), url.Values{"name": {b.Name}, "grid_id": {strconv.FormatInt(b.GridID, 10)},
				"floors": {strconv.Itoa(b.Floors)}, "units": {strconv.Itoa(b.Units)}})
			buildingFields(f, grids)
			view.Buildings = append(view.Buildings, buildingRow{Building: b, Form: f})
		}
	}
	if err != nil {
		view.Error = view.L.T("form.fix")
		if fe, ok := apperr.AsField(err); ok && fe.Field == "id" {
			view.Error = view.L.Err(fe)
		}
	}
	h.render(w, r, code, "place", view)
}

// newPrefix begins the names of the fields of a form that adds a record
// on a page that also edits one.
const newPrefix = "new."

// buildingPrefix begins the names of the fields of building id's form.
func buildingPrefix(id int64) string { return fmt.Sprintf("b%d.", id) }

// withPrefix returns v with prefix before every name.
func withPrefix(prefix string, v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[prefix+k] = vs
	}
	return out
}

// yearValue shows a year, or nothing for 0 (unknown).
func yearValue(y int) string {
	if y == 0 {
		return ""
	}
	return strconv.Itoa(y)
}

// buildingFields adds the fields of a building to f: its name, its grid
// among the community's, its floors and units.
func buildingFields(f *form, grids []org.Unit) {
	f.text("name").Label = f.l.T("places.building_name")
	var opts []Option
	for _, g := range grids {
		id := strconv.FormatInt(g.ID, 10)
		opts = append(opts, Option{Value: id, Label: g.Name, Selected: f.v.Get(f.prefix+"grid_id") == id})
	}
	f.add("grid_id", "select", opts).Hint = f.l.T("places.grid_hint")
	f.input("floors", "number").Label = f.l.T("places.floors")
	f.input("units", "number").Label = f.l.T("places.units")
}

// placeUpdate saves a compound's edit form.
func (h *handler) placeUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r.PathValue("id"))
	if err != nil {
		h.showError(w, r, err)
		return
	}
	v := r.PostForm
	c := org.CompoundChange{Name: formValue(v, "name"), Address: formValue(v, "address"), Notes: formValue(v, "notes")}
	year, err := intField(v, "built_year")
	if err != nil {
		h.placeDone(w, r, id, "edit", err)
		return
	}
	c.BuiltYear = &year
	_, err = h.structure(r).ChangeCompound(r.Context(), id, c)
	h.placeDone(w, r, id, "edit", err)
}

// placeDone goes back to compound id's page after a change, or shows it
// with the input of the form that failed.
func (h *handler) placeDone(w http.ResponseWriter, r *http.Request, id int64, failed string, err error) {
	if err != nil {
		if h.failed(w, r, err) {
			h.showPlace(w, r, http.StatusUnprocessableEntity, id, failed, r.PostForm, err)
		}
		return
	}
	seeOther(w, r, fmt.Sprintf("/settings/places/%d", id))
}

// placeRetire retires a compound and goes back to the list.
func (h *handler) placeRetire(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r.PathValue("id"))
	if err != nil {
		h.showError(w, r, err)
		return
	}
	if _, err := h.structure(r).RetireCompound(r.Context(), id); err != nil {
		h.placeDone(w, r, id, "retire", err)
		return
	}
	seeOther(w, r, "/settings/places")
}

// readBuilding reads a building's form, whose fields' names begin with
// prefix; errors name the fields without it.
func readBuilding(v url.Values, prefix string) (org.Building, error) {
	b := org.Building{Name: v.Get(prefix + "name")}
	var err error
	if b.GridID, err = id64(v, prefix+"grid_id"); err != nil {
		return b, apperr.InField(err, "grid_id")
	}
	if b.Floors, err = intField(v, prefix+"floors"); err != nil {
		return b, apperr.InField(err, "floors")
	}
	b.Units, err = intField(v, prefix+"units")
	return b, apperr.InField(err, "units")
}

// buildingCreate adds a building to compound {id}.
func (h *handler) buildingCreate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r.PathValue("id"))
	if err != nil {
		h.showError(w, r, err)
		return
	}
	st := h.structure(r)
	if _, err := st.Compound(r.Context(), id); err != nil {
		h.showError(w, r, err)
		return
	}
	b, err := readBuilding(r.PostForm, newPrefix)
	if err != nil {
		h.placeDone(w, r, id, "add", err)
		return
	}
	b.CompoundID = id
	err = st.CreateBuilding(r.Context(), &b)
	h.placeDone(w, r, id, "add", err)
}

// buildingOf returns the compound of building {id} if the administrator
// administers it; any other is not found.
func (h *handler) buildingOf(r *http.Request) (int64, int64, error) {
	id, err := pathID(r.PathValue("id"))
	if err != nil {
		return 0, 0, err
	}
	b, _, err := org.BuildingByID(r.Context(), h.db, id)
	if err != nil {
		return id, b.CompoundID, err
	}
	_, err = h.structure(r).Compound(r.Context(), b.CompoundID)
	return id, b.CompoundID, err
}

// buildingUpdate saves a building's form; a new grid moves its
// households along.
func (h *handler) buildingUpdate(w http.ResponseWriter, r *http.Request) {
	id, compound, err := h.buildingOf(r)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	failed := fmt.Sprintf("building-%d", id)
	in, err := readBuilding(r.PostForm, buildingPrefix(id))
	if err != nil {
		h.placeDone(w, r, compound, failed, err)
		return
	}
	b, moved, err := h.structure(r).ChangeBuilding(r.Context(), id, org.BuildingChange{Name: &in.Name, GridID: &in.GridID, Floors: &in.Floors, Units: &in.Units})
	if moved > 0 {
		audit.Note(r.Context(), "org.move", fmt.Sprintf("building:%d", id), audit.OK, fmt.Sprintf("building %s to grid %d with %d households", b.Name, b.GridID, moved))
	}
	h.placeDone(w, r, compound, failed, err)
}

// buildingRetire retires a building.
func (h *handler) buildingRetire(w http.ResponseWriter, r *http.Request) {
	id, compound, err := h.buildingOf(r)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	_, err = h.structure(r).RetireBuilding(r.Context(), id)
	h.placeDone(w, r, compound, fmt.Sprintf("building-%d", id), err)
}
