package web

// The neighbourhood's activities (a festival, a check-up day) on the
// programmes' pages: an activity's row in their list and its own page.

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"wanhu/internal/access"
	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/programme"
)

// activityRow is an activity as a list shows it.
type activityRow struct {
	A    programme.Activity
	When string
	Kind string
}

func (h *handler) activityRows(l *Locale, as []programme.Activity) []activityRow {
	out := make([]activityRow, len(as))
	for i, a := range as {
		out[i] = activityRow{A: a, When: l.Time(a.StartsAt) + "–" + a.EndsAt.In(calendar.China).Format("15:04"), Kind: l.Value("activity.kind", a.Kind)}
	}
	return out
}

// activityPage is one activity and its list on the day.
type activityPage struct {
	Page
	A       *programme.Activity
	Row     activityRow
	Signups []programme.Signup
	Edit    bool
	Error   string
}

// activityShow shows activity {id}.
func (h *handler) activityShow(w http.ResponseWriter, r *http.Request) {
	h.activityPageOf(w, r, http.StatusOK, "")
}

func (h *handler) activityPageOf(w http.ResponseWriter, r *http.Request, status int, msg string) {
	id, err := pathID(r.PathValue("id"))
	if err != nil {
		h.showError(w, r, err)
		return
	}
	s := h.programmes(r)
	a, err := s.Activity(r.Context(), id)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	v := activityPage{Page: h.page(r, "", "programmes"), A: a, Edit: can(r, access.EditHouseholds), Error: msg}
	v.Title, v.Row = a.Title, h.activityRows(v.L, []programme.Activity{*a})[0]
	if v.Signups, err = s.Signups(r.Context(), id); err != nil {
		h.showError(w, r, err)
		return
	}
	h.render(w, r, status, "activity", v)
}

// activityAct signs a household up (staff), records attendance, or opens
// or closes the sign-up.
func (h *handler) activityAct(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r.PathValue("id"))
	if err != nil {
		h.showError(w, r, err)
		return
	}
	f := r.PostForm
	s := h.programmes(r)
	switch r.PathValue("action") {
	case "signup":
		var hid []int64
		if hid, err = ids(f, "household_id"); err == nil && len(hid) == 0 {
			err = apperr.Field("household_id", "required", "is required")
		}
		var people int
		if err == nil {
			people, err = formInt(f, "people")
		}
		if err == nil {
			_, err = s.SignUp(r.Context(), actor(r), id, programme.SignupInput{HouseholdID: hid[0], People: people, Phone: f.Get("phone"), Via: programme.ViaStaff})
		}
	case "attended":
		var sid int64
		if sid, err = strconv.ParseInt(f.Get("signup"), 10, 64); err != nil {
			err = apperr.ErrNotFound
		}
		var n int
		if err == nil {
			n, err = formInt(f, "attended")
		}
		if err == nil {
			_, err = s.MarkAttended(r.Context(), actor(r), id, sid, n)
		}
	case "open", "close":
		var a *programme.Activity
		if a, err = s.Activity(r.Context(), id); err == nil {
			var version int
			if version, err = formInt(f, "version"); err == nil {
				open := r.PathValue("action") == "open"
				staff := make([]int64, len(a.Staff))
				for i, m := range a.Staff {
					staff[i] = m.ID
				}
				_, err = s.UpdateActivity(r.Context(), id, programme.ActivityInput{Title: a.Title, Kind: a.Kind, Description: a.Description,
					StartsAt: a.StartsAt, EndsAt: a.EndsAt, Place: a.Place, Capacity: a.Capacity, PerHousehold: a.PerHousehold, Open: &open,
					StaffIDs: staff, Version: version})
			}
		}
	default:
		err = apperr.ErrNotFound
	}
	if fe, ok := apperr.AsField(err); ok && !errors.Is(err, apperr.ErrNotFound) {
		h.activityPageOf(w, r, http.StatusUnprocessableEntity, programmeError(h.locale(r), fe))
		return
	}
	if err != nil {
		h.showError(w, r, err)
		return
	}
	seeOther(w, r, fmt.Sprintf("/activities/%d#signups", id))
}
