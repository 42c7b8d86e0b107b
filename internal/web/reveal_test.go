package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"wanhu/internal/audit"
	"wanhu/internal/household/householdtest"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestReveal checks the audited "show in full": the administrator sees the
// full ID number with a reason and the view is in the audit log; without a
// reason nothing is shown; the visitor may not ask at all.
func TestReveal(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		full := householdtest.IDNumber("1948-03-05", 22)
		path := fmt.Sprintf("/persons/%d/reveal", e.widow.Members[0].ID)
		admin := e.signedIn("admin")
		admin.get(fmt.Sprintf("/households/%d", e.widow.ID))
		if code, body := admin.post(path, url.Values{"field": {"id_number"}}); code != http.StatusBadRequest {
			t.Errorf("reveal without a reason: %d", code)
		} else {
			mustNotContain(t, "reveal without a reason", body, full)
		}
		code, body := admin.post(path, url.Values{"field": {"id_number"}, "reason": {"办理高龄补贴"}})
		if code != http.StatusOK {
			t.Fatalf("reveal: %d", code)
		}
		mustContain(t, "reveal", body, full, "审计")
		recs, total, err := audit.New(db).Search(context.Background(), audit.Filter{Action: "reveal.id_number"})
		if err != nil || total != 1 || recs[0].Username != "admin" || recs[0].Detail != "办理高龄补贴" || recs[0].Result != "ok" {
			t.Errorf("audit of the reveal: %d %+v %v", total, recs, err)
		}
		worker := e.signedIn("worker")
		worker.get(fmt.Sprintf("/households/%d", e.widow.ID))
		if code, body := worker.post(path, url.Values{"field": {"id_number"}, "reason": {"好奇"}}); code != http.StatusForbidden {
			t.Errorf("visitor reveal: %d", code)
		} else {
			mustNotContain(t, "visitor reveal", body, full)
		}
	})
}
