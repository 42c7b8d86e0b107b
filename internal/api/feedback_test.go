package api

import (
	"fmt"
	"strings"
	"testing"

	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestFeedbackAPI: the office records thanks of the volunteer 卓玛 and a
// complaint about the second grid's member; the first grid's leader
// neither reads nor handles the complaint (404, as for a missing id); a
// visitor may not record; a complaint is closed only with an outcome and
// praise is not followed up; 卓玛 (the visitor's member) reads her own
// thanks. The resident thanks the grid worker who resolved their rated
// request, once.
func TestFeedbackAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		ctx := t.Context()
		var zhuoma int64
		if err := db.QueryRowContext(ctx, `SELECT id FROM team_members WHERE name = '卓玛'`).Scan(&zhuoma); err != nil {
			t.Fatal(err)
		}
		other := org.TeamMember{CommunityID: fx.org.Community.ID, GridID: fx.org.Grids[1].ID, Name: "韩志愿", Role: org.RoleVolunteer}
		if err := org.CreateTeamMember(ctx, db, &other); err != nil {
			t.Fatal(err)
		}
		post := func(user, path, body string, status int) []byte {
			t.Helper()
			resp, b := fx.do(t, user, "POST", path, body, nil)
			if resp.StatusCode != status {
				t.Fatalf("%s %s: %d, want %d: %s", user, path, resp.StatusCode, status, short(b))
			}
			return b
		}
		thanks := decodeAs[struct{ ID int64 }](t, post("admin", "/feedback",
			fmt.Sprintf(`{"kind":"praise","member_id":%d,"from_name":"藏族老人","body":"卓玛帮我们翻译，谢谢"}`, zhuoma), 201))
		complaint := decodeAs[struct{ ID int64 }](t, post("admin", "/feedback",
			fmt.Sprintf(`{"kind":"complaint","member_id":%d,"body":"说话不耐烦"}`, other.ID), 201))
		post("visitor", "/feedback", fmt.Sprintf(`{"kind":"praise","member_id":%d}`, zhuoma), 403)
		if b := post("admin", "/feedback", fmt.Sprintf(`{"kind":"complaint","member_id":%d}`, other.ID), 400); !strings.Contains(string(b), `"field":"body"`) {
			t.Errorf("complaint without words: %s", b)
		}
		c := fmt.Sprint(complaint.ID)
		fx.run(t, []scenario{
			{name: "leader reads out of scope", method: "GET", path: "/feedback/" + c, user: "leader1", status: 404},
			{name: "leader handles out of scope", method: "POST", path: "/feedback/" + c + "/handle", body: `{"status":"looked_into"}`, user: "leader1", status: 404},
			{name: "leader lists own grid", method: "GET", path: "/feedback", user: "leader1", status: 200, want: []string{"卓玛帮我们翻译"}, reject: []string{"韩志愿"}},
			{name: "close without outcome", method: "POST", path: "/feedback/" + c + "/handle", body: `{"status":"closed"}`, user: "admin", status: 400, want: []string{`"field":"outcome"`}},
			{name: "look into", method: "POST", path: "/feedback/" + c + "/handle", body: `{"status":"looked_into","version":1}`, user: "admin", status: 200, want: []string{`"status":"looked_into"`, `"version":2`}},
			{name: "close", method: "POST", path: "/feedback/" + c + "/handle", body: `{"status":"closed","outcome":"已当面道歉"}`, user: "clerk", status: 200, want: []string{`"status":"closed"`, "网格员小李"}},
			{name: "reopen refused", method: "POST", path: "/feedback/" + c + "/handle", body: `{"status":"looked_into"}`, user: "admin", status: 409, want: []string{"invalid_transition"}},
			{name: "praise not handled", method: "POST", path: fmt.Sprintf("/feedback/%d/handle", thanks.ID), body: `{"status":"closed","outcome":"x"}`, user: "admin", status: 409},
			{name: "visitor reads own thanks", method: "GET", path: "/feedback?kind=praise", user: "visitor", status: 200, want: []string{"卓玛帮我们翻译"}},
			{name: "bad filter", method: "GET", path: "/feedback?status=maybe", user: "admin", status: 400, want: []string{`"field":"status"`}},
			{name: "public unknown code", method: "GET", path: "/public/requests/ABCDEFGHJK/people", status: 404},
		})

		// The resident's side: clerk accepts and resolves, the request is
		// rated, the resident thanks 网格员小李 once.
		req := decodeAs[struct {
			ID           int64
			TrackingCode string `json:"tracking_code"`
		}](t, post("clerk", "/requests", `{"category":"sanitation","description":"下水道堵塞","channel":"visit","household_id":{red}}`, 201))
		id := fmt.Sprint(req.ID)
		post("clerk", "/requests/"+id+"/accept", `{"urgency":"general","handling":"community","working_days":3}`, 200)
		path := "/public/requests/" + req.TrackingCode
		fx.run(t, []scenario{{name: "nobody before rating", method: "GET", path: path + "/people", status: 200, want: []string{`"total":0`}}})
		post("", path+"/feedback", `{"kind":"praise","person":"u:1"}`, 409)
		post("clerk", "/requests/"+id+"/resolve", `{"note":"已疏通"}`, 200)
		post("clerk", "/requests/"+id+"/callback", `{"result":"satisfied","method":"phone"}`, 200)
		people := decodeAs[struct {
			Items []struct{ Key, Name string }
		}](t, func() []byte { _, b := fx.do(t, "", "GET", path+"/people", "", nil); return b }())
		if len(people.Items) != 1 || people.Items[0].Name != "网格员小李" {
			t.Fatalf("people %+v", people)
		}
		body := fmt.Sprintf(`{"kind":"praise","person":%q,"body":"小李师傅辛苦了"}`, people.Items[0].Key)
		post("", path+"/feedback", body, 201)
		post("", path+"/feedback", body, 409)
		post("", path+"/feedback", `{"kind":"praise","person":"m:999"}`, 400)
	})
}
