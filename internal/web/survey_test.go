package web

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"strings"
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
			out := map[string]string{}
			storetest.ScanAll(t, rows, err, func(rows *sql.Rows) error {
				var c, a string
				err := rows.Scan(&c, &a)
				out[c] = a
				return err
			})
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

// TestSurveyQuestionsPage: an administrator adds a question, which the
// visit form then asks; a bad code is refused naming the field, keeping
// what was typed; stopping a question takes it off the visit form. A
// visitor sees the questions without the forms and cannot post.
func TestSurveyQuestionsPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		admin, worker := e.signedIn("admin"), e.signedIn("worker")
		code, body := admin.post("/survey", url.Values{"code": {"Bad code"}, "text_zh": {"参加过四点半课堂吗？"}, "kind": {"yes_no"}, "indicator": {"participation"}})
		if code != http.StatusUnprocessableEntity {
			t.Fatalf("bad code: %d", code)
		}
		mustContain(t, "bad code", body, "编号：", `value="参加过四点半课堂吗？"`)
		code, body = admin.post("/survey", url.Values{"code": {"took_class"}, "text_zh": {"参加过四点半课堂吗？"}, "kind": {"yes_no"}, "indicator": {"participation"}})
		if code != http.StatusOK {
			t.Fatalf("add: %d", code)
		}
		mustContain(t, "added", body, "题目“参加过四点半课堂吗？”已保存。", `id="q-took_class"`, "参加过四点半课堂吗？", "参与率")
		visitPage := fmt.Sprintf("/households/%d/visits", e.widow.ID)
		if _, body := worker.get(visitPage); !strings.Contains(body, "参加过四点半课堂吗？") {
			t.Errorf("the visit form does not ask the new question")
		}
		if code, _ := admin.post("/survey/took_class", url.Values{"text_zh": {"参加过四点半课堂吗？"}, "position": {"9"}}); code != http.StatusOK {
			t.Fatalf("stop asking: %d", code)
		}
		if _, body := worker.get(visitPage); strings.Contains(body, "参加过四点半课堂吗？") {
			t.Errorf("the visit form still asks a question no longer asked")
		}
		code, body = worker.get("/survey")
		if code != http.StatusOK {
			t.Fatalf("visitor's survey page: %d", code)
		}
		mustContain(t, "visitor's page", body, "参加过四点半课堂吗？", "已停问")
		mustNotContain(t, "visitor's page", body, `id="survey-add-form"`)
		if code, _ := worker.post("/survey", url.Values{"code": {"x_y"}, "text_zh": {"x"}, "kind": {"yes_no"}}); code != http.StatusForbidden {
			t.Errorf("visitor adds a question: %d, want 403", code)
		}
	})
}
