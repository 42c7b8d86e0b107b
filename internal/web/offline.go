package web

import "net/http"

// offlinePage is Wanhu's page for a phone without signal: the service
// worker (static/sw.js) keeps it from install on and shows it for a page
// that cannot be loaded and was not kept. It needs no session and shows
// nobody's data, since it is kept and shown to whoever holds the phone.
func (h *handler) offlinePage(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, "offline", offlineView{h.page(r, "offline.title", "")})
}

// offlineView is the offline page's view: a Page alone, as every view
// holds one (the layout reads .Page).
type offlineView struct{ Page }
