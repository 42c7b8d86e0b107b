package api

import (
	"net/http"
	"strings"

	"wanhu/internal/access"
	"wanhu/internal/org"
	"wanhu/internal/proactive"
	"wanhu/internal/request"
)

// tasks returns the proactive tasks as the user of r may see them.
func (h *handler) tasks(r *http.Request) *proactive.Store {
	return h.tasksIn(access.Scope(user(r)))
}

// tasksIn is the proactive tasks of scope: a list's (listScope).
func (h *handler) tasksIn(scope org.Scope) *proactive.Store {
	s := proactive.NewStore(h.d.DB).In(scope)
	s.SetClock(h.now)
	return s
}

// taskList lists the proactive tasks (未诉先办) of the caller's scope, the
// earliest due first: ?state=, ?grid=, ?community=, ?rule=, ?household=, ?page=,
// ?per_page=.
func (h *handler) taskList(w http.ResponseWriter, r *http.Request) {
	q := &query{r: r}
	f := proactive.Filter{State: q.oneOf("state", proactive.States), GridID: q.id("grid"), HouseholdID: q.id("household")}
	if rule := q.str("rule"); rule != "" {
		f.Rule = rule
		if proactive.RuleByCode(rule) == nil {
			q.bad("rule", "one_of", "%q is not one of %s", rule, strings.Join(proactive.RuleCodes(), ", "))
		}
	}
	f.Page, f.Per = q.page()
	if q.err != nil {
		h.fail(w, r, q.err)
		return
	}
	scope, err := h.listScope(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ts, total, err := h.tasksIn(scope).List(r.Context(), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, listOf(ts, total))
}

// taskDone records that task {id} was done.
func (h *handler) taskDone(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	t, err := h.tasks(r).MarkDone(r.Context(), actor(r), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, t)
}

// taskDismiss closes task {id} without doing it: {"reason"} is required.
func (h *handler) taskDismiss(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Reason string `json:"reason"`
	}
	id, err := writeInput(w, r, &in)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	t, err := h.tasks(r).Dismiss(r.Context(), actor(r), id, in.Reason)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, t)
}

// taskRequest turns task {id} into a request of its household through the
// request workflow: {"category"} is required, "description" defaults to
// the task's reason, "channel" to visit. 201 with the task and the
// request.
func (h *handler) taskRequest(w http.ResponseWriter, r *http.Request) {
	var in request.Input
	id, err := writeInput(w, r, &in)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if in.Category == "" {
		h.fail(w, r, fieldRequired("category"))
		return
	}
	t, req, err := h.tasks(r).Convert(r.Context(), actor(r), id, h.requests(r), in)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusCreated, struct {
		Task    *proactive.Task  `json:"task"`
		Request *request.Request `json:"request"`
	}{t, req})
}
