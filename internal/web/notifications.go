package web

import (
	"net/http"
	"slices"
	"strconv"

	"wanhu/internal/notify"
)

// notificationsPage lists the outbox messages not delivered, pending,
// failed or only logged (no SMS provider), for the administrators to
// retry failed and logged ones.
type notificationsPage struct {
	Page
	State  string // "", "pending", "failed" or "logged"
	Tabs   []Option
	Rows   []notificationRow
	Notice string
}

type notificationRow struct {
	ID                                               int64
	Kind, Channel, State, LastError, NextAt, Created string
	StateCode                                        string // pending, failed, logged
	Attempts                                         int
	Retryable                                        bool // failed, or only logged
}

// notifications shows the undelivered messages, newest first.
func (h *handler) notifications(w http.ResponseWriter, r *http.Request) {
	v := notificationsPage{Page: h.page(r, "notify.title", "notifications")}
	l := v.L
	if s := r.URL.Query().Get("state"); slices.Contains([]string{"pending", "failed", "logged"}, s) {
		v.State = s
	}
	for _, s := range []string{"", "failed", "pending", "logged"} {
		v.Tabs = append(v.Tabs, Option{Value: s, Label: l.T("notify.tab." + orAll(s)), Selected: s == v.State})
	}
	entries, err := notify.List(r.Context(), h.db, v.State, 200)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	for _, e := range entries {
		row := notificationRow{ID: e.ID, Kind: l.Value("notify.kind", e.Kind), Channel: l.Value("notify.channel", e.Channel),
			State: l.Enum("notify.state", e.State), StateCode: e.State, LastError: e.LastError, Created: l.Time(e.CreatedAt), Attempts: e.Attempts, Retryable: e.State == "failed" || e.State == "logged"}
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

// notificationRetry puts a failed or logged-only message back in the
// queue, due now.
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
