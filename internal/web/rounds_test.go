package web

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

var roundURL = regexp.MustCompile(`^/rounds/(\d+)$`)

// TestRoundOnThePhone: the grid worker starts a night round, the phone's
// queue sends the checklist with a manhole cover missing at 1号楼 (twice,
// as a retry does), and the round shows the request it made; the hazards,
// the compound's plan, the shop's check on its file and the fire-safety
// roster follow. Another grid's round is not the worker's.
func TestRoundOnThePhone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		worker := e.signedIn("worker")
		code, body := worker.get("/rounds")
		if code != http.StatusOK {
			t.Fatalf("rounds: %d", code)
		}
		mustContain(t, "rounds", body, "安全排查", `id="round-start-form"`, `id="nav-rounds"`)
		mustNotContain(t, "rounds of a worker", body, `id="round-schedule-form"`)
		res, _ := worker.postRaw("/rounds", url.Values{"csrf": {worker.csrf}, "template": {"night_public"}, "grid_id": {fmt.Sprint(e.org.Grids[0].ID)}})
		m := roundURL.FindStringSubmatch(res.Header.Get("Location"))
		if res.StatusCode != http.StatusSeeOther || m == nil {
			t.Fatalf("start: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		page := m[0]
		_, body = worker.get(page)
		mustContain(t, "checklist", body, `data-sync="/rounds/`+m[1]+`/sync"`, `name="ok.manhole_cover"`, "井盖", "1号楼", staticURL(t, "round.js"))
		form := url.Values{"csrf": {worker.csrf}, "client_id": {"phone-q1"}, "ok.manhole_cover": {"0"}, "note.manhole_cover": {"井盖缺失"},
			"building.manhole_cover": {fmt.Sprint(e.org.Buildings[0].ID)}, "ok.fire_door": {"1"}, "lat": {"36.6"}, "lng": {"101.8"}}
		for range 2 {
			res, body := worker.postRaw(page+"/sync", form)
			if res.StatusCode != http.StatusOK || !strings.Contains(body, `"id":`+m[1]) {
				t.Fatalf("sync: %d %s", res.StatusCode, body)
			}
		}
		_, body = worker.get(page)
		mustContain(t, "done", body, `id="round-results"`, "不合格", "井盖缺失", `class="round-request"`, "紧急")
		var n int
		storetest.Scan(t, db.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM requests WHERE urgency = 'urgent' AND state = 'accepted'`), &n)
		if n != 1 {
			t.Errorf("%d urgent requests accepted, want 1", n)
		}
		if res, _ := worker.postRaw(page+"/sync", url.Values{"csrf": {worker.csrf}, "client_id": {"phone-q2"}, "ok.fire_door": {"1"}}); res.StatusCode != http.StatusConflict {
			t.Errorf("a second recording: %d, want 409", res.StatusCode)
		}

		admin := e.signedIn("admin")
		_, body = admin.get("/hazards?open=1")
		mustContain(t, "hazards", body, "井盖", "1号楼", "一化小区", fmt.Sprintf(`href="/compounds/%d/plan"`, e.org.Compound.ID))
		_, body = admin.get(fmt.Sprintf("/compounds/%d/plan", e.org.Compound.ID))
		mustContain(t, "plan", body, `<svg class="compound-plan"`, `class="plan-yellow"`, `class="plan-green"`, "2号楼")

		// The shop's fire-safety check, from its file.
		shop := fmt.Sprintf("/households/%d", e.shop.ID)
		_, body = admin.get(shop)
		mustContain(t, "shop file", body, `id="shop-checks"`, "还没有消防检查记录", `id="shop-check-start"`)
		res, _ = admin.postRaw("/rounds", url.Values{"csrf": {admin.csrf}, "template": {"shop_fire"}, "household_id": {fmt.Sprint(e.shop.ID)}})
		sm := roundURL.FindStringSubmatch(res.Header.Get("Location"))
		if sm == nil {
			t.Fatalf("shop check: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		if code, _ := worker.get(sm[0]); code != http.StatusNotFound {
			t.Errorf("the worker reads the second grid's round: %d", code)
		}
		var img bytes.Buffer
		png.Encode(&img, image.NewGray(image.Rect(0, 0, 40, 30)))
		code, body = admin.postPhotos(sm[0]+"/results", map[string]string{"ok.extinguisher": "1", "ok.gas": "0"}, []byte("%PDF-1.4 not a photo"))
		if code != http.StatusUnprocessableEntity || !strings.Contains(body, "应为 JPEG 或 PNG 图片") {
			t.Fatalf("a PDF among the photos: %d", code)
		}
		var n2 int
		storetest.Scan(t, db.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM requests`), &n2)
		if n2 != 1 {
			t.Fatalf("a refused check made requests: %d in all", n2)
		}
		code, body = admin.postPhotos(sm[0]+"/results", map[string]string{"ok.extinguisher": "1", "ok.gas": "1"}, img.Bytes())
		if code != http.StatusOK || !strings.Contains(body, "合格") || !strings.Contains(body, sm[0]+"/photos/") {
			t.Fatalf("shop results: %d", code)
		}
		photo := regexp.MustCompile(`src="(/rounds/\d+/photos/\d+)"`).FindStringSubmatch(body)
		if photo == nil {
			t.Fatal("no photo on the round")
		}
		if res, _ := admin.do(mustRequest("GET", e.srv.URL+photo[1])); res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/png" {
			t.Errorf("photo: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		_, body = admin.get(shop)
		mustContain(t, "shop file after", body, "全部合格")
		_, body = admin.get("/rosters/fire_safety")
		mustContain(t, "fire-safety roster", body, "上次消防检查", "合格")

		// Bad input names the field.
		code, body = admin.post("/rounds", url.Values{"template": {"night_public"}, "grid_id": {fmt.Sprint(e.org.Grids[0].ID)}, "scheduled_for": {"2099-01-05T10:00"}})
		if code != http.StatusUnprocessableEntity {
			t.Errorf("a far morning: %d", code)
		}
		mustContain(t, "bad schedule", body, `id="round-error"`, "排查时间")
	})
}

// TestRoundFormKeepsCommunity: in a scope of many grids the rounds'
// forms post to the chosen community, so that a refused form shows that
// community's grids and team again (not "choose a community first") with
// what was entered, and a scheduled round returns to the community.
func TestRoundFormKeepsCommunity(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		m := e.manyGrids()
		c := e.signedIn("street")
		action := fmt.Sprintf("/rounds?community=%d", m.other.ID)
		_, body := c.get(action)
		mustContain(t, "the forms keep the community", body, `id="round-start-form"`, `id="round-schedule-form"`)
		if n := strings.Count(body, `action="`+strings.ReplaceAll(action, "&", "&amp;")+`"`); n != 2 {
			t.Errorf("forms posting to %s: %d, want 2", action, n)
		}

		grid, member := itoa(m.otherGrid.ID), itoa(m.member.ID)
		code, body := c.post(action, url.Values{"template": {"night_public"}, "grid_id": {grid},
			"scheduled_for": {"next saturday"}, "assignee_member_id": {member}})
		if code != http.StatusUnprocessableEntity {
			t.Fatalf("a bad time: %d", code)
		}
		mustContain(t, "the refusal", body, `id="round-error"`)
		mustNotContain(t, "the community kept", body, `id="start-community-first"`, "第一网格")
		mustContain(t, "the community kept", communitySelect(body), fmt.Sprintf(`<option value="%d" selected>富强巷社区<`, m.other.ID))
		sched := regexp.MustCompile(`(?s)<select id="sched-grid".*?</select>`).FindString(body)
		mustContain(t, "the grid kept", sched, fmt.Sprintf(`<option value="%s" selected>富强一网格<`, grid))
		who := regexp.MustCompile(`(?s)<select id="sched-who".*?</select>`).FindString(body)
		mustContain(t, "the assignee kept", who, fmt.Sprintf(`<option value="%s" selected>小富`, member))
		mustNotContain(t, "only the community's team", who, "小张")
		mustContain(t, "the time kept", body, `name="scheduled_for" value="next saturday"`)
		mustContain(t, "the template kept", body, `<option value="night_public" selected>`)

		res, body := c.postRaw(action, url.Values{"csrf": {c.csrf}, "template": {"night_public"}, "grid_id": {grid}, "scheduled_for": {nextSaturday()}})
		if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != action+"#waiting" {
			t.Errorf("scheduled: %d to %q, want %s#waiting: %s", res.StatusCode, loc, action, regexp.MustCompile(`id="round-error">[^<]*`).FindString(body))
		}
		// A community out of scope in the form's URL narrows nothing.
		res, body = c.postRaw(fmt.Sprintf("/rounds?community=%d", m.outside.ID), url.Values{"csrf": {c.csrf}, "template": {"night_public"}, "grid_id": {grid}, "scheduled_for": {"x"}})
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("a community out of scope: %d", res.StatusCode)
		}
		mustContain(t, "a community out of scope", body, `id="start-community-first"`)
		mustNotContain(t, "a community out of scope", body, "外街社区", "富强一网格</option>")
	})
}

// nextSaturday is a Saturday evening within the week, in China, as a
// datetime-local value: a time a night round may be scheduled for.
func nextSaturday() string {
	d := time.Now().In(time.FixedZone("CST", 8*3600)).AddDate(0, 0, 1)
	for d.Weekday() != time.Saturday {
		d = d.AddDate(0, 0, 1)
	}
	return d.Format("2006-01-02") + "T21:00"
}
