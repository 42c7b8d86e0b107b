package api

import (
	"net/http"

	"wanhu/internal/access"
	"wanhu/internal/calendar"
	"wanhu/internal/visit"
)

// The resident survey (issue 6): its rates, and the configuration of its
// questions. The answers themselves come with visits (POST /visits,
// "survey").

// surveyStats reports the survey answers given from ?from to ?to (China
// days, YYYY-MM-DD, both included; default: all until today) by the
// households in scope (?grid= of one grid): the awareness, participation
// and satisfaction rates, counts and the same by grid. It needs
// PlanVisits: administrators see their subtree, grid leaders their grids.
func (h *handler) surveyStats(w http.ResponseWriter, r *http.Request) {
	q := &query{r: r}
	grid := q.id("grid")
	if q.err != nil {
		h.fail(w, r, q.err)
		return
	}
	from, to, err := calendar.DayRange(q.str("from"), q.str("to"), calendar.DayOf(h.now()))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out, err := visit.SurveyStats(r.Context(), h.d.DB, access.Scope(user(r)), from, to, grid)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, out)
}

// surveyQuestions lists the survey questions, active or not, for those
// who record visits or configure.
func (h *handler) surveyQuestions(w http.ResponseWriter, r *http.Request) {
	if allow(r, access.RecordVisits) != nil {
		if err := allow(r, access.Configure); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	qs, err := visit.SurveyQuestions(r.Context(), h.d.DB, false)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, listOf(qs, len(qs)))
}

// createSurveyQuestion adds a survey question (Configure).
func (h *handler) createSurveyQuestion(w http.ResponseWriter, r *http.Request) {
	var in visit.Question
	if err := decode(w, r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	out, err := visit.AddSurveyQuestion(r.Context(), h.d.DB, in)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusCreated, out)
}

// updateSurveyQuestion changes a question's text or position, or
// deactivates it ("active": false); its answers stay counted.
func (h *handler) updateSurveyQuestion(w http.ResponseWriter, r *http.Request) {
	var in visit.QuestionPatch
	if err := decode(w, r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	out, err := visit.UpdateSurveyQuestion(r.Context(), h.d.DB, r.PathValue("code"), in)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, out)
}
