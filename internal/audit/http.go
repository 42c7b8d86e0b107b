package audit

import (
	"net/http"
	"strings"
)

// StatusWriter remembers the status a handler answered with, for the
// "write" entries of the web and API middleware.
type StatusWriter struct {
	http.ResponseWriter
	status int
}

// WriteHeader records code and passes it on.
func (w *StatusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write answers 200 if no status was set.
func (w *StatusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *StatusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Status is the status answered, 200 if the handler wrote nothing.
func (w *StatusWriter) Status() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

// ResultOf turns an HTTP status into a result: ok for 2xx and 3xx, denied
// for 401, 403 and 404 (what is out of scope answers 404), error otherwise.
func ResultOf(status int) string {
	switch {
	case status >= 200 && status < 400:
		return OK
	case status == http.StatusUnauthorized || status == http.StatusForbidden || status == http.StatusNotFound:
		return Denied
	default:
		return Error
	}
}

// PathObject names the object of a request from its route: the path
// segment before {id}, made singular, and the id ("household:42" for
// /households/{id}/needs), or the last fixed segment when the route has no
// id ("household" for POST /households).
func PathObject(r *http.Request) string {
	_, path, _ := strings.Cut(r.Pattern, " ")
	if path == "" {
		path = r.Pattern
	}
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for i, s := range segs {
		if s == "{id}" && i > 0 {
			return singular(segs[i-1]) + ":" + r.PathValue("id")
		}
	}
	for i := len(segs) - 1; i >= 0; i-- {
		if s := segs[i]; s != "" && !strings.HasPrefix(s, "{") {
			return singular(s)
		}
	}
	return ""
}

func singular(s string) string {
	if len(s) > 2 && strings.HasSuffix(s, "s") && !strings.HasSuffix(s, "ss") {
		return s[:len(s)-1]
	}
	return s
}
