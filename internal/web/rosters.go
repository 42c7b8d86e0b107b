package web

import (
	"net/http"
)

// oldRoster sends the first pages of the key-person and special-difficulty
// rosters (/rosters/key-persons, /rosters/special-difficulty, and their
// .csv) to the same lists of the roster module, keeping the filter, so
// that bookmarks and printed links keep working.
func oldRoster(name, format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if format != "" {
			q.Set("format", format)
		}
		to := "/rosters/" + name
		if len(q) > 0 {
			to += "?" + q.Encode()
		}
		http.Redirect(w, r, to, http.StatusMovedPermanently)
	}
}
