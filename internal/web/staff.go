package web

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"wanhu/internal/access"
	"wanhu/internal/apperr"
	"wanhu/internal/audit"
	"wanhu/internal/calendar"
	"wanhu/internal/export"
	"wanhu/internal/org"
	"wanhu/internal/staff"
)

// The staff evaluation pages (考评, issue 6): /staff lists the scorecards
// in scope, /staff/{id} is one member's scorecard with their training,
// /staff/bad-reviews the analysis of dissatisfied callbacks and
// /staff/weights the score's weights (administrators change them).

// staffPage is the list of scorecards.
type staffPage struct {
	Page
	Period  staff.Period
	Formula string
	Rows    []scorecardRow
	Grid    *gridFilter
	Query   string // from, to and grid, for the sort and export links
	Sort    string
	Export  bool
	Pager   pager
}

// staffPerPage bounds the pages of scorecards and hours: a city has
// thousands of members. Exports hold every row.
const staffPerPage = 100

// scorecardRow is one scorecard as shown.
type scorecardRow struct {
	staff.Scorecard
	Role, OnTime, Satisfaction, Score, Hours string
	Percent                                  int // of the weekly target, for the bar (at most 100)
	Components                               []componentView
	// Target is the target the card was judged against, in words
	// ("每周走访 2 户次，每月服务 8 小时"); Service the hours of service
	// against their target.
	Target, Service string
}

// componentView is one component of a score as shown.
type componentView struct {
	Name, Value string
	Weight      string
}

// staffScope is the signed-in user's scorecard scope; ok false answers 403.
func staffScopeOf(r *http.Request) (org.Scope, bool) { return access.StaffScope(user(r)) }

// staffFormula shows the score's formula with w's weights.
func staffFormula(l *Locale, w staff.Weights) string {
	return w.Formula(func(k string) string { return l.T("staff.c." + k) })
}

// row prepares c for the page.
func scorecardView(l *Locale, c staff.Scorecard) scorecardRow {
	v := scorecardRow{Scorecard: c, Role: l.Enum("role", c.Role), OnTime: staffRate(c.OnTimeRate), Satisfaction: staffRate(c.SatisfactionRate),
		Score: "—", Hours: strconv.FormatFloat(c.TrainingHours, 'f', -1, 64)}
	if c.Kind == staff.KindUser {
		v.Role = l.T("staff.kind.user")
	}
	if c.Score != nil {
		v.Score = strconv.FormatFloat(*c.Score, 'f', 1, 64)
	}
	if c.WeeklyTarget > 0 {
		v.Percent = min(100, c.WeekVisits*100/c.WeeklyTarget)
	}
	v.Target, v.Service = targetWords(l, c), oneDecimal(c.Hours)
	if c.HoursTarget > 0 {
		v.Service += " / " + oneDecimal(c.HoursTarget)
	}
	for _, k := range c.Components {
		cv := componentView{Name: l.T("staff.c." + k.Key), Value: "—", Weight: strconv.FormatFloat(k.Weight, 'f', -1, 64)}
		if k.Value != nil {
			cv.Value = strconv.FormatFloat(*k.Value, 'f', -1, 64)
		}
		v.Components = append(v.Components, cv)
	}
	return v
}

// staffRate shows a rate as a percentage, or a dash.
func staffRate(r *float64) string {
	if r == nil {
		return "—"
	}
	return strconv.FormatFloat(100**r, 'f', 1, 64) + "%"
}

// staffList shows the scorecards in scope, best first or by name, and
// downloads them for the performance review (?format=xlsx|csv, audited).
func (h *handler) staffList(w http.ResponseWriter, r *http.Request) {
	scope, ok := staffScopeOf(r)
	if !ok {
		h.forbidden(w, r)
		return
	}
	q := r.URL.Query()
	format, err := export.FormatOf(r)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	p, err := staff.PeriodOf(q.Get("from"), q.Get("to"), h.currentDay())
	if err != nil {
		h.showError(w, r, err)
		return
	}
	var grid int64
	if g := q.Get("grid"); g != "" {
		if grid, err = strconv.ParseInt(g, 10, 64); err != nil {
			h.showError(w, r, apperr.Field("grid", "number", "must be a grid id"))
			return
		}
	}
	var gf *gridFilter
	if scope.Any() { // not a visitor's own card only
		if gf, err = h.gridFilterOf(r, scope, h.locale(r).T("staff.all_grids")); err != nil {
			h.showError(w, r, err)
			return
		}
		scope, grid = gf.Scope, gf.GridID
	}
	wt, err := staff.LoadWeights(r.Context(), h.db)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	rep, err := staff.Scorecards(r.Context(), h.db, scope, p, wt, grid)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	if format != export.JSON {
		h.staffDownload(w, r, format, "scorecards", "考评", len(rep.Scorecards), p, staff.ScorecardColumns,
			func(out export.Writer) error { return staff.WriteScorecards(out, rep) })
		return
	}
	v := staffPage{Page: h.page(r, "staff.title", "staff"), Period: p, Formula: staffFormula(h.locale(r), wt), Sort: q.Get("sort"),
		Export: can(r, access.Export)}
	for _, c := range rep.Scorecards {
		v.Rows = append(v.Rows, scorecardView(v.L, c))
	}
	if v.Sort == "name" {
		slices.SortStableFunc(v.Rows, func(a, b scorecardRow) int { return cmp.Compare(a.Name, b.Name) })
	}
	v.Rows, v.Pager = pageOf("/staff", q, v.Rows, staffPerPage)
	keep := q
	keep.Del("sort")
	keep.Del("format")
	keep.Del("page")
	v.Query = keep.Encode()
	if gf != nil && (gf.Communities != nil || len(gf.Grids) > 0) {
		v.Grid = gf
	}
	h.render(w, r, http.StatusOK, "staff", v)
}

// staffDownload writes the audit entry of an export, then streams it.
func (h *handler) staffDownload(w http.ResponseWriter, r *http.Request, f export.Format, object, name string, rows int, p staff.Period,
	cols []export.Column, write func(export.Writer) error) {
	if !can(r, access.Export) {
		h.forbidden(w, r)
		return
	}
	if err := h.auditing().Export(w, r, audit.Download{Object: "staff:" + object, Detail: fmt.Sprintf("%s %d rows from=%s to=%s", f, rows, p.From, p.To),
		Format: f, Name: name, ASCIIName: "staff-" + object, Day: h.currentDay().String(), Columns: cols, Write: write}); err != nil {
		h.showError(w, r, err)
	}
}

// scorecardPage is one member's scorecard.
type scorecardPage struct {
	Page
	Period   staff.Period
	Formula  string
	C        scorecardRow
	Training []trainingRow
	Months   []staff.MonthHours  // hours of service month by month
	Entries  []staff.ServiceItem // service entered by hand in the period
	Hours    hoursForm
	Manage   bool // the user may add and delete training records
	Kinds    []Option
	Posted   map[string]string
	Error    string
	Notice   string
	Feedback feedbackTable // the thanks and complaints about them (feedback.go)
}

// trainingRow is one training record as shown.
type trainingRow struct {
	staff.TrainingRecord
	KindName, Hours string
	ScoreText       string // the test's score, "" without one
	Failed          bool   // the score is below the course's pass mark
}

// staffMember returns team member id if the user may see their
// scorecard (apperr.ErrNotFound otherwise), and whether they may manage
// the member's training records.
func (h *handler) staffMember(r *http.Request, id int64) (org.TeamMember, bool, error) {
	scope, ok := staffScopeOf(r)
	if !ok {
		return org.TeamMember{}, false, errForbidden
	}
	m, err := org.TeamMemberByID(r.Context(), h.db, id)
	if err != nil {
		return m, false, err
	}
	if err := staff.Visible(r.Context(), h.db, scope, id); err != nil {
		return m, false, err
	}
	manage, err := access.Scope(user(r)).Manages(r.Context(), h.db, m.CommunityID, m.GridID)
	return m, manage && can(r, access.PlanVisits), err
}

// staffFail answers a failed staff page: 403 for what the user may not
// do, as showError otherwise.
func (h *handler) staffFail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, errForbidden) {
		h.forbidden(w, r)
		return
	}
	h.showError(w, r, err)
}

// staffShow shows one member's scorecard: this week's visits against the
// weekly target, the components and the training records.
func (h *handler) staffShow(w http.ResponseWriter, r *http.Request) {
	h.showScorecard(w, r, http.StatusOK, nil, nil)
}

func (h *handler) showScorecard(w http.ResponseWriter, r *http.Request, status int, failure *apperr.FieldError, posted map[string]string) {
	id, err := pathID(r.PathValue("id"))
	if err != nil {
		h.staffFail(w, r, err)
		return
	}
	_, manage, err := h.staffMember(r, id)
	if err != nil {
		h.staffFail(w, r, err)
		return
	}
	scope, _ := staffScopeOf(r)
	p, err := staff.PeriodOf(r.URL.Query().Get("from"), r.URL.Query().Get("to"), h.currentDay())
	if err != nil {
		h.staffFail(w, r, err)
		return
	}
	wt, err := staff.LoadWeights(r.Context(), h.db)
	if err != nil {
		h.staffFail(w, r, err)
		return
	}
	c, err := staff.ScorecardOf(r.Context(), h.db, scope, p, wt, id)
	if err != nil {
		h.staffFail(w, r, err)
		return
	}
	tr, err := staff.Training(r.Context(), h.db, id)
	if err != nil {
		h.staffFail(w, r, err)
		return
	}
	l := h.locale(r)
	v := scorecardPage{Page: h.page(r, "", "staff"), Period: p, Formula: staffFormula(l, wt), C: scorecardView(l, *c), Manage: manage,
		Posted: posted}
	v.Title = l.T("staff.card_title", c.Name)
	if v.Posted == nil {
		v.Posted = map[string]string{"completed_on": h.currentDay().String()}
	}
	for _, t := range tr {
		row := trainingRow{TrainingRecord: t, KindName: l.T("staff.kind." + t.Kind), Hours: strconv.FormatFloat(t.Hours, 'f', -1, 64)}
		if t.Score != nil {
			row.ScoreText, row.Failed = strconv.Itoa(*t.Score), t.Passed != nil && !*t.Passed
		}
		v.Training = append(v.Training, row)
	}
	v.Kinds = choices(l, "staff.kind", staff.TrainingKinds, cmp.Or(v.Posted["kind"], staff.OnJob))
	if err := h.cardHours(r, &v, id, p); err != nil {
		h.staffFail(w, r, err)
		return
	}
	if v.Feedback, err = h.memberFeedback(r, id); err != nil {
		h.staffFail(w, r, err)
		return
	}
	if failure != nil && posted["form"] == "hours" {
		v.Hours.Error, v.Hours.Posted = l.T("hours.f."+failure.Field)+": "+l.Err(failure), posted
	} else if failure != nil {
		v.Error = l.T("staff.f."+failure.Field) + ": " + l.Err(failure)
	}
	if r.URL.Query().Get("saved") != "" {
		v.Notice = l.T("staff.training_saved")
	}
	if r.URL.Query().Get("hours_saved") != "" {
		v.Notice = l.T("hours.saved")
	}
	h.render(w, r, status, "staff_card", v)
}

// staffTrainingAdd records a course from the scorecard page's form.
func (h *handler) staffTrainingAdd(w http.ResponseWriter, r *http.Request) {
	posted := map[string]string{}
	h.staffEntryAdd(w, r, posted, []string{"course", "kind", "completed_on", "hours", "note"}, "completed_on", "saved",
		func(id int64, day calendar.Date, hours float64) error {
			t := staff.TrainingRecord{TeamMemberID: id, Course: posted["course"], Kind: posted["kind"], Note: posted["note"],
				CompletedOn: day, Hours: hours, RecordedBy: user(r).ID}
			return staff.AddTraining(r.Context(), h.db, &t, h.now())
		})
}

// staffEntryAdd handles a form of the scorecard page of the member in the
// path that adds an entry (a course, hours of service): the user must
// manage the member. It reads fields into posted, parses the day field
// and "hours" when given, saves, and goes back to the page with ?saved=1,
// or shows the page again with the field's error.
func (h *handler) staffEntryAdd(w http.ResponseWriter, r *http.Request, posted map[string]string, fields []string, dayField, saved string,
	save func(id int64, day calendar.Date, hours float64) error) {
	id, err := pathID(r.PathValue("id"))
	if err != nil {
		h.staffFail(w, r, err)
		return
	}
	if !h.staffManages(w, r, id) {
		return
	}
	for _, k := range fields {
		posted[k] = strings.TrimSpace(r.PostForm.Get(k))
	}
	fail := func(err error) {
		if fe, ok := apperr.AsField(err); ok {
			h.showScorecard(w, r, http.StatusUnprocessableEntity, fe, posted)
			return
		}
		h.showError(w, r, err)
	}
	var day calendar.Date
	if posted[dayField] != "" {
		if day, err = calendar.ParseDate(dayField, posted[dayField]); err != nil {
			fail(err)
			return
		}
	}
	var hours float64
	if posted["hours"] != "" {
		if hours, err = strconv.ParseFloat(posted["hours"], 64); err != nil {
			fail(apperr.Field("hours", "number", "must be a number of hours"))
			return
		}
	}
	if err := save(id, day, hours); err != nil {
		fail(err)
		return
	}
	seeOther(w, r, fmt.Sprintf("/staff/%d?%s=1", id, saved))
}

// staffManages reports whether the user manages team member id, and
// answers the request when not.
func (h *handler) staffManages(w http.ResponseWriter, r *http.Request, id int64) bool {
	_, manage, err := h.staffMember(r, id)
	if err == nil && !manage {
		err = errForbidden
	}
	if err != nil {
		h.staffFail(w, r, err)
		return false
	}
	return true
}

// staffTrainingDelete removes a training record entered by mistake.
func (h *handler) staffTrainingDelete(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r.PathValue("id"))
	if err != nil {
		h.staffFail(w, r, err)
		return
	}
	t, err := staff.TrainingByID(r.Context(), h.db, id)
	if err != nil {
		h.staffFail(w, r, err)
		return
	}
	if !h.staffManages(w, r, t.TeamMemberID) {
		return
	}
	if err := staff.DeleteTraining(r.Context(), h.db, id); err != nil {
		h.staffFail(w, r, err)
		return
	}
	seeOther(w, r, fmt.Sprintf("/staff/%d", t.TeamMemberID))
}

// oneDecimal writes hours with at most one decimal ("89.4" for the
// 89.36 hours a monthly target gives over a period of 11.17 months).
func oneDecimal(f float64) string { return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64) }
