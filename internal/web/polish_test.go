package web

import (
	"net/url"
	"strings"
	"testing"

	"wanhu/internal/calendar"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/visit"
)

// TestPolish: the small things a daily user reads.
func TestPolish(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		admin := e.signedIn("admin")
		// An empty list is page 1 of 1.
		_, body := admin.get("/households?q=" + url.QueryEscape("没有这个人"))
		if !strings.Contains(body, "第 1/1 页，共 0 条") || strings.Contains(body, "1/0") {
			t.Errorf("the pager of an empty list: %s", between(body, `id="total">`, "</span>"))
		}
		// The plan's coverage line has no dot before its first share.
		week := visit.WeekOf(calendar.Today()).Next().String()
		_, body = admin.post("/plans", url.Values{"grid": {itoa(e.org.Grids[0].ID)}, "week": {week}})
		if c := between(body, `id="coverage">`, "</p>"); !strings.Contains(c, "已走访：本周") || strings.Contains(c, "： ·") {
			t.Errorf("the coverage line: %q", c)
		}
		// The resident's wrong sum: one colon after the question's label.
		resident := e.client()
		_, body = resident.get("/r/new")
		input := url.Values{"category": {"repairs"}, "description": {"楼道灯坏了"}, "place": {"b:" + itoa(e.org.Buildings[0].ID)}}
		_, body = resident.postRaw("/r/new", residentFill(t, body, input, false))
		if msg := between(body, `id="resident-error"`, "</p>"); !strings.Contains(msg, "请计算: 答案不对") || strings.Contains(msg, "：:") {
			t.Errorf("the wrong sum's message: %q", msg)
		}
		// The request intake names the channel as the visit form does.
		_, body = admin.get("/requests/new")
		if !strings.Contains(body, "谈心室") || strings.Contains(body, "议事室") {
			t.Errorf("the intake form does not say 谈心室")
		}
		// The survey page names a saved question by its text, and shows
		// the codes only to who edits them.
		_, body = admin.get("/survey?saved=knows_grid_worker")
		if n := between(body, `id="survey-notice" role="status">`, "</p>"); !strings.Contains(n, "知道您的网格员吗？") || strings.Contains(n, "knows_grid_worker") {
			t.Errorf("the saved notice: %q", n)
		}
		if _, body = e.signedIn("worker").get("/survey"); !strings.Contains(body, "知道您的网格员吗？") || strings.Contains(body, ">knows_grid_worker<") {
			t.Errorf("the visitor's survey page shows the raw codes")
		}
	})
}

// between is the text of s between the first start and the end after it.
func between(s, start, end string) string {
	_, after, _ := strings.Cut(s, start)
	in, _, _ := strings.Cut(after, end)
	return in
}
