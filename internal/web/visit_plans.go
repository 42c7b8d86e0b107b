package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"wanhu/internal/access"
	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/visit"
)

// planPage is the weekly visit plan of a grid: a grid and week to choose,
// the generate button, and per visitor the households in walking order.
type planPage struct {
	Page
	Grid     *gridFilter
	Weeks    []Option
	GridID   int64
	Week     string
	Plan     *visit.Plan
	Coverage []planShare
	Visitors []planVisitorRow
	Movers   []Option // the team members who may visit the grid
	Notice   string   // what the last move or swap did
	Warnings []string // visitors given more than their weekly capacity
	NoPreJob []string // visitors without the pre-job training (planTraining)
}

type planShare struct {
	Label   string
	Percent int
}

type planVisitorRow struct {
	visit.PlanVisitor
	Load      string
	Over      bool // more households than the visitor's weekly capacity
	Untrained bool // no pre-job training passed (staff.WithoutPreJob)
	Rows      []planItemRow
}

type planItemRow struct {
	visit.PlanItem
	Badge   Badge
	Reasons []string
}

// planWeeks offers this week and the next four, next week chosen when none is.
func planWeeks(today calendar.Date, chosen string) []Option {
	w := visit.WeekOf(today)
	if chosen == "" {
		chosen = w.Next().String()
	}
	var out []Option
	for range 5 {
		out = append(out, weekOption(w, chosen))
		w = w.Next()
	}
	return out
}

// weekOption is week w as a choice: "2026-W49（2026-11-30 – 2026-12-06）".
func weekOption(w visit.Week, chosen string) Option {
	return Option{Value: w.String(), Label: fmt.Sprintf("%s（%s – %s）", w, w.Monday(), w.Sunday()), Selected: w.String() == chosen}
}

// plans shows the plan of the chosen grid and week, if there is one.
func (h *handler) plans(w http.ResponseWriter, r *http.Request) {
	v := planPage{Page: h.page(r, "plan.title", "plans")}
	q := r.URL.Query()
	today := calendar.DayOf(h.now())
	v.Week = q.Get("week")
	if v.Week == "" {
		v.Week = visit.WeekOf(today).Next().String()
	}
	week, err := visit.ParseWeek("week", v.Week)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	gf, err := h.gridFilterOf(r, access.Scope(v.User), "")
	if err != nil {
		h.showError(w, r, err)
		return
	}
	v.Grid, v.GridID = gf, gf.GridID
	v.Weeks = planWeeks(today, v.Week)
	if v.GridID != 0 {
		v.Plan, err = h.visits(r).Plan(r.Context(), v.GridID, week)
		if err != nil && err != apperr.ErrNotFound {
			h.showError(w, r, err)
			return
		}
	}
	if v.Plan != nil {
		v.fill(today)
		team, err := h.visits(r).PlanTeam(r.Context(), v.GridID)
		if err != nil {
			h.showError(w, r, err)
			return
		}
		for _, m := range team {
			v.Movers = append(v.Movers, Option{Value: strconv.FormatInt(m.ID, 10), Label: m.Name + "（" + v.L.Enum("role", string(m.Role)) + "）"})
		}
		if err := h.planTraining(r, &v, team, today); err != nil {
			h.showError(w, r, err)
			return
		}
		v.Notice = v.done(q)
	}
	h.render(w, r, http.StatusOK, "plans", v)
}

// done words what the move or swap that led here did (?moved=household
// &to=member, or ?swapped=member&with=member), from the plan as it is now.
func (v *planPage) done(q url.Values) string {
	name := func(raw string) string {
		id, _ := strconv.ParseInt(raw, 10, 64)
		for _, pv := range v.Plan.Visitors {
			if pv.TeamMemberID == id {
				return pv.User
			}
		}
		return ""
	}
	if hh, _ := strconv.ParseInt(q.Get("moved"), 10, 64); hh != 0 {
		for _, pv := range v.Plan.Visitors {
			for _, it := range pv.Households {
				if it.HouseholdID == hh {
					return v.L.T("plan.moved", it.Address, pv.User)
				}
			}
		}
	}
	if a, b := name(q.Get("swapped")), name(q.Get("with")); a != "" || b != "" {
		return v.L.T("plan.swapped", a, b)
	}
	return ""
}

// fill turns the plan into rows with badges, reasons and coverage, each
// share named with the days it covers up to today.
func (v *planPage) fill(today calendar.Date) {
	l, c := v.L, v.Plan.Coverage
	for i, f := range []float64{c.Week, c.Month, c.Quarter, c.Year} {
		v.Coverage = append(v.Coverage, planShare{Label: coveragePeriods(l, today)[i], Percent: int(f*100 + 0.5)})
	}
	for _, pv := range v.Plan.Visitors {
		row := planVisitorRow{PlanVisitor: pv, Load: l.T("plan.load", len(pv.Households), pv.Capacity), Over: len(pv.Households) > pv.Capacity}
		if row.Over {
			v.Warnings = append(v.Warnings, l.T("plan.over", pv.User, len(pv.Households), pv.Capacity))
		}
		for _, it := range pv.Households {
			ir := planItemRow{PlanItem: it, Badge: badge(l, it.Colour)}
			for _, part := range strings.Split(it.Reason, ",") {
				key, arg, _ := strings.Cut(part, ":")
				if arg != "" {
					ir.Reasons = append(ir.Reasons, l.T("plan.reason."+key, l.Enum("language", arg)))
				} else {
					ir.Reasons = append(ir.Reasons, l.T("plan.reason."+key))
				}
			}
			row.Rows = append(row.Rows, ir)
		}
		v.Visitors = append(v.Visitors, row)
	}
}

// planGenerate generates (or regenerates) the plan of a grid and week.
func (h *handler) planGenerate(w http.ResponseWriter, r *http.Request) {
	grid, _ := strconv.ParseInt(r.PostFormValue("grid"), 10, 64)
	week, err := visit.ParseWeek("week", r.PostFormValue("week"))
	if err != nil {
		h.showError(w, r, err)
		return
	}
	if _, err := h.visits(r).GeneratePlan(r.Context(), actor(r).Name, grid, week); err != nil {
		h.showError(w, r, err)
		return
	}
	seeOther(w, r, "/plans?"+url.Values{"grid": {strconv.FormatInt(grid, 10)}, "week": {week.String()}}.Encode())
}

// planMove gives a household of a plan to another visitor.
func (h *handler) planMove(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	hh, _ := strconv.ParseInt(r.PathValue("household_id"), 10, 64)
	m, _ := strconv.ParseInt(r.PostFormValue("team_member_id"), 10, 64)
	p, err := h.visits(r).MovePlanItem(r.Context(), id, hh, m)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	seeOther(w, r, "/plans?"+url.Values{"grid": {strconv.FormatInt(p.GridID, 10)}, "week": {p.Week}, "moved": {strconv.FormatInt(hh, 10)}}.Encode()+fmt.Sprintf("#h%d", hh))
}

// planSwap exchanges the lists of two visitors of a plan.
func (h *handler) planSwap(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	a, _ := strconv.ParseInt(r.PostFormValue("team_member_id"), 10, 64)
	b, _ := strconv.ParseInt(r.PostFormValue("with"), 10, 64)
	p, err := h.visits(r).SwapPlanVisitors(r.Context(), id, a, b)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	seeOther(w, r, "/plans?"+url.Values{"grid": {strconv.FormatInt(p.GridID, 10)}, "week": {p.Week},
		"swapped": {strconv.FormatInt(a, 10)}, "with": {strconv.FormatInt(b, 10)}}.Encode())
}
