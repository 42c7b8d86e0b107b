package api

import (
	"fmt"
	"net/http"

	"wanhu/internal/access"
	"wanhu/internal/audit"
	"wanhu/internal/calendar"
	"wanhu/internal/export"
	"wanhu/internal/org"
	"wanhu/internal/staff"
)

// Staff evaluation (考评, issue 6): scorecards of the visiting team and of
// the staff who handle requests, training records, the score's weights,
// and the bad-review analysis. An administrator sees their subtree's team,
// a grid leader their grids' members, a visitor their own scorecard;
// whatever is out of scope answers 404.

// staffScope returns the user's scorecard scope, or errForbidden.
func staffScope(r *http.Request) (org.Scope, error) {
	s, ok := access.StaffScope(user(r))
	if !ok {
		return s, errForbidden
	}
	return s, nil
}

// staffInputs returns what a scorecard is computed from: the user's
// scope, the period of ?from and ?to, and the weights.
func (h *handler) staffInputs(r *http.Request) (org.Scope, staff.Period, staff.Weights, error) {
	scope, err := staffScope(r)
	if err != nil {
		return scope, staff.Period{}, staff.Weights{}, err
	}
	q := r.URL.Query()
	p, err := staff.PeriodOf(q.Get("from"), q.Get("to"), calendar.DayOf(h.now()))
	if err != nil {
		return scope, p, staff.Weights{}, err
	}
	wt, err := staff.LoadWeights(r.Context(), h.d.DB)
	return scope, p, wt, err
}

// scorecards lists the scorecards in scope (?from&to&grid&community), as
// JSON or, for the performance review, as a CSV or xlsx download
// (audited). ?community= narrows the scope as on the other lists
// (listScope).
func (h *handler) scorecards(w http.ResponseWriter, r *http.Request) {
	q := &query{r: r}
	grid, community := q.id("grid"), q.id("community")
	format, err := export.FormatOf(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if q.err != nil {
		h.fail(w, r, q.err)
		return
	}
	scope, p, wt, err := h.staffInputs(r)
	if err == nil && community != 0 {
		scope.DepartmentPaths = nil
		scope, err = h.inCommunity(r, scope, community)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	rep, err := staff.Scorecards(r.Context(), h.d.DB, scope, p, wt, grid)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if format != export.JSON {
		err = h.staffExport(w, r, format, "scorecards", "考评", len(rep.Scorecards), p, staff.ScorecardColumns,
			func(out export.Writer) error { return staff.WriteScorecards(out, rep) })
		if err != nil {
			h.fail(w, r, err)
		}
		return
	}
	h.writeJSON(w, r, http.StatusOK, rep)
}

// staffExport checks access.Export, writes the audit entry of the
// download, then streams it. An error before the download starts is
// returned; one during it is logged.
func (h *handler) staffExport(w http.ResponseWriter, r *http.Request, format export.Format, object, name string, rows int, p staff.Period,
	cols []export.Column, write func(export.Writer) error) error {
	if err := allow(r, access.Export); err != nil {
		return err
	}
	return h.auditing().Export(w, r, audit.Download{Object: "staff:" + object, Detail: fmt.Sprintf("%s %d rows from=%s to=%s", format, rows, p.From, p.To),
		Format: format, Name: name, ASCIIName: "staff-" + object, Day: calendar.DayOf(h.now()).String(), Columns: cols, Write: write})
}

// scorecard answers one team member's scorecard with their training.
func (h *handler) scorecard(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	scope, p, wt, err := h.staffInputs(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	c, err := staff.ScorecardOf(r.Context(), h.d.DB, scope, p, wt, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	tr, err := staff.Training(r.Context(), h.d.DB, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, map[string]any{"period": p, "weights": wt, "scorecard": c, "training": tr})
}

// trainingMember returns team member id if the user of r may see their
// scorecard (apperr.ErrNotFound otherwise) and, with manage, change their
// training records: an admin of their subtree, a grid leader of their
// grids (errForbidden for a member who may only read).
func (h *handler) trainingMember(r *http.Request, id int64, manage bool) (org.TeamMember, error) {
	scope, err := staffScope(r)
	if err != nil {
		return org.TeamMember{}, err
	}
	m, err := org.TeamMemberByID(r.Context(), h.d.DB, id)
	if err != nil {
		return m, err
	}
	if err := staff.Visible(r.Context(), h.d.DB, scope, id); err != nil {
		return m, err
	}
	if manage {
		ok, err := access.Scope(user(r)).Manages(r.Context(), h.d.DB, m.CommunityID, m.GridID)
		if err != nil {
			return m, err
		}
		if !ok {
			return m, errForbidden
		}
	}
	return m, nil
}

// training lists a team member's training records.
func (h *handler) training(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if _, err := h.trainingMember(r, id, false); err != nil {
		h.fail(w, r, err)
		return
	}
	tr, err := staff.Training(r.Context(), h.d.DB, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, listOf(tr, len(tr)))
}

// addTraining records a course a team member completed.
func (h *handler) addTraining(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Course      string        `json:"course"`
		Kind        string        `json:"kind"`
		CompletedOn calendar.Date `json:"completed_on"`
		Hours       float64       `json:"hours"`
		Note        string        `json:"note"`
	}
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if _, err := h.trainingMember(r, id, true); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := decode(w, r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	t := staff.TrainingRecord{TeamMemberID: id, Course: in.Course, Kind: in.Kind, CompletedOn: in.CompletedOn, Hours: in.Hours, Note: in.Note,
		RecordedBy: user(r).ID}
	if err := staff.AddTraining(r.Context(), h.d.DB, &t, h.now()); err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusCreated, t)
}

// deleteTraining removes a training record entered by mistake.
func (h *handler) deleteTraining(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// A role without scorecards learns nothing of the record.
	if _, err := staffScope(r); err != nil {
		h.fail(w, r, err)
		return
	}
	t, err := staff.TrainingByID(r.Context(), h.d.DB, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if _, err := h.trainingMember(r, t.TeamMemberID, true); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := staff.DeleteTraining(r.Context(), h.d.DB, id); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// scorecardWeights answers the weights and targets of the score, with the
// formula.
func (h *handler) scorecardWeights(w http.ResponseWriter, r *http.Request) {
	if _, err := staffScope(r); err != nil {
		h.fail(w, r, err)
		return
	}
	wt, err := staff.LoadWeights(r.Context(), h.d.DB)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, weightsOut(wt))
}

// setScorecardWeights replaces the weights (administrators).
func (h *handler) setScorecardWeights(w http.ResponseWriter, r *http.Request) {
	wt := staff.DefaultWeights // a value left out keeps its default
	if err := decode(w, r, &wt); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := staff.SaveWeights(r.Context(), h.d.DB, wt, h.now()); err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, weightsOut(wt))
}

// componentNames are the score's components in Chinese, for the formula.
var componentNames = map[string]string{"visits": "走访", "on_time": "按期办结", "satisfaction": "回访满意", "complaints": "投诉",
	"training": "培训", "hours": "服务时长"}

func weightsOut(wt staff.Weights) map[string]any {
	return map[string]any{"weights": wt, "formula": wt.Formula(func(k string) string { return componentNames[k] })}
}

// badReviews answers the bad-review analysis of ?from&to (this year by
// default) on the requests in scope, as JSON, CSV or xlsx.
func (h *handler) badReviews(w http.ResponseWriter, r *http.Request) {
	format, err := export.FormatOf(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	scope, p, _, err := h.staffInputs(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	rep, err := staff.BadReviews(r.Context(), h.d.DB, scope, p)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if format != export.JSON {
		err = h.staffExport(w, r, format, "bad_reviews", "差评分析", rep.Total, p, staff.BadReviewColumns,
			func(out export.Writer) error { return staff.WriteBadReviews(out, rep) })
		if err != nil {
			h.fail(w, r, err)
		}
		return
	}
	h.writeJSON(w, r, http.StatusOK, rep)
}
