package web

import (
	"net/http"
	"strconv"
	"strings"

	"wanhu/internal/access"
	"wanhu/internal/apperr"
	"wanhu/internal/visit"
)

// The survey questions (问卷题目): the short resident survey a visitor may
// ask on a visit. Everyone who records visits sees the questions; those
// who configure add questions, change their text and order, and stop or
// resume asking them. A question's code, kind and indicator never change,
// so the answers given keep their meaning.

// surveyPage lists the questions, with the forms of an administrator.
type surveyPage struct {
	Page
	Questions []surveyRow
	Edit      bool
	Kinds     []Option
	Indics    []Option
	New       visit.Question // what was typed into the add form, kept after an error
	Error     string
	ErrorCode string // the question whose form failed ("" the add form)
	Notice    string
	Saved     string // the code of the question just saved, named by its text in Notice
}

// surveyRow is a question as the page shows it.
type surveyRow struct {
	visit.Question
	Text, Kind, Indicator string
}

// surveyShow shows the questions.
func (h *handler) surveyShow(w http.ResponseWriter, r *http.Request) {
	if !can(r, access.RecordVisits) && !can(r, access.Configure) {
		h.forbidden(w, r)
		return
	}
	v := surveyPage{Page: h.page(r, "survey.title", "survey"), Saved: r.URL.Query().Get("saved")}
	h.showSurvey(w, r, http.StatusOK, v)
}

// surveyAdd adds a question (Configure).
func (h *handler) surveyAdd(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	q := visit.Question{Code: strings.TrimSpace(f.Get("code")), TextZH: f.Get("text_zh"), TextEN: f.Get("text_en"),
		Kind: f.Get("kind"), Indicator: f.Get("indicator")}
	if _, err := visit.AddSurveyQuestion(r.Context(), h.db, q); err != nil {
		h.surveyFailed(w, r, err, "", q)
		return
	}
	seeOther(w, r, "/survey?saved="+q.Code)
}

// surveyUpdate changes a question's texts, position, and whether it is
// asked (Configure).
func (h *handler) surveyUpdate(w http.ResponseWriter, r *http.Request) {
	f, code := r.PostForm, r.PathValue("code")
	zh, en, active := f.Get("text_zh"), f.Get("text_en"), f.Get("active") == "on"
	p := visit.QuestionPatch{TextZH: &zh, TextEN: &en, Active: &active}
	if s := strings.TrimSpace(f.Get("position")); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > 999 {
			h.surveyFailed(w, r, apperr.Field("position", "range", "must be a whole number from 0 to 999"), code, visit.Question{})
			return
		}
		p.Position = &n
	}
	if _, err := visit.UpdateSurveyQuestion(r.Context(), h.db, code, p); err != nil {
		h.surveyFailed(w, r, err, code, visit.Question{})
		return
	}
	seeOther(w, r, "/survey?saved="+code)
}

// surveyFailed shows the page again with err, a field error (422), or
// the error page.
func (h *handler) surveyFailed(w http.ResponseWriter, r *http.Request, err error, code string, typed visit.Question) {
	fe, ok := apperr.AsField(err)
	if !ok {
		h.showError(w, r, err)
		return
	}
	v := surveyPage{Page: h.page(r, "survey.title", "survey"), New: typed, ErrorCode: code}
	v.Error = v.L.T("survey.error", v.L.T("survey.f."+fe.Field), v.L.Err(fe))
	h.showSurvey(w, r, http.StatusUnprocessableEntity, v)
}

// showSurvey fills v with the questions and renders it.
func (h *handler) showSurvey(w http.ResponseWriter, r *http.Request, status int, v surveyPage) {
	qs, err := visit.SurveyQuestions(r.Context(), h.db, false)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	for _, q := range qs {
		text := v.L.Name(q.TextZH, q.TextEN)
		v.Questions = append(v.Questions, surveyRow{Question: q, Text: text,
			Kind: v.L.T("survey.kind." + q.Kind), Indicator: v.L.T("survey.indicator." + q.Indicator)})
		if v.Saved != "" && q.Code == v.Saved {
			v.Notice = v.L.T("survey.saved", text)
		}
	}
	v.Edit = can(r, access.Configure)
	for _, k := range visit.QuestionKinds {
		v.Kinds = append(v.Kinds, Option{Value: k, Label: v.L.T("survey.kind." + k), Selected: k == v.New.Kind})
	}
	for _, i := range visit.Indicators {
		v.Indics = append(v.Indics, Option{Value: i, Label: v.L.T("survey.indicator." + i), Selected: i == v.New.Indicator})
	}
	h.render(w, r, status, "survey", v)
}
