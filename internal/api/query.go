package api

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"wanhu/internal/apperr"
)

// query reads and checks query parameters; the first bad one is kept in err
// and names the parameter.
type query struct {
	r   *http.Request
	err error
}

func (q *query) bad(name, code, format string, args ...any) {
	if q.err == nil {
		q.err = apperr.Field(name, code, format, args...)
	}
}

// id returns a positive integer parameter, or 0 when absent.
func (q *query) id(name string) int64 {
	s := q.r.URL.Query().Get(name)
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 1 {
		q.bad(name, "invalid", "must be a positive whole number")
		return 0
	}
	return n
}

// intIn returns an integer parameter in [lo, hi], or def when absent.
func (q *query) intIn(name string, def, lo, hi int) int {
	s := q.r.URL.Query().Get(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		q.bad(name, "range", "must be a whole number from %d to %d", lo, hi)
		return def
	}
	return n
}

// oneOf returns a parameter that must be one of allowed, or "" when absent.
func (q *query) oneOf(name string, allowed []string) string {
	s := q.r.URL.Query().Get(name)
	if s != "" && !slices.Contains(allowed, s) {
		q.bad(name, "one_of", "must be one of %s", strings.Join(allowed, ", "))
		return ""
	}
	return s
}

// str returns a free-text parameter.
func (q *query) str(name string) string { return strings.TrimSpace(q.r.URL.Query().Get(name)) }

// page returns the page (from 1) and page size (1–500, 50 by default).
func (q *query) page() (int, int) {
	return q.intIn("page", 1, 1, 1_000_000), q.intIn("per_page", 50, 1, 500)
}

// pathID returns the {id} path value of r, or ErrNotFound when it is not a
// positive number (so /households/abc is simply not there).
func pathID(r *http.Request) (int64, error) { return pathNumber(r, "id") }

// pathNumber returns the path's positive number named name ({session},
// {enrolment}, …), or apperr.ErrNotFound.
func pathNumber(r *http.Request, name string) (int64, error) {
	n, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || n < 1 {
		return 0, apperr.ErrNotFound
	}
	return n, nil
}
