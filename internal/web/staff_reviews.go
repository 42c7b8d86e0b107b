package web

import (
	"net/http"
	"strconv"

	"wanhu/internal/access"
	"wanhu/internal/apperr"
	"wanhu/internal/export"
	"wanhu/internal/staff"
)

// badReviewPage is the analysis of dissatisfied callbacks.
type badReviewPage struct {
	Page
	Period   staff.Period
	R        *staff.BadReviewReport
	Rows     []badReviewRow
	ByReason []staff.Count // names translated
	Months   []monthRow
	Reasons  []string // the reason columns of the months table, translated
	Export   bool
	Query    string
}

// badReviewRow is one bad review as shown.
type badReviewRow struct {
	staff.BadReview
	When, Reason string
}

// monthRow is one month of the trend: the count per reason, in Reasons'
// order.
type monthRow struct {
	Month  string
	Count  int
	Counts []int
}

// reasonKeys are the reasons in the order the page shows them, with ""
// (before reasons were recorded) last.
var reasonKeys = []string{"slow", "not_solved", "attitude", "wrong_department", "other", ""}

// staffBadReviews shows every dissatisfied callback in scope of the
// period with the counts by reason, staff, category and month; ?format
// downloads the list (audited).
func (h *handler) staffBadReviews(w http.ResponseWriter, r *http.Request) {
	scope, ok := staffScopeOf(r)
	if !ok {
		h.forbidden(w, r)
		return
	}
	q := r.URL.Query()
	format, err := export.FormatOf(r)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	p, err := staff.PeriodOf(q.Get("from"), q.Get("to"), h.currentDay())
	if err != nil {
		h.showError(w, r, err)
		return
	}
	rep, err := staff.BadReviews(r.Context(), h.db, scope, p)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	if format != export.JSON {
		h.staffDownload(w, r, format, "bad_reviews", "差评分析", rep.Total, p, staff.BadReviewColumns,
			func(out export.Writer) error { return staff.WriteBadReviews(out, rep) })
		return
	}
	v := badReviewPage{Page: h.page(r, "staff.bad_title", "staff"), Period: p, R: rep, Export: can(r, access.Export)}
	reason := func(k string) string {
		if k == "" {
			return v.L.T("staff.reason_unknown")
		}
		return v.L.T("requests.reason." + k)
	}
	for _, b := range rep.Reviews {
		v.Rows = append(v.Rows, badReviewRow{BadReview: b, When: v.L.Time(b.At), Reason: reason(b.Reason)})
	}
	for _, c := range rep.ByReason {
		c.Name = reason(c.Key)
		v.ByReason = append(v.ByReason, c)
	}
	for _, k := range reasonKeys {
		v.Reasons = append(v.Reasons, reason(k))
	}
	for _, m := range rep.ByMonth {
		row := monthRow{Month: m.Month, Count: m.Count}
		for _, k := range reasonKeys {
			row.Counts = append(row.Counts, m.ByReason[k])
		}
		v.Months = append(v.Months, row)
	}
	keep := q
	keep.Del("format")
	v.Query = keep.Encode()
	h.render(w, r, http.StatusOK, "staff_reviews", v)
}

// weightsPage shows the score's weights and, to administrators, the form
// that changes them.
type weightsPage struct {
	Page
	W       staff.Weights
	Formula string
	Edit    bool
	Fields  []weightField
	Error   string
	Notice  string
}

// weightField is one number of the weights form.
type weightField struct {
	Name, Label, Value, Hint string
}

// weightNames are the weights form's fields, in order.
var weightNames = []string{"visits", "hours", "on_time", "satisfaction", "complaints", "training", "weekly_visit_target", "training_hours_target", "complaint_penalty"}

func (h *handler) staffWeights(w http.ResponseWriter, r *http.Request) {
	if _, ok := staffScopeOf(r); !ok {
		h.forbidden(w, r)
		return
	}
	wt, err := staff.LoadWeights(r.Context(), h.db)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	h.showWeights(w, r, http.StatusOK, wt, nil)
}

func (h *handler) showWeights(w http.ResponseWriter, r *http.Request, status int, wt staff.Weights, failure *apperr.FieldError) {
	v := weightsPage{Page: h.page(r, "staff.weights_title", "staff"), W: wt, Edit: can(r, access.Configure)}
	v.Formula = staffFormula(v.L, wt)
	values := map[string]float64{"visits": wt.Visits, "on_time": wt.OnTime, "satisfaction": wt.Satisfaction, "complaints": wt.Complaints,
		"training": wt.Training, "hours": wt.Hours, "weekly_visit_target": float64(wt.WeeklyVisits), "training_hours_target": wt.TrainingHours,
		"complaint_penalty": wt.ComplaintPenalty}
	for _, n := range weightNames {
		v.Fields = append(v.Fields, weightField{Name: n, Label: v.L.T("staff.w." + n), Value: strconv.FormatFloat(values[n], 'f', -1, 64)})
	}
	if failure != nil {
		v.Error = v.L.T("staff.w."+failure.Field) + ": " + v.L.Err(failure)
	}
	if r.URL.Query().Get("saved") != "" {
		v.Notice = v.L.T("staff.weights_saved")
	}
	h.render(w, r, status, "staff_weights", v)
}

// staffWeightsSave stores the weights from the form (administrators).
func (h *handler) staffWeightsSave(w http.ResponseWriter, r *http.Request) {
	var wt staff.Weights
	var bad *apperr.FieldError
	for _, n := range weightNames {
		f, err := strconv.ParseFloat(r.PostForm.Get(n), 64)
		if err != nil && bad == nil {
			bad = apperr.Field(n, "number", "must be a number")
		}
		switch n {
		case "visits":
			wt.Visits = f
		case "on_time":
			wt.OnTime = f
		case "satisfaction":
			wt.Satisfaction = f
		case "complaints":
			wt.Complaints = f
		case "training":
			wt.Training = f
		case "hours":
			wt.Hours = f
		case "weekly_visit_target":
			wt.WeeklyVisits = int(f)
			if f != float64(int(f)) && bad == nil {
				bad = apperr.Field(n, "number", "must be a whole number")
			}
		case "training_hours_target":
			wt.TrainingHours = f
		case "complaint_penalty":
			wt.ComplaintPenalty = f
		}
	}
	if bad != nil {
		h.showWeights(w, r, http.StatusUnprocessableEntity, wt, bad)
		return
	}
	err := staff.SaveWeights(r.Context(), h.db, wt, h.now())
	if fe, ok := apperr.AsField(err); ok {
		h.showWeights(w, r, http.StatusUnprocessableEntity, wt, fe)
		return
	}
	if err != nil {
		h.showError(w, r, err)
		return
	}
	seeOther(w, r, "/staff/weights?saved=1")
}
