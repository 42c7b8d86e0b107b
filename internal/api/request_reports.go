package api

import (
	"net/http"
	"time"

	"wanhu/internal/access"
	"wanhu/internal/calendar"
	"wanhu/internal/request"
)

// requestStats reports the requests in scope submitted from ?from to ?to
// (China days, YYYY-MM-DD, both included; default: all until today):
// counts, the contract's rates, response and resolution times, by
// category, grid and department, and by community for a scope over
// several; ?community= counts one of them. ?response_hours is the
// response time (24 by default).
func (h *handler) requestStats(w http.ResponseWriter, r *http.Request) {
	q := &query{r: r}
	hours := q.intIn("response_hours", 24, 1, 24*30)
	community := q.id("community")
	if err := allowReadRequests(r); err != nil {
		h.fail(w, r, err)
		return
	}
	if q.err != nil {
		h.fail(w, r, q.err)
		return
	}
	now := h.now()
	from, to, err := calendar.DayRange(q.str("from"), q.str("to"), calendar.DayOf(now))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	scope := access.Scope(user(r))
	if community != 0 {
		// One community's requests: not those of the departments an
		// officer's scope also names.
		scope.DepartmentPaths = nil
		if scope, err = h.inCommunity(r, scope, community); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	out, err := request.Report(r.Context(), h.d.DB, scope, from, to, now, time.Duration(hours)*time.Hour)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, out)
}
