package web

import (
	"cmp"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"wanhu/internal/access"
	"wanhu/internal/audit"
	"wanhu/internal/calendar"
	"wanhu/internal/export"
	"wanhu/internal/staff"
)

// hoursForm is the form that enters service by hand on a scorecard.
type hoursForm struct {
	Posted map[string]string
	Error  string
}

// targetWords says what card c was judged against.
func targetWords(l *Locale, c staff.Scorecard) string {
	var parts []string
	if c.Kind == staff.KindMember {
		if c.WeeklyTarget > 0 {
			parts = append(parts, l.T("targets.words_visits", c.WeeklyTarget))
		}
		if c.MonthlyHours > 0 {
			parts = append(parts, l.T("targets.words_hours", strconv.FormatFloat(c.MonthlyHours, 'f', -1, 64)))
		}
	}
	if c.TooFew {
		parts = append(parts, l.T("targets.words_too_few", c.Handled, c.MinHandled))
	} else if c.Handled > 0 || c.Kind == staff.KindUser {
		parts = append(parts, l.T("targets.words_min", c.MinHandled))
	}
	return strings.Join(parts, l.T("targets.sep"))
}

// cardHours fills in a scorecard page's hours by month and the service
// entered by hand in the period.
func (h *handler) cardHours(r *http.Request, v *scorecardPage, id int64, p staff.Period) error {
	v.Months = v.C.HoursByMonth
	t, err := staff.LoadTargets(r.Context(), h.db)
	if err != nil {
		return err
	}
	items, err := staff.Service(r.Context(), h.db, t, p.From, p.To, id)
	if err != nil {
		return err
	}
	for _, it := range items {
		if it.Kind == "manual" {
			v.Entries = append(v.Entries, it)
		}
	}
	if v.Hours.Posted == nil {
		v.Hours.Posted = map[string]string{"day": h.currentDay().String()}
	}
	return nil
}

// staffHoursAdd enters service by hand from the scorecard page.
func (h *handler) staffHoursAdd(w http.ResponseWriter, r *http.Request) {
	posted := map[string]string{"form": "hours"}
	h.staffEntryAdd(w, r, posted, []string{"day", "hours", "what"}, "day", "hours_saved",
		func(id int64, day calendar.Date, hours float64) error {
			e := staff.ServiceEntry{TeamMemberID: id, Day: day, Hours: hours, What: posted["what"], RecordedBy: user(r).ID, RecordedByName: actor(r).Name}
			return staff.AddService(r.Context(), h.db, &e, h.now())
		})
}

// staffHoursDelete removes service entered by mistake.
func (h *handler) staffHoursDelete(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r.PathValue("id"))
	if err != nil {
		h.staffFail(w, r, err)
		return
	}
	member, err := staff.ServiceMember(r.Context(), h.db, id)
	if err != nil {
		h.staffFail(w, r, err)
		return
	}
	if !h.staffManages(w, r, member) {
		return
	}
	if _, err := staff.DeleteService(r.Context(), h.db, id); err != nil {
		h.staffFail(w, r, err)
		return
	}
	seeOther(w, r, fmt.Sprintf("/staff/%d", member))
}

// staffService downloads a member's service record of a period (this year
// by default) as xlsx: the record a working party member's unit asks for
// (报到服务记录). Audited.
func (h *handler) staffService(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r.PathValue("id"))
	if err != nil {
		h.staffFail(w, r, err)
		return
	}
	if _, _, err := h.staffMember(r, id); err != nil {
		h.staffFail(w, r, err)
		return
	}
	scope, _ := staffScopeOf(r)
	p, err := staff.PeriodOf(r.URL.Query().Get("from"), r.URL.Query().Get("to"), h.currentDay())
	if err != nil {
		h.staffFail(w, r, err)
		return
	}
	hs, err := staff.Hours(r.Context(), h.db, scope, p.From, p.To, id)
	if err != nil {
		h.staffFail(w, r, err)
		return
	}
	t, err := staff.LoadTargets(r.Context(), h.db)
	if err != nil {
		h.staffFail(w, r, err)
		return
	}
	items, err := staff.Service(r.Context(), h.db, t, p.From, p.To, id)
	if err != nil {
		h.staffFail(w, r, err)
		return
	}
	if !can(r, access.Export) {
		h.forbidden(w, r)
		return
	}
	if err := h.auditing().Export(w, r, audit.Download{Object: fmt.Sprintf("staff:service:%d", id),
		Detail: fmt.Sprintf("xlsx %d rows from=%s to=%s", len(items), p.From, p.To), Format: export.XLSX,
		Name: "服务记录-" + hs[0].Name, ASCIIName: fmt.Sprintf("service-%d", id), Day: h.currentDay().String(), Columns: staff.ServiceColumns,
		Write: func(out export.Writer) error { return staff.WriteService(out, hs[0], items) }}); err != nil {
		h.showError(w, r, err)
	}
}

// hoursPage is the hours of service of the team in scope, month by month.
type hoursPage struct {
	Page
	From, To calendar.Date
	Months   []string
	Rows     []staff.MemberHours
	Pager    pager
}

// staffHours lists the hours of the active members in scope (this year by
// default, ?from and ?to).
func (h *handler) staffHours(w http.ResponseWriter, r *http.Request) {
	scope, ok := staffScopeOf(r)
	if !ok {
		h.forbidden(w, r)
		return
	}
	p, err := staff.PeriodOf(r.URL.Query().Get("from"), r.URL.Query().Get("to"), h.currentDay())
	if err != nil {
		h.showError(w, r, err)
		return
	}
	rows, err := staff.Hours(r.Context(), h.db, scope, p.From, p.To, 0)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	v := hoursPage{Page: h.page(r, "hours.title", "staff"), From: p.From, To: p.To}
	if len(rows) > 0 {
		for _, m := range rows[0].Months {
			v.Months = append(v.Months, m.Month)
		}
	}
	v.Rows, v.Pager = pageOf("/staff/hours", r.URL.Query(), rows, staffPerPage)
	h.render(w, r, http.StatusOK, "staff_hours", v)
}

// teamTraining marks, on the team page, the members without the pre-job
// training and shows their hours of service of the last three months.
func (h *handler) teamTraining(r *http.Request, v *teamView) error {
	var ids []int64
	for _, g := range v.Groups {
		for _, row := range g.Rows {
			ids = append(ids, row.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	today := h.currentDay()
	flag, err := staff.WithoutPreJob(r.Context(), h.db, ids, today)
	if err != nil {
		return err
	}
	from := calendar.DateOf(time.Date(today.Y, today.M-2, 1, 0, 0, 0, 0, time.UTC))
	hs, err := staff.HoursOf(r.Context(), h.db, from, today, ids)
	if err != nil {
		return err
	}
	words := map[int64]string{}
	for id, ms := range hs {
		var parts []string
		for _, mo := range ms {
			parts = append(parts, fmt.Sprintf("%s: %s", mo.Month[5:], strconv.FormatFloat(mo.Total, 'f', -1, 64)))
		}
		words[id] = strings.Join(parts, " · ")
	}
	for gi := range v.Groups {
		for ri := range v.Groups[gi].Rows {
			row := &v.Groups[gi].Rows[ri]
			row.Untrained, row.Hours = flag[row.ID], cmp.Or(words[row.ID], "—")
		}
	}
	return nil
}
