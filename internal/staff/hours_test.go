package staff

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/export"
	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// volunteer makes B a volunteer of grid 2 with a working unit.
func (w *world) volunteer(t *testing.T, role org.Role) {
	t.Helper()
	w.b.Role, w.b.Unit = role, "区税务局"
	if err := org.UpdateTeamMember(t.Context(), w.db, &w.b); err != nil {
		t.Fatal(err)
	}
}

func TestTargetsPerRole(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		w := newWorld(t, db)
		w.fill(t)
		w.volunteer(t, org.RoleVolunteer)
		// B's 8 hours of service by hand in the year, on top of 1 visit
		// this week (0.5 hours).
		e := ServiceEntry{TeamMemberID: w.b.ID, Day: calendar.Date{Y: 2026, M: 6, D: 1}, Hours: 8, What: "老人助餐", RecordedBy: w.ua}
		if err := AddService(ctx, db, &e, w.now); err != nil {
			t.Fatal(err)
		}
		p, _ := PeriodOf("", "", calendar.DateOf(w.now))
		rep, err := Scorecards(ctx, db, org.Everything, p, DefaultWeights, 0)
		if err != nil {
			t.Fatal(err)
		}
		by := map[string]Scorecard{}
		for _, c := range rep.Scorecards {
			by[c.Name] = c
		}
		b := by["李志愿"]
		// Volunteer: 2 visits a week, 8 hours a month. 1 visit this week →
		// 50; 8.5 hours in 1 Jan–25 Nov (329 days = 10.809 months, target
		// 86.47 hours) → 9.8; no pre-job, no training → 0; no requests.
		// (30×50 + 20×9.8 + 15×0) / 65 = 26.1
		if b.WeeklyTarget != 2 || b.MonthlyHours != 8 || b.HoursTarget != 86.47 || b.Hours != 8.5 || values(b) != "50 9.8 - - - 0" ||
			b.Score == nil || *b.Score != 26.1 {
			t.Errorf("volunteer %+v %s score %v", b, values(b), deref(b.Score))
		}
		if len(b.HoursByMonth) != 11 || b.HoursByMonth[5].Month != "2026-06" || b.HoursByMonth[5].Manual != 8 || b.HoursByMonth[10].Visits != 1 ||
			b.HoursByMonth[10].Total != 0.5 {
			t.Errorf("volunteer months %+v", b.HoursByMonth)
		}
		// A grid worker is judged against 30 a week: 3 visits → 10.
		a := by["张网格"]
		if a.WeeklyTarget != 30 || a.HoursTarget != 0 || a.Components[0].Value == nil || *a.Components[0].Value != 10 {
			t.Errorf("grid worker %+v", a)
		}
		// Two requests handled are too few (5 by default): dept is not
		// scored at all, instead of 100 for two on-time requests.
		d := by["dept的名字"]
		if d.Handled != 2 || !d.TooFew || d.Score != nil || values(d) != "- - - - - -" {
			t.Errorf("dept %+v %s", d, values(d))
		}
		// A has a complaint, which counts however few the requests: 100-25.
		if !a.TooFew || values(a) != "10 - - - 75 81.3" {
			t.Errorf("A %s", values(a))
		}

		// Validation: field errors naming the role's field.
		bad := DefaultTargets.complete()
		bad.Roles["volunteer"] = RoleTarget{WeeklyVisits: -1}
		if err := SaveTargets(ctx, db, bad, w.now); !isField(err, "volunteer.weekly_visits") {
			t.Errorf("negative target: %v", err)
		}
		bad.Roles["volunteer"] = RoleTarget{}
		if err := SaveTargets(ctx, db, bad, w.now); !isField(err, "volunteer.weekly_visits") {
			t.Errorf("no target at all: %v", err)
		}
		bad = DefaultTargets.complete()
		bad.MinHandled = 0
		if err := SaveTargets(ctx, db, bad, w.now); !isField(err, "min_handled") {
			t.Errorf("min handled 0: %v", err)
		}
		bad = DefaultTargets.complete()
		bad.Roles["chef"] = RoleTarget{WeeklyVisits: 1}
		if err := SaveTargets(ctx, db, bad, w.now); !isField(err, "roles") {
			t.Errorf("unknown role: %v", err)
		}
		good := DefaultTargets.complete()
		good.Roles["volunteer"] = RoleTarget{MonthlyHours: 4}
		good.MinHandled = 2
		if err := SaveTargets(ctx, db, good, w.now); err != nil {
			t.Fatal(err)
		}
		got, err := LoadTargets(ctx, db)
		if err != nil || got.Role("volunteer") != (RoleTarget{MonthlyHours: 4}) || got.MinHandled != 2 || got.Role("grid_worker").WeeklyVisits != 30 {
			t.Errorf("saved targets %+v %v", got, err)
		}
		// Now a volunteer is judged on hours only, and 2 requests are enough.
		c, err := ScorecardOf(ctx, db, org.Everything, p, DefaultWeights, w.b.ID)
		if err != nil || c.WeeklyTarget != 0 || c.Components[0].Value != nil || c.HoursTarget != 43.24 {
			t.Errorf("volunteer on hours only %+v %v", c, err)
		}
		rep, _ = Scorecards(ctx, db, org.Everything, p, DefaultWeights, 0)
		for _, c := range rep.Scorecards {
			if c.Kind == KindUser && (c.TooFew || c.Score == nil || *c.Score != 45.5) { // (20×50 + 20×0 + 15×100) ÷ 55
				t.Errorf("dept with min 2: %+v %v", c, deref(c.Score))
			}
		}
	})
}

func TestHours(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		w := newWorld(t, db)
		w.fill(t)
		w.volunteer(t, org.RolePartyMember)
		// A safety round B did from 19:00 to 20:30 on 20 November, one
		// without a start on 21 November (1 hour by default).
		for _, r := range []struct{ started, done any }{{china(11, 20, 19).UTC(), china(11, 20, 19).Add(90 * time.Minute).UTC()}, {nil, china(11, 21, 20).UTC()}} {
			if _, err := db.ExecContext(ctx, `INSERT INTO rounds(template, grid_id, org_path, state, assignee_member_id, started_at, done_at, created_at)
				VALUES ('night', ?, ?, 'done', ?, ?, ?, ?)`, w.org.Grids[1].ID, w.org.Grids[1].Path, w.b.ID, r.started, r.done, w.now.UTC()); err != nil {
				t.Fatal(err)
			}
		}
		for _, c := range []struct {
			in    ServiceEntry
			field string
		}{
			{ServiceEntry{TeamMemberID: w.b.ID, Hours: 1, What: "x"}, "day"},
			{ServiceEntry{TeamMemberID: w.b.ID, Day: calendar.Date{Y: 2026, M: 12, D: 1}, Hours: 1, What: "x"}, "day"},
			{ServiceEntry{TeamMemberID: w.b.ID, Day: calendar.Date{Y: 2026, M: 11, D: 1}, Hours: 25, What: "x"}, "hours"},
			{ServiceEntry{TeamMemberID: w.b.ID, Day: calendar.Date{Y: 2026, M: 11, D: 1}, Hours: 2, What: " "}, "what"},
			{ServiceEntry{TeamMemberID: 99999, Day: calendar.Date{Y: 2026, M: 11, D: 1}, Hours: 2, What: "x"}, "team_member_id"},
		} {
			if err := AddService(ctx, db, &c.in, w.now); !isField(err, c.field) {
				t.Errorf("%+v: %v, want a field error on %s", c.in, err, c.field)
			}
		}
		e := ServiceEntry{TeamMemberID: w.b.ID, Day: calendar.Date{Y: 2026, M: 11, D: 8}, Hours: 3, What: "社区报到：清理楼道", RecordedBy: w.ua, RecordedByName: "a"}
		if err := AddService(ctx, db, &e, w.now); err != nil {
			t.Fatal(err)
		}
		// A fake programme source: B served 2 hours in each month asked.
		var asked [][2]time.Time
		fake := func(_ context.Context, _ store.Querier, from, to time.Time) (map[int64]float64, error) {
			asked = append(asked, [2]time.Time{from, to})
			return map[int64]float64{w.b.ID: 2}, nil
		}
		from, to := calendar.Date{Y: 2026, M: 10, D: 1}, calendar.Date{Y: 2026, M: 11, D: 30}
		hs, err := Hours(ctx, db, org.Everything, from, to, w.b.ID, fake)
		if err != nil || len(hs) != 1 {
			t.Fatalf("hours %+v %v", hs, err)
		}
		h := hs[0]
		// November: 1 visit 0.5 + rounds 1.5 + 1 + by hand 3 + source 2 = 8;
		// October: source 2.
		nov := h.Months[1]
		if h.Unit != "区税务局" || h.Months[0].Total != 2 || nov.Visits != 1 || nov.Visit != 0.5 || nov.Rounds != 2 || nov.Round != 2.5 ||
			nov.Manual != 3 || nov.Other != 2 || nov.Total != 8 || h.Total != 10 {
			t.Errorf("B hours %+v", h)
		}
		if len(asked) != 2 || !asked[0][0].Equal(calendar.Date{Y: 2026, M: 10, D: 1}.Midnight()) || !asked[1][1].Equal(calendar.Date{Y: 2026, M: 12, D: 1}.Midnight()) {
			t.Errorf("source asked %v", asked)
		}
		// The source's error is the caller's.
		boom := errors.New("boom")
		if _, err := Hours(ctx, db, org.Everything, from, to, 0, func(context.Context, store.Querier, time.Time, time.Time) (map[int64]float64, error) {
			return nil, boom
		}); !errors.Is(err, boom) {
			t.Errorf("failing source: %v", err)
		}
		// Scope: grid 1's leader does not see B, as if B did not exist.
		leader := org.Scope{GridIDs: []int64{w.org.Grids[0].ID}}
		if _, err := Hours(ctx, db, leader, from, to, w.b.ID); err != apperr.ErrNotFound {
			t.Errorf("grid 1 leader reads B's hours: %v", err)
		}
		list, err := Hours(ctx, db, leader, from, to, 0)
		if err != nil || len(list) != 1 || list[0].MemberID != w.a.ID {
			t.Errorf("grid 1 leader's list %+v %v", list, err)
		}
		if _, err := Hours(ctx, db, org.Everything, to, from, 0); !isField(err, "to") {
			t.Errorf("to before from: %v", err)
		}

		// The service record for B's unit, as xlsx, read back.
		items, err := Service(ctx, db, DefaultTargets, from, to, w.b.ID, fake)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		out, err := export.NewXLSX(&buf, "报到服务", ServiceColumns)
		if err != nil {
			t.Fatal(err)
		}
		if err := WriteService(out, h, items); err != nil {
			t.Fatal(err)
		}
		if err := out.Close(); err != nil {
			t.Fatal(err)
		}
		x, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := x.GetRows(x.GetSheetName(0))
		if err != nil {
			t.Fatal(err)
		}
		last := rows[len(rows)-1]
		if rows[0][1] != "工作单位" || len(rows) != 1+6+1 || last[2] != "合计" || last[3] != "10" || rows[1][0] != "李志愿" || rows[1][1] != "区税务局" {
			t.Errorf("service xlsx %q", rows)
		}
		found := false
		for _, r := range rows {
			if len(r) > 4 && r[2] == "2026-11-08" && r[3] == "3" && r[4] == "社区报到：清理楼道" {
				found = true
			}
		}
		if !found {
			t.Errorf("the entry by hand is not in %q", rows)
		}
		if m, err := DeleteService(ctx, db, e.ID); err != nil || m != w.b.ID {
			t.Errorf("delete %d %v", m, err)
		}
		if _, err := DeleteService(ctx, db, e.ID); err != apperr.ErrNotFound {
			t.Errorf("deleted twice: %v", err)
		}
	})
}

// TestMonthHoursAgreeWithService checks the sums the database makes
// (monthHours: the team page, the hours list, the scorecards) against the
// pieces of service read one by one (Service: a member's record), both for
// a few members named in the statements and for more than fewMembers,
// whose rows are read for everyone.
func TestMonthHoursAgreeWithService(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		w := newWorld(t, db)
		w.fill(t)
		if _, err := db.ExecContext(ctx, `INSERT INTO rounds(template, grid_id, org_path, state, assignee_member_id, started_at, done_at, created_at)
			VALUES ('night', ?, ?, 'done', ?, ?, ?, ?)`, w.org.Grids[0].ID, w.org.Grids[0].Path, w.a.ID,
			china(11, 20, 19).UTC(), china(11, 20, 21).UTC(), w.now.UTC()); err != nil {
			t.Fatal(err)
		}
		for _, e := range []ServiceEntry{{TeamMemberID: w.a.ID, Day: calendar.Date{Y: 2026, M: 10, D: 31}, Hours: 1.25, What: "助餐"},
			{TeamMemberID: w.b.ID, Day: calendar.Date{Y: 2026, M: 11, D: 1}, Hours: 2, What: "清理楼道"},
			{TeamMemberID: w.b.ID, Day: calendar.Date{Y: 2026, M: 11, D: 2}, Hours: 0.5, What: "清理楼道"}} {
			e.RecordedBy = w.ua
			if err := AddService(ctx, db, &e, w.now); err != nil {
				t.Fatal(err)
			}
		}
		fake := func(context.Context, store.Querier, time.Time, time.Time) (map[int64]float64, error) {
			return map[int64]float64{w.a.ID: 1.5, 999999: 4}, nil
		}
		from, to := calendar.Date{Y: 2026, M: 9, D: 15}, calendar.Date{Y: 2026, M: 11, D: 30}
		few := []int64{w.a.ID, w.b.ID}
		many := append([]int64(nil), few...)
		for id := int64(1_000_000); len(many) <= fewMembers; id++ {
			many = append(many, id) // no such member: no rows
		}
		for _, ids := range [][]int64{few, many} {
			got, err := monthHours(ctx, db, DefaultTargets, from, to, ids, []HourSource{fake})
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range few {
				items, err := Service(ctx, db, DefaultTargets, from, to, m, fake)
				if err != nil {
					t.Fatal(err)
				}
				want := map[string]*MonthHours{}
				sum := 0.0
				for _, it := range items {
					k := it.Day.String()[:7]
					if want[k] == nil {
						want[k] = &MonthHours{Month: k}
					}
					mh := want[k]
					switch it.Kind {
					case "visit":
						mh.Visits, mh.Visit = mh.Visits+1, mh.Visit+it.Hours
					case "round":
						mh.Rounds, mh.Round = mh.Rounds+1, mh.Round+it.Hours
					case "manual":
						mh.Manual += it.Hours
					default:
						mh.Other += it.Hours
					}
					mh.Total += it.Hours
					sum += it.Hours
				}
				h := got[m]
				if len(h.months) != 3 || h.months[0].Month != "2026-09" || h.total != round2(sum) || sum == 0 {
					t.Errorf("%d members: member %d %+v, the items' total %v", len(ids), m, h, sum)
					continue
				}
				for _, mh := range h.months {
					w := MonthHours{Month: mh.Month}
					if p := want[mh.Month]; p != nil {
						w = *p
					}
					w.Visit, w.Round, w.Manual, w.Other, w.Total = round2(w.Visit), round2(w.Round), round2(w.Manual), round2(w.Other), round2(w.Total)
					if mh != w {
						t.Errorf("%d members: member %d month %s: summed %+v, items %+v", len(ids), m, mh.Month, mh, w)
					}
				}
			}
			if len(got) != len(ids) {
				t.Errorf("%d members asked, %d answered", len(ids), len(got))
			}
		}
	})
}

func TestCourses(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		w := newWorld(t, db)
		for _, c := range []struct {
			in    Course
			field string
		}{
			{Course{CommunityID: w.org.Community.ID, Kind: PreJob, Topic: "policy", PassMark: 60}, "title"},
			{Course{CommunityID: w.org.Community.ID, Title: "x", Kind: "weekly", Topic: "policy", PassMark: 60}, "kind"},
			{Course{CommunityID: w.org.Community.ID, Title: "x", Kind: PreJob, Topic: "cooking", PassMark: 60}, "topic"},
			{Course{CommunityID: w.org.Community.ID, Title: "x", Kind: PreJob, Topic: "policy", PassMark: 101}, "pass_mark"},
			{Course{CommunityID: w.org.Grids[0].ID, Title: "x", Kind: PreJob, Topic: "policy", PassMark: 60}, "community_id"},
		} {
			if err := CreateCourse(ctx, db, &c.in, w.ua, w.now); !isField(err, c.field) {
				t.Errorf("%+v: %v, want a field error on %s", c.in, err, c.field)
			}
		}
		c := Course{CommunityID: w.org.Community.ID, Title: "入户走访岗前培训", Kind: PreJob, Topic: "policy", PassMark: 80}
		if err := CreateCourse(ctx, db, &c, w.ua, w.now); err != nil {
			t.Fatal(err)
		}
		s := Session{CourseID: c.ID, Day: calendar.Date{Y: 2026, M: 11, D: 20}, Hours: 4, Place: "党群服务中心", Teacher: "王书记"}
		if err := AddSession(ctx, db, &s, w.now); err != nil {
			t.Fatal(err)
		}
		later := Session{CourseID: c.ID, Day: calendar.Date{Y: 2026, M: 12, D: 20}, Hours: 2}
		if err := AddSession(ctx, db, &later, w.now); err != nil {
			t.Fatal(err)
		}
		if err := AddSession(ctx, db, &Session{CourseID: c.ID, Day: s.Day, Hours: 0}, w.now); !isField(err, "hours") {
			t.Errorf("0 hours: %v", err)
		}
		if _, err := Attend(ctx, db, later.ID, w.a.ID, nil, w.ua, w.now); !isField(err, "session_id") {
			t.Errorf("attending a future session: %v", err)
		}
		if _, err := Attend(ctx, db, s.ID, w.a.ID, ptrInt(101), w.ua, w.now); !isField(err, "score") {
			t.Errorf("score 101: %v", err)
		}
		// A fails the test (70 < 80), B passes.
		if _, err := Attend(ctx, db, s.ID, w.a.ID, ptrInt(70), w.ua, w.now); err != nil {
			t.Fatal(err)
		}
		if _, err := Attend(ctx, db, s.ID, w.b.ID, ptrInt(90), w.ua, w.now); err != nil {
			t.Fatal(err)
		}
		today := calendar.DateOf(w.now)
		flag, err := WithoutPreJob(ctx, db, []int64{w.a.ID, w.b.ID}, today)
		if err != nil || !flag[w.a.ID] || flag[w.b.ID] {
			t.Errorf("without pre-job %v %v", flag, err)
		}
		// A retakes the test and passes: the record is replaced, not doubled.
		rec, err := Attend(ctx, db, s.ID, w.a.ID, ptrInt(85), w.ua, w.now)
		if err != nil || rec.Score == nil || *rec.Score != 85 || rec.Passed == nil || !*rec.Passed || rec.SessionID != s.ID || rec.Course != c.Title {
			t.Errorf("retake %+v %v", rec, err)
		}
		flag, _ = WithoutPreJob(ctx, db, []int64{w.a.ID, w.b.ID}, today)
		if len(flag) != 0 {
			t.Errorf("after the retake %v", flag)
		}
		// Renaming the course renames its records; a stale edit is refused.
		c.Title = "岗前培训（政策与礼仪）"
		stale := c
		if err := UpdateCourse(ctx, db, &c); err != nil {
			t.Fatal(err)
		}
		stale.Title = "旧"
		if err := UpdateCourse(ctx, db, &stale); !isStale(err, 2) {
			t.Errorf("stale edit: %v", err)
		}
		if tr, _ := Training(ctx, db, w.a.ID); len(tr) != 1 || tr[0].Course != "岗前培训（政策与礼仪）" {
			t.Errorf("A's training %+v", tr)
		}
		// Scope: grid 1's leader sees the course but only A's attendance.
		leader := org.Scope{GridIDs: []int64{w.org.Grids[0].ID}}
		got, err := CourseOf(ctx, db, leader, c.ID)
		if err != nil || got.Sessions != 2 || got.Attendees != 2 {
			t.Errorf("course %+v %v", got, err)
		}
		as, err := Attendance(ctx, db, leader, got)
		if err != nil || len(as) != 1 || as[0].MemberID != w.a.ID || *as[0].Score != 85 || !*as[0].Passed {
			t.Errorf("leader's attendance %+v %v", as, err)
		}
		if _, err := CourseOf(ctx, db, org.Scope{Paths: []string{"/none/"}}, c.ID); err != apperr.ErrNotFound {
			t.Errorf("out of scope course: %v", err)
		}
		// The attendance as xlsx, read back.
		as, _ = Attendance(ctx, db, org.Everything, got)
		var buf bytes.Buffer
		out, _ := export.NewXLSX(&buf, "签到", AttendanceColumns)
		if err := WriteAttendance(out, got, as); err != nil {
			t.Fatal(err)
		}
		if err := out.Close(); err != nil {
			t.Fatal(err)
		}
		x, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := x.GetRows(x.GetSheetName(0))
		if len(rows) != 3 || rows[1][3] != "张网格" || rows[1][6] != "85" || rows[1][7] != "是" || rows[2][1] != "2026-11-20" || rows[2][2] != "4" {
			t.Errorf("attendance xlsx %q", rows)
		}
		// A scorecard counts the pre-job course only once passed.
		p, _ := PeriodOf("", "", today)
		card, _ := ScorecardOf(ctx, db, org.Everything, p, DefaultWeights, w.a.ID)
		if card == nil || !card.PreJob {
			t.Errorf("A's card %+v", card)
		}
		// Correcting a sitting: its records follow its day and hours; a
		// sitting someone attended cannot move into the future.
		s.Day, s.Hours, s.Place = calendar.Date{Y: 2026, M: 11, D: 21}, 3.5, " 社区活动室 "
		staleSession := s
		if err := UpdateSession(ctx, db, &s, w.now); err != nil || s.Version != 2 {
			t.Fatalf("correction: version %d, %v", s.Version, err)
		}
		staleSession.Hours = 9
		if err := UpdateSession(ctx, db, &staleSession, w.now); !isStale(err, 2) {
			t.Errorf("a stale correction: %v", err)
		}
		if tr, _ := Training(ctx, db, w.a.ID); len(tr) != 1 || tr[0].CompletedOn.String() != "2026-11-21" || tr[0].Hours != 3.5 {
			t.Errorf("A's training after the correction %+v", tr)
		}
		if got, _ := SessionByID(ctx, db, s.ID); got.Place != "社区活动室" || got.Hours != 3.5 || got.Version != 2 {
			t.Errorf("corrected session %+v", got)
		}
		future := s
		future.Day = calendar.Date{Y: 2027, M: 1, D: 5}
		if err := UpdateSession(ctx, db, &future, w.now); !isField(err, "day") {
			t.Errorf("moving an attended session into the future: %v", err)
		}
		for _, bad := range []Session{{ID: s.ID, CourseID: c.ID, Day: s.Day, Hours: 25}, {ID: s.ID, CourseID: c.ID, Hours: 2}} {
			if err := UpdateSession(ctx, db, &bad, w.now); err == nil {
				t.Errorf("%+v saved", bad)
			}
		}
		if got, _ := SessionByID(ctx, db, s.ID); got.Day != s.Day || got.Hours != 3.5 {
			t.Errorf("a refused correction changed the session: %+v", got)
		}
		later.Day = calendar.Date{Y: 2027, M: 1, D: 5}
		if err := UpdateSession(ctx, db, &later, w.now); err != nil {
			t.Errorf("moving a session nobody attended: %v", err)
		}
		// A session is only reached through its own course.
		other := Course{CommunityID: w.org.Community.ID, Title: "另一门课", Kind: OnJob, Topic: "app", PassMark: 60}
		if err := CreateCourse(ctx, db, &other, w.ua, w.now); err != nil {
			t.Fatal(err)
		}
		if _, err := DeleteSession(ctx, db, other.ID, s.ID); err != apperr.ErrNotFound {
			t.Errorf("deleting a session through another course: %v", err)
		}
		wrong := s
		wrong.CourseID = other.ID
		if err := UpdateSession(ctx, db, &wrong, w.now); err != apperr.ErrNotFound {
			t.Errorf("editing a session through another course: %v", err)
		}
		// A course with sessions cannot be deleted; deleting a session
		// takes its attendance with it.
		if err := DeleteCourse(ctx, db, c.ID); !isField(err, "sessions") {
			t.Errorf("deleting a course with sessions: %v", err)
		}
		if n, err := DeleteSession(ctx, db, c.ID, s.ID); err != nil || n != 2 {
			t.Errorf("deleting the attended session: %d records, %v", n, err)
		}
		if tr, _ := Training(ctx, db, w.a.ID); len(tr) != 0 {
			t.Errorf("A's training after the session was deleted %+v", tr)
		}
		if n, err := DeleteSession(ctx, db, c.ID, later.ID); err != nil || n != 0 {
			t.Errorf("deleting the other session: %d records, %v", n, err)
		}
		if _, err := DeleteSession(ctx, db, c.ID, later.ID); err != apperr.ErrNotFound {
			t.Errorf("deleting it again: %v", err)
		}
		if err := DeleteCourse(ctx, db, c.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := CourseOf(ctx, db, org.Everything, c.ID); err != apperr.ErrNotFound {
			t.Errorf("the deleted course: %v", err)
		}
		if err := DeleteCourse(ctx, db, c.ID); err != apperr.ErrNotFound {
			t.Errorf("deleting it again: %v", err)
		}
	})
}

func ptrInt(n int) *int { return &n }

// isStale reports whether err is a conflict that knows the record is at
// version current now.
func isStale(err error, current int) bool {
	var stale *apperr.Stale
	return errors.As(err, &stale) && stale.Current == current
}

// TestVisitCountsSpanBySpan checks the counts visitCounts asks for in one
// statement per spansPerStatement spans against each span's visits
// counted on their own, for a few members named in the statement and for
// more than fewMembers: spans of a day, of a week and of the months of a
// year, a visit on each span's first instant and one just before its end.
func TestVisitCountsSpanBySpan(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		w := newWorld(t, db)
		w.fill(t)
		w.visit(t, w.hh[0], china(11, 26, 0), w.b.ID)                           // the first instant of 26 November
		w.visit(t, w.hh[0], china(11, 26, 0).Add(-time.Second), w.a.ID, w.b.ID) // the last second of 25 November
		w.visit(t, w.hh[0], china(12, 1, 0).Add(-time.Minute), w.b.ID)          // 30 November 23:59
		var spans []span
		for d := china(10, 1, 0); d.Before(china(12, 1, 0)); d = d.AddDate(0, 0, 1) {
			spans = append(spans, span{d.UTC(), d.AddDate(0, 0, 1).UTC()})
		}
		for m := time.January; m <= time.December; m++ {
			from := time.Date(2026, m, 1, 0, 0, 0, 0, calendar.China)
			spans = append(spans, span{from.UTC(), from.AddDate(0, 1, 0).UTC()})
		}
		spans = append(spans, span{china(11, 23, 0).UTC(), china(11, 30, 0).UTC()}, span{china(11, 24, 0).UTC(), china(11, 24, 0).UTC()})
		if len(spans) <= spansPerStatement {
			t.Fatalf("%d spans: one statement", len(spans))
		}
		few := []int64{w.a.ID, w.b.ID}
		many := append([]int64(nil), few...)
		for id := int64(1_000_000); len(many) <= fewMembers; id++ {
			many = append(many, id)
		}
		seen := 0
		for _, ids := range [][]int64{few, many} {
			got, err := visitCounts(ctx, db, spans, ids)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(spans) {
				t.Fatalf("%d spans, %d counts", len(spans), len(got))
			}
			for i, s := range spans {
				want := map[int64]int{}
				rows, err := db.QueryContext(ctx, `SELECT team_member_id, COUNT(*) FROM visit_visitors WHERE at >= ? AND at < ? GROUP BY team_member_id`, s.from, s.to)
				if err != nil {
					t.Fatal(err)
				}
				for rows.Next() {
					var m int64
					var n int
					if err := rows.Scan(&m, &n); err != nil {
						t.Fatal(err)
					}
					want[m] = n
				}
				rows.Close()
				for _, m := range few {
					seen += want[m]
					if got[i][m] != want[m] {
						t.Errorf("%d members, span %d (%s to %s): member %d counted %d, the span's visits %d", len(ids), i, s.from, s.to, m, got[i][m], want[m])
					}
				}
			}
		}
		if seen == 0 {
			t.Error("no visits in the spans")
		}
	})
}
