package web

import (
	"cmp"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/org"
	"wanhu/internal/request"
)

// The resident's page /r (居民点单, issue 5), without an account: submit a
// request (/r/new), follow it by its tracking code (/r/{code}) and rate it
// once resolved. Like the appointment page, its forms carry a
// double-submit token (cookie and hidden field); submissions are
// rate-limited in the database (request.PublicLimits).
//
// The human check needs neither JavaScript nor a third party: a small sum
// ("7 + 5 = ?") whose answer is bound to the form's token by a keyed hash
// (residentProof), so the page keeps no state and any server can check it;
// a proof is good for two hours. A honeypot field ("website", hidden from
// people by CSS) catches the simplest bots. A bot that reads the sum can
// still pass: the rate limits are what hold then.

const residentCookie = "wanhu_resident_csrf"

// residentProofTTL is how long a page's sum may be answered.
const residentProofTTL = 2 * time.Hour

// residentOption is an option of a select.
type residentOption struct {
	Value, Label string
	Selected     bool
}

// residentPlaces are the places of one community: its buildings and
// "elsewhere in the community"; in a large city, also the other
// communities, each a place of its own until it is chosen.
type residentPlaces struct {
	Label  string
	Places []residentChoice
}

// residentChoice is an option of the place select. Keep marks, in a large
// city, a choice that does not show the form again with the chosen
// community's buildings (app.js).
type residentChoice struct {
	Value, Label   string
	Selected, Keep bool
}

// residentNewPage is the view of the submission form.
type residentNewPage struct {
	Page
	FormToken, Question, Proof string
	Categories                 []residentOption
	Communities                []residentPlaces
	Narrow                     bool // the community first, then its buildings
	Description, Address       string
	Phone                      string
	Error, ErrorField          string
}

// residentDonePage confirms a submission.
type residentDonePage struct {
	Page
	Code, Link string
}

// residentEvent is a timeline entry as shown.
type residentEvent struct {
	At, Text, Note string
}

// residentStatusPage is the view of /r/{code}.
type residentStatusPage struct {
	Page
	T                                    *request.Tracked
	Category, State, Submitted, Due, Out string
	Tel                                  string // the community's phone as a tel: link
	Events                               []residentEvent
	FormToken                            string
	Comment, Error                       string
	Results                              []residentOption
	Reasons                              []residentOption   // why a dissatisfied resident is: optional
	Thanks                               residentThanksForm // once rated: thank or complain about who handled it (resident_thanks.go)
}

// residentNoticePage says why the page cannot help, or thanks.
type residentNoticePage struct {
	Page
	Message, Back string
}

func (h *handler) residentRequests() *request.Store { return request.NewStore(h.db, h.households) }

// residentToken returns the form token, set in a cookie: a new one, or
// with keep the browser's current one, so that pages open in several
// tabs stay valid. The submission form takes a new one each time: its
// proof of the sum is bound to the token, and must not be replayed.
func residentToken(w http.ResponseWriter, r *http.Request, keep bool) string {
	if c, err := r.Cookie(residentCookie); keep && err == nil && len(c.Value) == 32 {
		return c.Value
	}
	return formToken(w, r, residentCookie, int(residentProofTTL/time.Second))
}

// residentFormToken returns the form's token when it matches the cookie.
func residentFormToken(r *http.Request) (string, bool) {
	c, err := r.Cookie(residentCookie)
	if err != nil || !tokenMatches(r.PostFormValue("csrf"), c.Value) {
		return "", false
	}
	return c.Value, true
}

// residentProof is the keyed hash that binds a sum's answer to the form
// token and the moment the sum was asked.
func (h *handler) residentProof(tok string, answer int, issued int64) string {
	return h.db.Keys().Hash("resident_check", fmt.Sprintf("%s|%d|%d", tok, answer, issued))
}

// residentCheckPassed reports whether answer is the answer of the sum that
// proof ("issued.hash") was made for, with form token tok, lately.
func (h *handler) residentCheckPassed(tok, proof, answer string) bool {
	at, mac, ok := strings.Cut(proof, ".")
	if !ok {
		return false
	}
	issued, err := strconv.ParseInt(at, 10, 64)
	if err != nil {
		return false
	}
	n, err := strconv.Atoi(halfWidth.Replace(strings.TrimSpace(answer)))
	if err != nil {
		return false
	}
	age := h.now().Sub(time.Unix(issued, 0))
	return age > -time.Minute && age < residentProofTTL && sameToken(mac, h.residentProof(tok, n, issued))
}

// halfWidth turns the full-width digits of a Chinese keyboard into ASCII.
var halfWidth = strings.NewReplacer("０", "0", "１", "1", "２", "2", "３", "3", "４", "4", "５", "5", "６", "6", "７", "7", "８", "8", "９", "9")

// residentNew shows the submission form.
func (h *handler) residentNew(w http.ResponseWriter, r *http.Request) {
	h.residentForm(w, r, http.StatusOK, nil)
}

// residentForm shows the form, again with the input kept after failure.
func (h *handler) residentForm(w http.ResponseWriter, r *http.Request, status int, failure error) {
	ctx := r.Context()
	cats, err := request.Categories(ctx, h.db)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	v := residentNewPage{Page: h.page(r, "resident.new_title", "")}
	v.Brand = h.residentBrand(r)
	if r.Method == http.MethodPost {
		v.Description, v.Address, v.Phone = r.PostFormValue("description"), r.PostFormValue("address"), r.PostFormValue("phone")
	}
	chosen := r.PostFormValue("category")
	for _, c := range cats {
		v.Categories = append(v.Categories, residentOption{c.Code, v.L.Name(c.Name, c.NameEN), c.Code == chosen})
	}
	if v.Communities, v.Narrow, err = h.residentPlaces(r, v.L, r.PostFormValue("place")); err != nil {
		h.serverError(w, r, err)
		return
	}
	tok := residentToken(w, r, false)
	v.FormToken = maskToken(tok)
	a, b := 1+mrand.IntN(9), 1+mrand.IntN(9)
	issued := h.now().Unix()
	v.Question, v.Proof = fmt.Sprintf("%d + %d = ?", a, b), fmt.Sprintf("%d.%s", issued, h.residentProof(tok, a+b, issued))
	if fe, ok := apperr.AsField(failure); ok {
		v.ErrorField = residentField(fe.Field)
		v.Error = labelled(v.L.T("resident.field."+v.ErrorField), residentErr(v.L, fe))
	}
	h.render(w, r, status, "resident_new", v)
}

// residentErr says what is wrong, in the page's own words where the
// common ones do not fit a resident.
func residentErr(l *Locale, fe *apperr.FieldError) string {
	if l.Has("resident.err." + fe.Code) {
		return l.T("resident.err." + fe.Code)
	}
	return l.Err(fe)
}

// residentField is the form's field for a field of request.Input.
func residentField(f string) string {
	switch f {
	case "reporter_phone":
		return "phone"
	case "grid_id":
		return "place"
	}
	return f
}

// residentBrand is the name the residents' pages bear where no request
// or card names the community: the one community served, or the unit
// above all of them (the street); "" (Wanhu's name) when there is none.
func (h *handler) residentBrand(r *http.Request) string {
	cs, err := org.Units(r.Context(), h.db, org.Community)
	if err != nil || len(cs) == 0 {
		return ""
	}
	if len(cs) == 1 {
		return cs[0].Name
	}
	for _, c := range cs[1:] {
		if c.ParentID != cs[0].ParentID {
			return ""
		}
	}
	p, err := org.UnitByID(r.Context(), h.db, cs[0].ParentID)
	if err != nil {
		return ""
	}
	return p.Name
}

// telOf is phone as the number of a tel: link ("0971-8123456" →
// "09718123456").
func telOf(phone string) string {
	return strings.Map(func(c rune) rune {
		if '0' <= c && c <= '9' || c == '+' {
			return c
		}
		return -1
	}, phone)
}

// residentPlaces lists, per community, its buildings ("b:ID") and the
// community itself for anywhere else ("c:ID"). In a city of more than
// placeLimit buildings (narrow) only the chosen community's buildings
// are listed, the other communities by their names, so that the page's
// size does not grow with the city.
func (h *handler) residentPlaces(r *http.Request, l *Locale, chosen string) ([]residentPlaces, bool, error) {
	ctx := r.Context()
	units, err := org.Units(ctx, h.db, org.Community)
	if err != nil {
		return nil, false, err
	}
	few, err := org.BuildingChoicesWhere(ctx, h.db, placeLimit+1, "")
	if err != nil {
		return nil, false, err
	}
	if len(few) > placeLimit {
		out, err := h.residentNarrowPlaces(r, l, units, chosen)
		return out, true, err
	}
	compounds, err := org.Compounds(ctx, h.db)
	if err != nil {
		return nil, false, err
	}
	var out []residentPlaces
	for _, u := range units {
		g := residentPlaces{Label: u.Name}
		for _, c := range compounds {
			if c.CommunityID != u.ID {
				continue
			}
			for _, b := range c.Buildings {
				val := "b:" + strconv.FormatInt(b.ID, 10)
				g.Places = append(g.Places, residentChoice{Value: val, Label: c.Name + " " + b.Name, Selected: val == chosen})
			}
		}
		val := "c:" + strconv.FormatInt(u.ID, 10)
		g.Places = append(g.Places, residentChoice{Value: val, Label: l.T("resident.elsewhere", u.Name), Selected: val == chosen})
		out = append(out, g)
	}
	return out, false, nil
}

// residentNarrowPlaces are the places of a large city: the chosen
// community's (that of the chosen place) first, with its buildings, then
// the other communities.
func (h *handler) residentNarrowPlaces(r *http.Request, l *Locale, units []org.Unit, chosen string) ([]residentPlaces, error) {
	ctx := r.Context()
	var open int64
	kind, idText, _ := strings.Cut(chosen, ":")
	id, _ := strconv.ParseInt(idText, 10, 64)
	switch kind {
	case "c":
		open = id
	case "b":
		if b, _, err := org.BuildingByID(ctx, h.db, id); err == nil {
			if c, err := org.CompoundByID(ctx, h.db, b.CompoundID); err == nil {
				open = c.CommunityID
			}
		}
	}
	var out []residentPlaces
	rest := residentPlaces{Label: l.T("resident.communities")}
	for _, u := range units {
		val := "c:" + strconv.FormatInt(u.ID, 10)
		if u.ID != open {
			rest.Places = append(rest.Places, residentChoice{Value: val, Label: u.Name, Selected: val == chosen})
			continue
		}
		bs, err := org.BuildingChoicesWhere(ctx, h.db, 0, "c.community_id = ?", u.ID)
		if err != nil {
			return nil, err
		}
		g := residentPlaces{Label: u.Name}
		for _, b := range bs {
			bv := "b:" + strconv.FormatInt(b.ID, 10)
			g.Places = append(g.Places, residentChoice{Value: bv, Label: b.Compound + " " + b.Name, Selected: bv == chosen, Keep: true})
		}
		g.Places = append(g.Places, residentChoice{Value: val, Label: l.T("resident.elsewhere", u.Name), Selected: val == chosen, Keep: true})
		out = append(out, g)
	}
	return append(out, rest), nil
}

// residentPlace fills in where a request belongs from the form's place:
// a building's grid and name, or a community.
func (h *handler) residentPlace(r *http.Request, place string, in *request.Input) error {
	kind, idText, _ := strings.Cut(place, ":")
	id, _ := strconv.ParseInt(idText, 10, 64)
	missing := apperr.Field("place", "required", "is required")
	switch kind {
	case "b":
		b, compound, err := org.BuildingByID(r.Context(), h.db, id)
		if errors.Is(err, apperr.ErrNotFound) {
			return missing
		}
		if err != nil {
			return err
		}
		in.GridID, in.BuildingID, in.Address = b.GridID, b.ID, strings.TrimSpace(compound+" "+b.Name+" "+in.Address)
	case "c":
		u, err := org.UnitByID(r.Context(), h.db, id)
		if errors.Is(err, apperr.ErrNotFound) {
			return missing
		}
		if err != nil {
			return err
		}
		if u.Kind != org.Community {
			return missing
		}
		in.OrgPath = u.Path
	default:
		return missing
	}
	return nil
}

// residentSubmit registers the request and shows its tracking code.
func (h *handler) residentSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 32<<10)
	tok, ok := residentFormToken(r)
	if !ok {
		h.residentNotice(w, r, errForbidden, "")
		return
	}
	if r.PostFormValue("reload") != "" {
		// The place's button (without JavaScript): the chosen
		// community's buildings, the input kept.
		h.residentForm(w, r, http.StatusOK, nil)
		return
	}
	if r.PostFormValue("website") != "" || !h.residentCheckPassed(tok, r.PostFormValue("proof"), r.PostFormValue("answer")) {
		h.residentForm(w, r, http.StatusBadRequest, apperr.Field("answer", "wrong", "is not the answer"))
		return
	}
	in := request.Input{Category: r.PostFormValue("category"), Description: r.PostFormValue("description"),
		Address: strings.TrimSpace(r.PostFormValue("address")), Phone: r.PostFormValue("phone")}
	// fail shows a bad input on the form again (400), any other error
	// as a notice.
	fail := func(err error) {
		if _, ok := apperr.AsField(err); ok {
			h.residentForm(w, r, http.StatusBadRequest, err)
			return
		}
		h.residentNotice(w, r, err, "")
	}
	if err := h.residentPlace(r, r.PostFormValue("place"), &in); err != nil {
		fail(err)
		return
	}
	rq, err := h.residentRequests().SubmitPublic(r.Context(), in, h.auth.ClientAddr(r), request.PublicLimits)
	if err != nil {
		fail(err)
		return
	}
	setCookie(w, r, residentCookie, "", -1)
	v := residentDonePage{Page: h.page(r, "resident.done_title", ""), Code: rq.TrackingCode}
	v.Brand = h.residentBrand(r)
	if t, err := h.residentRequests().Track(r.Context(), rq.TrackingCode); err == nil && t.Community != "" {
		v.Brand = t.Community
	}
	v.Link = h.publicBase(r) + "/r/" + rq.TrackingCode
	h.render(w, r, http.StatusOK, "resident_done", v)
}

// residentLookup opens the page of a tracking code typed in (/r?code=…).
func (h *handler) residentLookup(w http.ResponseWriter, r *http.Request) {
	code := request.NormalizeCode(r.URL.Query().Get("code"))
	if code == "" {
		if r.URL.Query().Has("code") {
			h.residentNotice(w, r, apperr.ErrNotFound, "")
			return
		}
		http.Redirect(w, r, "/r/new", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/r/"+code, http.StatusSeeOther)
}

// residentStatus shows a request's state and public timeline, with the
// rating form once it is resolved. Its reads are rate-limited per address
// (publicRead).
func (h *handler) residentStatus(w http.ResponseWriter, r *http.Request) {
	if !h.publicRead(w, r, "resident") {
		return
	}
	h.residentStatusWith(w, r, http.StatusOK, nil)
}

func (h *handler) residentStatusWith(w http.ResponseWriter, r *http.Request, status int, failure error) {
	ctx := r.Context()
	t, err := h.residentRequests().Track(ctx, r.PathValue("code"))
	if err != nil {
		h.residentNotice(w, r, err, "")
		return
	}
	v := residentStatusPage{Page: h.page(r, "resident.status_title", ""), T: t, Tel: telOf(t.CommunityPhone)}
	v.Brand = cmp.Or(t.Community, h.residentBrand(r))
	l := v.L
	cats, err := request.Categories(ctx, h.db)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	v.Category = t.Category
	for _, c := range cats {
		if c.Code == t.Category {
			v.Category = l.Name(c.Name, c.NameEN)
		}
	}
	v.State, v.Submitted = l.T("resident.state."+t.State), l.Time(t.SubmittedAt)
	if t.DueAt != nil && (t.State == request.Accepted || t.State == request.Submitted) {
		v.Due = l.Time(*t.DueAt)
	}
	for _, e := range t.Timeline {
		v.Events = append(v.Events, residentEvent{At: l.Time(e.At), Text: residentEventText(l, e), Note: e.Note})
	}
	if t.State == request.Resolved {
		v.FormToken = maskToken(residentToken(w, r, true))
		chosen := r.PostFormValue("result")
		for _, res := range request.Results {
			v.Results = append(v.Results, residentOption{res, l.T("resident.result." + res), res == chosen})
		}
		for _, res := range request.CallbackReasons {
			v.Reasons = append(v.Reasons, residentOption{res, l.T("resident.reason." + res), res == r.PostFormValue("reason")})
		}
		v.Comment = r.PostFormValue("comment")
	}
	if fe, ok := apperr.AsField(failure); ok {
		v.Error = labelled(l.T("resident.field."+fe.Field), residentErr(l, fe))
	}
	if err := h.residentThanksForm(w, r, &v, failure); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, status, "resident_status", v)
}

// residentEventText says what a public timeline entry means.
func residentEventText(l *Locale, e request.PublicEvent) string {
	due := ""
	if t, err := time.Parse(time.RFC3339, e.DueAt); err == nil {
		due = l.Time(t)
	}
	switch e.Kind {
	case request.Accept:
		s := l.T("resident.event.accept", due)
		if e.Handled == request.Referred {
			s += l.T("resident.event.referred")
		}
		return s
	case request.ApproveExtension:
		return l.T("resident.event.extension_approve", e.Days, due)
	case request.Callback:
		return l.T("resident.event.callback", l.T("resident.result."+e.Result))
	case "reopened":
		return l.T("resident.event.reopened", due)
	}
	return l.T("resident.event." + e.Kind)
}

// residentRate records the resident's rating and thanks them.
func (h *handler) residentRate(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	code := r.PathValue("code")
	back := "/r/" + request.NormalizeCode(code)
	if _, ok := residentFormToken(r); !ok {
		h.residentNotice(w, r, errForbidden, back)
		return
	}
	_, err := h.residentRequests().Rate(r.Context(), code, r.PostFormValue("result"), r.PostFormValue("reason"), r.PostFormValue("comment"))
	if _, ok := apperr.AsField(err); ok {
		h.residentStatusWith(w, r, http.StatusBadRequest, err)
		return
	}
	if err != nil {
		h.residentNotice(w, r, err, back)
		return
	}
	v := residentNoticePage{Page: h.page(r, "resident.thanks_title", ""), Back: back}
	v.Brand = h.residentBrand(r)
	v.Message = v.L.T("resident.thanks")
	h.render(w, r, http.StatusOK, "resident_notice", v)
}

// residentNotice answers the page's failures with a friendly page: 404
// for an unknown code, 429 over the limit, 403 without the form's token,
// 409 for a rating the request's state does not allow.
func (h *handler) residentNotice(w http.ResponseWriter, r *http.Request, err error, back string) {
	v := residentNoticePage{Page: h.page(r, "resident.notice_title", ""), Back: back}
	v.Brand = h.residentBrand(r)
	var te *request.TransitionError
	var status int
	switch {
	case errors.Is(err, apperr.ErrNotFound):
		status, v.Message = http.StatusNotFound, v.L.T("resident.unknown")
	case errors.Is(err, request.ErrTooMany):
		status, v.Message = http.StatusTooManyRequests, v.L.T("resident.too_many")
	case errors.Is(err, errForbidden):
		status, v.Message = http.StatusForbidden, v.L.T("resident.expired")
	case errors.As(err, &te):
		status, v.Message = http.StatusConflict, v.L.T("resident.not_rateable")
		if t, terr := h.residentRequests().Track(r.Context(), r.PathValue("code")); terr == nil && t.CallbackResult != "" {
			v.Message = v.L.T("resident.rated_already")
		}
	case errors.Is(err, apperr.ErrConflict):
		status, v.Message = http.StatusConflict, v.L.T("resident.conflict")
	default:
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, status, "resident_notice", v)
}
