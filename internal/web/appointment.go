package web

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/visit"
)

// The public appointment page /a/{token} (预约, R10): the QR code of a
// contact card opens it on the resident's phone, without an account. It
// shows the community and the building (never the room or a name), the
// grid's free evening and weekend slots by day and asks for a phone
// number. The form carries a double-submit token (cookie and hidden field,
// as on the login page); bookings are rate-limited in the database
// (visit.SlotConfig), so the limit holds across servers.

const apptCookie = "wanhu_appt_csrf"

// apptSlot is a slot as a form option.
type apptSlot struct {
	Value, Label, Kind string
	Free               int
	Checked            bool
}

// apptDay is a day's slots.
type apptDay struct {
	Label string
	Slots []apptSlot
}

// apptPublicPage is the view of the public page.
type apptPublicPage struct {
	Page
	Token, FormToken    string
	Community, Building string
	Days                []apptDay
	Phone               string
	Error               string
	Open                string // the time already booked, if any
}

// apptDonePage confirms a booking.
type apptDonePage struct {
	Page
	Token, When, Kind, Community string
}

// apptNoticePage says why the page cannot help (unknown card, too many
// bookings).
type apptNoticePage struct {
	Page
	Message string
}

// dayLabel shows a China-time day as "11月27日 周五" or "Fri 27 Nov".
func dayLabel(l *Locale, t time.Time) string {
	t = t.In(calendar.China)
	return l.T("appt.day", int(t.Month()), t.Day(), l.T("appt.weekday."+strconv.Itoa(int(t.Weekday()))))
}

// slotLabel shows a slot as "周五 11月27日 19:00–21:00".
func slotLabel(l *Locale, start, end time.Time) string {
	return dayLabel(l, start) + " " + start.In(calendar.China).Format("15:04") + "–" + end.In(calendar.China).Format("15:04")
}

// slotDays groups slots with room by day; chosen is checked.
func slotDays(l *Locale, slots []visit.Slot, chosen string) []apptDay {
	var days []apptDay
	for _, s := range slots {
		if s.Free == 0 {
			continue
		}
		label := dayLabel(l, s.Start)
		if len(days) == 0 || days[len(days)-1].Label != label {
			days = append(days, apptDay{Label: label})
		}
		v := s.Start.UTC().Format(time.RFC3339)
		d := &days[len(days)-1]
		d.Slots = append(d.Slots, apptSlot{Value: v, Kind: s.Kind, Free: s.Free, Checked: v == chosen,
			Label: s.Start.In(calendar.China).Format("15:04") + "–" + s.End.In(calendar.China).Format("15:04") + " " + l.T("appt.kind."+s.Kind)})
	}
	return days
}

// publicVisits is the visit store of the public page: it knows the
// household by its card token only.
func (h *handler) publicVisits() *visit.Store { return visit.NewStore(h.db, h.households) }

// tokenHousehold returns the household of the route's card token.
func (h *handler) tokenHousehold(r *http.Request) (*household.Household, org.Grid, error) {
	id, err := visit.HouseholdOfToken(r.Context(), h.db, r.PathValue("token"))
	if err != nil {
		return nil, org.Grid{}, err
	}
	hh, err := h.households.HouseholdByID(r.Context(), id)
	if err != nil {
		return nil, org.Grid{}, err
	}
	if hh.GridID == 0 {
		return nil, org.Grid{}, apperr.ErrNotFound
	}
	g, err := org.GridByID(r.Context(), h.db, hh.GridID)
	return hh, g, err
}

// apptPage shows the public booking form. Its reads are rate-limited per
// address (publicRead).
func (h *handler) apptPage(w http.ResponseWriter, r *http.Request) {
	if !h.publicRead(w, r, "appointment") {
		return
	}
	h.apptForm(w, r, http.StatusOK, "", nil)
}

func (h *handler) apptForm(w http.ResponseWriter, r *http.Request, status int, chosen string, failure error) {
	hh, g, err := h.tokenHousehold(r)
	if err != nil {
		h.apptNotice(w, r, err)
		return
	}
	vs := h.publicVisits()
	slots, err := vs.Slots(r.Context(), g.ID)
	if err != nil {
		h.apptNotice(w, r, err)
		return
	}
	open, err := vs.OpenAppointment(r.Context(), hh.ID)
	if err != nil {
		h.apptNotice(w, r, err)
		return
	}
	tok := maskToken(formToken(w, r, apptCookie, 3600))
	v := apptPublicPage{Page: h.page(r, "appt.title", ""), Token: r.PathValue("token"), FormToken: tok,
		Community: g.CommunityName, Building: hh.CompoundName + " " + hh.BuildingName}
	v.Brand = g.CommunityName
	v.Days = slotDays(v.L, slots, chosen)
	if open != nil && open.State == "booked" {
		v.Open = slotLabel(v.L, open.SlotStart, open.SlotEnd)
	}
	if r.Method == http.MethodPost {
		v.Phone = r.PostFormValue("phone")
	}
	if fe, ok := apperr.AsField(failure); ok {
		v.Error = v.L.T("appt.field."+fe.Field) + ": " + v.L.Err(fe)
	}
	h.render(w, r, status, "appointment", v)
}

// apptBook books the chosen slot and shows the confirmation.
func (h *handler) apptBook(w http.ResponseWriter, r *http.Request) {
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
	chosen := r.PostFormValue("slot")
	start, err := time.Parse(time.RFC3339, chosen)
	if err != nil {
		h.apptForm(w, r, http.StatusBadRequest, "", apperr.Field("slot_start", "required", "is required"))
		return
	}
	a, err := h.publicVisits().Book(r.Context(), household.Actor{Name: "resident"}, visit.Booking{HouseholdID: hh.ID, SlotStart: start,
		Phone: r.PostFormValue("phone"), Via: visit.ViaQR, ClientAddr: h.auth.ClientAddr(r)})
	if _, ok := apperr.AsField(err); ok {
		h.apptForm(w, r, http.StatusBadRequest, chosen, err)
		return
	}
	if err != nil {
		h.apptNotice(w, r, err)
		return
	}
	setCookie(w, r, apptCookie, "", -1)
	v := apptDonePage{Page: h.page(r, "appt.done_title", ""), Token: r.PathValue("token"), Community: g.CommunityName}
	v.Brand = g.CommunityName
	v.When, v.Kind = slotLabel(v.L, a.SlotStart, a.SlotEnd), v.L.T("appt.kind."+a.SlotKind)
	h.render(w, r, http.StatusOK, "appointment_done", v)
}

var errForbidden = errors.New("forbidden")

// apptNotice answers the public page's failures with a friendly page: 404
// for an unknown card, 429 over the limit, 403 without the form's token,
// 409 when the household booked at the same moment elsewhere.
func (h *handler) apptNotice(w http.ResponseWriter, r *http.Request, err error) {
	v := apptNoticePage{Page: h.page(r, "appt.title", "")}
	v.Brand = h.residentBrand(r)
	var status int
	switch {
	case errors.Is(err, apperr.ErrNotFound):
		status, v.Message = http.StatusNotFound, v.L.T("appt.unknown")
	case errors.Is(err, visit.ErrTooMany):
		status, v.Message = http.StatusTooManyRequests, v.L.T("appt.too_many")
	case errors.Is(err, errForbidden):
		status, v.Message = http.StatusForbidden, v.L.T("appt.expired")
	case errors.Is(err, apperr.ErrConflict):
		status, v.Message = http.StatusConflict, v.L.T("appt.conflict")
	default:
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, status, "appointment_notice", v)
}

// apptSection is the "预约" part of a household's visit page.
type apptSection struct {
	Open       *visit.Appointment
	When, Kind string
	Days       []apptDay
}

// appointmentSection fills the visit page's appointment part.
func (h *handler) appointmentSection(r *http.Request, l *Locale, hh *household.Household) (apptSection, error) {
	var s apptSection
	vs := h.visits(r)
	open, err := vs.OpenAppointment(r.Context(), hh.ID)
	if err != nil {
		return s, err
	}
	if open != nil {
		s.Open, s.When, s.Kind = open, slotLabel(l, open.SlotStart, open.SlotEnd), l.T("appt.kind."+open.SlotKind)
	}
	if hh.GridID != 0 {
		slots, err := vs.Slots(r.Context(), hh.GridID)
		if err != nil && !errors.Is(err, apperr.ErrNotFound) {
			return s, err
		}
		s.Days = slotDays(l, slots, "")
	}
	return s, nil
}

// apptStaffBook books a slot for the resident on the phone.
func (h *handler) apptStaffBook(w http.ResponseWriter, r *http.Request) {
	hh, err := h.loadHousehold(r)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	start, err := time.Parse(time.RFC3339, r.PostFormValue("slot"))
	if err != nil {
		h.visitPageWith(w, r, http.StatusBadRequest, apperr.Field("slot_start", "required", "is required"))
		return
	}
	_, err = h.visits(r).Book(r.Context(), actor(r), visit.Booking{HouseholdID: hh.ID, SlotStart: start, Phone: r.PostFormValue("phone"), Via: visit.ViaStaff})
	if _, ok := apperr.AsField(err); ok && !errors.Is(err, apperr.ErrNotFound) {
		h.visitPageWith(w, r, http.StatusBadRequest, err)
		return
	}
	if err != nil {
		h.showError(w, r, err)
		return
	}
	seeOther(w, r, "/households/"+strconv.FormatInt(hh.ID, 10)+"/visits#appointment")
}

// apptStaffClose marks an appointment missed or cancels it.
func (h *handler) apptStaffClose(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	vs := h.visits(r)
	var a *visit.Appointment
	var err error
	switch r.PathValue("action") {
	case "missed":
		a, err = vs.MarkMissed(r.Context(), id)
	case "cancel":
		a, err = vs.CancelAppointment(r.Context(), id)
	default:
		err = apperr.ErrNotFound
	}
	if err != nil {
		h.showError(w, r, err)
		return
	}
	seeOther(w, r, "/households/"+strconv.FormatInt(a.HouseholdID, 10)+"/visits#appointment")
}
