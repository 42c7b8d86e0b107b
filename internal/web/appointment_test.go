package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/visit"
)

var slotField = regexp.MustCompile(`name="slot" value="([^"]+)"`)

// TestPublicAppointment: the card's QR page shows the community and the
// building, never the room or a name; the resident books a slot with a
// phone number; the form needs its token; an unknown card is a friendly
// 404; the fourth booking of the day is refused with 429; staff see the
// booking on the visit page and mark it missed.
func TestPublicAppointment(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		m := org.TeamMember{CommunityID: e.org.Community.ID, GridID: e.org.Grids[0].ID, Name: "拉加", Role: org.RoleBuildingHead,
			Availability: []string{"evening", "weekend"}}
		if err := org.CreateTeamMember(ctx, db, &m); err != nil {
			t.Fatal(err)
		}
		toks, err := visit.CardTokens(ctx, db, []int64{e.widow.ID})
		if err != nil {
			t.Fatal(err)
		}
		page := "/a/" + toks[e.widow.ID]
		resident := e.client()
		code, body := resident.get(page)
		if code != http.StatusOK {
			t.Fatalf("public page: %d", code)
		}
		mustContain(t, "public page", body, "东兴社区", "1号楼", "晚上", `id="appt-form"`, `name="phone"`, `<span class="brand" id="brand">东兴社区</span>`)
		mustNotContain(t, "public page", body, "302", "王秀兰", "13912345678")
		slot := slotField.FindStringSubmatch(body)
		if slot == nil {
			t.Fatal("no slot offered")
		}
		book := func(c *client, csrf string) (int, string) {
			res, body := c.postRaw(page, url.Values{"csrf": {csrf}, "slot": {slot[1]}, "phone": {"139 0000 1234"}})
			return res.StatusCode, body
		}
		if code, _ := book(resident, "forged"); code != http.StatusForbidden {
			t.Errorf("without the form's token: %d", code)
		}
		if code, body := book(resident, csrfOf(body)); code != http.StatusOK {
			t.Fatalf("book: %d %s", code, body)
		} else {
			mustContain(t, "confirmation", body, "预约成功", `id="appt-when"`, "东兴社区", `id="brand">东兴社区<`)
			mustNotContain(t, "confirmation", body, "万户 · 一户一档")
		}
		var n int
		storetest.Scan(t, db.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE kind = 'appointment.confirmed'`), &n)
		if n != 1 {
			t.Errorf("confirmations in the outbox: %d", n)
		}
		// A wrong phone shows the form again with the error.
		_, body = resident.get(page)
		res, body := resident.postRaw(page, url.Values{"csrf": {csrfOf(body)}, "slot": {slot[1]}, "phone": {"abc"}})
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("bad phone: %d", res.StatusCode)
		}
		mustContain(t, "bad phone", body, `id="appt-error"`, "联系电话", `id="appt-open"`)

		for i := 2; i <= 4; i++ {
			_, body := resident.get(page)
			code, _ := book(resident, csrfOf(body))
			if want := map[bool]int{true: http.StatusOK, false: http.StatusTooManyRequests}[i <= 3]; code != want {
				t.Errorf("booking %d: %d, want %d", i, code, want)
			}
		}
		if code, body := e.client().get("/a/AAAAAAAAAAAAAAAA"); code != http.StatusNotFound {
			t.Errorf("unknown card: %d", code)
		} else {
			mustContain(t, "unknown card", body, "没有找到这张走访联系卡")
		}

		worker := e.signedIn("worker")
		visits := fmt.Sprintf("/households/%d/visits", e.widow.ID)
		_, body = worker.get(visits)
		mustContain(t, "visit page", body, `id="appointment"`, `id="appt-current"`, "拉加", "139****1234", `id="appt-missed"`)
		code, body = worker.post(regexp.MustCompile(`/appointments/\d+/missed`).FindString(body), url.Values{})
		if code != http.StatusOK {
			t.Fatalf("missed: %d", code)
		}
		mustContain(t, "after missed", body, "暂无预约", `id="appt-staff-form"`)
		// Staff book for the resident on the phone.
		slot = regexp.MustCompile(`<option value="(20[^"]+)"`).FindStringSubmatch(body)
		if slot == nil {
			t.Fatal("no slot on the staff form")
		}
		code, body = worker.post(fmt.Sprintf("/households/%d/appointments", e.widow.ID), url.Values{"slot": {slot[1]}})
		if code != http.StatusOK {
			t.Fatalf("staff booking: %d", code)
		}
		mustContain(t, "staff booking", body, `id="appt-current"`, "139****5678")
	})
}
