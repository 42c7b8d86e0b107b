package open311

import (
	"context"
	"encoding/xml"
	"fmt"
	"maps"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/pii"
	"wanhu/internal/request"
	"wanhu/internal/store"
)

// serviceRequest is a request as the public reads it (see the package
// comment for what it leaves out).
type serviceRequest struct {
	XMLName           xml.Name `xml:"request" json:"-"`
	ID                int64    `xml:"service_request_id" json:"service_request_id,string"`
	Status            string   `xml:"status" json:"status"`
	StatusNotes       text     `xml:"status_notes" json:"status_notes"`
	ServiceName       string   `xml:"service_name" json:"service_name"`
	ServiceCode       string   `xml:"service_code" json:"service_code"`
	Description       text     `xml:"description" json:"description"`
	AgencyResponsible text     `xml:"agency_responsible" json:"agency_responsible"`
	ServiceNotice     text     `xml:"service_notice" json:"service_notice"`
	RequestedDatetime string   `xml:"requested_datetime" json:"requested_datetime"`
	UpdatedDatetime   string   `xml:"updated_datetime" json:"updated_datetime"`
	ExpectedDatetime  text     `xml:"expected_datetime" json:"expected_datetime"`
	Address           text     `xml:"address" json:"address"`
	AddressID         text     `xml:"address_id" json:"address_id"`
	Zipcode           text     `xml:"zipcode" json:"zipcode"`
	Lat               number   `xml:"lat" json:"lat"`
	Long              number   `xml:"long" json:"long"`
	MediaURL          text     `xml:"media_url" json:"media_url"`
}

// status is the GeoReport status of a request state.
func status(state string) string {
	if state == request.Submitted || state == request.Accepted {
		return "open"
	}
	return "closed"
}

// query selects requests for the public.
type query struct {
	ids        []int64
	codes      []string
	from, to   time.Time
	open       *bool // nil: both
	trackingID string
}

// maxRequests is the spec's limit of one answer.
const maxRequests = 1000

func (h *handler) find(ctx context.Context, q query) ([]serviceRequest, error) {
	var where []string
	var args []any
	switch {
	case q.trackingID != "":
		where, args = append(where, "r.tracking_code = ?"), append(args, q.trackingID)
	case len(q.ids) > 0:
		where = append(where, "r.id IN ("+marks(len(q.ids))+")")
		for _, id := range q.ids {
			args = append(args, id)
		}
	default:
		where, args = append(where, "r.submitted_at >= ? AND r.submitted_at <= ?"), append(args, q.from.UTC(), q.to.UTC())
		if len(q.codes) > 0 {
			where = append(where, "r.category IN ("+marks(len(q.codes))+")")
			for _, c := range q.codes {
				args = append(args, c)
			}
		}
		if q.open != nil {
			not := ""
			if !*q.open {
				not = "NOT "
			}
			where, args = append(where, "r.state "+not+"IN (?, ?)"), append(args, request.Submitted, request.Accepted)
		}
	}
	rows, err := h.db.QueryContext(ctx, `SELECT r.id, r.state, r.category, COALESCE(c.name_zh, r.category), COALESCE(c.name_en, r.category),
		r.channel, r.lat, r.lng, r.handling,
		COALESCE(d.name, ''), r.public_note, COALESCE(r.merged_into, 0), r.submitted_at, r.updated_at, r.due_at,
		COALESCE(cp.name, ''), COALESCE(b.name, '')
		FROM requests r
		LEFT JOIN request_categories c ON c.code = r.category
		LEFT JOIN org_units d ON d.id = r.department_id
		LEFT JOIN buildings b ON b.id = r.building_id
		LEFT JOIN compounds cp ON cp.id = b.compound_id
		WHERE `+strings.Join(where, " AND ")+` ORDER BY r.submitted_at DESC, r.id DESC LIMIT ?`, append(args, maxRequests)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []serviceRequest{}
	for rows.Next() {
		var (
			s                                 serviceRequest
			state, handling, dept, publicNote string
			nameEN, channel                   string
			compound, building                string
			lat, lng                          *float64
			merged                            int64
			submitted, updated                time.Time
			due                               *time.Time
		)
		if err := rows.Scan(&s.ID, &state, &s.ServiceCode, &s.ServiceName, &nameEN, &channel, &lat, &lng, &handling, &dept, &publicNote, &merged,
			&submitted, &updated, &due, &compound, &building); err != nil {
			return nil, err
		}
		s.Status, s.StatusNotes = status(state), statusNotes(state, publicNote, merged)
		s.Description = description(s.ServiceName, nameEN, channel)
		if handling == request.Referred {
			s.AgencyResponsible = text(dept)
		}
		s.RequestedDatetime, s.UpdatedDatetime = w3c(submitted), w3c(updated)
		if due != nil {
			s.ExpectedDatetime = text(w3c(*due))
		}
		s.Address, s.Lat, s.Long = text(strings.TrimSpace(compound+" "+building)), coarse(lat), coarse(lng)
		out = append(out, s)
	}
	return out, rows.Err()
}

// channelNames name the channels a request comes in by, in Chinese and
// English, as the staff pages do.
var channelNames = map[string][2]string{
	"visit":      {"入户走访", "a home visit"},
	"grid_group": {"网格微信群", "the grid's WeChat group"},
	"hotline":    {"24小时热线", "the 24-hour hotline"},
	"talk_room":  {"谈心室", "the talk room"},
	"walk_in":    {"来访", "a walk-in visit"},
	"web":        {"居民网页", "the residents' web page"},
	"open311":    {"Open311 接口", "the Open311 API"},
}

// description is the public description of a request of the category
// named name (nameEN in English) that came in by channel: a neutral text
// made of the two, the same for every request of the kind. It is never
// what the reporter or staff wrote (request.Request.Description holds
// names, flats and phones); what staff write for the public is the
// public reply of a resolution, published as status_notes.
func description(name, nameEN, channel string) text {
	ch, ok := channelNames[channel]
	if !ok {
		return text(fmt.Sprintf("居民反映：%s。Reported by a resident: %s.", name, nameEN))
	}
	return text(fmt.Sprintf("经%s反映：%s。Reported through %s: %s.", ch[0], name, ch[1], nameEN))
}

// statusNotes are the public notes of a request in state: the public
// reply of a resolved one (written for the public when resolving), a
// fixed text for a declined or merged one; never what staff wrote for
// themselves, nor a decline reason written to the resident. Phone and ID
// numbers are masked all the same (pii.Redact).
func statusNotes(state, publicNote string, merged int64) text {
	switch state {
	case request.Declined:
		return "未予受理，已告知反映人原因。Declined; the reporter was told why."
	case request.Merged:
		return text(fmt.Sprintf("与诉求 %d 重复，已合并处理。Duplicate of request %d.", merged, merged))
	case request.Resolved, request.Closed:
		return text(pii.Redact(publicNote))
	}
	return ""
}

// coarse rounds a coordinate to three decimals, about 100 m: the place of
// a building or a street, not of a door.
func coarse(v *float64) number {
	if v == nil {
		return number{}
	}
	r := math.Round(*v*1000) / 1000
	return number{&r}
}

func marks(n int) string { return "?" + strings.Repeat(", ?", n-1) }

// listRequests answers GET requests: by service_request_id (which
// overrides the rest), or by service_code, start_date, end_date (at most 90
// days apart; the last 90 days by default) and status; the newest first,
// at most 1000.
func (h *handler) listRequests(w http.ResponseWriter, r *http.Request, format string) {
	q, err := h.parseQuery(r)
	var out []serviceRequest
	if err == nil {
		out, err = h.find(r.Context(), q)
	}
	if err != nil {
		h.fail(w, r, format, err)
		return
	}
	writeList(w, format, http.StatusOK, "service_requests", out)
}

const span = 90 * 24 * time.Hour

func (h *handler) parseQuery(r *http.Request) (query, error) {
	v := r.URL.Query()
	var q query
	for _, s := range list(v.Get("service_request_id")) {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id < 1 {
			return q, badRequest(fmt.Sprintf("service_request_id %q is not a request id", s))
		}
		q.ids = append(q.ids, id)
	}
	if len(q.ids) > maxRequests {
		return q, badRequest("give at most 1000 service_request_id")
	}
	if len(q.ids) > 0 {
		return q, nil
	}
	q.codes = list(v.Get("service_code"))
	from, err := w3cParam(v.Get("start_date"), "start_date")
	if err != nil {
		return q, err
	}
	to, err := w3cParam(v.Get("end_date"), "end_date")
	if err != nil {
		return q, err
	}
	switch {
	case from.IsZero() && to.IsZero():
		q.to = h.now()
		q.from = q.to.Add(-span)
	case to.IsZero():
		q.from, q.to = from, from.Add(span)
	case from.IsZero():
		q.from, q.to = to.Add(-span), to
	default:
		q.from, q.to = from, to
	}
	if q.to.Before(q.from) {
		return q, badRequest("end_date is before start_date")
	}
	if q.to.Sub(q.from) > span {
		return q, badRequest("start_date and end_date may not span more than 90 days")
	}
	statuses := list(v.Get("status"))
	for _, s := range statuses {
		if s != "open" && s != "closed" {
			return q, badRequest(fmt.Sprintf("status %q: use open or closed", s))
		}
	}
	if len(statuses) > 0 && !(slices.Contains(statuses, "open") && slices.Contains(statuses, "closed")) {
		open := statuses[0] == "open"
		q.open = &open
	}
	return q, nil
}

// list splits a comma-delimited argument, dropping empty items.
func list(s string) []string {
	var out []string
	for p := range strings.SplitSeq(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// w3cParam parses a W3C date-time (2010-01-01T00:00:00Z) or a date (taken
// as midnight in China), within the days calendar.ParseInstant takes; ""
// is the zero time.
func w3cParam(s, field string) (time.Time, error) {
	t, err := calendar.ParseInstant(field, s, false)
	if fe, ok := apperr.AsField(err); ok && fe.Code == "date_range" {
		return t, badRequest(fmt.Sprintf("%s %q: %s", field, s, fe.Msg))
	}
	if err != nil {
		return t, badRequest(fmt.Sprintf("%s %q: use the W3C format, e.g. 2010-01-01T00:00:00Z", field, s))
	}
	return t, nil
}

// oneRequest answers GET requests/{id}.
func (h *handler) oneRequest(w http.ResponseWriter, r *http.Request) {
	name, format, ok := split(r)
	if !ok {
		writeErrors(w, format, http.StatusNotFound, "unknown format: use .xml or .json")
		return
	}
	id, err := strconv.ParseInt(name, 10, 64)
	if err != nil || id < 1 {
		writeErrors(w, format, http.StatusNotFound, fmt.Sprintf("service_request_id %q was not found", name))
		return
	}
	out, err := h.find(r.Context(), query{ids: []int64{id}})
	if err == nil && len(out) == 0 {
		err = notFound(fmt.Sprintf("service_request_id %d was not found", id))
	}
	if err != nil {
		h.fail(w, r, format, err)
		return
	}
	writeList(w, format, http.StatusOK, "service_requests", out)
}

// tokenAnswer maps a token to its request.
type tokenAnswer struct {
	XMLName xml.Name `xml:"request" json:"-"`
	ID      int64    `xml:"service_request_id" json:"service_request_id,string"`
	Token   string   `xml:"token" json:"token"`
}

// token answers GET tokens/{token}: a request's token is its tracking
// code.
func (h *handler) token(w http.ResponseWriter, r *http.Request) {
	token, format, ok := split(r)
	if !ok {
		writeErrors(w, format, http.StatusNotFound, "unknown format: use .xml or .json")
		return
	}
	out, err := h.find(r.Context(), query{trackingID: strings.ToUpper(token)})
	if err == nil && len(out) == 0 {
		err = notFound(fmt.Sprintf("token %q was not found", token))
	}
	if err != nil {
		h.fail(w, r, format, err)
		return
	}
	writeList(w, format, http.StatusOK, "service_requests", []tokenAnswer{{ID: out[0].ID, Token: token}})
}

// created is the answer to a POST.
type created struct {
	XMLName       xml.Name `xml:"request" json:"-"`
	ID            int64    `xml:"service_request_id" json:"service_request_id,string"`
	ServiceNotice text     `xml:"service_notice" json:"service_notice"`
	// AccountID is left out of the JSON when the client sent none: the
	// schema's account_id is a string, never null.
	AccountID text `xml:"account_id" json:"account_id,omitempty"`
}

// post answers POST requests: a new request from a client with an API
// key, submitted on the open311 channel.
func (h *handler) post(w http.ResponseWriter, r *http.Request) {
	name, format, ok := split(r)
	if !ok || name != "requests" {
		writeErrors(w, format, http.StatusNotFound, "only requests.xml and requests.json accept POST")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		writeErrors(w, format, http.StatusBadRequest, "send the fields form-encoded (application/x-www-form-urlencoded)")
		return
	}
	if err := checkForm(r.PostForm); err != nil {
		h.fail(w, r, format, err)
		return
	}
	out, err := h.create(r)
	if err != nil {
		h.fail(w, r, format, err)
		return
	}
	writeList(w, format, http.StatusOK, "service_requests", []created{*out})
}

// checkForm refuses a form with a name or value that is not UTF-8 text
// without NUL characters (apperr.Text), naming the first such parameter:
// PostgreSQL refused them in the database, which answered 500.
func checkForm(f url.Values) error {
	for _, name := range slices.Sorted(maps.Keys(f)) {
		if apperr.Text("", name) != nil {
			return badRequest("a parameter name is not UTF-8 text without NUL characters")
		}
		for _, v := range f[name] {
			if apperr.Text(name, v) != nil {
				return badRequest(name + ": must be UTF-8 text without NUL characters")
			}
		}
	}
	return nil
}

func (h *handler) create(r *http.Request) (*created, error) {
	ctx, f := r.Context(), r.PostForm
	c, err := h.clientOf(ctx, f.Get("api_key"))
	if err != nil {
		return nil, err
	}
	code := f.Get("service_code")
	if code == "" {
		return nil, badRequest("service_code is required")
	}
	cat, err := h.category(r, code)
	if err != nil {
		return nil, err
	}
	in := request.Input{Category: code, Channel: "open311", Description: strings.TrimSpace(f.Get("description")),
		Address: strings.TrimSpace(f.Get("address_string")), Phone: strings.TrimSpace(f.Get("phone")), OrgPath: c.orgPath}
	if in.Description == "" {
		in.Description = cat.Name
	}
	lat, long := f.Get("lat"), f.Get("long")
	if lat != "" || long != "" {
		la, err1 := strconv.ParseFloat(lat, 64)
		lo, err2 := strconv.ParseFloat(long, 64)
		if err1 != nil || err2 != nil {
			return nil, badRequest("lat and long must both be given, as decimal degrees (WGS84)")
		}
		in.Lat, in.Lng = &la, &lo
		if in.Address == "" {
			in.Address = fmt.Sprintf("%.6f, %.6f", la, lo)
		}
	}
	if in.Address == "" {
		if f.Get("address_id") != "" {
			return nil, badRequest("address_id is not supported here: give lat and long or address_string")
		}
		return nil, badRequest("a location is required: give lat and long or address_string")
	}
	// The request and what the client sent beyond it are written
	// together, or neither is.
	var id int64
	err = h.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if id, err = h.requests.SubmitIn(store.WithTx(ctx, tx), actorOf(c.name), in); err != nil {
			return err
		}
		name := strings.TrimSpace(f.Get("first_name") + " " + f.Get("last_name"))
		return saveClientData(ctx, tx, id, c.id, f.Get("account_id"), name, strings.TrimSpace(f.Get("email")))
	})
	if fe, ok := apperr.AsField(err); ok {
		return nil, badRequest(strings.NewReplacer("reporter_phone", "phone", "address:", "address_string:", "lat:", "lat/long:").Replace(fe.Error()))
	}
	if err != nil {
		return nil, err
	}
	return &created{ID: id, ServiceNotice: text(notice(*cat)), AccountID: text(f.Get("account_id"))}, nil
}

// saveClientData keeps what a client sent beyond the request: its
// account_id and the reporter's name and email, sealed.
func saveClientData(ctx context.Context, tx *store.Tx, requestID, keyID int64, account, name, email string) error {
	keys := tx.Keys()
	sealedName, err := keys.Seal(name)
	if err != nil {
		return err
	}
	sealedEmail, err := keys.Seal(email)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO open311_requests(request_id, key_id, account_id, reporter_name, reporter_email)
		VALUES (?, ?, ?, ?, ?)`, requestID, keyID, account, sealedName, sealedEmail)
	return err
}
