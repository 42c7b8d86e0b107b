package web

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"wanhu/internal/access"
	"wanhu/internal/apperr"
	"wanhu/internal/household"
	"wanhu/internal/visit"
)

// visits returns the visit store as the user of r may see it.
func (h *handler) visits(r *http.Request) *visit.Store {
	s := visit.NewStore(h.db, h.households)
	s.SetClock(h.now)
	return s.In(access.Scope(user(r))).WithPhotoSlots(h.photos)
}

// visitPage is a household's visits: when it is next due, the last visits
// and the form to record one.
type visitPage struct {
	Page
	MaxPhotos int
	H         *household.Household
	Badge     Badge
	Schedule  *visit.Schedule
	Visits    []visitRow
	ClientID  string // a new one per form, so a form sent twice is one visit
	Outcomes  []Option
	Channels  []Option
	Needs     []Option
	Events    []Option
	Members   []Option
	Survey    []surveyField
	Appt      apptSection
	Error     string
}

// surveyField is a survey question of the full visit form: a radio group
// named survey.<code>, skipped ("") unless answered.
type surveyField struct {
	Name, Text string
	Answers    []Option
}

// surveyFields returns the active survey questions as form fields.
func (h *handler) surveyFields(r *http.Request, l *Locale) ([]surveyField, error) {
	qs, err := visit.SurveyQuestions(r.Context(), h.db, true)
	var out []surveyField
	for _, q := range qs {
		out = append(out, surveyField{Name: "survey." + q.Code, Text: l.Name(q.TextZH, q.TextEN),
			Answers: options(l, "survey.answer", visit.Answers(q.Kind), false)})
	}
	return out, err
}

// visitRow is one past visit as the page shows it.
type visitRow struct {
	ID                                        int64
	At, Outcome, Channel, By, Notes, FollowUp string
	CardLeft                                  bool
	Photos                                    []int64
}

func options(l *Locale, field string, values []string, blank bool) []Option {
	var out []Option
	if blank {
		out = append(out, Option{Value: "", Label: "—"})
	}
	for _, v := range values {
		out = append(out, Option{Value: v, Label: l.Enum(field, v)})
	}
	return out
}

func newClientID() string {
	b := make([]byte, 12)
	rand.Read(b)
	return "web-" + hex.EncodeToString(b)
}

// householdVisits shows a household's visits and the visit form.
func (h *handler) householdVisits(w http.ResponseWriter, r *http.Request) {
	h.visitPageWith(w, r, http.StatusOK, nil)
}

func (h *handler) visitPageWith(w http.ResponseWriter, r *http.Request, status int, failure error) {
	hh, err := h.loadHousehold(r)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	v := visitPage{Page: h.page(r, "visit.title", "visits"), H: hh, ClientID: newClientID(), MaxPhotos: visit.MaxPhotos}
	v.Title += " · " + hh.Address
	if v.Schedule, err = h.visits(r).ScheduleOf(r.Context(), hh.ID); err != nil {
		h.showError(w, r, err)
		return
	}
	vs, _, err := h.visits(r).ForHousehold(r.Context(), hh.ID, 1, 10)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	if v.Appt, err = h.appointmentSection(r, v.L, hh); err != nil {
		h.showError(w, r, err)
		return
	}
	if v.Survey, err = h.surveyFields(r, v.L); err != nil {
		h.showError(w, r, err)
		return
	}
	l := v.L
	v.Badge = badge(l, hh.Colour)
	for _, x := range vs {
		row := visitRow{ID: x.ID, At: l.Time(x.At), Outcome: l.Enum("visit_outcome", x.Outcome), Channel: l.Enum("visit_channel", x.Channel),
			By: x.RecordedByName, Notes: x.Notes, CardLeft: x.CardLeft, Photos: x.Photos}
		if !x.FollowUpOn.IsZero() {
			row.FollowUp = x.FollowUpOn.String()
		}
		v.Visits = append(v.Visits, row)
	}
	v.Outcomes = options(l, "visit_outcome", visit.Outcomes, false)
	v.Channels = options(l, "visit_channel", visit.Channels, false)
	v.Needs = options(l, "need_kind", household.NeedKinds, true)
	v.Events = options(l, "event", household.EventTypes, true)
	for _, p := range hh.Members {
		if p.Current() {
			v.Members = append(v.Members, Option{Value: strconv.FormatInt(p.ID, 10), Label: p.Name})
		}
	}
	if fe, ok := apperr.AsField(failure); ok {
		name := baseField(fe.Field)
		if i := strings.IndexByte(name, '['); i >= 0 {
			name = name[:i]
		}
		label := fe.Field
		if strings.HasPrefix(fe.Field, "survey") {
			label = l.T("visit.field.survey")
		} else if l.Has("appt.field." + name) {
			label = l.T("appt.field." + name)
		} else if l.Has("visit.field." + name) {
			label = l.T("visit.field." + name)
		}
		v.Error = label + ": " + l.Err(fe)
	}
	h.render(w, r, status, "visit", v)
}

// visitRecord records a visit from the quick buttons of the household file
// ("met, all well", "not at home, card left") or the full form.
func (h *handler) visitRecord(w http.ResponseWriter, r *http.Request) {
	hh, err := h.loadHousehold(r)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	in, err := visitInput(r, hh.ID)
	if err != nil {
		h.visitRefused(w, r, err)
		return
	}
	if in.ClientID == "" {
		in.ClientID = newClientID()
	}
	if _, _, err := h.visits(r).Record(r.Context(), actor(r), in); err != nil {
		h.visitRefused(w, r, err)
		return
	}
	seeOther(w, r, fmt.Sprintf("/households/%d/visits#done", hh.ID))
}

// visitInput reads a visit of household hid from the visit form, the
// full one or a one-tap button, as posted or as queued on a phone and sent
// to /visits/sync: client_id, outcome, channel, notes, card_left, and for
// a visit that met the household the need found (need_kind, need_note),
// the change seen (event_type, event_person, event_note), the survey's
// answers (survey.<code>) and the photos.
func visitInput(r *http.Request, hid int64) (visit.Input, error) {
	f := r.PostForm
	in := visit.Input{ClientID: f.Get("client_id"), HouseholdID: hid, Outcome: f.Get("outcome"), Channel: f.Get("channel"),
		Notes: f.Get("notes"), CardLeft: f.Get("card_left") != ""}
	if w := strings.TrimSpace(f.Get("praise_words")); w != "" { // the household's thanks (visit/praise.go)
		in.Praise = &visit.Praise{Words: w, From: f.Get("praise_from")}
	}
	if in.Outcome == "met" {
		if k := f.Get("need_kind"); k != "" {
			in.Needs = []visit.NeedFound{{Kind: k, Note: f.Get("need_note")}}
		}
		if t := f.Get("event_type"); t != "" {
			pid, _ := strconv.ParseInt(f.Get("event_person"), 10, 64)
			in.Events = []visit.Change{{PersonID: pid, Event: household.Event{Type: t, Note: f.Get("event_note")}}}
		}
		for name := range f {
			if code, ok := strings.CutPrefix(name, "survey."); ok && f.Get(name) != "" {
				if in.Survey == nil {
					in.Survey = map[string]string{}
				}
				in.Survey[code] = f.Get(name)
			}
		}
	}
	var err error
	in.Photos, err = uploadedPhotos(r)
	return in, err
}

// visitRefused answers a visit that was not recorded: bad input on the
// visit page again (400), photos that found no decoding slot in time (or
// a request given up) with photosBusy, anything else on the error page.
func (h *handler) visitRefused(w http.ResponseWriter, r *http.Request, err error) {
	if _, ok := apperr.AsField(err); ok && !errors.Is(err, apperr.ErrNotFound) {
		h.visitPageWith(w, r, http.StatusBadRequest, err)
		return
	}
	if errors.Is(err, visit.ErrBusy) || r.Context().Err() != nil {
		h.photosBusy(w, r)
		return
	}
	h.showError(w, r, err)
}

// photosBusy answers a visit whose photos found no free decoding slot in
// time: the error page, 503 with Retry-After; nothing was recorded, and
// the browser's back button keeps the form as it was.
func (h *handler) photosBusy(w http.ResponseWriter, r *http.Request) {
	v := errorView{Page: h.page(r, "error.title", "")}
	v.Message = v.L.T("error.photos_busy")
	w.Header().Set("Retry-After", strconv.Itoa(int(h.photos.RetryAfter().Seconds())))
	h.render(w, r, http.StatusServiceUnavailable, "error", v)
}

// uploadedPhotos reads the optional photos of the full visit form.
func uploadedPhotos(r *http.Request) ([][]byte, error) {
	if r.MultipartForm == nil {
		return nil, nil
	}
	var out [][]byte
	for i, fh := range r.MultipartForm.File["photo"] {
		if fh.Size == 0 {
			continue // the empty file input of a form sent without a photo
		}
		f, err := fh.Open()
		if err != nil {
			return nil, err
		}
		b, err := io.ReadAll(io.LimitReader(f, visit.MaxPhotoBytes+1))
		f.Close()
		if err != nil {
			return nil, apperr.Field(fmt.Sprintf("photos[%d]", i), "unreadable", "could not be read")
		}
		out = append(out, b)
	}
	return out, nil
}

// visitPhoto sends a photo of a visit of a household in the user's scope.
func (h *handler) visitPhoto(w http.ResponseWriter, r *http.Request) {
	vid, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	pid, _ := strconv.ParseInt(r.PathValue("photo"), 10, 64)
	p, data, err := h.visits(r).PhotoData(r.Context(), vid, pid)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", p.ContentType)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(data)
}

// dueRow is a household on the list of visits due.
type dueRow struct {
	visit.Due
	Badge Badge
}

// duePage lists the households due for a visit, overdue red first.
type duePage struct {
	Page
	Rows        []dueRow
	Grid        *gridFilter
	OverdueOnly bool
	Pager       pager
}

const duePerPage = 50

// visitsDue lists the due and overdue households of the user's scope.
func (h *handler) visitsDue(w http.ResponseWriter, r *http.Request) {
	v := duePage{Page: h.page(r, "visit.due_title", "visits")}
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	v.OverdueOnly = q.Get("overdue") == "true"
	gf, err := h.gridFilterOf(r, access.Scope(v.User), v.L.T("visit.all_grids"))
	if err != nil {
		h.showError(w, r, err)
		return
	}
	v.Grid = gf
	ds, total, err := h.visits(r).In(gf.Scope).Due(r.Context(), visit.DueFilter{GridID: gf.GridID, OverdueOnly: v.OverdueOnly, Page: page, PerPage: duePerPage})
	if err != nil {
		h.showError(w, r, err)
		return
	}
	for _, d := range ds {
		v.Rows = append(v.Rows, dueRow{Due: d, Badge: badge(v.L, d.Colour)})
	}
	v.Pager = newPager("/visits/due", q, page, duePerPage, total)
	h.render(w, r, http.StatusOK, "visit_due", v)
}
