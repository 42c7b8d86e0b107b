package api

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"wanhu/internal/audit"
	"wanhu/internal/household/householdtest"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestHouseholdsDownload: GET /households?format=csv (or an Accept header
// naming CSV or xlsx) downloads every household the filters select, not a
// page, with the values of the JSON list (phones masked alike), after an
// audit entry; roles that may not export get 403, and the grid leader's
// file holds their grid only.
func TestHouseholdsDownload(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		var list struct {
			Items []struct {
				ID          int64  `json:"id"`
				Phone       string `json:"phone"`
				Householder string `json:"householder"`
				Address     string `json:"address"`
			} `json:"items"`
			Total int `json:"total"`
		}
		res, body := fx.do(t, "admin", "GET", "/households?per_page=1", "", nil)
		if err := json.Unmarshal(body, &list); err != nil || res.StatusCode != 200 || list.Total != 2 || len(list.Items) != 1 {
			t.Fatalf("JSON list: %d %v %s", res.StatusCode, err, short(body))
		}
		res, body = fx.do(t, "admin", "GET", "/households?format=csv&per_page=1", "", nil)
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") || !bytes.HasPrefix(body, []byte("\uFEFF")) {
			t.Fatalf("csv: %d %v %s", res.StatusCode, res.Header, short(body))
		}
		if cd := res.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="households-`) || !strings.Contains(cd, "filename*=UTF-8''%E4%BD%8F%E6%88%B7%E5%90%8D%E5%8D%95-") {
			t.Errorf("Content-Disposition %q", cd)
		}
		recs, err := csv.NewReader(bytes.NewReader(body[3:])).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != list.Total+1 || len(recs[0]) != len(householdColumns) || recs[0][0] != "户编号" || recs[0][12] != "联系电话" {
			t.Fatalf("csv records %q, want the header and %d households", recs, list.Total)
		}
		// Every value as the JSON list has it.
		_, page := fx.do(t, "admin", "GET", "/households?per_page=500", "", nil)
		if err := json.Unmarshal(page, &list); err != nil || len(list.Items) != list.Total {
			t.Fatalf("JSON list: %v %s", err, short(page))
		}
		for i, rec := range recs[1:] {
			x := list.Items[i]
			if rec[0] != strconv.FormatInt(x.ID, 10) || rec[7] != x.Address || rec[12] != x.Phone || x.Phone == "" || rec[18] != x.Householder {
				t.Errorf("csv row %q, JSON %+v", rec, x)
			}
		}
		if strings.Contains(string(body), householdtest.WidowPhone) || !strings.Contains(string(body), "红") {
			t.Errorf("csv shows a phone in full, or no colour in Chinese:\n%s", body)
		}
		// Filters apply; xlsx by Accept; the grid leader sees their grid.
		res, body = fx.do(t, "leader1", "GET", "/households?colour=red", "", map[string]string{"Accept": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})
		if res.StatusCode != 200 {
			t.Fatalf("xlsx: %d %s", res.StatusCode, short(body))
		}
		f, err := excelize.OpenReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := f.GetRows("住户名单")
		if err != nil || len(rows) != 2 || rows[1][0] != strconv.FormatInt(fx.red.ID, 10) || rows[1][20] != "红" {
			t.Errorf("xlsx rows %q (%v), want the red household", rows, err)
		}
		for _, c := range []struct{ user, path string }{{"visitor", "/households?format=csv"}, {"officer", "/households?format=xlsx"}} {
			if res, body := fx.do(t, c.user, "GET", c.path, "", nil); res.StatusCode != 403 {
				t.Errorf("%s %s: %d %s", c.user, c.path, res.StatusCode, short(body))
			}
		}
		if res, body := fx.do(t, "admin", "GET", "/households?format=pdf", "", nil); res.StatusCode != 400 || !strings.Contains(string(body), "format") {
			t.Errorf("format=pdf: %d %s", res.StatusCode, short(body))
		}
		entries, n, err := fx.d.Audit.Search(t.Context(), audit.Filter{Action: "export", Object: "households"})
		if err != nil || n != 2 {
			t.Fatalf("%d export entries (%v), want 2", n, err)
		}
		if entries[0].Detail != "xlsx 1 rows colour=red" || entries[0].Username != "leader1" || entries[1].Detail != "csv 2 rows" {
			t.Errorf("audit details %q by %s, %q", entries[0].Detail, entries[0].Username, entries[1].Detail)
		}
	})
}
