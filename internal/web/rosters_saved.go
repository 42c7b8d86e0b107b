package web

import (
	"net/http"
	"net/url"
	"strconv"

	"wanhu/internal/access"
	"wanhu/internal/apperr"
	"wanhu/internal/roster"
)

// rosterIndexView is the roster index: the built-in rosters with their
// counts in scope, the filters, and the user's saved rosters.
type rosterIndexView struct {
	Page
	Builtins []rosterLink
	Saved    []rosterLink
	Filters  []rosterLink
	// Community is a large scope's choice of a community, nil in a small
	// scope; Uncounted says the rosters are not counted, none being chosen.
	Community *gridFilter
	Uncounted bool
}

// rosterLink is one line of the index.
type rosterLink struct {
	ID    int64
	Name  string
	Title string
	Path  string
	Count int
	// AtLeast: the roster has more than Count rows (a big scope's index
	// stops counting at roster.IndexCap).
	AtLeast bool
}

// rosterIndex shows the roster index. A scope of many grids over several
// communities (a street's, the city's) chooses a community first, as the
// lists do (gridFilterOf): the rosters are counted in full in the chosen
// community, whose pages the links open, and not counted before one is
// chosen (each count of the city's stopped at roster.IndexCap, "over
// 2000", and together took a second at 1M households).
func (h *handler) rosterIndex(w http.ResponseWriter, r *http.Request) {
	v := &rosterIndexView{Page: h.page(r, "rosters.title", "rosters")}
	gf, err := h.gridFilterOf(r, access.Scope(v.User), "-")
	if err != nil {
		h.showError(w, r, err)
		return
	}
	in := ""
	if gf.Communities != nil {
		v.Community = gf
		v.Uncounted = gf.byCommunities()
		if gf.Community != nil {
			in = "?community=" + strconv.FormatInt(gf.Community.ID, 10)
		}
	}
	var counts []roster.Counted
	if v.Uncounted {
		for _, d := range roster.Builtins {
			counts = append(counts, roster.Counted{Def: d, Path: "/rosters/" + d.Name})
		}
	} else if counts, err = roster.New(h.db, gf.Scope).Counts(r.Context(), h.currentDay()); err != nil {
		h.showError(w, r, err)
		return
	}
	for _, c := range counts {
		v.Builtins = append(v.Builtins, rosterLink{Name: c.Name, Title: c.Title(v.L.Lang), Path: c.Path + in, Count: c.Count, AtLeast: c.AtLeast})
	}
	for _, name := range []string{roster.People, roster.Households} {
		d, _ := roster.Lookup(name)
		v.Filters = append(v.Filters, rosterLink{Name: name, Title: d.Title(v.L.Lang), Path: "/rosters/" + name + in})
	}
	saved, err := roster.NewSaves(h.db).List(r.Context(), user(r).ID)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	for _, s := range saved {
		v.Saved = append(v.Saved, rosterLink{ID: s.ID, Name: s.Roster(), Title: s.Name, Path: s.Path()})
	}
	h.render(w, r, http.StatusOK, "rosters", v)
}

// rosterSave saves the filter of the people or household roster posted
// with a name, and opens the index.
func (h *handler) rosterSave(w http.ResponseWriter, r *http.Request) {
	f := url.Values{}
	for k, vs := range r.PostForm {
		if k != "name" && k != "roster" && k != "csrf" && len(vs) > 0 {
			f.Set(k, vs[0])
		}
	}
	name := r.PostForm.Get("roster")
	_, err := roster.NewSaves(h.db).Save(r.Context(), user(r).ID, r.PostForm.Get("name"), name, f)
	if fe, ok := apperr.AsField(err); ok {
		v := errorView{Page: h.page(r, "error.title", "rosters")}
		v.Message = v.L.T("rosters.param."+fe.Field) + ": " + v.L.Err(fe)
		h.render(w, r, http.StatusBadRequest, "error", v)
		return
	}
	if err != nil {
		h.showError(w, r, err)
		return
	}
	seeOther(w, r, "/rosters")
}

// rosterOpen opens a saved roster: its filter page.
func (h *handler) rosterOpen(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r.PathValue("id"))
	if err != nil {
		h.showError(w, r, err)
		return
	}
	s, err := roster.NewSaves(h.db).Get(r.Context(), user(r).ID, id)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	http.Redirect(w, r, s.Path(), http.StatusFound)
}

// rosterDelete deletes a saved roster of the user.
func (h *handler) rosterDelete(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r.PathValue("id"))
	if err != nil {
		h.showError(w, r, err)
		return
	}
	if err := roster.NewSaves(h.db).Delete(r.Context(), user(r).ID, id); err != nil {
		h.showError(w, r, err)
		return
	}
	seeOther(w, r, "/rosters")
}
