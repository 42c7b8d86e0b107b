package web

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"wanhu/internal/household"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestBenefitsOnTheFile: "申请救助" on a need opens the form filled in;
// the case shows on the file and in its ledger; a visitor does not see
// the amount; the grid's administrator decides; the statistics page
// counts it and downloads it.
func TestBenefitsOnTheFile(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	admin := e.signedIn("admin")
	hid := e.widow.ID
	admin.post(fmt.Sprintf("/households/%d/needs", hid), url.Values{"kind": {"financial_aid"}, "note": {"台灯坏了，水龙头漏水"}})
	hh, err := e.hs.HouseholdByID(t.Context(), hid)
	if err != nil || len(hh.Needs) != 1 {
		t.Fatalf("needs %+v, %v", hh, err)
	}
	need := hh.Needs[0].ID
	_, body := admin.get(fmt.Sprintf("/households/%d", hid))
	mustContain(t, "file", body, fmt.Sprintf(`id="need-benefit-%d"`, need), `id="benefits"`, "暂无救助记录")
	_, body = admin.get(fmt.Sprintf("/households/%d?benefit_need=%d", hid, need))
	mustContain(t, "form from the need", body, `<details class="add" open>`, fmt.Sprintf(`name="need_id" value="%d"`, need), "来自需求：",
		fmt.Sprintf(`name="person_ids" value="%d" checked`, hh.Members[0].ID))

	status, body := admin.post(fmt.Sprintf("/households/%d/benefits", hid), url.Values{"kind": {"temporary_relief"}, "need_id": {fmt.Sprint(need)},
		"person_ids": {fmt.Sprint(hh.Members[0].ID)}, "amount": {"800"}, "period": {"one_off"}, "form": {"cash"}, "note": {"换台灯、修水龙头"}})
	if status != 200 {
		t.Fatalf("apply: %d", status)
	}
	mustContain(t, "file after applying", body, "临时救助", "王秀兰", "已申请", "800元", "申请救助")
	cases, _, _ := e.hs.Benefits(t.Context(), household.BenefitFilter{HouseholdID: hid})
	if len(cases) != 1 || cases[0].NeedID != need {
		t.Fatalf("cases %+v", cases)
	}
	// Bad input: shown on the file, nothing written.
	status, body = admin.post(fmt.Sprintf("/households/%d/benefits", hid), url.Values{"kind": {"dibao"}, "amount": {"很多"}})
	if status != 422 || !strings.Contains(body, "金额（元）") {
		t.Errorf("bad amount: %d", status)
	}

	// The application is changed at its version.
	status, body = admin.post(fmt.Sprintf("/benefits/%d", cases[0].ID), url.Values{"amount": {"850"}, "period": {"one_off"}, "form": {"cash"},
		"note": {"换台灯、修水龙头"}, "version": {"1"}})
	if status != 200 || !strings.Contains(body, "850元") {
		t.Fatalf("edit: %d", status)
	}
	if status, _ := admin.post(fmt.Sprintf("/benefits/%d", cases[0].ID), url.Values{"amount": {"1"}, "version": {"1"}}); status != 409 {
		t.Errorf("stale edit: %d", status)
	}
	worker := e.signedIn("worker")
	_, body = worker.get(fmt.Sprintf("/households/%d", hid))
	mustContain(t, "worker's file", body, "临时救助", "金额不公开")
	mustNotContain(t, "worker's file", body, "850元", `value="850"`, "decide-benefit-")
	if status, _ := worker.post(fmt.Sprintf("/benefits/%d/decision", cases[0].ID), url.Values{"status": {"approved"}, "version": {"2"}}); status != 403 {
		t.Errorf("worker decides: %d", status)
	}

	// The list of cases: waiting for a decision, linked to the file; the
	// visitor's without the amount.
	waiting := fmt.Sprintf(`id="benefit-%d"`, cases[0].ID)
	_, body = admin.get("/benefits?status=applied")
	mustContain(t, "cases waiting", body, waiting, "850元", fmt.Sprintf(`href="/households/%d#benefit-%d"`, hid, cases[0].ID), "共 1 件")
	_, body = worker.get("/benefits")
	mustContain(t, "worker's cases", body, waiting, "金额不公开")
	mustNotContain(t, "worker's cases", body, "850元")

	status, body = admin.post(fmt.Sprintf("/benefits/%d/decision", cases[0].ID), url.Values{"status": {"approved"}, "version": {"2"},
		"decided_on": {"2026-06-01"}, "amount": {"600"}})
	if status != 200 {
		t.Fatalf("decide: %d", status)
	}
	mustContain(t, "decided", body, "已批准 2026-06-01", "600元", "救助批准")
	_, body = admin.get("/benefits?status=applied")
	mustNotContain(t, "cases waiting after the decision", body, waiting)
	_, body = admin.get("/benefits?status=approved&kind=temporary_relief")
	mustContain(t, "cases approved", body, waiting, "600元")
	// A second decision at the old version is refused.
	if status, _ := admin.post(fmt.Sprintf("/benefits/%d/decision", cases[0].ID), url.Values{"status": {"rejected"}, "version": {"2"}}); status != 409 {
		t.Errorf("stale decision: %d", status)
	}
	_, body = admin.get(fmt.Sprintf("/households/%d/ledger", hid))
	mustContain(t, "ledger", body, "救助批准", "申请救助")

	_, body = admin.get("/stats/benefits?from=2026-06-01&to=2026-06-30")
	rows := statTableOf(t, body, "benefits")
	if len(rows) != len(household.BenefitKinds) || rows[2].Cells[0] != "1" || rows[2].Cells[2] != "1" || rows[0].Cells[0] != "0" {
		t.Errorf("benefit table %+v", rows)
	}
	mustContain(t, "stats", body, `id="export-xlsx"`, "救助帮扶")
	_, body = admin.get("/stats/benefits?from=2026-06-02&to=2026-06-30")
	if rows := statTableOf(t, body, "benefits"); rows[2].Cells[2] != "0" {
		t.Errorf("the day after: %+v", rows)
	}
	res, _ := admin.do(mustRequest("GET", e.srv.URL+"/stats/benefits?from=2026-06-01&to=2026-06-30&format=xlsx"))
	if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Type"), "spreadsheetml") {
		t.Errorf("xlsx: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	// From a visit, one step: the visit list offers it, the form keeps it.
	status, _ = admin.post(fmt.Sprintf("/households/%d/visits", hid), url.Values{"outcome": {"met"}, "client_id": {"benefit-visit-1"}})
	if status != 200 {
		t.Fatalf("visit: %d", status)
	}
	var visitID int64
	if err := e.h.db.QueryRowContext(t.Context(), `SELECT MAX(id) FROM visits WHERE household_id = ?`, hid).Scan(&visitID); err != nil || visitID == 0 {
		t.Fatalf("visit id %d: %v", visitID, err)
	}
	_, body = admin.get(fmt.Sprintf("/households/%d/visits", hid))
	mustContain(t, "visits", body, fmt.Sprintf(`href="/households/%d?benefit_visit=%d#benefits"`, hid, visitID))
	_, body = admin.get(fmt.Sprintf("/households/%d?benefit_visit=%d", hid, visitID))
	mustContain(t, "form from the visit", body, fmt.Sprintf(`name="visit_id" value="%d"`, visitID), "来自走访")
	status, _ = admin.post(fmt.Sprintf("/households/%d/benefits", hid), url.Values{"kind": {"elderly_subsidy"}, "visit_id": {fmt.Sprint(visitID)},
		"person_ids": {fmt.Sprint(hh.Members[0].ID)}, "amount": {"100"}, "period": {"monthly"}})
	if status != 200 {
		t.Fatalf("apply from the visit: %d", status)
	}
	if cs, _, _ := e.hs.Benefits(t.Context(), household.BenefitFilter{HouseholdID: hid, Kind: "elderly_subsidy"}); len(cs) != 1 || cs[0].VisitID != visitID {
		t.Errorf("the case from the visit: %+v", cs)
	}
	// Both languages have every word of the section and the page.
	for _, lang := range []string{"en", "zh-CN"} {
		admin.get("/lang?to=" + lang + "&back=/stats")
		for _, p := range []string{fmt.Sprintf("/households/%d?benefit_need=%d", hid, need), fmt.Sprintf("/households/%d/ledger", hid), "/stats/benefits", "/stats"} {
			if status, body := admin.get(p); status != 200 || strings.Contains(body, "⟦") {
				t.Errorf("%s %s: %d, untranslated: %v", lang, p, status, strings.Contains(body, "⟦"))
			}
		}
		if status, body := worker.get(fmt.Sprintf("/households/%d", hid)); status != 200 || strings.Contains(body, "⟦") {
			t.Errorf("%s: the worker's file: %d", lang, status)
		}
	}
	if status, _ := admin.get("/stats/benefits?from=2026-13-01"); status != 400 {
		t.Errorf("bad from: %d", status)
	}
}

// TestBenefitLabels: every kind, status, period and form of a benefit has
// its words in each language.
func TestBenefitLabels(t *testing.T) {
	for _, lang := range Languages {
		m, err := readLocale(lang)
		if err != nil {
			t.Fatal(err)
		}
		for field, values := range map[string][]string{"benefit_kind": household.BenefitKinds, "benefit_status": household.BenefitStatuses,
			"benefit_period": household.BenefitPeriods, "benefit_form": household.BenefitForms} {
			for _, v := range values {
				if m[field+"."+v] == "" {
					t.Errorf("%s: no words for %s.%s", lang, field, v)
				}
			}
		}
	}
}

// TestBenefitEndAndWithdrawOnTheFile: the helper withdraws their own
// application (not another's), an administrator ends an approved dibao;
// errors name the field, the file, the list, the ledger and the
// statistics show the new statuses, in both languages.
func TestBenefitEndAndWithdrawOnTheFile(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		admin, worker := e.signedIn("admin"), e.signedIn("worker")
		hid := e.widow.ID
		hh, err := e.hs.HouseholdByID(t.Context(), hid)
		if err != nil {
			t.Fatal(err)
		}
		person := fmt.Sprint(hh.Members[0].ID)
		var member int64
		if err := e.h.db.QueryRowContext(t.Context(), `SELECT id FROM team_members WHERE name = ?`, "小张").Scan(&member); err != nil {
			t.Fatal(err)
		}
		apply := func(c *client, kind, helper string) int64 {
			t.Helper()
			if status, _ := c.post(fmt.Sprintf("/households/%d/benefits", hid), url.Values{"kind": {kind}, "person_ids": {person}, "amount": {"500"},
				"period": {"monthly"}, "applied_on": {"2026-05-01"}, "helper_id": {helper}}); status != 200 {
				t.Fatalf("apply %s: %d", kind, status)
			}
			var id int64
			if err := e.h.db.QueryRowContext(t.Context(), `SELECT MAX(id) FROM benefit_cases`).Scan(&id); err != nil {
				t.Fatal(err)
			}
			return id
		}
		mine := apply(worker, "elderly_subsidy", fmt.Sprint(member))
		other := apply(admin, "near_dibao", "")
		dibao := apply(admin, "dibao", "")

		file := fmt.Sprintf("/households/%d", hid)
		_, body := worker.get(file)
		mustContain(t, "worker's file", body, fmt.Sprintf(`id="withdraw-benefit-%d"`, mine), "撤回")
		mustNotContain(t, "worker's file", body, fmt.Sprintf(`id="withdraw-benefit-%d"`, other), "end-benefit-")
		if status, _ := worker.post(fmt.Sprintf("/benefits/%d/withdraw", other), url.Values{"reason": {"x"}, "version": {"1"}}); status != 403 {
			t.Errorf("the worker withdraws another's case: %d", status)
		}
		if status, _ := worker.post(fmt.Sprintf("/benefits/%d/end", mine), url.Values{"reason": {"x"}, "version": {"1"}}); status != 403 {
			t.Errorf("the worker ends a case: %d", status)
		}
		status, body := worker.post(fmt.Sprintf("/benefits/%d/withdraw", mine), url.Values{"reason": {"  "}, "version": {"1"}})
		if status != 422 || !strings.Contains(body, "原因: 必填") {
			t.Errorf("withdraw without a reason: %d", status)
		}
		if c, _ := e.hs.BenefitByID(t.Context(), mine); c.Status != household.BenefitApplied || c.Version != 1 {
			t.Errorf("after the refused withdrawal: %+v", c)
		}
		status, body = worker.post(fmt.Sprintf("/benefits/%d/withdraw", mine), url.Values{"reason": {"老人家不再申请"}, "version": {"1"}})
		if status != 200 {
			t.Fatalf("withdraw: %d", status)
		}
		mustContain(t, "withdrawn", body, "已撤回", "2026-06-01 撤回", "原因：老人家不再申请")
		mustNotContain(t, "withdrawn", body, fmt.Sprintf(`id="withdraw-benefit-%d"`, mine))
		if status, _ := worker.post(fmt.Sprintf("/benefits/%d/withdraw", mine), url.Values{"reason": {"again"}, "version": {"2"}}); status != 422 {
			t.Errorf("withdrawn twice: %d", status)
		}

		// The administrator approves the dibao and ends it.
		if status, _ := admin.post(fmt.Sprintf("/benefits/%d/decision", dibao), url.Values{"status": {"approved"}, "version": {"1"}, "decided_on": {"2026-05-10"}}); status != 200 {
			t.Fatalf("decide: %d", status)
		}
		_, body = admin.get(file)
		mustContain(t, "admin's file", body, fmt.Sprintf(`id="end-benefit-%d"`, dibao), fmt.Sprintf(`id="withdraw-benefit-%d"`, other))
		status, body = admin.post(fmt.Sprintf("/benefits/%d/end", dibao), url.Values{"ended_on": {"2026-05-09"}, "reason": {"迁出"}, "version": {"2"}})
		if status != 422 || !strings.Contains(body, "停发日期: 不能早于审批日期 2026-05-10") {
			t.Errorf("end before the decision: %d", status)
		}
		if status, _ := admin.post(fmt.Sprintf("/benefits/%d/end", dibao), url.Values{"reason": {"迁出"}, "version": {"1"}}); status != 409 {
			t.Errorf("stale end: %d", status)
		}
		status, body = admin.post(fmt.Sprintf("/benefits/%d/end", dibao), url.Values{"ended_on": {"2026-06-01"}, "reason": {"迁往外省"}, "version": {"2"}})
		if status != 200 {
			t.Fatalf("end: %d", status)
		}
		mustContain(t, "ended", body, "已停发", "2026-06-01 停发", "原因：迁往外省")
		mustNotContain(t, "ended", body, fmt.Sprintf(`id="end-benefit-%d"`, dibao))
		_, body = admin.get(file + "/ledger")
		mustContain(t, "ledger", body, "救助停发", "救助申请撤回", "迁往外省")

		_, body = admin.get("/benefits?status=ended")
		mustContain(t, "ended list", body, fmt.Sprintf(`id="benefit-%d"`, dibao), "共 1 件", "2026-06-01 停发", `<option value="withdrawn">已撤回</option>`)
		mustNotContain(t, "ended list", body, fmt.Sprintf(`id="benefit-%d"`, mine))
		_, body = admin.get("/benefits?status=withdrawn")
		mustContain(t, "withdrawn list", body, fmt.Sprintf(`id="benefit-%d"`, mine), "共 1 件")

		// Granted in May and paid in May only (it ended on 1 June).
		_, body = admin.get("/stats/benefits?from=2026-05-01&to=2026-06-30")
		rows := statTableOf(t, body, "benefits")
		if len(rows) != len(household.BenefitKinds) || len(rows[0].Cells) != 6 {
			t.Fatalf("benefit table %+v", rows)
		}
		if got := fmt.Sprint(rows[0].Cells); got != "[1 1 1 1 1 1]" {
			t.Errorf("dibao row %s, want granted 1/1/1 and paid 1/1/1", got)
		}
		mustContain(t, "stats", body, "在保户数", "人月数")
		_, body = admin.get("/stats/benefits?from=2026-06-01&to=2026-06-30")
		if got := fmt.Sprint(statTableOf(t, body, "benefits")[0].Cells); got != "[0 0 0 0 0 0]" {
			t.Errorf("June's dibao row %s, want nothing", got)
		}

		for _, lang := range []string{"en", "zh-CN"} {
			admin.get("/lang?to=" + lang + "&back=/stats")
			for _, p := range []string{file, file + "/ledger", "/benefits", "/stats/benefits"} {
				if status, body := admin.get(p); status != 200 || strings.Contains(body, "⟦") {
					t.Errorf("%s %s: %d, untranslated: %v", lang, p, status, strings.Contains(body, "⟦"))
				}
			}
		}
	})
}

// TestBenefitFormsAnswer holds what the four forms on a case answer (they
// share one preamble): a missing case 404, a version or amount that is not
// a number 422 with nothing written, a stale version 409; after the
// change, the decision and the edit go back to the file's cases, the end
// and the withdrawal to the case itself.
func TestBenefitFormsAnswer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		admin := e.signedIn("admin")
		hid := e.widow.ID
		hh, err := e.hs.HouseholdByID(t.Context(), hid)
		if err != nil {
			t.Fatal(err)
		}
		apply := func(kind string) int64 {
			t.Helper()
			if status, _ := admin.post(fmt.Sprintf("/households/%d/benefits", hid), url.Values{"kind": {kind}, "amount": {"500"},
				"person_ids": {fmt.Sprint(hh.Members[0].ID)},
				"period":     {"monthly"}, "applied_on": {"2026-05-01"}}); status != 200 {
				t.Fatalf("apply %s: %d", kind, status)
			}
			var id int64
			if err := e.h.db.QueryRowContext(t.Context(), `SELECT MAX(id) FROM benefit_cases`).Scan(&id); err != nil {
				t.Fatal(err)
			}
			return id
		}
		dibao, other := apply("dibao"), apply("near_dibao")
		raw := func(path string, v url.Values) (int, string) {
			t.Helper()
			v.Set("csrf", admin.csrf)
			res, _ := admin.postRaw(path, v)
			return res.StatusCode, res.Header.Get("Location")
		}
		for _, form := range []string{"", "/decision", "/end", "/withdraw"} {
			if status, _ := raw(fmt.Sprintf("/benefits/%d%s", other+100, form), url.Values{"version": {"1"}, "reason": {"x"}}); status != 404 {
				t.Errorf("%q on a missing case: %d", form, status)
			}
			if status, _ := raw(fmt.Sprintf("/benefits/%d%s", other, form), url.Values{"version": {"一"}, "reason": {"x"}}); status != 422 {
				t.Errorf("%q with a version not a number: %d", form, status)
			}
		}
		for _, form := range []string{"", "/decision"} {
			if status, _ := raw(fmt.Sprintf("/benefits/%d%s", dibao, form), url.Values{"version": {"1"}, "status": {"approved"}, "amount": {"五百"}}); status != 422 {
				t.Errorf("%q with an amount not a number: %d", form, status)
			}
		}
		if c, _ := e.hs.BenefitByID(t.Context(), dibao); c.Version != 1 || c.Status != household.BenefitApplied {
			t.Fatalf("after the refused forms: %+v", c)
		}
		file := fmt.Sprintf("/households/%d", hid)
		for _, step := range []struct {
			path   string
			v      url.Values
			status int
			to     string
		}{
			{fmt.Sprintf("/benefits/%d", dibao), url.Values{"version": {"1"}, "amount": {"600"}, "period": {"monthly"}}, 303, file + "#benefits"},
			{fmt.Sprintf("/benefits/%d", dibao), url.Values{"version": {"1"}, "amount": {"700"}, "period": {"monthly"}}, 409, ""},
			{fmt.Sprintf("/benefits/%d/decision", dibao), url.Values{"version": {"2"}, "status": {"approved"}, "decided_on": {"2026-05-10"}}, 303, file + "#benefits"},
			{fmt.Sprintf("/benefits/%d/end", dibao), url.Values{"version": {"3"}, "ended_on": {"2026-06-01"}, "reason": {"迁出"}}, 303, fmt.Sprintf("%s#benefit-%d", file, dibao)},
			{fmt.Sprintf("/benefits/%d/withdraw", other), url.Values{"version": {"1"}, "reason": {"不再申请"}}, 303, fmt.Sprintf("%s#benefit-%d", file, other)},
		} {
			if status, to := raw(step.path, step.v); status != step.status || to != step.to {
				t.Errorf("%s %v: %d → %q, want %d → %q", step.path, step.v, status, to, step.status, step.to)
			}
		}
		c, _ := e.hs.BenefitByID(t.Context(), dibao)
		if c.Status != household.BenefitEnded || c.Amount == nil || *c.Amount != 600 {
			t.Errorf("the dibao at the end: %+v", c)
		}
	})
}
