package api

import (
	"net/http"

	"wanhu/internal/access"
	"wanhu/internal/visit"
)

// visitPolicy answers the visit policy in force: how often households are
// visited by tag and colour, and at least.
func (h *handler) visitPolicy(w http.ResponseWriter, r *http.Request) {
	if !access.Can(user(r), access.RecordVisits) && !access.Can(user(r), access.PlanVisits) {
		h.fail(w, r, errForbidden)
		return
	}
	p, err := visit.LoadPolicy(r.Context(), h.d.DB)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, policyOut(p))
}

// setVisitPolicy replaces the visit policy and recomputes when every
// household is next due (administrators only).
func (h *handler) setVisitPolicy(w http.ResponseWriter, r *http.Request) {
	var p visit.Policy
	if err := decode(w, r, &p); err != nil {
		h.fail(w, r, err)
		return
	}
	n, err := visit.ApplyPolicy(r.Context(), h.d.DB, p, h.now())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, map[string]any{"policy": policyOut(p), "recomputed": n})
}

// policyOut shows empty rules as {} rather than null.
func policyOut(p visit.Policy) visit.Policy {
	if p.Tags == nil {
		p.Tags = map[string]string{}
	}
	if p.Colours == nil {
		p.Colours = map[string]string{}
	}
	return p
}
