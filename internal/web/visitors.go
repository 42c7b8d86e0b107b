package web

import (
	"fmt"
	"net/http"
	"strconv"
)

// setVisitors saves who visits a household (grid leaders and
// administrators): the checked team members, and only them.
func (h *handler) setVisitors(w http.ResponseWriter, r *http.Request) {
	hh, err := h.loadHousehold(r)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	var ids []int64
	for _, s := range r.PostForm["team_member_id"] {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			h.showError(w, r, err)
			return
		}
		ids = append(ids, id)
	}
	if _, err := h.files(r).SetVisitors(r.Context(), hh.ID, ids); err != nil {
		h.fileWithError(w, r, hh.ID, err)
		return
	}
	seeOther(w, r, fmt.Sprintf("/households/%d#visitors", hh.ID))
}
