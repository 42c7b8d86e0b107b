package web

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"wanhu/internal/household"
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
