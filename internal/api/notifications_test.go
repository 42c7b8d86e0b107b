package api

import (
	"context"
	"strconv"
	"testing"
	"time"

	"wanhu/internal/notify"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

func TestNotifications(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		ctx := context.Background()
		if err := notify.Enqueue(ctx, db, notify.Message{Kind: "request.created", Channel: notify.WeCom, Recipient: "staff", Payload: map[string]int{}}); err != nil {
			t.Fatal(err)
		}
		var id int64
		if err := db.QueryRowContext(ctx, `SELECT MAX(id) FROM outbox`).Scan(&id); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, `UPDATE outbox SET state = 'failed', attempts = 6, last_error = 'wecom: HTTP 502' WHERE id = ?`, id); err != nil {
			t.Fatal(err)
		}
		retry := "/notifications/" + strconv.FormatInt(id, 10) + "/retry"
		fx.run(t, []scenario{
			{name: "list: a grid leader", method: "GET", path: "/notifications", user: "leader1", status: 403},
			{name: "list: bad state", method: "GET", path: "/notifications?state=lost", user: "admin", status: 400, check: wantError("one_of", "state")},
			{name: "list failed", method: "GET", path: "/notifications?state=failed", user: "admin", status: 200,
				check: func(t *testing.T, body []byte) {
					out := decodeAs[struct{ Items []notify.Entry }](t, body)
					if len(out.Items) != 1 || out.Items[0].ID != id || out.Items[0].Channel != "wecom" || out.Items[0].Attempts != 6 ||
						out.Items[0].LastError != "wecom: HTTP 502" || out.Items[0].State != "failed" {
						t.Errorf("failed: %+v", out.Items)
					}
				}},
			{name: "list pending: none", method: "GET", path: "/notifications?state=pending", user: "admin", status: 200, want: []string{`"items":[]`}},
			{name: "retry: a grid leader", method: "POST", path: retry, user: "leader1", status: 403},
			{name: "retry: missing", method: "POST", path: "/notifications/99999/retry", user: "admin", status: 404},
			{name: "retry", method: "POST", path: retry, user: "admin", status: 200, want: []string{`"state":"pending"`}},
			{name: "retry again: not failed", method: "POST", path: retry, user: "admin", status: 409},
		})
		es, err := notify.List(ctx, db, "pending", 10)
		if err != nil || len(es) != 1 || es[0].NextAttemptAt == nil || es[0].NextAttemptAt.After(time.Now()) {
			t.Errorf("after retry: %+v, %v", es, err)
		}
	})
}
