package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"sync"

	"wanhu/internal/apperr"
	"wanhu/internal/auth"
	"wanhu/internal/server"
	"wanhu/internal/store"
)

// errorBody is the one error format of the API.
type errorBody struct {
	Error          errorDetail `json:"error"`
	CurrentVersion *int        `json:"current_version,omitempty"`
	// State is the current state of a record whose state does not allow
	// the transition asked for (409).
	State string `json:"state,omitempty"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// apiError is an error the API answers with a status and code of its own
// (unauthorized, forbidden, bad_json …).
type apiError struct {
	status        int
	code, message string
	field         string
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

var (
	errUnauthorized = &apiError{http.StatusUnauthorized, "unauthorized", "sign in and send Authorization: Bearer <token>", ""}
	errForbidden    = &apiError{http.StatusForbidden, "forbidden", "your role may not do this", ""}
	errRoute        = &apiError{http.StatusNotFound, "not_found", "no such API route", ""}
	errMethod       = &apiError{http.StatusMethodNotAllowed, "method_not_allowed", "this path does not take this method", ""}
	errCredentials  = &apiError{http.StatusUnauthorized, "bad_credentials", "wrong username or password", ""}
)

// list is the shape of every list answer.
type list[T any] struct {
	Items []T `json:"items"`
	Total int `json:"total"`
}

// listOf returns a list answer whose items are never null.
func listOf[T any](items []T, total int) list[T] {
	if items == nil {
		items = []T{}
	}
	return list[T]{Items: items, Total: total}
}

// writeJSON sends v as JSON with the given status.
func (h *handler) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	var b []byte
	var err error
	if a, ok := v.(jsonAppender); ok {
		buf := jsonBufs.Get().(*[]byte)
		defer jsonBufs.Put(buf)
		b, err = a.appendJSON((*buf)[:0])
		if err == nil {
			b = append(b, '\n')
			if cap(b) <= 64<<10 {
				*buf = b // grown, kept for the next answer
			}
		}
	} else if b, err = json.Marshal(v); err == nil {
		b = append(b, '\n')
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	server.Write(w, r, status, b)
}

// jsonBufs are the buffers of the answers that append their own JSON
// (jsonAppender): the ResponseWriter copies what it is given, so a
// buffer serves the next answer once written.
var jsonBufs = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// fail answers err in the one error format, choosing the status from the
// kind of error. Only unexpected errors are logged (once, here, with the
// route and the error, never the request's data) and their text is not sent.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	body := errorBody{}
	status := http.StatusInternalServerError
	var ae *apiError
	var stale *apperr.Stale
	var transition interface{ CurrentState() string }
	var tooMany *apperr.TooMany
	fe, isField := apperr.AsField(err)
	fault := store.Fault(err)
	switch {
	case fault != nil:
		h.log.ErrorContext(r.Context(), fault.Advice(), "kind", fault.Kind, "method", r.Method, "route", r.Pattern, "error", err)
		w.Header().Set("Retry-After", "60")
		status, body.Error = http.StatusServiceUnavailable, errorDetail{fault.Kind, storageMessage[fault.Kind], ""}
	case errors.As(err, &ae):
		status, body.Error = ae.status, errorDetail{ae.code, ae.message, ae.field}
	case isField:
		status, body.Error = http.StatusBadRequest, errorDetail{fe.Code, fe.Msg, fe.Field}
	case errors.As(err, &tooMany):
		w.Header().Set("Retry-After", strconv.Itoa(tooMany.Seconds()))
		status, body.Error = http.StatusTooManyRequests, errorDetail{"too_many", tooMany.Error(), ""}
	case errors.Is(err, apperr.ErrForbidden):
		status, body.Error = errForbidden.status, errorDetail{errForbidden.code, errForbidden.message, ""}
	case errors.Is(err, apperr.ErrNotFound):
		status, body.Error = http.StatusNotFound, errorDetail{"not_found", "not found", ""}
	case errors.As(err, &transition):
		status, body.Error, body.State = http.StatusConflict, errorDetail{"invalid_transition", err.Error(), ""}, transition.CurrentState()
	case errors.Is(err, apperr.ErrConflict):
		status, body.Error = http.StatusConflict, errorDetail{"conflict", apperr.ErrConflict.Error(), ""}
		if errors.As(err, &stale) {
			body.CurrentVersion = &stale.Current
		}
	case errors.Is(err, auth.ErrBadCredentials):
		status, body.Error = http.StatusUnauthorized, errorDetail{"unauthorized", "sign in and send Authorization: Bearer <token>", ""}
	case store.Unavailable(err):
		h.log.WarnContext(r.Context(), "api request: database unavailable", "method", r.Method, "route", r.Pattern, "error", err)
		w.Header().Set("Retry-After", "5")
		status, body.Error = http.StatusServiceUnavailable, errorDetail{"unavailable", "the database is unavailable for a moment; try again shortly", ""}
	default:
		h.log.ErrorContext(r.Context(), "api request failed", "method", r.Method, "route", r.Pattern, "error", err)
		body.Error = errorDetail{"internal", "something went wrong on the server; try again later", ""}
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="wanhu"`)
	}
	b, _ := json.Marshal(body)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b)
	w.Write([]byte("\n"))
}

// storageMessage is the answer to a write the database could not make,
// by kind of apperr.Storage: nothing was saved, and the same request may
// be sent again once the administrator has acted.
var storageMessage = map[string]string{
	"storage_full": "the server's disk is full: nothing was saved; send this again once the administrator has freed space",
	"read_only":    "the database is read-only: nothing was saved; send this again once the administrator has made it writable",
	"storage_io":   "the server's disk failed: nothing was saved; send this again later and tell the administrator",
}
