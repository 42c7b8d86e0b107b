package web

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"wanhu/internal/auth"
	"wanhu/internal/feedback"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/request"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestFeedbackPages: once the resident rates their request, its page
// offers to thank 小张, who resolved it, by name only; the thanks is taken
// once; a complaint needs words. The administrator sees the thanks on
// /feedback and on 小张's scorecard, records a complaint about the second
// grid's member and follows it up; praise is not followed up; the first
// grid's leader neither sees nor handles the second grid's complaint
// (404); a visitor may not record.
func TestFeedbackPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := t.Context()
		var worker, zhang int64
		if err := db.QueryRowContext(ctx, `SELECT id, team_member_id FROM users WHERE username = 'worker'`).Scan(&worker, &zhang); err != nil {
			t.Fatal(err)
		}
		han := org.TeamMember{CommunityID: e.org.Community.ID, GridID: e.org.Grids[1].ID, Name: "韩志愿", Role: org.RoleVolunteer, Phone: "13800001111"}
		if err := org.CreateTeamMember(ctx, db, &han); err != nil {
			t.Fatal(err)
		}
		if _, err := e.h.auth.CreateUser(ctx, "leader1", "一网格长", testPassword, auth.Grant{Role: auth.GridLeader, OrgUnitID: e.org.Grids[0].ID}); err != nil {
			t.Fatal(err)
		}
		rs := request.NewStore(db, e.hs)
		r, err := rs.SubmitPublic(ctx, request.Input{Category: "repairs", Description: "楼道灯坏了", Address: "一化小区 1号楼",
			GridID: e.org.Grids[0].ID}, "203.0.113.9", request.PublicLimits)
		if err != nil {
			t.Fatal(err)
		}
		for _, ch := range []request.Change{{Action: request.Accept, Urgency: request.General, Handling: request.Community},
			{Action: request.Resolve, Note: "换了灯泡", PublicNote: "已更换"}} {
			if _, err := rs.Apply(ctx, household.Actor{ID: worker, Name: "网格员小张"}, r.ID, ch); err != nil {
				t.Fatal(err)
			}
		}
		page := "/r/" + r.TrackingCode
		c := e.client()
		_, body := c.get(page)
		mustNotContain(t, "before rating", body, `id="resident-thanks"`)
		c.postRaw(page+"/rate", url.Values{"csrf": {csrfOf(body)}, "result": {"satisfied"}})
		_, body = c.get(page)
		mustContain(t, "after rating", body, `id="resident-thanks"`, "感谢TA", "> 小张</label>", `value="m:`+strconv.FormatInt(zhang, 10)+`"`)
		mustNotContain(t, "after rating", body, "韩志愿", "13800001111")
		tok := csrfOf(body)
		person := "m:" + strconv.FormatInt(zhang, 10)
		if res, body := c.postRaw(page+"/thanks", url.Values{"csrf": {tok}, "person": {person}, "kind": {"complaint"}}); res.StatusCode != http.StatusBadRequest {
			t.Errorf("complaint without words: %d", res.StatusCode)
		} else {
			mustContain(t, "complaint without words", body, `id="resident-thanks-error"`)
		}
		if res, body := c.postRaw(page+"/thanks", url.Values{"csrf": {"forged"}, "person": {person}, "kind": {"praise"}}); res.StatusCode != http.StatusForbidden {
			t.Errorf("forged thanks: %d %s", res.StatusCode, body)
		}
		if res, body := c.postRaw(page+"/thanks", url.Values{"csrf": {tok}, "person": {person}, "kind": {"praise"}, "body": {"谢谢小张，灯亮了"}}); res.StatusCode != http.StatusOK {
			t.Fatalf("thanks: %d %s", res.StatusCode, body)
		} else {
			mustContain(t, "thanks", body, "谢谢您")
		}
		if res, body := c.postRaw(page+"/thanks", url.Values{"csrf": {tok}, "person": {person}, "kind": {"praise"}}); res.StatusCode != http.StatusConflict {
			t.Errorf("second thanks: %d", res.StatusCode)
		} else {
			mustContain(t, "second thanks", body, "已经对这位工作人员说过了")
		}

		admin := e.signedIn("admin")
		_, body = admin.get("/feedback")
		mustContain(t, "admin's list", body, "谢谢小张，灯亮了", "居民评单", `id="feedback-form"`)
		_, body = admin.get("/staff/" + strconv.FormatInt(zhang, 10))
		mustContain(t, "小张's scorecard", body, `id="staff-praise">1`, "谢谢小张，灯亮了", `id="staff-feedback"`)
		_, body = admin.get("/requests/" + strconv.FormatInt(r.ID, 10))
		mustContain(t, "the request's page", body, `id="request-feedback"`, "谢谢小张，灯亮了")
		if status, body := admin.post("/feedback", url.Values{"kind": {"complaint"}, "member_id": {strconv.FormatInt(han.ID, 10)}}); status != http.StatusBadRequest {
			t.Errorf("complaint without words: %d", status)
		} else {
			mustContain(t, "complaint without words", body, `id="feedback-error"`, "内容")
		}
		status, body := admin.post("/feedback", url.Values{"kind": {"complaint"}, "member_id": {strconv.FormatInt(han.ID, 10)}, "body": {"说话不耐烦"}, "from_name": {"王先生"}})
		if status != http.StatusOK {
			t.Fatalf("record: %d", status)
		}
		mustContain(t, "recorded", body, "已登记", "说话不耐烦", "待处理")
		complaints, err := feedback.NewStore(db).List(ctx, feedback.Filter{Kind: feedback.Complaint})
		if err != nil || len(complaints) != 1 {
			t.Fatalf("complaints %+v %v", complaints, err)
		}
		praise, err := feedback.NewStore(db).List(ctx, feedback.Filter{Kind: feedback.Praise})
		if err != nil || len(praise) != 1 {
			t.Fatalf("praise %+v %v", praise, err)
		}
		handle := "/feedback/" + strconv.FormatInt(complaints[0].ID, 10) + "/handle"

		leader := e.signedIn("leader1")
		_, body = leader.get("/feedback")
		mustContain(t, "leader's list", body, "谢谢小张，灯亮了")
		mustNotContain(t, "leader's list", body, "说话不耐烦")
		if status, _ := leader.post(handle, url.Values{"status": {"looked_into"}}); status != http.StatusNotFound {
			t.Errorf("leader handles the second grid's complaint: %d", status)
		}
		if status, _ := e.signedIn("worker").post("/feedback", url.Values{"kind": {"praise"}, "member_id": {strconv.FormatInt(zhang, 10)}}); status != http.StatusForbidden {
			t.Errorf("visitor records: %d", status)
		}

		if status, _ := admin.post(handle, url.Values{"status": {"closed"}}); status != http.StatusBadRequest {
			t.Errorf("close without outcome: %d", status)
		}
		if status, _ := admin.post("/feedback/"+strconv.FormatInt(praise[0].ID, 10)+"/handle", url.Values{"status": {"closed"}, "outcome": {"x"}}); status != http.StatusConflict {
			t.Errorf("praise handled: %d", status)
		}
		if status, body := admin.post(handle, url.Values{"status": {"closed"}, "outcome": {"已当面道歉"}, "back": {"/feedback?status=closed"}}); status != http.StatusOK {
			t.Errorf("close: %d", status)
		} else {
			mustContain(t, "closed", body, "已当面道歉", "已办结")
		}

		// 小张 records a visit of the widow, who thanks him.
		wc := e.signedIn("worker")
		if status, _ := wc.post("/households/"+strconv.FormatInt(e.widow.ID, 10)+"/visits", url.Values{"outcome": {"met"}, "client_id": {"v-praise"},
			"praise_words": {"要是你们不来，我都不知道该咋办"}, "praise_from": {"李奶奶"}}); status != http.StatusOK {
			t.Fatalf("visit with thanks: %d", status)
		}
		fromVisit, err := feedback.NewStore(db).List(ctx, feedback.Filter{Source: feedback.FromVisit})
		if err != nil || len(fromVisit) != 1 || fromVisit[0].MemberID != zhang || fromVisit[0].FromName != "李奶奶" {
			t.Errorf("the visit's thanks %+v %v", fromVisit, err)
		}
	})
}
