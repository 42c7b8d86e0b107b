package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"wanhu/internal/calendar"
	"wanhu/internal/org"
	"wanhu/internal/staff"
)

// TestStaffHours: `wanhu staff hours` lists the hours of a month as text
// and JSON, writes a member's service record as xlsx with their unit, and
// names a bad month's flag.
func TestStaffHours(t *testing.T) {
	path, f := seedDB(t)
	ctx := context.Background()
	db := openSeeded(t, path)
	m := org.TeamMember{CommunityID: f.Community.ID, GridID: f.Grids[0].ID, Name: "拉加", Role: org.RolePartyMember, Unit: "区税务局"}
	if err := org.CreateTeamMember(ctx, db, &m); err != nil {
		t.Fatal(err)
	}
	e := staff.ServiceEntry{TeamMemberID: m.ID, Day: calendar.Date{Y: 2026, M: 11, D: 8}, Hours: 2.5, What: "报到服务：楼道清理"}
	if err := staff.AddService(ctx, db, &e, time.Date(2026, 11, 9, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	db.Close()
	var out bytes.Buffer
	if err := run(ctx, []string{"staff", "hours", "--db", path, "--month", "2026-11", "--format", "json"}, &out); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Items []staff.MemberHours `json:"items"`
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil || len(got.Items) == 0 {
		t.Fatalf("json %s %v", out.String(), err)
	}
	found := false
	for _, h := range got.Items {
		if h.MemberID == m.ID && h.Total == 2.5 && h.Unit == "区税务局" && len(h.Months) == 1 && h.Months[0].Manual == 2.5 {
			found = true
		}
	}
	if !found {
		t.Errorf("拉加 not in %s", out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"staff", "hours", "--db", path, "--month", "2026-11"}, &out); err != nil || !strings.Contains(out.String(), "拉加") ||
		!strings.Contains(out.String(), "2026-11") {
		t.Errorf("text %s %v", out.String(), err)
	}
	out.Reset()
	if err := run(ctx, []string{"staff", "hours", "--db", path, "--month", "2026-11", "--member", itoa(m.ID), "--format", "xlsx"}, &out); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(&out)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := x.GetRows(x.GetSheetName(0))
	if len(rows) != 3 || rows[1][1] != "区税务局" || rows[1][4] != "报到服务：楼道清理" || rows[2][3] != "2.5" {
		t.Errorf("xlsx %q", rows)
	}
	if err := run(ctx, []string{"staff", "hours", "--db", path, "--month", "2026-13"}, &out); err == nil || !strings.Contains(err.Error(), "--month") {
		t.Errorf("bad month: %v", err)
	}
}
