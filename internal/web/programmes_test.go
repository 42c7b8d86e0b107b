package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"wanhu/internal/household"
	"wanhu/internal/programme"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/visit"
)

var personOption = regexp.MustCompile(`<option value="(\d+)">李小明`)

// TestProgrammePages: the administrator creates the four-thirty class,
// enrols the family's boy from the roster with his interests, adds a
// session and records his attendance; the pages show him without any ID
// number or phone, the household file shows the class, the xlsx downloads;
// the visitor of the widow sees the class without the boy and cannot
// enrol; the statistics count him.
func TestProgrammePages(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	e.h.now = func() time.Time { return time.Date(2026, 12, 2, 2, 0, 0, 0, time.UTC) }
	admin := e.signedIn("admin")
	code, body := admin.post("/programmes", url.Values{"what": {"programme"}, "name": {"四点半课堂"}, "kind": {"four_thirty"}, "roster": {"four_thirty"},
		"capacity": {"40"}, "place": {"党群服务中心"}})
	if code != http.StatusOK || !strings.Contains(body, "四点半课堂") {
		t.Fatalf("create: %d %s", code, body)
	}
	var id int64
	if err := e.h.db.QueryRowContext(context.Background(), `SELECT id FROM programmes`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	page := fmt.Sprintf("/programmes/%d", id)
	_, body = admin.get(page)
	m := personOption.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("the boy is not a candidate: %s", body)
	}
	code, body = admin.post(page+"/enrol", url.Values{"person_id": {m[1]}, "from": {"roster"}, "interests": {"drawing", "singing"}})
	if code != http.StatusOK {
		t.Fatalf("enrol: %d", code)
	}
	mustContain(t, "programme page", body, "李小明", "画画、唱歌", "第二网格")
	mustNotContain(t, "programme page", body, "13800001111")
	code, body = admin.post(page+"/enrol", url.Values{"person_id": {m[1]}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "programme-error") {
		t.Errorf("twice: %d", code)
	}
	code, _ = admin.post(page+"/session", url.Values{"day": {"2026-12-01"}, "starts": {"16:30"}, "ends": {"18:00"}, "topic": {"画画"}})
	if code != http.StatusOK {
		t.Fatalf("session: %d", code)
	}
	var sid, eid int64
	e.h.db.QueryRowContext(context.Background(), `SELECT id FROM programme_sessions`).Scan(&sid)
	e.h.db.QueryRowContext(context.Background(), `SELECT id FROM programme_enrolments`).Scan(&eid)
	code, body = admin.post(page+"/attendance", url.Values{"session": {fmt.Sprint(sid)}, "present": {fmt.Sprint(eid)}})
	if code != http.StatusOK || !strings.Contains(body, `<td class="num">1</td>`) {
		t.Errorf("attendance: %d", code)
	}
	_, body = admin.get(fmt.Sprintf("/households/%d", e.family.ID))
	mustContain(t, "household file", body, `id="programmes"`, "四点半课堂", "李小明")
	res := admin.getRaw(page + "/export?format=xlsx")
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Type"), "spreadsheetml") {
		t.Errorf("export: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	_, body = admin.get("/programmes/stats?from=2026-11-01&to=2026-12-31")
	mustContain(t, "stats", body, `<strong>1</strong>`, "100%")
	_, body = admin.get("/programmes")
	mustContain(t, "list", body, "四点半课堂", `id="nav-programmes"`)

	// The widow's visitor sees the class, not the boy, and may not write.
	worker := e.signedIn("worker")
	code, body = worker.get(page)
	if code != http.StatusOK {
		t.Fatalf("worker: %d", code)
	}
	mustNotContain(t, "worker's page", body, "李小明", `id="enrol-form"`)
	if code, _ := worker.post(page+"/enrol", url.Values{"person_id": {m[1]}}); code != http.StatusForbidden {
		t.Errorf("worker enrols: %d", code)
	}
	// The boy leaves: the list no longer has him, his file says so.
	code, body = admin.post(page+"/withdraw", url.Values{"enrolment": {fmt.Sprint(eid)}})
	if code != http.StatusOK || strings.Contains(body, "画画、唱歌") {
		t.Errorf("withdraw: %d", code)
	}
	_, body = admin.get(fmt.Sprintf("/households/%d", e.family.ID))
	mustContain(t, "household file after leaving", body, "2026-12-02 退出")
	if code, _ := admin.get("/programmes/424242"); code != http.StatusNotFound {
		t.Errorf("missing programme: %d", code)
	}
}

// TestPublicActivitySignUp: the card's QR page lists the community's open
// activity; the resident signs up two of the household, without an
// account, and changes it to one; more than the household's places is
// refused; the form needs its token; an unknown card is 404; staff see
// the sign-up on the day, mark it attended and the ledger records it.
func TestPublicActivitySignUp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		now := time.Date(2026, 12, 2, 2, 0, 0, 0, time.UTC)
		e.h.now = func() time.Time { return now }
		ctx := context.Background()
		s := programme.NewStore(db, e.hs)
		s.SetClock(e.h.now)
		start := now.Add(72 * time.Hour)
		a, err := s.CreateActivity(ctx, household.Actor{Name: "测试"}, programme.ActivityInput{CommunityID: e.org.Community.ID, Title: "民族团结邻里节",
			Kind: "ethnic_unity", StartsAt: start, EndsAt: start.Add(2 * time.Hour), Place: "文化广场", PerHousehold: 2, Capacity: 50})
		if err != nil {
			t.Fatal(err)
		}
		toks, err := visit.CardTokens(ctx, db, []int64{e.family.ID})
		if err != nil {
			t.Fatal(err)
		}
		page := "/a/" + toks[e.family.ID] + "/activities"
		resident := e.client()
		code, body := resident.get(page)
		if code != http.StatusOK {
			t.Fatalf("public page: %d", code)
		}
		mustContain(t, "public page", body, "东兴社区", "民族团结邻里节", "文化广场", `name="people"`)
		mustNotContain(t, "public page", body, "李建国", "101")
		post := fmt.Sprintf("%s/%d", page, a.ID)
		sign := func(csrf, people string) (int, string) {
			res, body := resident.postRaw(post, url.Values{"csrf": {csrf}, "people": {people}, "phone": {"139 0000 1234"}})
			return res.StatusCode, body
		}
		if code, _ := sign("forged", "1"); code != http.StatusForbidden {
			t.Errorf("without the form's token: %d", code)
		}
		code, body = sign(csrfOf(body), "3")
		if code != http.StatusBadRequest || !strings.Contains(body, `id="act-error"`) {
			t.Errorf("three of a household: %d", code)
		}
		code, body = sign(csrfOf(body), "2")
		if code != http.StatusOK || !strings.Contains(body, `id="act-done"`) {
			t.Fatalf("sign up: %d %s", code, body)
		}
		code, body = sign(csrfOf(body), "1")
		if code != http.StatusOK {
			t.Fatalf("change: %d", code)
		}
		var n, people int
		db.QueryRowContext(ctx, `SELECT COUNT(*), SUM(people) FROM activity_signups WHERE activity_id = ?`, a.ID).Scan(&n, &people)
		if n != 1 || people != 1 {
			t.Errorf("sign-ups %d with %d people, want one of 1", n, people)
		}
		if code, _ := resident.get("/a/nonsense/activities"); code != http.StatusNotFound {
			t.Errorf("unknown card: %d", code)
		}
		admin := e.signedIn("admin")
		_, body = admin.get(fmt.Sprintf("/activities/%d", a.ID))
		mustContain(t, "list on the day", body, "2号楼", "扫码")
		var sid int64
		db.QueryRowContext(ctx, `SELECT id FROM activity_signups`).Scan(&sid)
		if code, _ := admin.post(fmt.Sprintf("/activities/%d/attended", a.ID), url.Values{"signup": {fmt.Sprint(sid)}, "attended": {"1"}}); code != http.StatusOK {
			t.Errorf("attended: %d", code)
		}
		db.QueryRowContext(ctx, `SELECT COUNT(*) FROM ledger_events WHERE type = 'joined_programme' AND household_id = ?`, e.family.ID).Scan(&n)
		if n != 1 {
			t.Errorf("%d ledger events", n)
		}
		if code, _ := admin.post(fmt.Sprintf("/activities/%d/close", a.ID), url.Values{"version": {"1"}}); code != http.StatusOK {
			t.Errorf("close: %d", code)
		}
		_, body = resident.get(page)
		mustContain(t, "closed", body, `id="act-none"`)
	})
}

// TestProgrammeEditOnThePage: what the API's PATCH does, the programme's
// page does too, on both engines: the form shows the programme as it is;
// a save at the version shown changes it; a stale version is 409, a
// capacity below the persons enrolled or an empty name 422 naming the
// field (in both languages), and neither changes anything; a worker, who
// may not edit, sees no form and is refused.
func TestProgrammeEditOnThePage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.h.now = func() time.Time { return time.Date(2026, 12, 2, 2, 0, 0, 0, time.UTC) }
		admin := e.signedIn("admin")
		if code, _ := admin.post("/programmes", url.Values{"what": {"programme"}, "name": {"四点半课堂"}, "kind": {"four_thirty"}, "roster": {"four_thirty"},
			"capacity": {"40"}, "place": {"党群服务中心"}}); code != http.StatusOK {
			t.Fatalf("create: %d", code)
		}
		var id int64
		if err := e.h.db.QueryRowContext(t.Context(), `SELECT id FROM programmes`).Scan(&id); err != nil {
			t.Fatal(err)
		}
		page := fmt.Sprintf("/programmes/%d", id)
		_, body := admin.get(page)
		mustContain(t, "edit form", body, `id="programme-edit"`, `name="version" value="1"`, `id="pe-name" name="name" required maxlength="100" value="四点半课堂"`,
			`<option value="four_thirty" selected>四点半课堂</option>`, `value="40"`, "修改项目信息")
		m := personOption.FindStringSubmatch(body)
		if m == nil {
			t.Fatal("the boy is not a candidate")
		}
		if code, _ := admin.post(page+"/enrol", url.Values{"person_id": {m[1]}, "from": {"roster"}}); code != http.StatusOK {
			t.Fatalf("enrol: %d", code)
		}

		edit := url.Values{"name": {"四点半课堂（寒假班）"}, "kind": {"four_thirty"}, "roster": {"four_thirty"}, "capacity": {"30"},
			"place": {"社区图书室"}, "description": {"放学后作业辅导和兴趣课"}, "version": {"1"}}
		code, body := admin.post(page+"/edit", edit)
		if code != http.StatusOK {
			t.Fatalf("edit: %d", code)
		}
		mustContain(t, "after the edit", body, "四点半课堂（寒假班）", "社区图书室", "放学后作业辅导和兴趣课", "1 / 30", `name="version" value="2"`)
		if code, _ := admin.post(page+"/edit", edit); code != http.StatusConflict {
			t.Errorf("stale edit: %d", code)
		}
		for _, c := range []struct {
			field, value, words string
		}{{"capacity", "0.5", "名额"}, {"name", " ", "名称"}, {"version", "二", "版本"}} {
			bad := url.Values{}
			for k, v := range edit {
				bad[k] = v
			}
			bad.Set("version", "2")
			bad.Set(c.field, c.value)
			code, body := admin.post(page+"/edit", bad)
			if code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="programme-error"`) || !strings.Contains(body, c.words) {
				t.Errorf("%s %q: %d", c.field, c.value, code)
			}
		}
		// No fewer places than the two enrolled (0 is no limit); the error
		// in English too.
		if code, _ := admin.post(page+"/enrol", url.Values{"person_id": {fmt.Sprint(e.widow.Members[0].ID)}}); code != http.StatusOK {
			t.Fatalf("enrol by hand: %d", code)
		}
		admin.get("/lang?to=en&back=/programmes")
		edit.Set("version", "2")
		edit.Set("capacity", "1")
		if code, body := admin.post(page+"/edit", edit); code != http.StatusUnprocessableEntity || !strings.Contains(body, "Places: must not be below the 2 persons enrolled") {
			t.Errorf("below the enrolled: %d", code)
		}
		for i, capacity := range []string{"0", "2"} {
			edit.Set("version", fmt.Sprint(2+i))
			edit.Set("capacity", capacity)
			if code, _ := admin.post(page+"/edit", edit); code != http.StatusOK {
				t.Errorf("capacity %s: %d", capacity, code)
			}
		}
		var p struct {
			name, place       string
			capacity, version int
		}
		if err := e.h.db.QueryRowContext(t.Context(), `SELECT name, place, capacity, version FROM programmes WHERE id = ?`, id).Scan(&p.name, &p.place, &p.capacity, &p.version); err != nil {
			t.Fatal(err)
		}
		if p.name != "四点半课堂（寒假班）" || p.place != "社区图书室" || p.capacity != 2 || p.version != 4 {
			t.Errorf("stored %+v", p)
		}
		_, body = admin.get(page)
		mustContain(t, "English form", body, "Edit the programme", "Save changes")
		mustNotContain(t, "English page", body, "⟦")

		worker := e.signedIn("worker")
		_, body = worker.get(page)
		mustNotContain(t, "worker's page", body, `id="programme-edit"`)
		edit.Set("version", "4")
		if code, _ := worker.post(page+"/edit", edit); code != http.StatusForbidden {
			t.Errorf("worker edits: %d", code)
		}
	})
}
