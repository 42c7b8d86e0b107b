package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestVisitSurveyForm: the full visit form asks the active survey
// questions, skipped by default; the answers given are recorded with a
// met visit, the skipped ones are not, and a not-at-home visit records
// none.
func TestVisitSurveyForm(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		worker := e.signedIn("worker")
		path := fmt.Sprintf("/households/%d/visits", e.widow.ID)
		code, body := worker.get(path)
		if code != http.StatusOK {
			t.Fatalf("visit page: %d", code)
		}
		mustContain(t, "form", body, "居民问卷（可选）", "知道您的网格员吗？", "对社区服务满意吗？", `name="survey.satisfied" value="" checked`,
			`name="survey.satisfied" value="basically_satisfied"`, "基本满意")
		answers := func() map[string]string {
			rows, err := db.QueryContext(context.Background(), `SELECT question_code, answer FROM survey_answers`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			out := map[string]string{}
			for rows.Next() {
				var c, a string
				rows.Scan(&c, &a)
				out[c] = a
			}
			return out
		}
		code, _ = worker.post(path, url.Values{"outcome": {"met"}, "survey.knows_grid_worker": {"yes"}, "survey.joined_activity": {""},
			"survey.satisfied": {"basically_satisfied"}})
		if got := answers(); code != http.StatusOK || fmt.Sprint(got) != "map[knows_grid_worker:yes satisfied:basically_satisfied]" {
			t.Errorf("met: %d, answers %v", code, got)
		}
		code, _ = worker.post(path, url.Values{"outcome": {"not_home"}, "survey.joined_activity": {"yes"}})
		if got := answers(); code != http.StatusOK || len(got) != 2 {
			t.Errorf("not at home: %d, answers %v", code, got)
		}
		code, body = worker.post(path, url.Values{"outcome": {"met"}, "survey.satisfied": {"very"}})
		if code != http.StatusBadRequest {
			t.Errorf("bad answer: %d", code)
		}
		mustContain(t, "bad answer", body, `id="visit-error"`, "居民问卷")
	})
}
