package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"testing"

	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/request"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

var (
	residentQuestion = regexp.MustCompile(`id="resident-question">(\d) (?:\+|&#43;) (\d) = \?<`)
	residentProofRe  = regexp.MustCompile(`name="proof" value="([^"]+)"`)
	residentCodeRe   = regexp.MustCompile(`id="resident-code">([A-Z0-9]{10})<`)
)

// residentFill fills the submission form of page body: v plus the token,
// the proof and the right answer (or wrong, when right is false).
func residentFill(t *testing.T, body string, v url.Values, right bool) url.Values {
	t.Helper()
	q, p := residentQuestion.FindStringSubmatch(body), residentProofRe.FindStringSubmatch(body)
	if q == nil || p == nil {
		t.Fatalf("no human check on the form:\n%s", body)
	}
	a, _ := strconv.Atoi(q[1])
	b, _ := strconv.Atoi(q[2])
	if !right {
		a++
	}
	out := url.Values{"csrf": {csrfOf(body)}, "proof": {p[1]}, "answer": {strconv.Itoa(a + b)}}
	for k, vs := range v {
		out[k] = vs
	}
	return out
}

// TestResidentSubmit: the resident submits a request without an account
// and gets a tracking code and its link; a wrong sum shows the form again
// with the input kept; the form needs its token and no honeypot; the phone
// is limited to five a day (429); an unknown code is a friendly 404.
func TestResidentSubmit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.client()
		code, body := c.get("/r/new")
		if code != http.StatusOK {
			t.Fatalf("form: %d", code)
		}
		mustContain(t, "form", body, "我要反映问题", "一化小区 1号楼", "东兴社区其他地点", "化粪池", `name="website"`,
			`<span class="brand" id="brand">东兴社区</span>`, "<title>我要反映问题 · 东兴社区</title>")
		mustNotContain(t, "form", body, "万户 · 一户一档", `href="/households"`)
		place := "b:" + strconv.FormatInt(e.org.Buildings[0].ID, 10)
		input := url.Values{"category": {"repairs"}, "description": {"3单元楼道灯坏了一周"}, "place": {place}, "address": {"3单元"},
			"phone": {"139 0000 1234"}}

		// A wrong answer: 400, the form again with what was typed.
		res, body2 := c.postRaw("/r/new", residentFill(t, body, input, false))
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("wrong answer: %d", res.StatusCode)
		}
		mustContain(t, "wrong answer", body2, `id="resident-error"`, "答案不对", "3单元楼道灯坏了一周", `value="139 0000 1234"`,
			`value="`+place+`" selected`, `value="repairs" selected`)
		// The proof of the old page does not fit the new token.
		if res, _ := c.postRaw("/r/new", residentFill(t, body, input, true)); res.StatusCode != http.StatusForbidden {
			t.Errorf("the old page's token: %d", res.StatusCode)
		}
		// The honeypot filled in.
		_, body = c.get("/r/new")
		bot := residentFill(t, body, input, true)
		bot.Set("website", "http://spam.example")
		if res, _ := c.postRaw("/r/new", bot); res.StatusCode != http.StatusBadRequest {
			t.Errorf("honeypot: %d", res.StatusCode)
		}
		// Forged token.
		_, body = c.get("/r/new")
		forged := residentFill(t, body, input, true)
		forged.Set("csrf", "forged")
		if res, _ := c.postRaw("/r/new", forged); res.StatusCode != http.StatusForbidden {
			t.Errorf("forged token: %d", res.StatusCode)
		}
		// A field the store refuses keeps the input too.
		_, body = c.get("/r/new")
		noPlace := residentFill(t, body, input, true)
		noPlace.Del("place")
		if res, body := c.postRaw("/r/new", noPlace); res.StatusCode != http.StatusBadRequest {
			t.Errorf("no place: %d", res.StatusCode)
		} else {
			mustContain(t, "no place", body, `data-field="place"`, "3单元楼道灯坏了一周")
		}

		_, body = c.get("/r/new")
		res, body = c.postRaw("/r/new", residentFill(t, body, input, true))
		if res.StatusCode != http.StatusOK {
			t.Fatalf("submit: %d %s", res.StatusCode, body)
		}
		m := residentCodeRe.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no tracking code:\n%s", body)
		}
		mustContain(t, "done", body, "提交成功", e.srv.URL+"/r/"+m[1], `id="brand">东兴社区<`)
		var channel, address string
		var grid int64
		storetest.Scan(t, db.QueryRowContext(t.Context(), `SELECT channel, address, grid_id FROM requests WHERE tracking_code = ?`, m[1]), &channel, &address, &grid)
		if channel != "web" || address != "一化小区 1号楼 3单元" || grid != e.org.Grids[0].ID {
			t.Errorf("stored %s %q grid %d", channel, address, grid)
		}
		code, body = c.get("/r/" + m[1])
		if code != http.StatusOK {
			t.Fatalf("status page: %d", code)
		}
		mustContain(t, "status", body, m[1], "已提交，等待社区受理", "3单元楼道灯坏了一周", "公共设施维修", "问题已提交",
			`id="resident-place">一化小区 1号楼<`, `id="brand">东兴社区<`,
			`如有疑问，请拨打东兴社区电话 <a id="resident-phone" href="tel:09718123456">0971-8123456</a>。`)
		mustNotContain(t, "status", body, "万户 · 一户一档", "请拨打社区电话。")
		mustNotContain(t, "status", body, "13900001234", "139 0000 1234", "****", `id="resident-rate"`, "一化小区 1号楼 3单元")
		// Typed in lower case through the lookup form.
		if code, body := c.get("/r?code=" + url.QueryEscape(" "+m[1][:4]+"-"+m[1][4:])); code != http.StatusOK || !residentCodeRe.MatchString(body) {
			t.Errorf("lookup: %d", code)
		}
		for _, p := range []string{"/r/ABCDEFGHJK", "/r/nonsense", "/r?code=x"} {
			if code, body := c.get(p); code != http.StatusNotFound || !regexp.MustCompile(`没有找到这个查询码`).MatchString(body) ||
				!regexp.MustCompile(`id="brand">东兴社区<`).MatchString(body) {
				t.Errorf("%s: %d", p, code)
			}
		}
		// A community without a phone: the hint names none.
		if _, err := db.ExecContext(t.Context(), `UPDATE org_units SET phone = '' WHERE id = ?`, e.org.Community.ID); err != nil {
			t.Fatal(err)
		}
		_, body = c.get("/r/" + m[1])
		mustContain(t, "status without a phone", body, "如有疑问，请拨打社区电话。")
		mustNotContain(t, "status without a phone", body, `id="resident-phone"`)

		// The phone's limit: five a day, wherever from.
		for i := 2; i <= 6; i++ {
			_, body := c.get("/r/new")
			res, _ := c.postRaw("/r/new", residentFill(t, body, input, true))
			if want := map[bool]int{true: http.StatusOK, false: http.StatusTooManyRequests}[i <= 5]; res.StatusCode != want {
				t.Errorf("submission %d: %d, want %d", i, res.StatusCode, want)
			}
		}
		if n := residentCount(t, db, `SELECT COUNT(*) FROM requests WHERE channel = 'web'`); n != 5 {
			t.Errorf("web requests %d, want 5", n)
		}

		// In English.
		c.get("/lang?to=en&back=/r/new")
		if _, body := c.get("/r/new"); !regexp.MustCompile(`Report a problem|Elsewhere in`).MatchString(body) {
			t.Errorf("English form:\n%s", body)
		}
	})
}

func residentCount(t *testing.T, db *store.DB, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(t.Context(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestResidentRate: the status page shows the decline reason and the
// public reply of the resolution but no staff name, no progress note and
// not the resolution itself; rating before
// resolution is refused; the rating closes a resolved request as its
// callback; a second rating is refused nicely.
func TestResidentRate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := t.Context()
		rs := request.NewStore(db, e.hs)
		staff := household.Actor{Name: "网格员小张"}
		r, err := rs.SubmitPublic(ctx, request.Input{Category: "ev_charging", Description: "充电桩不够", Address: "一化小区 2号楼",
			GridID: e.org.Grids[1].ID}, "203.0.113.9", request.PublicLimits)
		if err != nil {
			t.Fatal(err)
		}
		page := "/r/" + r.TrackingCode
		c := e.client()
		_, body := c.get(page)
		mustNotContain(t, "submitted", body, `id="resident-rate"`)
		_, body = c.get("/r/new") // a valid token, as on a page opened earlier
		if res, body := c.postRaw(page+"/rate", url.Values{"csrf": {csrfOf(body)}, "result": {"satisfied"}}); res.StatusCode != http.StatusConflict {
			t.Errorf("rating before resolution: %d", res.StatusCode)
		} else {
			mustContain(t, "too early", body, "办结后才能评价")
		}
		for _, ch := range []request.Change{
			{Action: request.Accept, Urgency: request.General, Handling: request.Community},
			{Action: request.Progress, Note: "内部：等物业报价"},
			{Action: request.Resolve, Note: "内部：2号楼物业王经理同意，装在3单元门口", PublicNote: "新增充电桩10个"},
		} {
			if _, err := rs.Apply(ctx, staff, r.ID, ch); err != nil {
				t.Fatal(err)
			}
		}
		_, body = c.get(page)
		mustContain(t, "resolved", body, "已办结，请您评价", "新增充电桩10个", "正在办理，有新进展", `id="resident-rate"`, "基本满意")
		mustNotContain(t, "resolved", body, "网格员小张", "内部：等物业报价", "王经理")
		secondTab := csrfOf(body)
		if res, body := c.postRaw(page+"/rate", url.Values{"csrf": {"forged"}, "result": {"satisfied"}}); res.StatusCode != http.StatusForbidden {
			t.Errorf("forged rating: %d %s", res.StatusCode, body)
		}
		if res, body := c.postRaw(page+"/rate", url.Values{"csrf": {csrfOf(body)}, "comment": {"还行"}}); res.StatusCode != http.StatusBadRequest {
			t.Errorf("rating without a result: %d", res.StatusCode)
		} else {
			mustContain(t, "no result", body, `id="resident-error"`, "还行")
			_, _ = c.postRaw(page+"/rate", url.Values{"csrf": {csrfOf(body)}, "result": {"basically_satisfied"}, "comment": {"还行"}})
		}
		got, err := rs.Get(ctx, r.ID)
		if err != nil || got.State != request.Closed || got.CallbackResult != request.BasicallySatisfied || got.CallbackComment != "还行" {
			t.Fatalf("after the rating: %+v %v", got, err)
		}
		_, body = c.get(page)
		mustContain(t, "closed", body, "已完结", "评价：基本满意")
		mustNotContain(t, "closed", body, `id="resident-rate"`, "网格员小张")
		if res, body := c.postRaw(page+"/rate", url.Values{"csrf": {secondTab}, "result": {"dissatisfied"}}); res.StatusCode != http.StatusConflict {
			t.Errorf("second rating: %d", res.StatusCode)
		} else {
			mustContain(t, "second rating", body, "已经评价过")
		}

		// A declined request shows the reason.
		d, _ := rs.SubmitPublic(ctx, request.Input{Category: "other", Description: "x", Address: "y", GridID: e.org.Grids[0].ID}, "203.0.113.9", request.PublicLimits)
		if _, err := rs.Apply(ctx, staff, d.ID, request.Change{Action: request.Decline, Note: "属于物业职责，请联系物业"}); err != nil {
			t.Fatal(err)
		}
		_, body = c.get("/r/" + d.TrackingCode)
		mustContain(t, "declined", body, "未予受理", "属于物业职责，请联系物业")
		mustNotContain(t, "declined", body, "网格员小张")
	})
}

// TestResidentBrand: where a street serves several communities, the
// submission form, which names no community yet, bears the street's name.
func TestResidentBrand(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		if err := org.CreateUnit(t.Context(), db, &org.Unit{Kind: org.Community, ParentID: e.org.Street.ID, Name: "西兴社区"}); err != nil {
			t.Fatal(err)
		}
		_, body := e.client().get("/r/new")
		mustContain(t, "form", body, `id="brand">韵家口镇<`, `<optgroup label="西兴社区">`)
	})
}
