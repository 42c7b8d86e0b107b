package api

import (
	"net/http"

	"wanhu/internal/notify"
)

// notifications lists the outbox messages in ?state= (pending and failed
// when absent), newest first (administrators only).
func (h *handler) notifications(w http.ResponseWriter, r *http.Request) {
	q := &query{r: r}
	state := q.oneOf("state", notify.States)
	_, per := q.page()
	if q.err != nil {
		h.fail(w, r, q.err)
		return
	}
	items, err := notify.List(r.Context(), h.d.DB, state, per)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, map[string]any{"items": items})
}

// retryNotification puts a failed message back in the queue, due now, for
// one more attempt: 409 when it has not failed.
func (h *handler) retryNotification(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := notify.Retry(r.Context(), h.d.DB, id, h.now()); err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, map[string]any{"id": id, "state": "pending"})
}
