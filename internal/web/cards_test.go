package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/household/householdtest"
	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/visit"
)

// cardTokens reads the contact-card tokens handed out, by household.
func cardTokens(t *testing.T, db *store.DB) map[int64]string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), `SELECT household_id, token FROM card_tokens`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var tok string
		if err := rows.Scan(&id, &tok); err != nil {
			t.Fatal(err)
		}
		out[id] = tok
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// cardsOf returns the household ids of the cards of a sheet, in order.
func cardsOf(body string) []string {
	var out []string
	for _, part := range strings.Split(body, `<article class="contact-card" data-household="`)[1:] {
		out = append(out, part[:strings.IndexByte(part, '"')])
	}
	return out
}

// TestContactCards: a plan's sheet has a card per planned household with
// its QR code and appointment link, one visitor's sheet only theirs (with
// the grid worker's number when the visitor has none), a visitor gets the
// cards of their own households only, and the sheet prints on A4.
func TestContactCards(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		a := household.Actor{Name: "测试"}
		for i, room := range []string{"101", "1001"} {
			if _, err := e.hs.CreateHousehold(ctx, a, household.Household{BuildingID: e.org.Buildings[0].ID, Unit: "1", Room: room},
				[]household.Person{{Name: "住户" + room, IDNumber: householdtest.IDNumber("1960-01-01", 40+i), Relation: "householder"}}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.ExecContext(ctx, `UPDATE team_members SET phone = ?, wechat = ? WHERE name = ?`, "13700000001", "xz_grid1", "小张"); err != nil {
			t.Fatal(err)
		}
		li := org.TeamMember{CommunityID: e.org.Community.ID, GridID: e.org.Grids[0].ID, Name: "小李", Role: org.RoleVolunteer}
		if err := org.CreateTeamMember(ctx, db, &li); err != nil {
			t.Fatal(err)
		}
		admin := e.signedIn("admin")
		week := visit.WeekOf(calendar.Today()).Next().String()
		if code, _ := admin.post("/plans", url.Values{"grid": {fmt.Sprint(e.org.Grids[0].ID)}, "week": {week}}); code != http.StatusOK {
			t.Fatalf("generate: %d", code)
		}
		var planID int64
		storetest.Scan(t, db.QueryRowContext(ctx, `SELECT id FROM plans`), &planID)
		if code, _ := admin.post(fmt.Sprintf("/plans/%d/items/%d", planID, e.widow.ID), url.Values{"team_member_id": {fmt.Sprint(li.ID)}}); code != http.StatusOK {
			t.Fatalf("move the widow to 小李: %d", code)
		}
		code, body := admin.get(fmt.Sprintf("/plans?grid=%d&week=%s", e.org.Grids[0].ID, week))
		if code != http.StatusOK {
			t.Fatalf("plans: %d", code)
		}
		mustContain(t, "plans page", body, fmt.Sprintf(`href="/cards?plan=%d"`, planID), fmt.Sprintf(`href="/cards?plan=%d&amp;member=%d"`, planID, li.ID), "data-print")
		mustNotContain(t, "plans page", body, "onclick=")

		code, body = admin.get(fmt.Sprintf("/cards?plan=%d", planID))
		if code != http.StatusOK {
			t.Fatalf("plan cards: %d", code)
		}
		var planned int
		storetest.Scan(t, db.QueryRowContext(ctx, `SELECT COUNT(*) FROM plan_items WHERE plan_id = ?`, planID), &planned)
		cards, tokens := cardsOf(body), cardTokens(t, db)
		if planned != 3 || len(cards) != planned || len(tokens) != planned || strings.Count(body, `<svg `) != planned {
			t.Fatalf("%d planned, %d cards, %d tokens, %d QR codes", planned, len(cards), len(tokens), strings.Count(body, `<svg `))
		}
		for id, tok := range tokens {
			if len(tok) != 16 {
				t.Errorf("token %q", tok)
			}
			mustContain(t, "plan cards", body, fmt.Sprintf(`data-household="%d"`, id), `href="`+e.srv.URL+"/a/"+tok+`"`)
		}
		mustContain(t, "plan cards", body, "走访联系卡", "东兴社区", "0971-8123456", "小张", "13700000001", "xz_grid1", e.widow.Address,
			`href="`+staticURL(t, "cards.css")+`"`, "data-print", `class="card-page"`)
		mustNotContain(t, "plan cards", body, "⟦", "王秀兰", "13912345678", "小李")

		// 小李 has no phone: the widow's card, the only one on his sheet,
		// gives the grid worker's.
		_, body = admin.get(fmt.Sprintf("/cards?plan=%d&member=%d", planID, li.ID))
		if got := cardsOf(body); len(got) != 1 || got[0] != fmt.Sprint(e.widow.ID) {
			t.Errorf("小李's cards: %v", got)
		}
		mustContain(t, "小李's cards", body, "13700000001", "/a/"+tokens[e.widow.ID])
		// With a phone but no WeChat, 小李 is the contact, and the card
		// still carries the grid worker's WeChat, named as his (R9).
		if _, err := db.ExecContext(ctx, `UPDATE team_members SET phone = ? WHERE id = ?`, "13700000002", li.ID); err != nil {
			t.Fatal(err)
		}
		_, body = admin.get(fmt.Sprintf("/cards?plan=%d&member=%d", planID, li.ID))
		mustContain(t, "小李's cards with his phone", body, "小李", "13700000002", "网格员 小张 的微信：xz_grid1")
		mustNotContain(t, "小李's cards with his phone", body, "13700000001")
		// The same household keeps its token on the next sheet.
		if after := cardTokens(t, db); after[e.widow.ID] != tokens[e.widow.ID] || len(after) != planned {
			t.Errorf("tokens changed: %v, then %v", tokens, after)
		}
		if code, _ := admin.get(fmt.Sprintf("/cards?plan=%d&member=999999", planID)); code != http.StatusNotFound {
			t.Errorf("cards of a stranger: %d", code)
		}

		// A building's sheet: its occupied households by unit and room.
		_, body = admin.get(fmt.Sprintf("/cards?building=%d", e.org.Buildings[0].ID))
		if got := cardsOf(body); len(got) != 3 || got[0] == fmt.Sprint(e.widow.ID) {
			t.Errorf("building cards: %v (widow %d is in unit 2)", got, e.widow.ID)
		}
		mustContain(t, "building cards", body, "1单元 101室", "1单元 1001室")
		if strings.Index(body, "1单元 101室") > strings.Index(body, "1单元 1001室") {
			t.Error("room 1001 before room 101")
		}

		// The worker gets the cards of the households in their scope: the
		// widow, assigned to them, and the two the plan gives them (the
		// widow's plan item went to 小李); none for the other grid's
		// building or family.
		worker := e.signedIn("worker")
		_, body = worker.get(fmt.Sprintf("/cards?plan=%d", planID))
		if got := cardsOf(body); len(got) != 3 || !slices.Contains(got, fmt.Sprint(e.widow.ID)) {
			t.Errorf("worker's plan cards: %v", got)
		}
		_, body = worker.get(fmt.Sprintf("/cards?plan=%d&member=%d", planID, li.ID))
		if got := cardsOf(body); len(got) != 1 || got[0] != fmt.Sprint(e.widow.ID) {
			t.Errorf("worker's copy of 小李's cards: %v", got)
		}
		if code, _ := worker.get(fmt.Sprintf("/households/%d/card", e.family.ID)); code != http.StatusNotFound {
			t.Errorf("card of a household out of scope: %d", code)
		}
		if code, _ := worker.get(fmt.Sprintf("/cards?building=%d", e.org.Buildings[1].ID)); code != http.StatusNotFound {
			t.Errorf("cards of a building out of scope: %d", code)
		}
		_, body = worker.get(fmt.Sprintf("/households/%d/visits", e.widow.ID))
		mustContain(t, "visit page", body, fmt.Sprintf(`href="/households/%d/card"`, e.widow.ID))
		e.h.publicURL = "https://wanhu.example.org/"
		code, body = worker.get(fmt.Sprintf("/households/%d/card", e.widow.ID))
		if code != http.StatusOK || len(cardsOf(body)) != 1 {
			t.Fatalf("the widow's card: %d", code)
		}
		mustContain(t, "household card", body, `href="https://wanhu.example.org/a/`+tokens[e.widow.ID]+`"`)

		code, css := admin.get("/static/cards.css")
		if code != http.StatusOK {
			t.Fatalf("cards.css: %d", code)
		}
		mustContain(t, "print CSS", css, "@page { size: A4", "grid-template-columns: 95mm 95mm", "grid-auto-rows: 69mm",
			"page-break-inside: avoid", "dashed", `"Noto Sans CJK SC"`)

		code, body = admin.get("/lang?to=en&back=" + url.QueryEscape(fmt.Sprintf("/cards?plan=%d", planID)))
		if code != http.StatusOK {
			t.Fatalf("in English: %d", code)
		}
		mustContain(t, "cards in English", body, "Visit contact card", "Community hotline", "Scan to book a visit", `lang="en"`)
		mustNotContain(t, "cards in English", body, "⟦", "扫码预约")
	})
}
