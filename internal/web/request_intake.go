package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"wanhu/internal/access"
	"wanhu/internal/apperr"
	"wanhu/internal/audit"
	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/request"
)

// staffChannels are the channels of the intake form (the resident's own
// page and Open311 register themselves).
var staffChannels = []string{"hotline", "walk_in", "visit", "grid_group", "talk_room"}

// intakePage is the hotline and walk-in intake: few fields, fast.
type intakePage struct {
	Page
	Values                 url.Values
	Categories, Channels   []Option
	Grid                   *gridFilter // the grid select, a large scope's community first
	Found                  []Option    // households found by the search
	Searched               bool
	Need                   *household.Need
	NeedLabel, NeedAddress string
	Error                  string
}

// requestNew shows the intake form; ?need_id= turns a need of a household
// file into a request.
func (h *handler) requestNew(w http.ResponseWriter, r *http.Request) {
	vals := url.Values{"channel": {"hotline"}, "received_at": {h.now().In(calendar.China).Format("2006-01-02T15:04")}}
	if n := r.URL.Query().Get("need_id"); n != "" {
		vals.Set("need_id", n)
		vals.Set("channel", "visit")
	}
	h.showIntake(w, r, http.StatusOK, vals, "")
}

// showIntake renders the intake form with vals; msg says what went wrong.
func (h *handler) showIntake(w http.ResponseWriter, r *http.Request, status int, vals url.Values, msg string) {
	ctx := r.Context()
	v := intakePage{Page: h.page(r, "requests.new_title", "requests"), Values: vals, Error: msg}
	l := v.L
	cs, names, err := h.categoryNames(r, l)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	// A scope of many grids chooses the community first (as the lists do).
	gf, err := h.gridFilterFrom(r, vals, "grid_id", access.Scope(v.User), "—", gridFilterLimit)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	if gf.Communities != nil || len(gf.Grids) > 0 {
		v.Grid = gf
	}
	if n := vals.Get("need_id"); n != "" {
		nid, err := pathID(n)
		if err != nil {
			h.showError(w, r, err)
			return
		}
		if v.Need, err = h.files(r).NeedByID(ctx, nid); err != nil {
			h.showError(w, r, err)
			return
		}
		hh, err := h.files(r).HouseholdByID(ctx, v.Need.HouseholdID)
		if err != nil {
			h.showError(w, r, err)
			return
		}
		v.NeedLabel, v.NeedAddress = l.Enum("need_kind", v.Need.Kind), hh.Address
		if vals.Get("description") == "" {
			vals.Set("description", v.Need.Note)
		}
	}
	if q := strings.TrimSpace(vals.Get("q")); q != "" {
		hs, _, err := h.files(r).List(ctx, household.Filter{Q: q, PerPage: 10})
		if err != nil {
			h.showError(w, r, err)
			return
		}
		v.Searched = true
		for _, hh := range hs {
			id := strconv.FormatInt(hh.ID, 10)
			v.Found = append(v.Found, Option{Value: id, Label: hh.Address, Selected: vals.Get("household_id") == id || len(hs) == 1})
		}
	}
	cur := vals.Get("category")
	v.Categories = []Option{{Value: "", Label: "—", Selected: cur == ""}}
	for _, c := range cs {
		v.Categories = append(v.Categories, Option{Value: c.Code, Label: names[c.Code], Selected: c.Code == cur})
	}
	v.Channels = choices(l, "requests.channel", staffChannels, vals.Get("channel"))
	h.render(w, r, status, "requests_new", v)
}

// requestCreate registers the intake form's request and goes to its page;
// the form's "find" button searches the households instead.
func (h *handler) requestCreate(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	if f.Get("find") != "" || f.Get("reload") != "" {
		// A search for the household, posted with the form so that
		// nothing typed is lost: a read, not a write.
		audit.ReadOnly(r.Context())
		f.Del("household_id")
		h.showIntake(w, r, http.StatusOK, f, "")
		return
	}
	// fail shows bad input on the form again (422), anything else on the
	// error page.
	fail := func(err error) {
		if fe, ok := apperr.AsField(err); ok && !errors.Is(err, apperr.ErrNotFound) {
			h.showIntake(w, r, http.StatusUnprocessableEntity, f, requestFieldError(h.locale(r), fe))
			return
		}
		h.showError(w, r, err)
	}
	in := request.Input{Category: f.Get("category"), Description: f.Get("description"), Channel: f.Get("channel"),
		Address: f.Get("address"), Phone: strings.TrimSpace(f.Get("reporter_phone")), OrgPath: access.HomePath(user(r))}
	var err error
	if in.NeedID, err = id64(f, "need_id"); err != nil {
		fail(err)
		return
	}
	if in.HouseholdID, err = id64(f, "household_id"); err != nil {
		fail(err)
		return
	}
	if in.GridID, err = id64(f, "grid_id"); err != nil {
		fail(err)
		return
	}
	if s := strings.TrimSpace(f.Get("received_at")); s != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", s, calendar.China)
		if err != nil {
			fail(apperr.Field("submitted_at", "invalid", "is not a date and time"))
			return
		}
		in.SubmittedAt = &t
	}
	rq, err := h.requests(r).Submit(r.Context(), actor(r), in)
	if err != nil {
		fail(err)
		return
	}
	seeOther(w, r, fmt.Sprintf("/requests/%d", rq.ID))
}
