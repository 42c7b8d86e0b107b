package web

import (
	"net/http"

	"wanhu/internal/round"
)

// hazardsPage lists what the safety rounds found, by compound and
// building, with the repeat offenders first.
type hazardsPage struct {
	Page
	Open      bool
	Offenders []round.Offender
	Groups    []hazardGroup
}

// hazardGroup is the hazards of one compound (or of shops and grids
// without one).
type hazardGroup struct {
	CompoundID int64
	Compound   string
	Items      []hazardRow
}

// hazardRow is one hazard as the page shows it.
type hazardRow struct {
	round.Hazard
	Place, Found, Urgency, State string
}

// hazards shows the hazards page: ?open=1 for those still open only.
func (h *handler) hazards(w http.ResponseWriter, r *http.Request) {
	v := hazardsPage{Page: h.page(r, "hazards.title", "rounds"), Open: r.URL.Query().Get("open") == "1"}
	hs, offenders, err := h.rounds(r).Hazards(r.Context(), round.HazardFilter{Open: v.Open})
	if err != nil {
		h.showError(w, r, err)
		return
	}
	v.Offenders = offenders
	for _, x := range hs {
		if len(v.Groups) == 0 || v.Groups[len(v.Groups)-1].CompoundID != x.CompoundID {
			name := x.Compound
			if name == "" {
				name = v.L.T("hazards.no_compound")
			}
			v.Groups = append(v.Groups, hazardGroup{CompoundID: x.CompoundID, Compound: name})
		}
		g := &v.Groups[len(v.Groups)-1]
		row := hazardRow{Hazard: x, Place: x.Place(), Found: v.L.Time(x.FoundAt), Urgency: v.L.Enum("requests.urgency", x.Urgency),
			State: v.L.Enum("requests.state", x.RequestState)}
		if t, ok := round.TemplateByCode(templateOf(x.Item)); ok {
			if it, ok := t.ItemOf(x.Item); ok {
				row.Name = v.L.Name(it.Name, it.NameEN)
			}
		}
		g.Items = append(g.Items, row)
	}
	h.render(w, r, http.StatusOK, "hazards", v)
}

// templateOf returns the template whose checklist has item.
func templateOf(item string) string {
	for _, t := range round.Templates {
		if _, ok := t.ItemOf(item); ok {
			return t.Code
		}
	}
	return ""
}

// compoundPlanPage is a compound's plan coloured by open hazards.
type compoundPlanPage struct {
	Page
	P *round.Plan
}

// compoundPlan shows compound {id}'s plan: its buildings in scope as
// boxes, coloured by the hazards still open at each.
func (h *handler) compoundPlan(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r.PathValue("id"))
	if err != nil {
		h.showError(w, r, err)
		return
	}
	p, err := h.rounds(r).PlanOf(r.Context(), id)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	v := compoundPlanPage{Page: h.page(r, "hazards.plan", "rounds"), P: p}
	v.Title = p.Compound.Name + " · " + v.Title
	h.render(w, r, http.StatusOK, "compound_plan", v)
}
