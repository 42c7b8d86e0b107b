package web

import (
	"net/http"
	"slices"
	"strconv"

	"wanhu/internal/notify"
)

// notificationsPage lists the outbox messages not sent yet, pending or
// failed, for the administrators to retry failed ones.
type notificationsPage struct {
	Page
	State  string // "", "pending" or "failed"
	Tabs   []Option
	Rows   []notificationRow
	Notice string
}

type notificationRow struct {
	ID                                               int64
	Kind, Channel, State, LastError, NextAt, Created string
	Attempts                                         int
	Failed                                           bool
}

// notifications shows the undelivered messages, newest first.
func (h *handler) notifications(w http.ResponseWriter, r *http.Request) {
	v := notificationsPage{Page: h.page(r, "notify.title", "notifications")}
	l := v.L
	if s := r.URL.Query().Get("state"); slices.Contains([]string{"pending", "failed"}, s) {
		v.State = s
	}
	for _, s := range []string{"", "failed", "pending"} {
		v.Tabs = append(v.Tabs, Option{Value: s, Label: l.T("notify.tab." + orAll(s)), Selected: s == v.State})
	}
	entries, err := notify.List(r.Context(), h.db, v.State, 200)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	for _, e := range entries {
		row := notificationRow{ID: e.ID, Kind: l.Value("notify.kind", e.Kind), Channel: l.Value("notify.channel", e.Channel),
			State: l.Enum("notify.state", e.State), LastError: e.LastError, Created: l.Time(e.CreatedAt), Attempts: e.Attempts, Failed: e.State == "failed"}
		if e.NextAttemptAt != nil {
			row.NextAt = l.Time(*e.NextAttemptAt)
		}
		v.Rows = append(v.Rows, row)
	}
	if id := r.URL.Query().Get("retried"); id != "" {
		v.Notice = l.T("notify.retried", id)
	}
	h.render(w, r, http.StatusOK, "notifications", v)
}

func orAll(s string) string {
	if s == "" {
		return "all"
	}
	return s
}

// notificationRetry puts a failed message back in the queue, due now.
func (h *handler) notificationRetry(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	if err := notify.Retry(r.Context(), h.db, id, h.now()); err != nil {
		h.showError(w, r, err)
		return
	}
	seeOther(w, r, "/notifications?retried="+strconv.FormatInt(id, 10))
}
