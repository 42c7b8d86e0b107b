package api

import (
	"errors"
	"net/http"
	"time"

	"wanhu/internal/access"
	"wanhu/internal/apperr"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/request"
)

// requests returns the request store as the user of r may see it.
func (h *handler) requests(r *http.Request) *request.Store {
	return h.requestsIn(access.Scope(user(r)))
}

// requestsIn is the requests of scope: a list's (listScope).
func (h *handler) requestsIn(scope org.Scope) *request.Store {
	return request.NewStore(h.d.DB, h.d.Households).In(scope, h.filesIn(scope)).WithLog(h.log)
}

// allowReadRequests lets through who submits or handles requests: each
// sees the requests of their scope.
func allowReadRequests(r *http.Request) error {
	if allow(r, access.SubmitRequests) == nil {
		return nil
	}
	return allow(r, access.HandleRequests)
}

// requestCategories lists the categories a request can be about.
func (h *handler) requestCategories(w http.ResponseWriter, r *http.Request) {
	cs, err := request.Categories(r.Context(), h.d.DB)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, listOf(cs, len(cs)))
}

// createRequest registers a request (群众点单): 201 with the request.
// A request with neither household nor grid belongs to the org unit of the
// staff member's first grant.
func (h *handler) createRequest(w http.ResponseWriter, r *http.Request) {
	var in request.Input
	if err := decode(w, r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	in.OrgPath = access.HomePath(user(r))
	out, err := h.requests(r).Submit(r.Context(), actor(r), in)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusCreated, out)
}

// oneRequest returns one request with its timeline.
func (h *handler) oneRequest(w http.ResponseWriter, r *http.Request) {
	if err := allowReadRequests(r); err != nil {
		h.fail(w, r, err)
		return
	}
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out, err := h.requests(r).Get(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, out)
}

// requestList lists the requests in scope, the soonest due first:
// ?state=, ?grid=, ?community=, ?department=, ?overdue=true.
func (h *handler) requestList(w http.ResponseWriter, r *http.Request) {
	q := &query{r: r}
	f := request.Filter{State: q.oneOf("state", request.States), GridID: q.id("grid"), DepartmentID: q.id("department"),
		Overdue: q.oneOf("overdue", []string{"true", "false"}) == "true"}
	f.Page, f.PerPage = q.page()
	if err := allowReadRequests(r); err != nil {
		h.fail(w, r, err)
		return
	}
	if q.err != nil {
		h.fail(w, r, q.err)
		return
	}
	scope, err := h.listScope(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	rs, total, err := h.requestsIn(scope).List(r.Context(), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, listOf(rs, total))
}

// The bodies of the transitions. Version, when given, is the version the
// user saw: a request changed meanwhile answers 409 with current_version.
type (
	acceptInput struct {
		Version        int    `json:"version"`
		Urgency        string `json:"urgency"`
		Handling       string `json:"handling"`
		DepartmentID   int64  `json:"department_id"`
		AssigneeUserID int64  `json:"assignee_user_id"`
		WorkingDays    int    `json:"working_days"`
	}
	noteInput struct {
		Version int    `json:"version"`
		Note    string `json:"note"`
	}
	resolveInput struct {
		Version    int    `json:"version"`
		Note       string `json:"note"`        // internal: staff and the audit read it
		PublicNote string `json:"public_note"` // the reply the resident and the public read
	}
	reasonInput struct {
		Version int    `json:"version"`
		Reason  string `json:"reason"`
	}
	mergeInput struct {
		Version int   `json:"version"`
		Into    int64 `json:"into"`
	}
	extensionInput struct {
		Version int    `json:"version"`
		Reason  string `json:"reason"`
		Days    int    `json:"days"`
	}
	arriveInput struct {
		Version   int        `json:"version"`
		ArrivedAt *time.Time `json:"arrived_at"` // default now
		Note      string     `json:"note"`       // who came: "社区干部和水暖工"
	}
	callbackInput struct {
		Version  int             `json:"version"`
		Result   string          `json:"result"`
		Reason   string          `json:"reason"` // a dissatisfied result's: request.CallbackReasons
		Method   string          `json:"method"` // phone or visit
		Comment  string          `json:"comment"`
		FollowUp *household.Need `json:"follow_up"` // kind and note
	}
)

func (h *handler) acceptRequest(w http.ResponseWriter, r *http.Request) {
	var in acceptInput
	h.transition(w, r, access.AcceptRequests, &in, func() request.Change {
		return request.Change{Action: request.Accept, Version: in.Version, Urgency: in.Urgency, Handling: in.Handling,
			DepartmentID: in.DepartmentID, AssigneeUserID: in.AssigneeUserID, WorkingDays: in.WorkingDays}
	})
}

func (h *handler) declineRequest(w http.ResponseWriter, r *http.Request) {
	h.reasoned(w, r, access.AcceptRequests, request.Decline)
}

func (h *handler) mergeRequest(w http.ResponseWriter, r *http.Request) {
	var in mergeInput
	h.transition(w, r, access.AcceptRequests, &in, func() request.Change {
		return request.Change{Action: request.Merge, Version: in.Version, Into: in.Into}
	})
}

func (h *handler) progressRequest(w http.ResponseWriter, r *http.Request) {
	h.noted(w, r, request.Progress)
}

// resolveRequest resolves a request with its internal note and, for the
// resident and the public, an optional public_note.
func (h *handler) resolveRequest(w http.ResponseWriter, r *http.Request) {
	var in resolveInput
	h.transition(w, r, access.HandleRequests, &in, func() request.Change {
		return request.Change{Action: request.Resolve, Version: in.Version, Note: in.Note, PublicNote: in.PublicNote}
	})
}

func (h *handler) handBackRequest(w http.ResponseWriter, r *http.Request) {
	h.reasoned(w, r, access.HandleRequests, request.HandBack)
}

func (h *handler) extendRequest(w http.ResponseWriter, r *http.Request) {
	var in extensionInput
	h.transition(w, r, access.HandleRequests, &in, func() request.Change {
		return request.Change{Action: request.AskExtension, Version: in.Version, Note: in.Reason, Days: in.Days}
	})
}

func (h *handler) approveExtension(w http.ResponseWriter, r *http.Request) {
	var in noteInput
	h.transition(w, r, access.AcceptRequests, &in, func() request.Change {
		return request.Change{Action: request.ApproveExtension, Version: in.Version, Note: in.Note}
	})
}

func (h *handler) refuseExtension(w http.ResponseWriter, r *http.Request) {
	h.reasoned(w, r, access.AcceptRequests, request.RefuseExtension)
}

func (h *handler) callbackRequest(w http.ResponseWriter, r *http.Request) {
	var in callbackInput
	h.transition(w, r, access.AcceptRequests, &in, func() request.Change {
		return request.Change{Action: request.Callback, Version: in.Version, Result: in.Result, Reason: in.Reason, Method: in.Method, Note: in.Comment, FollowUp: in.FollowUp}
	})
}

// arriveRequest records when someone arrived on site for an urgent
// request (到场), once.
func (h *handler) arriveRequest(w http.ResponseWriter, r *http.Request) {
	var in arriveInput
	h.transition(w, r, access.HandleRequests, &in, func() request.Change {
		return request.Change{Action: request.Arrive, Version: in.Version, ArrivedAt: in.ArrivedAt, Note: in.Note}
	})
}

func (h *handler) noted(w http.ResponseWriter, r *http.Request, action string) {
	var in noteInput
	h.transition(w, r, access.HandleRequests, &in, func() request.Change {
		return request.Change{Action: action, Version: in.Version, Note: in.Note}
	})
}

func (h *handler) reasoned(w http.ResponseWriter, r *http.Request, a access.Action, action string) {
	var in reasonInput
	h.transition(w, r, a, &in, func() request.Change {
		return request.Change{Action: action, Version: in.Version, Note: in.Reason}
	})
}

// transition reads a transition's body into in and applies the change it
// makes: 200 with the request; 409 with the current state when the state
// does not allow it, or with current_version when the version is stale.
func (h *handler) transition(w http.ResponseWriter, r *http.Request, a access.Action, in any, change func() request.Change) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// An unknown id is 404 before a missing right is 403.
	if err := allowReadRequests(r); err != nil {
		h.fail(w, r, err)
		return
	}
	if _, err := h.requests(r).Get(r.Context(), id); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := allow(r, a); err != nil {
		h.fail(w, r, err)
		return
	}
	if r.ContentLength != 0 {
		if err := decode(w, r, in); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	out, err := h.requests(r).Apply(r.Context(), actor(r), id, change())
	if err != nil {
		// A conflict that is not the state's own is a stale version:
		// answer it with the current one, when it can be read.
		var te *request.TransitionError
		if errors.Is(err, apperr.ErrConflict) && !errors.As(err, &te) {
			if cur, gerr := h.requests(r).Get(r.Context(), id); gerr == nil {
				err = &apperr.Stale{Current: cur.Version}
			}
		}
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, out)
}
