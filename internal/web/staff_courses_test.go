package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"wanhu/internal/calendar"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestCoursesAndHoursPages: on a community without any training or hours
// yet, the pages open empty; the admin creates a course (a bad pass mark
// names its field), adds a session and records 小张's attendance with a
// failing score, which the plan's flag and 小张's card then show; hours
// entered by hand show on the card by month; the worker may read but not
// enter; a stale course edit is refused; a session is corrected (its
// attendance follows) and deleted, an attendance removed, and the course,
// once it has no session, deleted.
func TestCoursesAndHoursPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := t.Context()
		var member int64
		if err := db.QueryRowContext(ctx, `SELECT id FROM team_members WHERE name = '小张'`).Scan(&member); err != nil {
			t.Fatal(err)
		}
		admin := e.signedIn("admin")
		for _, p := range []string{"/staff/targets", "/staff/hours", "/training", "/team"} {
			if status, body := admin.get(p); status != http.StatusOK {
				t.Errorf("GET %s on an empty community: %d %s", p, status, pageText(body))
			}
		}
		_, body := admin.get("/training")
		mustContain(t, "no courses", body, `id="courses-empty"`, `id="course-form"`)
		admin.csrf = csrfOf(body)
		form := url.Values{"community_id": {fmt.Sprint(e.org.Community.ID)}, "title": {"岗前培训"}, "kind": {"pre_job"}, "topic": {"manners"}, "pass_mark": {"120"}}
		if status, body := admin.post("/training", form); status != http.StatusUnprocessableEntity || !strings.Contains(body, "及格分") {
			t.Errorf("bad pass mark: %d %s", status, pageText(body))
		}
		form.Set("pass_mark", "80")
		status, body := admin.post("/training", form)
		if status != http.StatusOK || !strings.Contains(body, "培训课程：岗前培训") {
			t.Fatalf("create: %d %s", status, pageText(body))
		}
		var course int64
		if err := db.QueryRowContext(ctx, `SELECT id FROM training_courses`).Scan(&course); err != nil {
			t.Fatal(err)
		}
		page := fmt.Sprintf("/training/%d", course)
		today := calendar.Today().String()
		if status, body := admin.post(page+"/sessions", url.Values{"day": {today}, "hours": {"abc"}}); status != http.StatusUnprocessableEntity || !strings.Contains(body, "学时") {
			t.Errorf("bad hours: %d", status)
		}
		if status, _ := admin.post(page+"/sessions", url.Values{"day": {today}, "hours": {"4"}, "place": {"党群服务中心"}}); status != http.StatusOK {
			t.Fatalf("session: %d", status)
		}
		var session int64
		if err := db.QueryRowContext(ctx, `SELECT id FROM training_sessions`).Scan(&session); err != nil {
			t.Fatal(err)
		}
		if status, body := admin.post(page+"/attendance", url.Values{"session_id": {fmt.Sprint(session)}, "team_member_id": {fmt.Sprint(member)}, "score": {"70"}}); status != http.StatusOK ||
			!strings.Contains(body, "未及格") {
			t.Errorf("attendance: %d %s", status, pageText(body))
		}
		card := fmt.Sprintf("/staff/%d", member)
		_, body = admin.get(card)
		mustContain(t, "card", body, "成绩 70", "未及格", `id="staff-prejob">未完成<`)
		if status, _ := admin.post(card+"/hours", url.Values{"day": {today}, "hours": {"2.5"}, "what": {""}}); status != http.StatusUnprocessableEntity {
			t.Errorf("hours without what: %d", status)
		}
		if status, body := admin.post(card+"/hours", url.Values{"day": {today}, "hours": {"2.5"}, "what": {"楼道清理"}}); status != http.StatusOK ||
			!strings.Contains(body, "服务时长已登记") || !strings.Contains(body, "楼道清理") {
			t.Errorf("hours: %d %s", status, pageText(body))
		}
		// A stale edit of the course is refused.
		edit := url.Values{"title": {"岗前培训（礼仪）"}, "kind": {"pre_job"}, "topic": {"manners"}, "pass_mark": {"60"}, "version": {"1"}}
		if status, _ := admin.post(page, edit); status != http.StatusOK {
			t.Errorf("edit: %d", status)
		}
		if status, _ := admin.post(page, edit); status != http.StatusConflict {
			t.Errorf("stale edit: %d", status)
		}
		// Pass mark now 60: 小张 passed.
		_, body = admin.get(card)
		mustContain(t, "card after the edit", body, `id="staff-prejob">已完成<`, "岗前培训（礼仪）")
		// The worker reads their own card, enters nothing.
		worker := e.signedIn("worker")
		_, body = worker.get(card)
		mustContain(t, "worker's card", body, "楼道清理")
		mustNotContain(t, "worker's card", body, `id="hours-form"`)
		worker.csrf = csrfOf(body)
		if status, _ := worker.post(card+"/hours", url.Values{"day": {today}, "hours": {"1"}, "what": {"x"}}); status != http.StatusForbidden {
			t.Errorf("worker enters hours: %d", status)
		}
		var entry int64
		if err := db.QueryRowContext(ctx, `SELECT id FROM service_hours`).Scan(&entry); err != nil {
			t.Fatal(err)
		}
		del := fmt.Sprintf("/staff/hours/%d/delete", entry)
		if status, _ := worker.post(del, url.Values{}); status != http.StatusForbidden {
			t.Errorf("worker deletes hours: %d", status)
		}
		if status, body := admin.post(del, url.Values{}); status != http.StatusOK || strings.Contains(body, "楼道清理") {
			t.Errorf("delete hours: %d", status)
		}
		if status, _ := admin.post(del, url.Values{}); status != http.StatusNotFound {
			t.Errorf("deleted twice: %d", status)
		}

		// A session entered wrong is corrected: its attendance follows;
		// a refused correction shows the session's form open with what
		// was typed, and changes nothing.
		sess := fmt.Sprintf("%s/sessions/%d", page, session)
		for _, path := range []string{sess, sess + "/delete", page + "/delete", fmt.Sprintf("%s/attendance/1/delete", page)} {
			if status, _ := worker.post(path, url.Values{"day": {today}, "hours": {"1"}}); status != http.StatusForbidden {
				t.Errorf("worker posts %s: %d", path, status)
			}
		}
		status, body = admin.post(sess, url.Values{"day": {today}, "hours": {"30"}, "place": {"活动室"}, "version": {"1"}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "学时") || !strings.Contains(body, `class="session-edit" open`) || !strings.Contains(body, `value="30"`) {
			t.Errorf("bad correction: %d %s", status, pageText(body))
		}
		if status, body := admin.post(sess, url.Values{"day": {today}, "hours": {"3.5"}, "place": {"社区活动室"}, "version": {"1"}}); status != http.StatusOK ||
			!strings.Contains(body, "3.5 h · 社区活动室") {
			t.Errorf("correction: %d %s", status, pageText(body))
		} else if _, form, _ := strings.Cut(body, `action="`+sess+`"`); !strings.Contains(form[:min(len(form), 300)], `name="version" value="2"`) {
			t.Errorf("the session's form after the correction: %.300s", form)
		}
		if status, _ := admin.post(sess, url.Values{"day": {today}, "hours": {"5"}, "version": {"1"}}); status != http.StatusConflict {
			t.Errorf("a stale correction: %d", status)
		}
		if status, body := admin.post(sess, url.Values{"day": {"2030-01-01"}, "hours": {"5"}, "version": {"2"}}); status != http.StatusUnprocessableEntity ||
			!strings.Contains(body, "已有 1 名队员签到，日期不能晚于今天") {
			t.Errorf("an attended session into the future: %d %s", status, pageText(body))
		}
		_, body = admin.get(card)
		mustContain(t, "card after the correction", body, "3.5")
		// A course with a session is not deleted: the page says why.
		if status, body := admin.post(page+"/delete", url.Values{}); status != http.StatusUnprocessableEntity || !strings.Contains(body, "课程还有 1 个场次，请先删除场次") {
			t.Errorf("deleting a course with a session: %d %s", status, pageText(body))
		}
		// 小张's attendance, removed from the course page; then the
		// session, whose delete button told how many records go.
		var record int64
		if err := db.QueryRowContext(ctx, `SELECT id FROM training_records WHERE session_id = ?`, session).Scan(&record); err != nil {
			t.Fatal(err)
		}
		_, body = admin.get(page)
		mustContain(t, "course page", body, fmt.Sprintf(`action="%s/attendance/%d/delete"`, page, record), "删除此场次及其 1 条签到记录")
		mustNotContain(t, "course page with a session", body, `id="course-delete"`)
		if status, _ := admin.post(fmt.Sprintf("/training/%d/attendance/%d/delete", course+1000, record), url.Values{}); status != http.StatusNotFound {
			t.Errorf("an attendance through another course: %d", status)
		}
		if status, body := admin.post(fmt.Sprintf("%s/attendance/%d/delete", page, record), url.Values{}); status != http.StatusOK || strings.Contains(body, `data-member="`) {
			t.Errorf("removing the attendance: %d %s", status, pageText(body))
		}
		if status, body := admin.post(sess+"/delete", url.Values{}); status != http.StatusOK || !strings.Contains(body, "还没有场次") || !strings.Contains(body, `id="course-delete"`) {
			t.Errorf("deleting the session: %d %s", status, pageText(body))
		}
		if status, body := admin.post(page+"/delete", url.Values{}); status != http.StatusOK || !strings.Contains(body, "课程已删除") || !strings.Contains(body, `id="courses-empty"`) {
			t.Errorf("deleting the course: %d %s", status, pageText(body))
		}
		if status, _ := admin.get(page); status != http.StatusNotFound {
			t.Errorf("the deleted course: %d", status)
		}
	})
}
