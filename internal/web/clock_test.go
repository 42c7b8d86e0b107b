package web

import (
	"testing"
	"time"

	"wanhu/internal/store/storetest"
)

// TestPagesFollowTheClock: the pages take the time from the handler's
// clock (server.Deps.Now), not the machine's, so they can be tested on any
// day: 1 March 2026 01:30 UTC is 09:30 that Sunday morning in China, and
// plans are made for the week after (2026-W10).
func TestPagesFollowTheClock(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	e.h.now = func() time.Time { return time.Date(2026, 3, 1, 1, 30, 0, 0, time.UTC) }
	admin := e.signedIn("admin")
	if code, body := admin.get("/requests/new"); code != 200 {
		t.Fatalf("intake: %d", code)
	} else {
		mustContain(t, "intake", body, `name="received_at" value="2026-03-01T09:30"`)
	}
	if code, body := admin.get("/requests/board"); code != 200 {
		t.Fatalf("board: %d", code)
	} else {
		mustContain(t, "board", body, "2026-03")
	}
	if code, body := admin.get("/plans"); code != 200 {
		t.Fatalf("plans: %d", code)
	} else {
		mustContain(t, "plans", body, `value="2026-W10" selected`)
	}
}
