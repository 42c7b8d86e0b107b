package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"wanhu/internal/access"
	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/org"
	"wanhu/internal/round"
	"wanhu/internal/visit"
)

// rounds returns the safety rounds as the signed-in user may see them.
func (h *handler) rounds(r *http.Request) *round.Store {
	return round.NewStore(h.db).WithClock(h.now).WithPhotoSlots(h.photos).In(access.Scope(user(r)))
}

// roundsPage is the safety rounds' phone page (安全排查): the rounds
// waiting for the user, the forms to start or schedule one, and the
// latest done.
type roundsPage struct {
	Page
	Error      string
	Waiting    []roundRow
	Done       []roundRow
	Templates  []Option
	Community  *gridFilter // a large scope's choice of a community
	Action     string      // the forms' URL, keeping the chosen community
	Grids      []Option
	Team       []Option
	CanPlan    bool
	CanRecord  bool
	DefaultAt  string
	ClientID   string
	HazardLink bool
}

// roundRow is one round in a list.
type roundRow struct {
	ID       int64
	Template string
	Where    string
	State    string
	When     string
	Assignee string
	Failed   int
	Done     bool
}

func roundRowOf(l *Locale, x round.Round) roundRow {
	t, _ := round.TemplateByCode(x.Template)
	row := roundRow{ID: x.ID, Template: l.Name(t.Name, t.NameEN), Where: x.GridName, State: l.Enum("round_state", x.State),
		Assignee: x.Assignee, Failed: x.Failed, Done: x.State == round.Done}
	if x.Shop != "" {
		row.Where += " · " + x.Shop
	}
	for _, at := range []*time.Time{x.DoneAt, x.StartedAt, x.ScheduledFor} {
		if at != nil {
			row.When = l.Time(*at)
			break
		}
	}
	return row
}

// roundsList shows the rounds page.
func (h *handler) roundsList(w http.ResponseWriter, r *http.Request) {
	h.showRounds(w, r, http.StatusOK, "")
}

// roundsPath is the rounds page's URL keeping the community chosen in
// r's ?community= (the forms post there, so that a refusal shows the
// same community's grids and team), then suffix.
func roundsPath(r *http.Request, suffix string) string {
	if c, err := strconv.ParseInt(r.URL.Query().Get("community"), 10, 64); err == nil && c > 0 {
		return "/rounds?community=" + strconv.FormatInt(c, 10) + suffix
	}
	return "/rounds" + suffix
}

// showRounds shows the rounds page; after a refused POST (msg), the
// forms keep what was posted.
func (h *handler) showRounds(w http.ResponseWriter, r *http.Request, status int, msg string) {
	v := roundsPage{Page: h.page(r, "rounds.title", "rounds"), Error: msg, CanPlan: can(r, access.PlanVisits),
		CanRecord: can(r, access.RecordVisits), ClientID: newClientID(), Action: "/rounds"}
	ctx := r.Context()
	// A large scope chooses a community first (?community=): its rounds
	// are listed and its grids and team offered, not the city's. The
	// forms post to the same ?community=, kept when they are refused.
	gf, err := h.gridFilterOf(r, access.Scope(v.User), "-")
	if err != nil {
		h.showError(w, r, err)
		return
	}
	v.Community = gf
	if gf.Community != nil {
		v.Action = "/rounds?community=" + strconv.FormatInt(gf.Community.ID, 10)
	}
	posted := func(k string) string { return "" }
	if r.Method == http.MethodPost {
		posted = r.PostForm.Get
	}
	s := h.rounds(r).In(gf.Scope)
	for _, st := range []string{round.Started, round.Scheduled} {
		rs, _, err := s.List(ctx, round.Filter{State: st})
		if err != nil {
			h.showError(w, r, err)
			return
		}
		for _, x := range rs {
			v.Waiting = append(v.Waiting, roundRowOf(v.L, x))
		}
	}
	done, _, err := s.List(ctx, round.Filter{State: round.Done, PerPage: 20})
	if err != nil {
		h.showError(w, r, err)
		return
	}
	for _, x := range done {
		v.Done = append(v.Done, roundRowOf(v.L, x))
	}
	for _, t := range round.Templates {
		if !t.Shop {
			v.Templates = append(v.Templates, Option{Value: t.Code, Label: v.L.Name(t.Name, t.NameEN), Selected: t.Code == posted("template")})
		}
	}
	gs := gf.Grids
	label := gridLabels(gs)
	for _, g := range gs {
		id := strconv.FormatInt(g.ID, 10)
		v.Grids = append(v.Grids, Option{Value: id, Label: label(g), Selected: id == posted("grid_id")})
	}
	if v.CanPlan {
		team, err := org.TeamMembers(ctx, h.db)
		if err != nil {
			h.showError(w, r, err)
			return
		}
		for _, m := range org.TeamOfGrids(team, gs) {
			id := strconv.FormatInt(m.ID, 10)
			v.Team = append(v.Team, Option{Value: id, Label: m.Name + " · " + v.L.Enum("role", string(m.Role)), Selected: id == posted("assignee_member_id")})
		}
	}
	next := h.now().In(calendar.China)
	for next.Weekday() != time.Saturday {
		next = next.AddDate(0, 0, 1)
	}
	v.DefaultAt = next.Format("2006-01-02") + "T21:00"
	if at := posted("scheduled_for"); at != "" {
		v.DefaultAt = at
	}
	h.render(w, r, status, "rounds", v)
}

// roundCreate starts a round (and opens its checklist) or, with a time,
// schedules it, which needs the right to plan visits.
func (h *handler) roundCreate(w http.ResponseWriter, r *http.Request) {
	in := round.Start{Template: r.PostForm.Get("template")}
	in.GridID, _ = strconv.ParseInt(r.PostForm.Get("grid_id"), 10, 64)
	in.HouseholdID, _ = strconv.ParseInt(r.PostForm.Get("household_id"), 10, 64)
	in.AssigneeMemberID, _ = strconv.ParseInt(r.PostForm.Get("assignee_member_id"), 10, 64)
	if at := r.PostForm.Get("scheduled_for"); at != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", at, calendar.China)
		if err != nil {
			h.roundFormError(w, r, apperr.Field("scheduled_for", "invalid", "give a date and time"))
			return
		}
		in.ScheduledFor = &t
	}
	if (in.ScheduledFor != nil || in.AssigneeMemberID != 0) && !can(r, access.PlanVisits) {
		h.forbidden(w, r)
		return
	}
	x, err := h.rounds(r).Begin(r.Context(), actor(r), in)
	if err != nil {
		h.roundFormError(w, r, err)
		return
	}
	if x.State == round.Scheduled {
		seeOther(w, r, roundsPath(r, "#waiting"))
		return
	}
	seeOther(w, r, "/rounds/"+strconv.FormatInt(x.ID, 10))
}

// roundFormError shows the rounds page again with what was wrong.
func (h *handler) roundFormError(w http.ResponseWriter, r *http.Request, err error) {
	fe, ok := apperr.AsField(err)
	if !ok {
		h.showError(w, r, err)
		return
	}
	l := h.locale(r)
	h.showRounds(w, r, http.StatusUnprocessableEntity, fieldMessage(l, fe))
}

// fieldMessage names the field of fe (an item of a checklist as
// "items") and says what is wrong with it.
func fieldMessage(l *Locale, fe *apperr.FieldError) string {
	field := fe.Field
	if i := strings.IndexByte(field, '['); i > 0 {
		field = field[:i] // items[2].note, photos[0]
	}
	if !l.Has("field." + field) {
		return l.Err(fe)
	}
	return l.T("field."+field) + ": " + l.Err(fe)
}

// roundStart starts a scheduled round and opens its checklist.
func (h *handler) roundStart(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r.PathValue("id"))
	if err == nil {
		_, err = h.rounds(r).StartNow(r.Context(), id)
	}
	if err != nil {
		h.showError(w, r, err)
		return
	}
	seeOther(w, r, "/rounds/"+strconv.FormatInt(id, 10))
}

// roundPage is one round: its checklist to fill in on the phone, or what
// was found.
type roundPage struct {
	Page
	R         *round.Round
	Row       roundRow
	Items     []roundItem
	Buildings []Option
	ClientID  string
	Error     string
	CanRecord bool
}

// roundItem is one line of the checklist, with its result once recorded.
type roundItem struct {
	Code, Name, Urgency string
	Result              *round.Result
}

// roundShow shows round {id}.
func (h *handler) roundShow(w http.ResponseWriter, r *http.Request) {
	h.showRound(w, r, http.StatusOK, "")
}

func (h *handler) showRound(w http.ResponseWriter, r *http.Request, status int, msg string) {
	id, err := pathID(r.PathValue("id"))
	if err != nil {
		h.showError(w, r, err)
		return
	}
	ctx := r.Context()
	x, err := h.rounds(r).Get(ctx, id)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	v := roundPage{Page: h.page(r, "rounds.round", "rounds"), R: x, ClientID: newClientID(), Error: msg, CanRecord: can(r, access.RecordVisits)}
	v.Row = roundRowOf(v.L, *x)
	v.Title = v.Row.Template
	t, _ := round.TemplateByCode(x.Template)
	for _, it := range t.Items {
		item := roundItem{Code: it.Code, Name: v.L.Name(it.Name, it.NameEN), Urgency: v.L.Enum("requests.urgency", it.Urgency)}
		for i := range x.Results {
			if x.Results[i].Item == it.Code {
				item.Result = &x.Results[i]
				break
			}
		}
		v.Items = append(v.Items, item)
	}
	if x.HouseholdID == 0 {
		if v.Buildings, err = h.gridBuildings(ctx, x.GridID); err != nil {
			h.showError(w, r, err)
			return
		}
	}
	h.render(w, r, status, "round", v)
}

// gridBuildings lists the buildings of a grid, for where an item failed.
func (h *handler) gridBuildings(ctx context.Context, gridID int64) ([]Option, error) {
	bs, err := org.GridBuildings(ctx, h.db, gridID)
	out := make([]Option, len(bs))
	for i, b := range bs {
		out[i] = Option{Value: strconv.FormatInt(b.ID, 10), Label: b.Name}
	}
	return out, err
}

// recordingOf reads a checklist form: for each item of the round's
// template, ok.<code> ("1" ok, "0" failed, absent: not checked),
// note.<code> and building.<code>; lat and lng from the phone, if it
// gave them.
func recordingOf(r *http.Request, x *round.Round) (round.Recording, error) {
	f := r.PostForm
	in := round.Recording{ClientID: f.Get("client_id")}
	var err error
	if in.Photos, err = uploadedPhotos(r); err != nil {
		return in, err
	}
	t, _ := round.TemplateByCode(x.Template)
	for _, it := range t.Items {
		v := f.Get("ok." + it.Code)
		if v != "1" && v != "0" {
			continue
		}
		ok := v == "1"
		b, _ := strconv.ParseInt(f.Get("building."+it.Code), 10, 64)
		in.Items = append(in.Items, round.ResultInput{Item: it.Code, OK: &ok, Note: f.Get("note." + it.Code), BuildingID: b})
	}
	lat, err1 := strconv.ParseFloat(f.Get("lat"), 64)
	lng, err2 := strconv.ParseFloat(f.Get("lng"), 64)
	if err1 == nil && err2 == nil {
		in.Lat, in.Lng = &lat, &lng
	}
	return in, nil
}

// roundRecord records the checklist posted the old way (no script, or
// a refusal the page must show).
func (h *handler) roundRecord(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r.PathValue("id"))
	if err != nil {
		h.showError(w, r, err)
		return
	}
	err = h.recordRound(r, id)
	if errors.Is(err, visit.ErrBusy) {
		h.photosBusy(w, r)
		return
	}
	if fe, ok := apperr.AsField(err); ok {
		h.showRound(w, r, http.StatusUnprocessableEntity, fieldMessage(h.locale(r), fe))
		return
	}
	if err != nil {
		h.showError(w, r, err)
		return
	}
	seeOther(w, r, "/rounds/"+strconv.FormatInt(id, 10)+"#done")
}

// roundSync records a checklist the phone queued (static/offline.js, the
// visits' queue): answered in JSON like /visits/sync, 200 with the round,
// 404, 409 for a round another recording ended, 422 naming the field.
func (h *handler) roundSync(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r.PathValue("id"))
	if err != nil {
		h.syncRefused(w, r, err)
		return
	}
	err = h.recordRound(r, id)
	switch {
	case err == nil:
		writeJSON(w, http.StatusOK, syncAnswer{ID: id})
	case errors.Is(err, apperr.ErrConflict):
		writeJSON(w, http.StatusConflict, syncAnswer{Error: "conflict"})
	default:
		h.syncRefused(w, r, err)
	}
}

// recordRound records the checklist of round id posted in r.
func (h *handler) recordRound(r *http.Request, id int64) error {
	s := h.rounds(r)
	x, err := s.Get(r.Context(), id)
	if err != nil {
		return err
	}
	in, err := recordingOf(r, x)
	if err != nil {
		return err
	}
	_, err = s.Record(r.Context(), actor(r), id, in)
	return err
}

// roundPhoto sends a photo of a round in the user's scope.
func (h *handler) roundPhoto(w http.ResponseWriter, r *http.Request) {
	rid, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	pid, _ := strconv.ParseInt(r.PathValue("photo"), 10, 64)
	ctype, data, err := h.rounds(r).PhotoData(r.Context(), rid, pid)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(data)
}
