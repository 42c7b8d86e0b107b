package web

import (
	"net/http"
	"strconv"

	"wanhu/internal/access"
	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/proactive"
	"wanhu/internal/request"
)

// tasks returns the proactive tasks as the signed-in user may see them.
func (h *handler) tasks(r *http.Request) *proactive.Store {
	s := proactive.NewStore(h.db).In(access.Scope(user(r)))
	s.SetClock(h.now)
	return s
}

// taskBlock is a list of proactive tasks with their actions, as the task
// list, the today page and the household file show it (layouts/tasks.html).
type taskBlock struct {
	L          *Locale
	CSRF       string
	Back       string // where an action returns to
	Items      []taskItem
	Categories []Option // of a request made from a task; none: no such action
	ShowHouse  bool     // link each task to its household
}

// taskItem is one task as shown.
type taskItem struct {
	proactive.Task
	RuleName string
	StateNow string
	Late     bool
	IsOpen   bool
}

// taskBlockOf shows ts, with the actions the user of r may take.
func (h *handler) taskBlockOf(r *http.Request, p Page, ts []proactive.Task, back string, house bool) (taskBlock, error) {
	b := taskBlock{L: p.L, CSRF: p.CSRF, Back: back, ShowHouse: house}
	today := calendar.DayOf(h.now())
	for _, t := range ts {
		b.Items = append(b.Items, taskItem{Task: t, RuleName: p.L.T("proactive.rule." + t.Rule), StateNow: p.L.Enum("task_state", t.State),
			Late: t.State == proactive.Open && t.Due.Before(today), IsOpen: t.State == proactive.Open})
	}
	if can(r, access.SubmitRequests) && len(ts) > 0 {
		cs, err := request.Categories(r.Context(), h.db)
		if err != nil {
			return b, err
		}
		for _, c := range cs {
			b.Categories = append(b.Categories, Option{Value: c.Code, Label: p.L.Name(c.Name, c.NameEN)})
		}
	}
	return b, nil
}

// tasksPage is the list of proactive tasks (未诉先办) for the grid leader.
type tasksPage struct {
	Page
	State, Rule string
	GridID      int64
	States      []Option
	Rules       []Option
	Tasks       taskBlock
	Pager       pager
}

const tasksPerPage = 50

// taskList lists the tasks of the user's scope: ?state= (open by
// default, all), ?rule=, ?grid=, ?page=.
func (h *handler) taskList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v := tasksPage{Page: h.page(r, "tasks.title", "tasks"), State: q.Get("state"), Rule: q.Get("rule")}
	if _, ok := q["state"]; !ok {
		v.State = proactive.Open
	}
	v.GridID, _ = strconv.ParseInt(q.Get("grid"), 10, 64)
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	ts, total, err := h.tasks(r).List(r.Context(), proactive.Filter{State: v.State, Rule: v.Rule, GridID: v.GridID, Page: page, Per: tasksPerPage})
	if err != nil {
		h.showError(w, r, err)
		return
	}
	v.States = []Option{{Value: "all", Label: v.L.T("tasks.all_states"), Selected: v.State == ""}}
	for _, s := range proactive.States {
		v.States = append(v.States, Option{Value: s, Label: v.L.Enum("task_state", s), Selected: s == v.State})
	}
	v.Rules = []Option{{Value: "", Label: v.L.T("tasks.all_rules")}}
	for _, rl := range proactive.Rules {
		v.Rules = append(v.Rules, Option{Value: rl.Code(), Label: v.L.T("proactive.rule." + rl.Code()), Selected: rl.Code() == v.Rule})
	}
	if v.Tasks, err = h.taskBlockOf(r, v.Page, ts, r.URL.RequestURI(), true); err != nil {
		h.showError(w, r, err)
		return
	}
	v.Pager = newPager("/tasks", q, page, tasksPerPage, total)
	h.render(w, r, http.StatusOK, "tasks", v)
}

// taskAct does, dismisses (reason) or turns into a request (category)
// task {id}, then returns to back.
func (h *handler) taskAct(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.showError(w, r, apperr.ErrNotFound)
		return
	}
	s := h.tasks(r)
	switch r.PathValue("action") {
	case "done":
		_, err = s.MarkDone(r.Context(), actor(r), id)
	case "dismiss":
		_, err = s.Dismiss(r.Context(), actor(r), id, r.PostForm.Get("reason"))
	case "request":
		if !can(r, access.SubmitRequests) {
			h.forbidden(w, r)
			return
		}
		var req *request.Request
		_, req, err = s.Convert(r.Context(), actor(r), id, h.requests(r), request.Input{Category: r.PostForm.Get("category")})
		if err == nil {
			seeOther(w, r, "/requests/"+strconv.FormatInt(req.ID, 10))
			return
		}
	default:
		h.showError(w, r, apperr.ErrNotFound)
		return
	}
	if err != nil {
		h.showError(w, r, err)
		return
	}
	back := "/tasks"
	if b := r.PostForm.Get("back"); b != "" {
		back = localPath(b)
	}
	seeOther(w, r, back)
}
