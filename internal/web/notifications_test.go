package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"wanhu/internal/notify"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestNotificationsPage: failed, pending and logged-only messages are
// listed for the administrators, the logged one as not sent, and a failed
// one is retried from the page.
func TestNotificationsPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		for _, m := range []notify.Message{
			{Kind: notify.AppointmentConfirmed, Recipient: "appointment:1", Payload: map[string]int{}},
			{Kind: "request.overdue", Channel: notify.DingTalk, Recipient: "staff", Payload: map[string]int{}},
		} {
			if err := notify.Enqueue(ctx, db, m); err != nil {
				t.Fatal(err)
			}
		}
		var failed int64
		if err := db.QueryRowContext(ctx, `SELECT MAX(id) FROM outbox`).Scan(&failed); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, `UPDATE outbox SET state = 'failed', attempts = 6, last_error = 'dingtalk: errcode 310000: sign not match' WHERE id = ?`, failed); err != nil {
			t.Fatal(err)
		}
		if err := notify.Enqueue(ctx, db, notify.Message{Kind: "request.resolve", Recipient: "request:1", Payload: map[string]int{}}); err != nil {
			t.Fatal(err)
		}
		var logged int64
		if err := db.QueryRowContext(ctx, `SELECT MAX(id) FROM outbox`).Scan(&logged); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, `UPDATE outbox SET state = 'logged', attempts = 1 WHERE id = ?`, logged); err != nil {
			t.Fatal(err)
		}
		admin := e.signedIn("admin")
		code, body := admin.get("/notifications")
		if code != http.StatusOK {
			t.Fatalf("page: %d", code)
		}
		mustContain(t, "all", body, "预约确认", "短信", "等待发送", "request.overdue", "钉钉机器人", "dingtalk: errcode 310000: sign not match",
			`action="/notifications/`+strconv.FormatInt(failed, 10)+`/retry"`, `id="nav-settings" aria-current="page"`)
		mustContain(t, "logged", body, `<td data-label="状态" class="notify-state-logged">仅记录日志，未发送</td>`,
			`action="/notifications/`+strconv.FormatInt(logged, 10)+`/retry"`, `<option value="logged">仅记录日志（未发送）</option>`)
		if strings.Count(body, `class="button notify-retry"`) != 2 {
			t.Error("a retry button for other than the failed and the logged message")
		}
		_, body = admin.get("/notifications?state=failed")
		if strings.Contains(body, "预约确认") || strings.Contains(body, "notify-state-logged") || !strings.Contains(body, "钉钉机器人") {
			t.Error("the failed filter shows a pending or logged message, or not the failed one")
		}
		_, body = admin.get("/notifications?state=logged")
		if strings.Count(body, `id="notification-`) != 1 || !strings.Contains(body, `id="notification-`+strconv.FormatInt(logged, 10)+`"`) {
			t.Error("the logged filter does not show the logged message alone")
		}

		code, body = admin.post("/notifications/"+strconv.FormatInt(failed, 10)+"/retry", url.Values{})
		if code != http.StatusOK {
			t.Fatalf("retry: %d", code)
		}
		mustContain(t, "after retry", body, `id="notify-notice"`)
		if es, _ := notify.List(ctx, db, "failed", 10); len(es) != 0 {
			t.Errorf("still failed: %+v", es)
		}
		if code, _ := admin.post("/notifications/"+strconv.FormatInt(failed, 10)+"/retry", url.Values{}); code != http.StatusConflict {
			t.Errorf("retry of a pending message: %d", code)
		}

		worker := e.signedIn("worker")
		if code, _ := worker.get("/notifications"); code != http.StatusForbidden {
			t.Errorf("a visitor reads the page: %d", code)
		}
		if _, body := worker.get("/settings"); strings.Contains(body, "settings-notifications") {
			t.Error("a visitor sees the link")
		}
	})
}
