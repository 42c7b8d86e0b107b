package web

import (
	"net/http"
	"strconv"

	"wanhu/internal/access"
	"wanhu/internal/apperr"
	"wanhu/internal/org"
	"wanhu/internal/staff"
)

// targetsPage shows the scorecard targets per role and, to
// administrators, the form that changes them (/staff/targets, beside the
// weights).
type targetsPage struct {
	Page
	Edit   bool
	Roles  []targetRow
	Fields []weightField // min_handled, visit_hours, round_hours
	Error  string
	Notice string
}

// targetRow is one role's targets in the form.
type targetRow struct {
	Role, Name, Visits, Hours string
	VisitsError, HoursError   bool
}

// targetFields are the form's other fields, in order.
var targetFields = []string{"min_handled", "visit_hours", "round_hours"}

func (h *handler) staffTargets(w http.ResponseWriter, r *http.Request) {
	if _, ok := staffScopeOf(r); !ok {
		h.forbidden(w, r)
		return
	}
	t, err := staff.LoadTargets(r.Context(), h.db)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	h.showTargets(w, r, http.StatusOK, t, nil)
}

func (h *handler) showTargets(w http.ResponseWriter, r *http.Request, status int, t staff.Targets, failure *apperr.FieldError) {
	v := targetsPage{Page: h.page(r, "targets.title", "staff"), Edit: can(r, access.Configure)}
	for _, ro := range org.Roles {
		rt := t.Role(string(ro))
		row := targetRow{Role: string(ro), Name: v.L.Enum("role", string(ro)), Visits: strconv.Itoa(rt.WeeklyVisits),
			Hours: strconv.FormatFloat(rt.MonthlyHours, 'f', -1, 64)}
		if failure != nil {
			row.VisitsError = failure.Field == string(ro)+".weekly_visits"
			row.HoursError = failure.Field == string(ro)+".monthly_hours"
		}
		v.Roles = append(v.Roles, row)
	}
	values := map[string]float64{"min_handled": float64(t.MinHandled), "visit_hours": t.VisitHours, "round_hours": t.RoundHours}
	for _, n := range targetFields {
		v.Fields = append(v.Fields, weightField{Name: n, Label: v.L.T("targets.f." + n), Value: strconv.FormatFloat(values[n], 'f', -1, 64),
			Hint: v.L.T("targets.h." + n)})
	}
	if failure != nil {
		v.Error = h.targetLabel(v.L, failure.Field) + ": " + v.L.Err(failure)
	}
	if r.URL.Query().Get("saved") != "" {
		v.Notice = v.L.T("targets.saved")
	}
	h.render(w, r, status, "staff_targets", v)
}

// targetLabel names a field of the targets form: "志愿者 · 每周走访".
func (h *handler) targetLabel(l *Locale, field string) string {
	for _, ro := range org.Roles {
		switch field {
		case string(ro) + ".weekly_visits":
			return l.Enum("role", string(ro)) + " · " + l.T("targets.weekly_visits")
		case string(ro) + ".monthly_hours":
			return l.Enum("role", string(ro)) + " · " + l.T("targets.monthly_hours")
		}
	}
	return l.T("targets.f." + field)
}

// staffTargetsSave stores the targets from the form (administrators).
func (h *handler) staffTargetsSave(w http.ResponseWriter, r *http.Request) {
	t := staff.Targets{Roles: map[string]staff.RoleTarget{}}
	var bad *apperr.FieldError
	num := func(name string, whole bool) float64 {
		f, err := strconv.ParseFloat(r.PostForm.Get(name), 64)
		if (err != nil || whole && f != float64(int(f))) && bad == nil {
			bad = apperr.Field(name, "number", "must be a number")
		}
		return f
	}
	for _, ro := range org.Roles {
		t.Roles[string(ro)] = staff.RoleTarget{WeeklyVisits: int(num(string(ro)+".weekly_visits", true)),
			MonthlyHours: num(string(ro)+".monthly_hours", false)}
	}
	t.MinHandled = int(num("min_handled", true))
	t.VisitHours, t.RoundHours = num("visit_hours", false), num("round_hours", false)
	if bad != nil {
		h.showTargets(w, r, http.StatusUnprocessableEntity, t, bad)
		return
	}
	err := staff.SaveTargets(r.Context(), h.db, t, h.now())
	if fe, ok := apperr.AsField(err); ok {
		h.showTargets(w, r, http.StatusUnprocessableEntity, t, fe)
		return
	}
	if err != nil {
		h.showError(w, r, err)
		return
	}
	seeOther(w, r, "/staff/targets?saved=1")
}
