package api

import (
	"net/http"
	"time"

	"wanhu/internal/household"
)

// householdLedger is one household's history, newest first.
func (h *handler) householdLedger(w http.ResponseWriter, r *http.Request) {
	q := &query{r: r}
	f := household.LedgerFilter{}
	f.Page, f.PerPage = q.page()
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if q.err != nil {
		h.fail(w, r, q.err)
		return
	}
	if err := h.files(r).Visible(r.Context(), id); err != nil {
		h.fail(w, r, err)
		return
	}
	f.HouseholdID = id
	h.writeLedger(w, r, h.files(r), f)
}

// ledger is what changed in the community in the last N days (30 by
// default), by grid and event type.
func (h *handler) ledger(w http.ResponseWriter, r *http.Request) {
	q := &query{r: r}
	days := q.intIn("days", 30, 1, 3660)
	f := household.LedgerFilter{GridID: q.id("grid"), Type: q.oneOf("type", household.LedgerTypes),
		Since: h.now().Add(-time.Duration(days) * 24 * time.Hour)}
	f.Page, f.PerPage = q.page()
	if q.err != nil {
		h.fail(w, r, q.err)
		return
	}
	scope, err := h.listScope(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeLedger(w, r, h.filesIn(scope), f)
}

// writeLedger answers the ledger events of files that f selects.
func (h *handler) writeLedger(w http.ResponseWriter, r *http.Request, files *household.Store, f household.LedgerFilter) {
	es, total, err := files.Ledger(r.Context(), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, listOf(es, total))
}
