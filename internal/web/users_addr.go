package web

import (
	"context"
	"net/http"
	"net/url"
	"sort"
)

// lockedAddr is a source address that must wait after too many failed
// logins (browsers that signed in before skip the wait).
type lockedAddr struct{ Addr, Until string }

// lockedAddrs lists the source addresses that must wait, as shown.
func (h *handler) lockedAddrs(ctx context.Context, l *Locale) ([]lockedAddr, error) {
	m, err := h.auth.LockedAddrs(ctx)
	if err != nil {
		return nil, err
	}
	var out []lockedAddr
	for a, t := range m {
		out = append(out, lockedAddr{Addr: a, Until: l.Time(t)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Addr < out[j].Addr })
	return out, nil
}

// addrUnlock ends the wait of a source address (an address belongs to no
// org unit, so any admin may).
func (h *handler) addrUnlock(w http.ResponseWriter, r *http.Request) {
	addr := r.PostFormValue("addr")
	if err := h.auth.UnlockAddr(r.Context(), addr); err != nil {
		h.showError(w, r, err)
		return
	}
	e := h.auditWho(r)
	e.Action, e.Object, e.Result = "login.unlock_addr", "addr:"+addr, "ok"
	if err := h.audit.Record(r.Context(), e); err != nil {
		h.log.ErrorContext(r.Context(), "audit address unlock", "route", r.Pattern, "error", err)
	}
	seeOther(w, r, "/users?"+url.Values{"done": {"unlock_addr"}}.Encode())
}
