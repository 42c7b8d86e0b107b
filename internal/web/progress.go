package web

import (
	"net/http"
	"strconv"

	"wanhu/internal/access"
	"wanhu/internal/calendar"
	"wanhu/internal/visit"
)

// progressPage is the grid leader's page: how far the grid is with this
// week's visits against the weekly target, the overdue list and the
// not-at-home follow-ups.
type progressPage struct {
	Page
	Grid          *gridFilter
	Weeks         []Option
	GridID        int64
	Week          string
	Progress      *visit.Progress
	Percent       int // of the target, for the bar
	Outcomes      []Option
	Overdue       []dueRow
	OverdueTotal  int
	FollowUps     []followUpRow
	FollowUpTotal int
}

type followUpRow struct {
	visit.FollowUp
	Badge Badge
	At    string
}

const (
	progressOverdue   = 20
	progressFollowUps = 50
)

// progressWeeks offers this week and the seven before it.
func progressWeeks(today calendar.Date, chosen string) []Option {
	w := visit.WeekOf(today)
	var out []Option
	for range 8 {
		out = append(out, weekOption(w, chosen))
		w = visit.WeekOf(calendar.DateOf(w.Monday().Time().AddDate(0, 0, -7)))
	}
	return out
}

// visitProgress shows the progress of the chosen grid (the first in scope
// by default) in the chosen week (this one by default).
func (h *handler) visitProgress(w http.ResponseWriter, r *http.Request) {
	v := progressPage{Page: h.page(r, "progress.title", "progress")}
	q, vs := r.URL.Query(), h.visits(r)
	today := h.currentDay()
	v.Week = q.Get("week")
	if v.Week == "" {
		v.Week = visit.WeekOf(today).String()
	}
	week, err := visit.ParseWeek("week", v.Week)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	v.Weeks = progressWeeks(today, v.Week)
	gf, err := h.gridFilterOf(r, access.Scope(v.User), "")
	if err != nil {
		h.showError(w, r, err)
		return
	}
	v.Grid, v.GridID = gf, gf.GridID
	if v.GridID != 0 {
		if err := v.load(r, vs, week); err != nil {
			h.showError(w, r, err)
			return
		}
	}
	h.render(w, r, http.StatusOK, "progress", v)
}

// load reads the grid's progress, overdue households and follow-ups.
func (v *progressPage) load(r *http.Request, vs *visit.Store, week visit.Week) error {
	ctx, l := r.Context(), v.L
	p, err := vs.Progress(ctx, v.GridID, week)
	if err != nil {
		return err
	}
	v.Progress = p
	if p.Target > 0 {
		v.Percent = min(p.Visits*100/p.Target, 100)
	}
	for _, o := range visit.Outcomes {
		v.Outcomes = append(v.Outcomes, Option{Value: strconv.Itoa(p.ByOutcome[o]), Label: l.Enum("visit_outcome", o)})
	}
	ds, total, err := vs.Due(ctx, visit.DueFilter{GridID: v.GridID, OverdueOnly: true, PerPage: progressOverdue})
	if err != nil {
		return err
	}
	v.OverdueTotal = total
	for _, d := range ds {
		v.Overdue = append(v.Overdue, dueRow{Due: d, Badge: badge(l, d.Colour)})
	}
	fs, total, err := vs.FollowUps(ctx, v.GridID, 1, progressFollowUps)
	if err != nil {
		return err
	}
	v.FollowUpTotal = total
	for _, f := range fs {
		v.FollowUps = append(v.FollowUps, followUpRow{FollowUp: f, Badge: badge(l, f.Colour), At: l.Time(f.LastVisitAt)})
	}
	return nil
}
