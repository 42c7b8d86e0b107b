package web

import (
	"errors"
	"net/http"
	"strconv"

	"wanhu/internal/apperr"
	"wanhu/internal/household"
	"wanhu/internal/programme"
	"wanhu/internal/visit"
)

// The public sign-up page /a/{token}/activities (活动报名, issue 17): the
// contact card's QR code that books a visit (/a/{token}, appointment.go)
// also lists the community's activities open for sign-up, on the
// resident's phone, without an account. The card's token names the
// household; the page shows the community and building only. As for
// appointments, reads are rate-limited per address (publicRead), the form
// carries the double-submit token, and sign-ups are limited per household
// (the activity's per-household places, one sign-up each) and per client
// address in the database.

// activityChoice is an activity open for sign-up, as the public page
// shows it.
type activityChoice struct {
	ID                 int64
	Title, When, Place string
	Description        string
	Free, PerHousehold int
	Limited            bool
	Mine               int // people the household signed up
	Options            []int
}

// activitiesPublicPage is the view of the public page.
type activitiesPublicPage struct {
	Page
	Token, FormToken    string
	Community, Building string
	Activities          []activityChoice
	Error               string
	Done                string
}

// publicProgrammes is the programme store of the public page: it knows
// the household by its card token only.
func (h *handler) publicProgrammes() *programme.Store {
	s := programme.NewStore(h.db, h.households)
	s.SetClock(h.now)
	return s
}

// activitiesPublic shows the open activities of the card's community.
func (h *handler) activitiesPublic(w http.ResponseWriter, r *http.Request) {
	if !h.publicRead(w, r, "appointment") {
		return
	}
	h.activitiesPublicForm(w, r, http.StatusOK, "", nil)
}

func (h *handler) activitiesPublicForm(w http.ResponseWriter, r *http.Request, status int, done string, failure error) {
	hh, g, err := h.tokenHousehold(r)
	if err != nil {
		h.apptNotice(w, r, err)
		return
	}
	s := h.publicProgrammes()
	as, err := s.Activities(r.Context(), programme.ActivityFilter{CommunityID: g.CommunityID, Upcoming: true, Open: true})
	if err != nil {
		h.apptNotice(w, r, err)
		return
	}
	v := activitiesPublicPage{Page: h.page(r, "activity.public_title", ""), Token: r.PathValue("token"), Done: done,
		Community: g.CommunityName, Building: hh.CompoundName + " " + hh.BuildingName}
	v.Brand = g.CommunityName
	v.FormToken = maskToken(formToken(w, r, apptCookie, 3600))
	for _, a := range as {
		if !a.StartsAt.After(h.now()) {
			continue
		}
		c := activityChoice{ID: a.ID, Title: a.Title, Place: a.Place, Description: a.Description, PerHousehold: a.PerHousehold,
			When: h.activityRows(v.L, []programme.Activity{a})[0].When, Free: a.Free(), Limited: a.Capacity > 0}
		su, err := s.HouseholdSignup(r.Context(), a.ID, hh.ID)
		if err != nil {
			h.apptNotice(w, r, err)
			return
		}
		if su != nil {
			c.Mine = su.People
		}
		for n := 1; n <= a.PerHousehold; n++ {
			if !c.Limited || n <= c.Free+c.Mine {
				c.Options = append(c.Options, n)
			}
		}
		v.Activities = append(v.Activities, c)
	}
	if fe, ok := apperr.AsField(failure); ok {
		v.Error = programmeError(v.L, fe)
	}
	h.render(w, r, status, "activities_public", v)
}

// activitySignUpPublic signs the card's household up for activity {id}.
func (h *handler) activitySignUpPublic(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	c, err := r.Cookie(apptCookie)
	if err != nil || !tokenMatches(r.PostFormValue("csrf"), c.Value) {
		h.apptNotice(w, r, errForbidden)
		return
	}
	hh, g, err := h.tokenHousehold(r)
	if err != nil {
		h.apptNotice(w, r, err)
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.apptNotice(w, r, apperr.ErrNotFound)
		return
	}
	s := h.publicProgrammes()
	a, err := s.Activity(r.Context(), id)
	if err != nil || a.CommunityID != g.CommunityID {
		h.apptNotice(w, r, apperr.ErrNotFound)
		return
	}
	people, _ := strconv.Atoi(r.PostFormValue("people"))
	_, err = s.SignUp(r.Context(), household.Actor{Name: "resident"}, id, programme.SignupInput{HouseholdID: hh.ID, People: people,
		Phone: r.PostFormValue("phone"), Via: programme.ViaQR, ClientAddr: h.auth.ClientAddr(r)})
	if fe, ok := apperr.AsField(err); ok && !errors.Is(err, apperr.ErrNotFound) {
		h.activitiesPublicForm(w, r, http.StatusBadRequest, "", fe)
		return
	}
	if errors.Is(err, programme.ErrTooMany) {
		err = visit.ErrTooMany // the same notice as a booking over the limit
	}
	if err != nil {
		h.apptNotice(w, r, err)
		return
	}
	l := h.locale(r)
	h.activitiesPublicForm(w, r, http.StatusOK, l.T("activity.public_done", a.Title, people), nil)
}
