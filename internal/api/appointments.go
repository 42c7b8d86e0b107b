package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"wanhu/internal/access"
	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/visit"
)

// allowBooking lets through who records or plans visits: they book, list
// and close appointments (预约) within their scope.
func allowBooking(r *http.Request) error {
	if allow(r, access.RecordVisits) == nil {
		return nil
	}
	return allow(r, access.PlanVisits)
}

// slots lists the bookable evening and weekend slots of grid {id}.
func (h *handler) slots(w http.ResponseWriter, r *http.Request) {
	if err := allowBooking(r); err != nil {
		h.fail(w, r, err)
		return
	}
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ss, err := h.visits(r).Slots(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, listOf(ss, len(ss)))
}

// createAppointment books a slot for a household (a staff member on the
// phone with the resident): 201 with the appointment. The household's
// open booking, if any, is replaced.
func (h *handler) createAppointment(w http.ResponseWriter, r *http.Request) {
	if err := allowBooking(r); err != nil {
		h.fail(w, r, err)
		return
	}
	var in visit.Booking
	if err := decode(w, r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	switch {
	case in.HouseholdID == 0:
		h.fail(w, r, fieldRequired("household_id"))
		return
	case in.SlotStart.IsZero():
		h.fail(w, r, fieldRequired("slot_start"))
		return
	}
	in.Via = visit.ViaStaff
	a, err := h.visits(r).Book(r.Context(), actor(r), in)
	if errors.Is(err, apperr.ErrNotFound) {
		err = errVisitHousehold
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusCreated, a)
}

// appointments lists appointments by slot: ?grid=, ?community=, ?from= and ?to= (days
// YYYY-MM-DD in China time, both included).
func (h *handler) appointments(w http.ResponseWriter, r *http.Request) {
	q := &query{r: r}
	f := visit.AppointmentFilter{GridID: q.id("grid")}
	day := func(name string) time.Time {
		s := q.str(name)
		if s == "" || q.err != nil {
			return time.Time{}
		}
		d, err := calendar.ParseDate(name, s)
		if err != nil {
			q.err = err
			return time.Time{}
		}
		return time.Date(d.Y, d.M, d.D, 0, 0, 0, 0, calendar.China)
	}
	f.From = day("from")
	if to := day("to"); !to.IsZero() {
		f.To = to.AddDate(0, 0, 1)
	}
	if err := allowBooking(r); err != nil {
		h.fail(w, r, err)
		return
	}
	if q.err != nil {
		h.fail(w, r, q.err)
		return
	}
	scope, err := h.listScope(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	as, err := h.visitsIn(scope).Appointments(r.Context(), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, listOf(as, len(as)))
}

// missedAppointment records that a booked appointment's resident was not
// met; cancelAppointment cancels it. Either answers 409 for one no longer
// booked.
func (h *handler) missedAppointment(w http.ResponseWriter, r *http.Request) {
	h.closeAppointment(w, r, (*visit.Store).MarkMissed)
}

func (h *handler) cancelAppointment(w http.ResponseWriter, r *http.Request) {
	h.closeAppointment(w, r, (*visit.Store).CancelAppointment)
}

func (h *handler) closeAppointment(w http.ResponseWriter, r *http.Request, close func(*visit.Store, context.Context, int64) (*visit.Appointment, error)) {
	if err := allowBooking(r); err != nil {
		h.fail(w, r, err)
		return
	}
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	a, err := close(h.visits(r), r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, a)
}
