// Package open311 serves resident requests as Open311 GeoReport v2
// (https://wiki.open311.org/GeoReport_v2) under /open311/v2/: the
// discovery file, categories as services, requests read by anyone and
// created by clients holding an API key (keys.go).
//
// Mapping decisions:
//   - A category is a service: service_code is the category code,
//     service_name its Chinese name, group its default urgency (urgent: due
//     within 24 hours; general: within working days); no service has
//     metadata, so a service definition has empty attributes. Every
//     service is realtime: a POST answers the service_request_id at once.
//   - status: submitted and accepted (also a request reopened by a
//     dissatisfied callback, which is accepted again) are open; resolved,
//     closed, declined and merged are closed. A resolved request counts as
//     closed because the work is done; the callback that follows is the
//     community's own check, and reopens it if the resident is not
//     satisfied.
//   - status_notes: the public reply staff wrote for the public when they
//     resolved the request (request.Change.PublicNote; nothing without
//     one), "duplicate of" for a merged request, a fixed "declined" for a
//     declined one. Never the resolution or the decline reason, which
//     staff write for themselves or for the resident.
//     agency_responsible: the department a request is referred to.
//     expected_datetime: the deadline. Times are W3C (RFC 3339) in China
//     time, +08:00.
//   - Reads are public, and anyone can walk the ids, so they carry what a
//     stranger needs to see that a problem is known and being handled, and
//     no personal data: never the reporter's name, phone or email, never
//     the description anyone wrote (residents and staff write names, flats
//     and phones into it), and of the place only the compound and building
//     of the request (never the flat, never a free address) and lat/long
//     rounded to three decimals (about 100 m).
//   - description: a neutral text of the category and the channel the
//     request came in by ("经24小时热线反映：停水、漏水。…"), for every
//     channel alike; what staff write for the public is the public reply
//     of a resolution, in status_notes.
//   - service_request_id is a string in JSON, as the published schemas
//     (testdata/georeport-v2) require; a POST answer without an account_id
//     leaves the field out of the JSON (the schema has no null for it).
//   - Reads are rate-limited per client address (request.CountRead, in the
//     database so every server counts them): 429 with Retry-After.
//   - tokens/{token}: a request's token is its tracking code (the resident
//     page's handle); POST never returns one, as every service is realtime.
package open311

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/pii"
	"wanhu/internal/request"
	"wanhu/internal/server"
	"wanhu/internal/store"
)

// Base is where the GeoReport v2 endpoint lives.
const Base = "/open311/v2/"

// Spec is the specification token of the discovery file.
const Spec = "http://wiki.open311.org/GeoReport_v2"

type handler struct {
	db        *store.DB
	requests  *request.Store
	log       *slog.Logger
	publicURL string
	now       func() time.Time
	// clientAddr is the address a request came from (auth.Store.ClientAddr,
	// which knows whether to trust a proxy); nil takes r.RemoteAddr.
	clientAddr func(*http.Request) string
	reads      request.ReadLimit // of the GETs; zero: request.PublicReads
}

// Register mounts the Open311 endpoint on mux.
func Register(mux *http.ServeMux, d server.Deps) {
	h := &handler{db: d.DB, requests: request.NewStore(d.DB, d.Households), log: d.Log, publicURL: d.PublicURL, now: time.Now}
	if h.log == nil {
		h.log = slog.Default()
	}
	if d.Auth != nil {
		h.clientAddr = d.Auth.ClientAddr
	}
	h.register(mux)
}

func (h *handler) register(mux *http.ServeMux) {
	mux.HandleFunc("GET "+Base+"{file}", h.limited(h.top))
	mux.HandleFunc("POST "+Base+"{file}", h.post)
	mux.HandleFunc("GET "+Base+"services/{file}", h.limited(h.service))
	mux.HandleFunc("GET "+Base+"requests/{file}", h.limited(h.oneRequest))
	mux.HandleFunc("GET "+Base+"tokens/{file}", h.limited(h.token))
	mux.HandleFunc(Base, func(w http.ResponseWriter, r *http.Request) {
		writeErrors(w, formatOf(r.URL.Path), http.StatusNotFound, "no such resource: see discovery.xml")
	})
}

// split splits the {file} of r into its name and format ("json" or
// "xml"); ok is false for any other extension.
func split(r *http.Request) (name, format string, ok bool) {
	file := r.PathValue("file")
	i := strings.LastIndexByte(file, '.')
	if i <= 0 {
		return file, "xml", false
	}
	name, format = file[:i], file[i+1:]
	return name, format, format == "json" || format == "xml"
}

// formatOf is the format an error about path is answered in: JSON when
// path asks for it, else XML (the format the spec requires).
func formatOf(path string) string {
	if strings.HasSuffix(path, ".json") {
		return "json"
	}
	return "xml"
}

// top answers the GET resources directly under Base.
func (h *handler) top(w http.ResponseWriter, r *http.Request) {
	name, format, ok := split(r)
	switch {
	case !ok:
		writeErrors(w, format, http.StatusNotFound, "unknown format: use .xml or .json")
	case name == "discovery":
		h.discovery(w, r, format)
	case name == "services":
		h.services(w, r, format)
	case name == "requests":
		h.listRequests(w, r, format)
	default:
		writeErrors(w, format, http.StatusNotFound, "no such resource: "+name)
	}
}

// limited counts a GET against the client address's limit of reads
// (request.CountRead) before next answers it; over the limit it answers
// 429 with Retry-After in the spec's error format.
func (h *handler) limited(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		lim := h.reads
		if lim.Max == 0 {
			lim = request.PublicReads
		}
		client := r.RemoteAddr
		if h.clientAddr != nil {
			client = h.clientAddr(r)
		} else if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
			client = host
		}
		err := request.CountRead(r.Context(), h.db, "open311", client, lim, h.now())
		var tm *apperr.TooMany
		if errors.As(err, &tm) {
			secs := tm.Seconds()
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			writeErrors(w, formatOf(r.URL.Path), http.StatusTooManyRequests,
				fmt.Sprintf("too many requests from this address: try again in %d seconds", secs))
			return
		}
		if err != nil {
			h.fail(w, r, formatOf(r.URL.Path), err)
			return
		}
		next(w, r)
	}
}

// apiError is one error of the spec's error answer.
type apiError struct {
	XMLName     xml.Name `xml:"error" json:"-"`
	Code        int      `xml:"code" json:"code"`
	Description string   `xml:"description" json:"description"`
}

// writeErrors answers the spec's error list with status.
func writeErrors(w http.ResponseWriter, format string, status int, descriptions ...string) {
	errs := make([]apiError, len(descriptions))
	for i, d := range descriptions {
		errs[i] = apiError{Code: status, Description: d}
	}
	writeList(w, format, status, "errors", errs)
}

// fail answers err: a *failure as it says, anything else as a 500 that
// is logged.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, format string, err error) {
	var f *failure
	if errors.As(err, &f) {
		writeErrors(w, format, f.status, f.msg)
		return
	}
	h.log.Error("open311", "path", pii.RedactCodes(r.URL.Path), "err", err) // tokens/{tracking code}
	writeErrors(w, format, http.StatusInternalServerError, "the service failed; try again later")
}

// failure is an error answered with its own status.
type failure struct {
	status int
	msg    string
}

func (f *failure) Error() string { return f.msg }

func badRequest(msg string) error { return &failure{http.StatusBadRequest, msg} }

func notFound(msg string) error { return &failure{http.StatusNotFound, msg} }

// writeList answers items as the spec's list: a JSON array, or XML
// elements under root.
func writeList[T any](w http.ResponseWriter, format string, status int, root string, items []T) {
	if format != "json" {
		var b bytes.Buffer
		enc := xml.NewEncoder(&b)
		start := xml.StartElement{Name: xml.Name{Local: root}}
		err := enc.EncodeToken(start)
		for _, it := range items {
			if err == nil {
				err = enc.Encode(it)
			}
		}
		if err == nil {
			err = enc.EncodeToken(start.End())
		}
		if err == nil {
			err = enc.Flush()
		}
		writeXML(w, status, b.Bytes(), err)
		return
	}
	if items == nil {
		items = []T{}
	}
	writeJSON(w, status, items)
}

// writeOne answers v, an object with its own XML name.
func writeOne(w http.ResponseWriter, format string, status int, v any) {
	if format != "json" {
		b, err := xml.Marshal(v)
		writeXML(w, status, b, err)
		return
	}
	writeJSON(w, status, v)
}

func writeXML(w http.ResponseWriter, status int, body []byte, err error) {
	if err != nil {
		http.Error(w, "encoding failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(status)
	w.Write([]byte(`<?xml version="1.0" encoding="utf-8"?>` + "\n"))
	w.Write(body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "encoding failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// text is an optional string: null in JSON and an empty element in XML
// when empty, as in the spec's examples.
type text string

func (t text) MarshalJSON() ([]byte, error) {
	if t == "" {
		return []byte("null"), nil
	}
	return json.Marshal(string(t))
}

// number is an optional number (lat, long): null or an empty element when
// absent.
type number struct{ v *float64 }

func (n number) MarshalJSON() ([]byte, error) {
	if n.v == nil {
		return []byte("null"), nil
	}
	return json.Marshal(*n.v)
}

func (n number) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if n.v == nil {
		return e.EncodeElement("", start)
	}
	return e.EncodeElement(*n.v, start)
}

// w3c formats t as the spec's W3C date-time, in China time.
func w3c(t time.Time) string { return t.In(calendar.China).Format(time.RFC3339) }

// actorOf is who submitted through the key named name, in the timeline.
func actorOf(name string) household.Actor { return household.Actor{Name: "Open311: " + name} }
