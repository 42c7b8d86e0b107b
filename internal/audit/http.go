package audit

import (
	"log/slog"
	"net/http"
	"strings"

	"wanhu/internal/auth"
	"wanhu/internal/export"
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

// Web holds what the web pages and the API need to audit requests the same
// way: the log, how to find a request's source address (which honours
// --trust-proxy), and where to report a failure to record.
type Web struct {
	Log  *Log
	Addr func(*http.Request) string
	Errs *slog.Logger
}

// Who is an entry naming the signed-in user of r, if any, and where the
// request came from.
func (a Web) Who(r *http.Request) Entry {
	e := Entry{IP: a.Addr(r)}
	if s := auth.FromContext(r.Context()); s != nil && s.User != nil {
		e.UserID, e.Username, e.Role = s.User.ID, s.User.Username, s.User.RoleNames()
	}
	return e
}

// Login records a sign-in through face ("web" or "api"): success with the
// user, or failure with the username tried (never the password).
func (a Web) Login(r *http.Request, face, username string, s *auth.Session, err error) {
	e := a.Who(r)
	e.Username, e.Object, e.Detail = username, "user:"+username, face
	if err == nil && s != nil {
		e.UserID, e.Role, e.Action = s.User.ID, s.User.RoleNames(), "login.success"
	} else {
		// A wrong password, a disabled or a locked account alike.
		e.Action, e.Result = "login.failure", Denied
	}
	if err := a.Log.Record(r.Context(), e); err != nil {
		a.Errs.Error("audit login", "error", err)
	}
}

// Writes records every request that reached next and may change something
// (any method but GET and HEAD): who, from where, what and the result. What
// is what the domain described (see Describe: "request.accept" on
// "request:7"), or else a "write" of the object of the path; the detail
// ends with the route. A reveal writes its own, fuller entry instead, and a
// request that said it only read (ReadOnly) none. After it, for reads too,
// it records the notes the domain made while serving the request (see
// Note).
func (a Web) Writes(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, noted := withNotes(r.Context())
		if r.Method == http.MethodGet || r.Method == http.MethodHead || strings.HasSuffix(r.URL.Path, "/reveal") {
			next(w, r.WithContext(ctx))
		} else {
			sw := &StatusWriter{ResponseWriter: w}
			next(sw, r.WithContext(ctx))
			if did, readOnly := noted.described(); !readOnly {
				e := a.Who(r)
				e.Action, e.Object, e.Result, e.Detail = "write", PathObject(r), ResultOf(sw.Status()), r.Pattern
				if did != nil {
					e.Action, e.Object = did.Action, did.Object
					if did.Detail != "" {
						e.Detail = did.Detail + "; " + r.Pattern
					}
				}
				if err := a.Log.Record(r.Context(), e); err != nil {
					a.Errs.Error("audit write", "route", r.Pattern, "error", err)
				}
			}
		}
		for _, n := range noted.taken() {
			e := a.Who(r)
			e.Action, e.Object, e.Result, e.Detail = n.Action, n.Object, n.Result, n.Detail
			if err := a.Log.Record(r.Context(), e); err != nil {
				a.Errs.Error("audit note", "route", r.Pattern, "action", n.Action, "error", err)
			}
		}
	}
}

// Download is a file to export: what it holds for the audit entry (Object
// such as "roster:four_thirty", Detail such as "xlsx 37 rows"), how it is
// named (Name in Chinese, 四点半课堂名单, which also names an xlsx sheet;
// ASCIIName, roster-four_thirty, for clients that cannot read the Chinese
// one: see export.Download) and laid out, and what writes its rows.
type Download struct {
	Object, Detail  string
	Format          export.Format
	Name, ASCIIName string
	Day             string
	Columns         []export.Column
	Write           func(export.Writer) error
}

// Export records the audit entry of d (action "export"), then sends d: no
// file leaves without its entry. An error before the file starts is
// returned for the caller to answer; one while writing is only logged, as
// the answer has begun.
func (a Web) Export(w http.ResponseWriter, r *http.Request, d Download) error {
	e := a.Who(r)
	e.Action, e.Object, e.Result, e.Detail = "export", d.Object, OK, d.Detail
	if err := a.Log.Record(r.Context(), e); err != nil {
		return err
	}
	out, err := export.Download(w, d.Format, d.Name, d.ASCIIName, d.Day, d.Columns)
	if err != nil {
		return err
	}
	if err = d.Write(out); err == nil {
		err = out.Close()
	}
	if err != nil {
		a.Errs.Error("export failed", "route", r.Pattern, "object", d.Object, "error", err)
	}
	return nil
}
