package web

import (
	"net/http"
	"strconv"
	"time"

	"wanhu/internal/access"
	"wanhu/internal/calendar"
	"wanhu/internal/household"
)

const ledgerPerPage = 50

// ledgerView is a page of the ledger: one household's history, or what
// changed in the community in the last N days.
type ledgerPage struct {
	Page
	Household *household.Household
	Entries   []ledgerView
	Grid      *gridFilter
	Types     []Option
	Days      []Option
	Pager     pager
}

// householdLedger shows one household's whole history.
func (h *handler) householdLedger(w http.ResponseWriter, r *http.Request) {
	hh, err := h.loadHousehold(r)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	v := ledgerPage{Page: h.page(r, "ledger.household", "ledger"), Household: hh}
	v.Title += " · " + hh.Address
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	h.fillLedger(w, r, &v, household.LedgerFilter{HouseholdID: hh.ID, Page: page, PerPage: ledgerPerPage}, r.URL.Path)
}

// ledger shows the community-wide "what changed in the last N days".
func (h *handler) ledger(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v := ledgerPage{Page: h.page(r, "ledger.title", "ledger")}
	days, err := strconv.Atoi(q.Get("days"))
	if err != nil || days < 1 {
		days = 7
	}
	days = min(days, 3660)
	f := household.LedgerFilter{Type: q.Get("type"), PerPage: ledgerPerPage,
		Since: h.now().In(calendar.China).Truncate(time.Hour).AddDate(0, 0, -days)}
	f.Page, _ = strconv.Atoi(q.Get("page"))
	f.Page = max(f.Page, 1)
	gf, err := h.gridFilterOf(r, access.Scope(v.User), v.L.T("filter.all_grids"))
	if err != nil {
		h.showError(w, r, err)
		return
	}
	v.Grid, f.GridID = gf, gf.GridID
	v.Types = enumOptions(v.L, "event", household.LedgerTypes, f.Type, v.L.T("filter.all_types"))
	for _, d := range []int{1, 7, 30, 90, 365} {
		v.Days = append(v.Days, Option{Value: strconv.Itoa(d), Label: v.L.T("ledger.days", d), Selected: d == days})
	}
	h.fillLedger(w, r, &v, f, "/ledger")
}

func (h *handler) fillLedger(w http.ResponseWriter, r *http.Request, v *ledgerPage, f household.LedgerFilter, base string) {
	tn, _, err := h.tagNames(r.Context(), v.L)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	st := h.files(r)
	if v.Grid != nil {
		st = h.households.In(v.Grid.Scope)
	}
	events, total, err := st.Ledger(r.Context(), f)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	for _, e := range events {
		v.Entries = append(v.Entries, ledgerOf(v.L, tn, e))
	}
	v.Pager = newPager(base, r.URL.Query(), max(f.Page, 1), ledgerPerPage, total)
	h.render(w, r, http.StatusOK, "ledger", v)
}
