package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"wanhu/internal/calendar"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/visit"
)

func TestVisitPolicyPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		admin := e.signedIn("admin")
		code, body := admin.get("/visits/policy")
		if code != http.StatusOK {
			t.Fatalf("page: %d", code)
		}
		selected := func(body, name string) string {
			sel := regexp.MustCompile(`(?s)name="` + regexp.QuoteMeta(name) + `"[^>]*>(.*?)</select>`).FindStringSubmatch(body)
			if sel == nil {
				return "(none)"
			}
			if m := regexp.MustCompile(`<option value="([^"]*)" selected>`).FindStringSubmatch(sel[1]); m != nil {
				return m[1]
			}
			return ""
		}
		for name, want := range map[string]string{"colour.red": "monthly", "colour.green": "half_yearly", "floor": "yearly", "tag.living_alone_elderly": "weekly"} {
			if got := selected(body, name); got != want {
				t.Errorf("%s shows %q, want %q", name, got, want)
			}
		}
		// Of the three households, the widow lives alone (weekly), the
		// family and the shop are green (twice a year).
		mustContain(t, "effect", body, "<td data-label=\"走访频次\">每周</td><td data-label=\"户数\" class=\"num\">1</td>",
			"<td data-label=\"走访频次\">每半年</td><td data-label=\"户数\" class=\"num\">2</td>")

		// The family was met ten days ago; green weekly brings it forward.
		met := calendar.DateOf(testNow.AddDate(0, 0, -10))
		if _, err := db.ExecContext(ctx, `UPDATE households SET last_met_on = ?, next_due_on = ? WHERE id = ?`,
			met, visit.After(met, "half_yearly"), e.family.ID); err != nil {
			t.Fatal(err)
		}
		code, body = admin.post("/visits/policy", url.Values{"colour.red": {"monthly"}, "colour.yellow": {"quarterly"}, "colour.green": {"weekly"},
			"floor": {"yearly"}, "tag.living_alone_elderly": {""}, "add_tag": {"disabled"}, "add_freq": {"biweekly"}})
		if code != http.StatusOK {
			t.Fatalf("save: %d", code)
		}
		mustContain(t, "after saving", body, "已保存，", "户的下次走访日期已更新")
		p, err := visit.LoadPolicy(ctx, db)
		if err != nil || p.Colours["green"] != "weekly" || p.Tags["disabled"] != "biweekly" || len(p.Tags) != 1 {
			t.Errorf("saved policy %+v, %v", p, err)
		}
		if selected(body, "tag.disabled") != "biweekly" || selected(body, "tag.living_alone_elderly") != "(none)" {
			t.Error("the page does not show the tag rules as saved")
		}
		var due calendar.Date
		if err := db.QueryRowContext(ctx, `SELECT next_due_on FROM households WHERE id = ?`, e.family.ID).Scan(&due); err != nil {
			t.Fatal(err)
		}
		if due != visit.After(met, "weekly") {
			t.Errorf("family next due %s, want a week after %s", due, met)
		}

		code, body = admin.post("/visits/policy", url.Values{"colour.green": {"daily"}, "floor": {"yearly"}})
		if code != http.StatusUnprocessableEntity {
			t.Errorf("bad frequency: %d", code)
		}
		mustContain(t, "bad frequency", body, `id="policy-error"`, "绿色")

		worker := e.signedIn("worker")
		if code, body := worker.get("/visits/policy"); code != http.StatusOK || !regexp.MustCompile(`name="floor" disabled`).MatchString(body) {
			t.Errorf("worker reads: %d, or the form is not read-only", code)
		} else {
			mustNotContain(t, "worker", body, `id="policy-save"`)
		}
		if code, _ := worker.post("/visits/policy", url.Values{"floor": {"weekly"}}); code != http.StatusForbidden {
			t.Errorf("worker saves: %d", code)
		}
		if p, _ := visit.LoadPolicy(ctx, db); p.Floor != "yearly" {
			t.Error("the worker changed the floor")
		}

		_, body = admin.get("/visits/due")
		mustContain(t, "link from the due list", body, `href="/visits/policy"`)
		code, body = admin.get("/lang?to=en&back=/visits/policy")
		if code != http.StatusOK {
			t.Fatalf("English: %d", code)
		}
		mustContain(t, "English", body, "Visit frequency", "By colour", "Every six months")
	})
}
