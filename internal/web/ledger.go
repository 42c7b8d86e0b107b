package web

import (
	"net/http"
	"strconv"
	"time"

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
	Grids     []Option
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
	f.GridID, _ = strconv.ParseInt(q.Get("grid"), 10, 64)
	f.Page, _ = strconv.Atoi(q.Get("page"))
	f.Page = max(f.Page, 1)
	grids, err := h.files(r).GridChoices(r.Context())
	if err != nil {
		h.showError(w, r, err)
		return
	}
	v.Grids = gridOptions(grids, q.Get("grid"), v.L.T("filter.all_grids"))
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
	events, total, err := h.files(r).Ledger(r.Context(), f)
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
