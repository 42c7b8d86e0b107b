package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"wanhu/internal/apperr"
	"wanhu/internal/audit"
	"wanhu/internal/org"
)

// The structure pages under 设置 (issue 12). 机构与网格 (/settings/org) is
// the org tree an administrator administers; each unit's page renames,
// renumbers and moves it, adds units under it and retires it, a grid's
// households, buildings and team moving to the grid chosen. 小区与楼栋
// (/settings/places, places.go) does the same for compounds and
// buildings. The domain (org.Structure) applies the scope: what is not
// under the administrator's subtrees is not found; access.ManageOrg lets
// only administrators in (the route table).

// structure returns the structure editor as the user of r.
func (h *handler) structure(r *http.Request) *org.Structure {
	return h.files(r).Structure(actor(r))
}

// orgRow is one unit of the tree.
type orgRow struct {
	ID     int64
	Name   string
	Kind   string
	Number int
	Depth  int // below the first unit shown, at most 5 (for the indent)
}

// orgListView is 机构与网格, with the upload of the structure workbook
// (org_import.go).
type orgListView struct {
	Page
	Rows   []orgRow
	Import importForm
}

// orgRows turns units, depth first, into rows indented from the shallowest.
func orgRows(l *Locale, us []org.Unit) []orgRow {
	top := 0
	for i, u := range us {
		if d := strings.Count(u.Path, "/"); i == 0 || d < top {
			top = d
		}
	}
	rows := make([]orgRow, len(us))
	for i, u := range us {
		rows[i] = orgRow{ID: u.ID, Name: u.Name, Kind: l.T("org.kind." + string(u.Kind)), Number: u.Number,
			Depth: min(strings.Count(u.Path, "/")-top, 5)}
	}
	return rows
}

// orgList shows the tree the administrator administers.
func (h *handler) orgList(w http.ResponseWriter, r *http.Request) {
	h.showOrgList(w, r, http.StatusOK, 0, nil)
}

// showOrgList renders 机构与网格, the upload form showing err and the
// community chosen.
func (h *handler) showOrgList(w http.ResponseWriter, r *http.Request, code int, community int64, err error) {
	us, terr := h.structure(r).Tree(r.Context(), false)
	if terr != nil {
		h.showError(w, r, terr)
		return
	}
	v := orgListView{Page: h.page(r, "org.title", "settings")}
	v.Rows, v.Import = orgRows(v.L, us), importFormOf(us, community)
	if fe, ok := apperr.AsField(err); ok {
		v.Import.Error = v.L.T("field."+fe.Field) + ": " + v.L.Err(fe)
	}
	h.render(w, r, code, "org", v)
}

// orgUnitView is one unit's page with its three forms; Failed names the
// one whose input was refused ("edit", "add" or "retire").
type orgUnitView struct {
	Page
	Unit     org.Unit
	Kind     string
	Trail    []string // the names of the units above it
	Children []orgRow
	Edit     *form
	Add      *form // nil when nothing hangs under this kind
	Retire   *form
	IsGrid   bool
	Failed   string
	Error    string
}

// orgUnitShow shows a unit's page.
func (h *handler) orgUnitShow(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r.PathValue("id"))
	if err != nil {
		h.showError(w, r, err)
		return
	}
	h.showOrgUnit(w, r, http.StatusOK, id, "", nil, nil)
}

// showOrgUnit renders unit id's page; the form named failed shows v and
// err.
func (h *handler) showOrgUnit(w http.ResponseWriter, r *http.Request, code int, id int64, failed string, v url.Values, err error) {
	ctx := r.Context()
	st := h.structure(r)
	u, uerr := st.Unit(ctx, id)
	if uerr != nil {
		h.showError(w, r, uerr)
		return
	}
	tree, uerr := st.Tree(ctx, false)
	if uerr != nil {
		h.showError(w, r, uerr)
		return
	}
	view := orgUnitView{Page: h.page(r, "org.title", "settings"), Unit: u, IsGrid: u.Kind == org.GridKind, Failed: failed}
	view.Title, view.Kind = u.Name, view.L.T("org.kind."+string(u.Kind))
	for _, s := range strings.Split(strings.Trim(u.Path, "/"), "/") {
		if pid, _ := strconv.ParseInt(s, 10, 64); pid != u.ID {
			if p, err := org.UnitByID(ctx, h.db, pid); err == nil {
				view.Trail = append(view.Trail, p.Name)
			}
		}
	}
	var children []org.Unit
	for _, c := range tree {
		if c.ParentID == u.ID {
			children = append(children, c)
		}
	}
	view.Children = orgRows(view.L, children)
	formOf := func(name, prefix string, stored url.Values) *form {
		f := newForm(view.L, withPrefix(prefix, stored), nil)
		if name == failed {
			f = newForm(view.L, v, prefixed(err, prefix))
		}
		f.prefix = prefix
		return f
	}
	if u.RetiredAt == nil {
		view.Edit = formOf("edit", "", url.Values{"name": {u.Name}, "code": {u.Code}, "phone": {u.Phone},
			"number": {strconv.Itoa(u.Number)}, "parent_id": {strconv.FormatInt(u.ParentID, 10)}})
		h.orgEditForm(view.Edit, u, tree)
		if kinds := childKinds(u.Kind); len(kinds) > 0 {
			view.Add = formOf("add", newPrefix, url.Values{"kind": {string(kinds[0])}})
			orgAddForm(view.Add, kinds)
		}
		view.Retire = formOf("retire", "", url.Values{})
		orgRetireForm(view.Retire, u, tree)
	}
	if err != nil {
		view.Error = view.L.T("form.fix")
		if fe, ok := apperr.AsField(err); ok && fe.Field == "id" {
			view.Error = view.L.Err(fe)
		}
	}
	h.render(w, r, code, "org_unit", view)
}

// orgFormFailed answers a refused form of unit id (failed names it:
// "edit", "add" or "retire"): bad input or a conflict shows the unit's
// page again with the form's values v and err (422), anything else the
// error page.
func (h *handler) orgFormFailed(w http.ResponseWriter, r *http.Request, id int64, failed string, v url.Values, err error) {
	if h.failed(w, r, err) {
		h.showOrgUnit(w, r, http.StatusUnprocessableEntity, id, failed, v, err)
	}
}

// childKinds are the kinds of unit that hang under a unit of kind k.
func childKinds(k org.Kind) []org.Kind {
	var out []org.Kind
	for _, c := range org.Kinds {
		if slices.Contains(org.ParentKinds(c), k) {
			out = append(out, c)
		}
	}
	return out
}

// orgEditForm adds the fields of the edit form of u: its name, code and
// phone, a grid's number, and the parent it may move under (the units of
// the right kind the administrator administers).
func (h *handler) orgEditForm(f *form, u org.Unit, tree []org.Unit) {
	f.text("name").Label = f.l.T("org.name")
	f.text("code").Label = f.l.T("org.code")
	f.input("phone", "tel")
	if u.Kind == org.GridKind {
		n := f.input("number", "number")
		n.Label, n.Hint = f.l.T("org.number"), f.l.T("org.number_hint")
	}
	if kinds := org.ParentKinds(u.Kind); len(kinds) > 0 {
		names := map[int64]string{}
		for _, t := range tree {
			names[t.ID] = t.Name
		}
		cur := f.v.Get("parent_id")
		var opts []Option
		for _, t := range tree {
			if slices.Contains(kinds, t.Kind) && !strings.HasPrefix(t.Path, u.Path) {
				label := t.Name + "（" + f.l.T("org.kind."+string(t.Kind)) + "）"
				if p, ok := names[t.ParentID]; ok {
					label = p + " · " + label
				}
				opts = append(opts, Option{Value: strconv.FormatInt(t.ID, 10), Label: label, Selected: cur == strconv.FormatInt(t.ID, 10)})
			}
		}
		// Without its present parent among the choices, a save would move
		// the unit to the first: offer no move then.
		if slices.ContainsFunc(opts, func(o Option) bool { return o.Value == strconv.FormatInt(u.ParentID, 10) }) {
			p := f.add("parent_id", "select", opts)
			p.Label, p.Hint = f.l.T("org.parent"), f.l.T("org.parent_hint")
		}
	}
}

// orgAddForm adds the fields of the form that adds a unit under this one.
func orgAddForm(f *form, kinds []org.Kind) {
	values := make([]string, len(kinds))
	for i, k := range kinds {
		values[i] = string(k)
	}
	f.enum("kind", "org.kind", values, false).Label = f.l.T("org.new_kind")
	n := f.text("name")
	n.Label, n.Hint = f.l.T("org.name"), f.l.T("org.name_hint")
	if slices.Contains(kinds, org.GridKind) {
		num := f.input("number", "number")
		num.Label, num.Hint = f.l.T("org.number"), f.l.T("org.new_number_hint")
	}
	f.text("code").Label = f.l.T("org.code")
}

// orgRetireForm adds the fields of the retire form of u: for a grid, the
// grid of its community that takes its households.
func orgRetireForm(f *form, u org.Unit, tree []org.Unit) {
	if u.Kind != org.GridKind {
		return
	}
	opts := []Option{{Value: "", Label: "—"}}
	for _, t := range tree {
		if t.Kind == org.GridKind && t.ParentID == u.ParentID && t.ID != u.ID {
			id := strconv.FormatInt(t.ID, 10)
			opts = append(opts, Option{Value: id, Label: t.Name, Selected: f.v.Get("target_grid_id") == id})
		}
	}
	t := f.add("target_grid_id", "select", opts)
	t.Label, t.Hint = f.l.T("org.target"), f.l.T("org.target_hint")
}

// orgCreate adds a unit and opens its page.
func (h *handler) orgCreate(w http.ResponseWriter, r *http.Request) {
	v := r.PostForm
	parent, err := id64(v, "parent_id")
	if err != nil || parent == 0 {
		h.showError(w, r, apperr.ErrNotFound)
		return
	}
	u := org.Unit{ParentID: parent, Kind: org.Kind(v.Get(newPrefix + "kind")), Name: v.Get(newPrefix + "name"), Code: v.Get(newPrefix + "code")}
	if u.Kind == org.GridKind {
		if u.Number, err = intField(v, newPrefix+"number"); err != nil {
			h.orgFormFailed(w, r, parent, "add", v, apperr.InField(err, "number"))
			return
		}
	}
	err = h.structure(r).CreateUnit(r.Context(), &u)
	if fe, ok := apperr.AsField(err); ok && fe.Field == "parent_id" && fe.Code == "not_found" {
		err = apperr.ErrNotFound
	}
	if err != nil {
		h.orgFormFailed(w, r, parent, "add", v, err)
		return
	}
	seeOther(w, r, fmt.Sprintf("/settings/org/%d", u.ID))
}

// orgUpdate saves the edit form of a unit.
func (h *handler) orgUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r.PathValue("id"))
	if err != nil {
		h.showError(w, r, err)
		return
	}
	st := h.structure(r)
	before, err := st.Unit(r.Context(), id)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	v := r.PostForm
	c := org.UnitChange{Name: formValue(v, "name"), Code: formValue(v, "code"), Phone: formValue(v, "phone")}
	if before.Kind == org.GridKind && v.Has("number") {
		n, err := intField(v, "number")
		if err != nil {
			h.orgFormFailed(w, r, id, "edit", v, err)
			return
		}
		c.Number = &n
	}
	if v.Get("parent_id") != "" {
		p, err := id64(v, "parent_id")
		if err != nil {
			h.orgFormFailed(w, r, id, "edit", v, err)
			return
		}
		c.ParentID = &p
	}
	after, err := st.ChangeUnit(r.Context(), id, c)
	if err != nil {
		h.orgFormFailed(w, r, id, "edit", v, err)
		return
	}
	for _, n := range org.ChangeNotes(before, after) {
		audit.Note(r.Context(), n.Action, fmt.Sprintf("org-unit:%d", id), audit.OK, n.Detail)
	}
	seeOther(w, r, fmt.Sprintf("/settings/org/%d", id))
}

// formValue returns a pointer to form value name, or nil when the form
// has no such field.
func formValue(v url.Values, name string) *string {
	if !v.Has(name) {
		return nil
	}
	s := v.Get(name)
	return &s
}

// orgRetire retires a unit and goes back to the tree.
func (h *handler) orgRetire(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r.PathValue("id"))
	if err != nil {
		h.showError(w, r, err)
		return
	}
	target, err := id64(r.PostForm, "target_grid_id")
	if err != nil {
		h.orgFormFailed(w, r, id, "retire", r.PostForm, err)
		return
	}
	res, err := h.structure(r).RetireUnit(r.Context(), id, target)
	if err != nil {
		h.orgFormFailed(w, r, id, "retire", r.PostForm, err)
		return
	}
	audit.Note(r.Context(), "org.retire", fmt.Sprintf("org-unit:%d", id), audit.OK, res.Detail())
	seeOther(w, r, "/settings/org")
}
