package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"wanhu/internal/household"
)

// benefitsPage is /benefits: the benefit cases in the user's scope, the
// latest applied first, by status (?status=applied lists those waiting
// for a decision) and kind, fifty a page, each linked to its household's
// file, where it is decided.
type benefitsPage struct {
	Page
	Rows            []benefitListRow
	Kinds, Statuses []Option
	Total           int
	Prev, Next      string
}

// benefitListRow is a case with its household's address.
type benefitListRow struct {
	benefitRow
	HouseholdID int64
	Address     string
}

const benefitsPerPage = 50

func (h *handler) benefitList(w http.ResponseWriter, r *http.Request) {
	l, q := h.locale(r), r.URL.Query()
	f := household.BenefitFilter{Kind: q.Get("kind"), Status: q.Get("status"), PerPage: benefitsPerPage}
	if !slices.Contains(household.BenefitKinds, f.Kind) {
		f.Kind = ""
	}
	if !slices.Contains(household.BenefitStatuses, f.Status) {
		f.Status = ""
	}
	f.Page, _ = strconv.Atoi(q.Get("page"))
	f.Page = max(f.Page, 1)
	cs, total, err := h.files(r).Benefits(r.Context(), f)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	v := benefitsPage{Page: h.page(r, "benefit.list", "households"), Total: total}
	v.Kinds = append([]Option{{Value: "", Label: l.T("benefit.all_kinds")}}, choices(l, "benefit_kind", household.BenefitKinds, f.Kind)...)
	v.Statuses = append([]Option{{Value: "", Label: l.T("benefit.all_statuses")}}, choices(l, "benefit_status", household.BenefitStatuses, f.Status)...)
	for _, c := range cs {
		v.Rows = append(v.Rows, benefitListRow{benefitRow: benefitRowOf(l, c), HouseholdID: c.HouseholdID, Address: c.Address})
	}
	link := func(page int) string {
		u := url.Values{"page": {fmt.Sprint(page)}}
		for k, x := range map[string]string{"kind": f.Kind, "status": f.Status} {
			if x != "" {
				u.Set(k, x)
			}
		}
		return "/benefits?" + u.Encode()
	}
	if f.Page > 1 {
		v.Prev = link(f.Page - 1)
	}
	if f.Page*benefitsPerPage < total {
		v.Next = link(f.Page + 1)
	}
	h.render(w, r, http.StatusOK, "benefits", v)
}
