package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"wanhu/internal/auth"
	"wanhu/internal/household"
	"wanhu/internal/programme"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestProgrammeCorrectionsOnThePage: on the programme's page the
// administrator corrects a session (its form filled with the session as
// saved; a refused correction shows its error and what was posted; a
// stale one is 409), cannot delete the session the boy came to (409 with
// why, and no delete button), deletes one added by mistake, and changes
// the boy's interests; the first grid's leader cannot reach the boy's
// enrolment, the widow's visitor cannot write; in English too.
func TestProgrammeCorrectionsOnThePage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.h.now = func() time.Time { return time.Date(2026, 12, 2, 2, 0, 0, 0, time.UTC) }
		ctx := t.Context()
		if _, err := e.h.auth.CreateUser(ctx, "leader1", "一网格长", testPassword, auth.Grant{Role: auth.GridLeader, OrgUnitID: e.org.Grids[0].ID}); err != nil {
			t.Fatal(err)
		}
		s := programme.NewStore(db, e.hs)
		s.SetClock(e.h.now)
		clerk := household.Actor{Name: "测试"}
		p, err := s.CreateProgramme(ctx, clerk, programme.ProgrammeInput{CommunityID: e.org.Community.ID, Name: "四点半课堂", Kind: programme.FourThirty,
			Place: "党群服务中心"})
		if err != nil {
			t.Fatal(err)
		}
		var boy int64
		for _, m := range e.family.Members {
			if m.Name == "李小明" {
				boy = m.ID
			}
		}
		en, err := s.Enrol(ctx, clerk, p.ID, programme.EnrolInput{PersonID: boy, Interests: []string{"drawing"}})
		if err != nil {
			t.Fatal(err)
		}
		start := time.Date(2026, 12, 1, 8, 30, 0, 0, time.UTC) // 16:30 China
		held, err := s.AddSession(ctx, clerk, p.ID, programme.SessionInput{StartsAt: start, EndsAt: start.Add(90 * time.Minute), Topic: "画画"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetAttendance(ctx, p.ID, held.ID, []int64{en.ID}); err != nil {
			t.Fatal(err)
		}
		mistake, err := s.AddSession(ctx, clerk, p.ID, programme.SessionInput{StartsAt: start.Add(24 * time.Hour), EndsAt: start.Add(25 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		page := fmt.Sprintf("/programmes/%d", p.ID)
		admin := e.signedIn("admin")

		// The form, filled with the session as saved, without a delete
		// button: the boy came.
		_, body := admin.get(fmt.Sprintf("%s?edit=%d", page, held.ID))
		mustContain(t, "correction form", body, `id="session-edit"`, `name="version" value="1"`, `name="day" type="date" required value="2026-12-01"`,
			`name="starts" type="time" required value="16:30"`, `name="ends" type="time" required value="18:00"`, `value="画画"`, "修改课次：2026-12-01 16:30–18:00",
			`id="session-delete-refused"`, "已记录 1 人次出勤")
		mustNotContain(t, "correction form", body, `id="session-delete-button"`)
		_, body = admin.get(page)
		mustContain(t, "session list", body, fmt.Sprintf(`href="%s?edit=%d#session-edit"`, page, held.ID), fmt.Sprintf(`href="%s?interests=%d#interests-form"`, page, en.ID))
		mustNotContain(t, "session list", body, `id="session-edit"`, `id="interests-form"`)

		fix := url.Values{"session": {fmt.Sprint(held.ID)}, "version": {"1"}, "day": {"2026-12-01"}, "starts": {"17:00"}, "ends": {"16:00"}, "topic": {"唱歌"}}
		code, body := admin.post(page+"/session-edit", fix)
		if code != http.StatusUnprocessableEntity {
			t.Fatalf("ends before it starts: %d", code)
		}
		mustContain(t, "refused correction", body, `id="programme-error"`, "结束时间: 应晚于开始时间", `id="session-edit"`, `value="唱歌"`, `value="17:00"`)
		fix.Set("ends", "18:30")
		code, body = admin.post(page+"/session-edit", fix)
		if code != http.StatusOK {
			t.Fatalf("correction: %d", code)
		}
		mustContain(t, "after the correction", body, "2026-12-01 17:00–18:30", "唱歌")
		if code, _ := admin.post(page+"/session-edit", fix); code != http.StatusConflict {
			t.Errorf("stale correction: %d", code)
		}
		fix.Set("version", "二")
		if code, body := admin.post(page+"/session-edit", fix); code != http.StatusUnprocessableEntity || !strings.Contains(body, "版本") {
			t.Errorf("no version: %d", code)
		}
		var version int
		var topic string
		if err := db.QueryRowContext(ctx, `SELECT version, topic FROM programme_sessions WHERE id = ?`, held.ID).Scan(&version, &topic); err != nil || version != 2 || topic != "唱歌" {
			t.Fatalf("saved: %d %q %v", version, topic, err)
		}

		// Deleting: refused for the attended session, done for the mistake.
		code, body = admin.post(page+"/session-delete", url.Values{"session": {fmt.Sprint(held.ID)}})
		if code != http.StatusConflict || !strings.Contains(body, "出勤计入统计，不能删除") {
			t.Errorf("attended session deleted: %d", code)
		}
		_, body = admin.get(fmt.Sprintf("%s?edit=%d", page, mistake.ID))
		mustContain(t, "the mistake's form", body, `id="session-delete-button"`, `data-confirm="删除 2026-12-02 16:30–17:30 这次课？`)
		if code, _ := admin.post(page+"/session-delete", url.Values{"session": {fmt.Sprint(mistake.ID)}}); code != http.StatusOK {
			t.Errorf("delete: %d", code)
		}
		if code, _ := admin.post(page+"/session-delete", url.Values{"session": {fmt.Sprint(mistake.ID)}}); code != http.StatusNotFound {
			t.Errorf("deleted twice: %d", code)
		}
		if n := countRows(t, db, fmt.Sprintf(`SELECT COUNT(*) FROM programme_sessions WHERE programme_id = %d`, p.ID)); n != 1 {
			t.Errorf("sessions left: %d", n)
		}

		// Interests.
		_, body = admin.get(fmt.Sprintf("%s?interests=%d", page, en.ID))
		mustContain(t, "interests form", body, `id="interests-form"`, "修改兴趣：李小明", `value="drawing" checked`)
		code, body = admin.post(page+"/interests", url.Values{"enrolment": {fmt.Sprint(en.ID)}, "interests": {"singing", "reading"}})
		if code != http.StatusOK {
			t.Fatalf("interests: %d", code)
		}
		mustContain(t, "after the interests", body, "唱歌、阅读")
		code, body = admin.post(page+"/interests", url.Values{"enrolment": {fmt.Sprint(en.ID)}, "interests": {"poker"}})
		if code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="interests-form"`) || !strings.Contains(body, "兴趣: ") {
			t.Errorf("an interest of nowhere: %d", code)
		}
		if code, _ := admin.post(page+"/interests", url.Values{"enrolment": {fmt.Sprint(en.ID)}, "interests": {"drawing"}, "csrf": {"forged"}}); code != http.StatusForbidden {
			t.Errorf("without the form's token: %d", code)
		}

		// The first grid's leader does not reach the boy; the widow's
		// visitor may not write.
		leader := e.signedIn("leader1")
		if code, _ := leader.post(page+"/interests", url.Values{"enrolment": {fmt.Sprint(en.ID)}}); code != http.StatusNotFound {
			t.Errorf("leader sets another grid's interests: %d", code)
		}
		if code, body := leader.post(page+"/session-delete", url.Values{"session": {fmt.Sprint(held.ID)}}); code != http.StatusConflict || !strings.Contains(body, "其他网格") {
			t.Errorf("leader deletes a session another grid's child came to: %d", code)
		}
		worker := e.signedIn("worker")
		if code, _ := worker.post(page+"/session-edit", fix); code != http.StatusForbidden {
			t.Errorf("visitor corrects: %d", code)
		}
		_, body = worker.get(fmt.Sprintf("%s?edit=%d", page, held.ID))
		mustNotContain(t, "visitor's page", body, `id="session-edit"`, "?edit=")

		// In English.
		admin.get("/lang?to=en&back=/programmes")
		_, body = admin.get(fmt.Sprintf("%s?edit=%d", page, held.ID))
		mustContain(t, "English form", body, "Correct the session of 2026-12-01 17:00–18:30", "1 attendances are recorded")
		fix.Set("version", "2")
		fix.Set("topic", strings.Repeat("课", 201))
		if code, body := admin.post(page+"/session-edit", fix); code != http.StatusUnprocessableEntity || !strings.Contains(body, "Topic: ") {
			t.Errorf("too long a topic: %d", code)
		}
	})
}
