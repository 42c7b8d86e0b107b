package web

import (
	"net/http"
	"strings"

	"wanhu/internal/auth"
)

// unknown answers a request no page takes, in the app's layout and the
// user's language: 405 with the methods it takes for a known path asked
// with another method, 404 for an address that is no page. A signed-in
// user sees the page with their menu; nobody is sent to sign in first.
func (h *handler) unknown() http.Handler {
	var p patterns
	h.routes(&p)
	paths := http.NewServeMux() // path → allowed methods, for the 405s
	allowed := map[string][]string{}
	for _, pattern := range p {
		method, path, ok := strings.Cut(pattern, " ")
		if !ok {
			method, path = "", pattern
		}
		if allowed[path] == nil {
			paths.HandleFunc(path, http.NotFound)
		}
		allowed[path] = append(allowed[path], method)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r = h.withSession(r)
		if _, pattern := paths.Handler(r); pattern != "" {
			w.Header().Set("Allow", strings.Join(allowed[pattern], ", "))
			h.refuse(w, r, http.StatusMethodNotAllowed, "error.method_not_allowed")
			return
		}
		v := errorView{Page: h.page(r, "error.page_not_found_title", "")}
		v.Message = v.L.T("error.page_not_found")
		h.render(w, r, http.StatusNotFound, "error", v)
	})
}

// withSession returns r with its web session, if it has a valid one, for
// a page open to all that shows the signed-in user their menu.
func (h *handler) withSession(r *http.Request) *http.Request {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return r
	}
	sess, err := h.auth.Authenticate(r.Context(), c.Value, auth.Web)
	if err != nil || sess == nil {
		return r
	}
	return r.WithContext(auth.WithSession(r.Context(), sess))
}
