package api

import (
	"net/http"
	"net/url"

	"wanhu/internal/access"
	"wanhu/internal/calendar"
	"wanhu/internal/export"
	"wanhu/internal/org"
	"wanhu/internal/roster"
)

// The service rosters (R18) of package roster: the built-in ones by name,
// the people and household filters, and the filters a user saved.
// Everything is scoped like the household files; downloads need the
// export permission and are audited.

// rosterStore returns the rosters as the user of r may see them.
func (h *handler) rosterStore(r *http.Request) *roster.Store {
	return roster.New(h.d.DB, access.Scope(user(r)))
}

// rosterStoreIn returns the rosters of scope: a list's (listScope).
func (h *handler) rosterStoreIn(scope org.Scope) *roster.Store {
	return roster.New(h.d.DB, scope)
}

// rosterIndex lists the built-in rosters with their counts in scope today
// (or ?on=).
func (h *handler) rosterIndex(w http.ResponseWriter, r *http.Request) {
	on := calendar.DayOf(h.now())
	if s := r.URL.Query().Get("on"); s != "" {
		d, err := calendar.ParseDate("on", s)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		on = d
	}
	out, err := h.rosterStore(r).Counts(r.Context(), on)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, listOf(out, len(out)))
}

// rosterPage is a page of a roster as JSON.
type rosterPage struct {
	Name    string        `json:"name"`
	TitleZH string        `json:"title_zh"`
	TitleEN string        `json:"title_en"`
	Entity  roster.Entity `json:"entity"`
	On      calendar.Date `json:"on"`
	Items   []roster.Item `json:"items"`
	Total   int           `json:"total"`
	// TotalMore: Total is a lower bound (a big scope's count stops at
	// 10,000 rows or the page's last row: roster.Store.List).
	TotalMore bool `json:"total_more,omitempty"`
	Page      int  `json:"page"`
	PerPage   int  `json:"per_page"`
}

// roster answers one roster: a page of JSON, or every row as CSV or xlsx
// (?format= or Accept).
func (h *handler) roster(w http.ResponseWriter, r *http.Request) {
	rs, q, format, err := h.rosterQuery(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if format != export.JSON {
		h.rosterDownload(w, r, rs, q, format)
		return
	}
	pq := &query{r: r}
	page, per := pq.page()
	if pq.err != nil {
		h.fail(w, r, pq.err)
		return
	}
	items, total, more, err := rs.List(r.Context(), q, page, per)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, rosterPage{Name: q.Def.Name, TitleZH: q.Def.TitleZH, TitleEN: q.Def.TitleEN,
		Entity: q.Def.Entity, On: q.On, Items: items, Total: total, TotalMore: more, Page: page, PerPage: per})
}

// rosterQuery reads the roster of r's path with its parameters, the
// rosters of the caller's scope or of ?community= (listScope), and the
// format asked for; a download needs the export permission.
func (h *handler) rosterQuery(r *http.Request) (*roster.Store, roster.Query, export.Format, error) {
	format, err := export.FormatOf(r)
	if err != nil {
		return nil, roster.Query{}, "", err
	}
	if format != export.JSON {
		if err := allow(r, access.Export); err != nil {
			return nil, roster.Query{}, "", err
		}
	}
	v := r.URL.Query()
	v.Del("community") // the scope's, not a filter of the roster
	q, err := roster.Parse(r.PathValue("name"), v, calendar.DayOf(h.now()))
	if err != nil {
		return nil, roster.Query{}, "", err
	}
	scope, err := h.listScope(r)
	if err != nil {
		return nil, roster.Query{}, "", err
	}
	rs := h.rosterStoreIn(scope)
	return rs, q, format, rs.Check(r.Context(), q)
}

// rosterDownload sends every row of q as a CSV or xlsx file, after writing
// the audit entry of the export.
func (h *handler) rosterDownload(w http.ResponseWriter, r *http.Request, rs *roster.Store, q roster.Query, format export.Format) {
	n, err := rs.Count(r.Context(), q)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	labels, err := roster.Chinese(r.Context(), h.d.DB)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	err = h.auditing().Export(w, r, roster.Download(r.Context(), rs, q, format, n, labels, calendar.DayOf(h.now())))
	if err != nil {
		h.fail(w, r, err)
	}
}

// savedRosters lists the signed-in user's saved rosters.
func (h *handler) savedRosters(w http.ResponseWriter, r *http.Request) {
	out, err := roster.NewSaves(h.d.DB).List(r.Context(), user(r).ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, listOf(out, len(out)))
}

// savedRosterInput saves a filter: the roster it filters (people or
// households) and its parameters.
type savedRosterInput struct {
	Name   string            `json:"name"`
	Roster string            `json:"roster"`
	Filter map[string]string `json:"filter"`
}

// saveRoster saves a filter of people or households under a name.
func (h *handler) saveRoster(w http.ResponseWriter, r *http.Request) {
	var in savedRosterInput
	if err := decode(w, r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	v := url.Values{}
	for k, x := range in.Filter {
		v.Set(k, x)
	}
	out, err := roster.NewSaves(h.d.DB).Save(r.Context(), user(r).ID, in.Name, in.Roster, v)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusCreated, out)
}

// deleteSavedRoster removes one of the user's saved rosters.
func (h *handler) deleteSavedRoster(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := roster.NewSaves(h.d.DB).Delete(r.Context(), user(r).ID, id); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
