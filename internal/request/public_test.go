package request

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/pii"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestPublicSubmit: a resident's submission is a web request of the grid
// given, with the phone sealed; the client's and the phone's limits hold;
// a submission refused for its input does not count.
func TestPublicSubmit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := t.Context()
		lim := Limits{PerClientHour: 2, PerPhoneDay: 3}
		in := Input{Category: "repairs", Description: "楼道灯坏了", Address: "一化小区 1号楼 2单元", GridID: w.org.Grids[0].ID,
			Phone: "139 0000 1234", Channel: "hotline", HouseholdID: w.red.ID}
		r, err := w.s.SubmitPublic(ctx, in, "203.0.113.7", lim)
		if err != nil {
			t.Fatal(err)
		}
		if r.Channel != "web" || r.HouseholdID != 0 || r.GridID != w.org.Grids[0].ID || r.CreatedBy != Resident.Name ||
			r.ReporterPhone != "139****1234" || NormalizeCode(r.TrackingCode) != r.TrackingCode {
			t.Errorf("submitted %+v", r)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM public_submissions WHERE request_id = ? AND client_hash <> '' AND phone_hash <> ''`, r.ID); n != 1 {
			t.Errorf("submission rows: %d", n)
		}
		bad := in
		bad.Description = " "
		if _, err := w.s.SubmitPublic(ctx, bad, "203.0.113.7", lim); !isField(err, "description") {
			t.Errorf("empty description: %v", err)
		}
		if _, err := w.s.SubmitPublic(ctx, in, "203.0.113.7", lim); err != nil {
			t.Errorf("second from the client: %v", err)
		}
		if _, err := w.s.SubmitPublic(ctx, in, "203.0.113.7", lim); !errors.Is(err, ErrTooMany) {
			t.Errorf("third from the client within the hour: %v", err)
		}
		if _, err := w.s.SubmitPublic(ctx, in, "198.51.100.1", lim); err != nil {
			t.Errorf("third of the phone, from elsewhere: %v", err)
		}
		if _, err := w.s.SubmitPublic(ctx, in, "198.51.100.2", lim); !errors.Is(err, ErrTooMany) {
			t.Errorf("fourth of the phone within the day: %v", err)
		}
		w.now = w.now.Add(25 * 60 * 60 * 1e9)
		if _, err := w.s.SubmitPublic(ctx, in, "203.0.113.7", lim); err != nil {
			t.Errorf("a day later: %v", err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM requests WHERE channel = 'web'`); n != 4 {
			t.Errorf("web requests: %d, want 4", n)
		}
	})
}

func isField(err error, field string) bool {
	fe, ok := apperr.AsField(err)
	return ok && fe.Field == field
}

// TestTrackAndRate: the resident's view shows the public timeline only,
// with the decline reason and the public reply of the resolution but no
// resolution, no progress note, no hand-back and no staff name, and of
// the place the building at most; rating before resolution and a second
// rating are refused; a rating is the callback.
func TestTrackAndRate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := t.Context()
		r, err := w.s.SubmitPublic(ctx, Input{Category: "ev_charging", Description: "充电桩不够", Address: "一化小区 2号楼",
			GridID: w.org.Grids[1].ID}, "203.0.113.7", PublicLimits)
		if err != nil {
			t.Fatal(err)
		}
		code := r.TrackingCode
		lower := strings.ToLower(code[:5]) + "-" + code[5:]
		if _, err := w.s.Track(ctx, lower); err != nil {
			t.Errorf("code typed in lower case with a dash: %v", err)
		}
		for _, c := range []string{"", "ABCDEFGHJK", code + "2", "0O1I" + code[4:]} {
			if _, err := w.s.Track(ctx, c); !errors.Is(err, apperr.ErrNotFound) {
				t.Errorf("track %q: %v", c, err)
			}
		}
		if _, err := w.s.Rate(ctx, code, Satisfied, "", ""); !isTransition(err, Submitted) {
			t.Errorf("rating a submitted request: %v", err)
		}
		w.apply(t, r.ID, Change{Action: Accept, Urgency: General, Handling: Referred, DepartmentID: w.dept.ID})
		w.apply(t, r.ID, Change{Action: Progress, Note: "内部：等预算"})
		w.apply(t, r.ID, Change{Action: HandBack, Note: "不归我们管"})
		if _, err := w.s.Apply(ctx, clerk, r.ID, Change{Action: Progress, Note: "x", PublicNote: "y"}); !isField(err, "public_note") {
			t.Errorf("a public note on progress: %v", err)
		}
		w.apply(t, r.ID, Change{Action: Resolve, Note: "2号楼3单元502王师傅家门口装了10个", PublicNote: " 新增充电桩10个 "})
		tr, err := w.s.Track(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, e := range tr.Timeline {
			kinds = append(kinds, e.Kind)
			if e.Note != "" && e.Kind != Resolve && e.Kind != Decline {
				t.Errorf("%s shows its note %q", e.Kind, e.Note)
			}
		}
		if got := strings.Join(kinds, ","); got != "submitted,accept,progress,resolve" {
			t.Errorf("public timeline %s", got)
		}
		if tr.State != Resolved || tr.PublicNote != "新增充电桩10个" || tr.Department != "" || tr.Timeline[3].Note != "新增充电桩10个" {
			t.Errorf("tracked %+v", tr)
		}
		if shown, _ := json.Marshal(tr); strings.Contains(string(shown), "王师傅") || strings.Contains(string(shown), "502") {
			t.Errorf("the resolution is shown: %s", shown)
		}
		if got, _ := w.s.Get(ctx, r.ID); got.Resolution != "2号楼3单元502王师傅家门口装了10个" || got.PublicNote != "新增充电桩10个" {
			t.Errorf("staff see resolution %q, public note %q", got.Resolution, got.PublicNote)
		}
		if _, err := w.s.Rate(ctx, code, "great", "", ""); !isField(err, "result") {
			t.Errorf("unknown result: %v", err)
		}
		tr, err = w.s.Rate(ctx, code, BasicallySatisfied, "", "还行")
		if err != nil || tr.State != Closed || tr.CallbackResult != BasicallySatisfied {
			t.Fatalf("rate: %+v %v", tr, err)
		}
		if last := tr.Timeline[len(tr.Timeline)-1]; last.Kind != Callback || last.Result != BasicallySatisfied || last.Note != "" {
			t.Errorf("rating entry %+v", last)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM request_events WHERE request_id = ? AND kind = 'callback' AND actor = ?`, r.ID, Resident.Name); n != 1 {
			t.Errorf("callback entries by the resident: %d", n)
		}
		if _, err := w.s.Rate(ctx, code, Satisfied, "", ""); !isTransition(err, Closed) {
			t.Errorf("second rating: %v", err)
		}

		// Declined: the reason is for the resident; dissatisfied reopens.
		d, _ := w.s.SubmitPublic(ctx, Input{Category: "other", Description: "x", Address: "y", GridID: w.org.Grids[0].ID}, "203.0.113.8", PublicLimits)
		w.apply(t, d.ID, Change{Action: Decline, Note: "不属于社区职责"})
		if tr, _ := w.s.Track(ctx, d.TrackingCode); tr.DeclineReason != "不属于社区职责" || tr.Timeline[1].Note != "不属于社区职责" {
			t.Errorf("declined %+v", tr)
		}
		o, _ := w.s.SubmitPublic(ctx, Input{Category: "other", Description: "x", Address: "y", GridID: w.org.Grids[0].ID}, "203.0.113.8", PublicLimits)
		w.apply(t, o.ID, Change{Action: Accept, Urgency: Urgent, Handling: Community})
		w.apply(t, o.ID, Change{Action: Resolve, Note: "修好了"})
		if tr, err := w.s.Rate(ctx, o.TrackingCode, Dissatisfied, "", "还是坏的"); err != nil || tr.State != Accepted || tr.Timeline[len(tr.Timeline)-1].Kind != "reopened" {
			t.Errorf("dissatisfied: %+v %v", tr, err)
		}
		if got, _ := w.s.Get(ctx, o.ID); got.CallbackReason != "other" { // a resident need not say why
			t.Errorf("resident's reason %q, want other", got.CallbackReason)
		}
		w.apply(t, o.ID, Change{Action: Resolve, Note: "又修了"})
		if _, err := w.s.Rate(ctx, o.TrackingCode, Dissatisfied, "bad", ""); !isField(err, "reason") {
			t.Errorf("unknown reason: %v", err)
		}
		if _, err := w.s.Rate(ctx, o.TrackingCode, Dissatisfied, "attitude", ""); err != nil {
			t.Fatal(err)
		}
		if got, _ := w.s.Get(ctx, o.ID); got.CallbackReason != "attitude" {
			t.Errorf("resident's reason %q, want attitude", got.CallbackReason)
		}
	})
}

func isTransition(err error, state string) bool {
	var te *TransitionError
	return errors.As(err, &te) && te.State == state
}

// TestTrackedPlace: the resident's page shows the compound and building
// of a request, never the flat: a household's request is at its
// household's building, a public one at the building the resident chose;
// one without a building shows no place. Each names its community and
// the community's phone.
func TestTrackedPlace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := t.Context()
		hh := w.submit(t, Input{Category: "repairs", Description: "楼道灯坏了", Channel: "hotline", HouseholdID: w.red.ID})
		pub, err := w.s.SubmitPublic(ctx, Input{Category: "repairs", Description: "水管漏水", Address: "一化小区 2号楼 3单元502室",
			GridID: w.org.Grids[1].ID, BuildingID: w.org.Buildings[1].ID}, "203.0.113.7", PublicLimits)
		if err != nil {
			t.Fatal(err)
		}
		none, err := w.s.SubmitPublic(ctx, Input{Category: "repairs", Description: "路灯坏了", Address: "小区门口",
			GridID: w.org.Grids[0].ID}, "203.0.113.7", PublicLimits)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct{ code, want string }{{hh.TrackingCode, "一化小区 1号楼"}, {pub.TrackingCode, "一化小区 2号楼"}, {none.TrackingCode, ""}} {
			tr, err := w.s.Track(ctx, c.code)
			if err != nil || tr.Place != c.want {
				t.Fatalf("place %q %v, want %q", tr.Place, err, c.want)
			}
			if tr.Community != "东兴社区" || tr.CommunityPhone != "0971-8123456" {
				t.Errorf("community %q %q, want the one whose page it is", tr.Community, tr.CommunityPhone)
			}
			if shown, _ := json.Marshal(tr); strings.Contains(string(shown), "302") || strings.Contains(string(shown), "502") {
				t.Errorf("the flat is shown: %s", shown)
			}
		}
	})
}

// TestCodesRedactedInLogs: every tracking code this package makes is one
// that pii.RedactCodes masks, so none reaches a log line whole (the SMS
// gateway of demo mode logs each message, with the /r/{code} link).
func TestCodesRedactedInLogs(t *testing.T) {
	for range 2000 {
		code, err := trackingCode()
		if err != nil {
			t.Fatal(err)
		}
		line := "查询码 " + code + "。 /r/" + code
		if got, want := pii.RedactCodes(line), "查询码 "+pii.MaskCode(code)+"。 /r/"+pii.MaskCode(code); got != want {
			t.Fatalf("RedactCodes(%q) = %q", line, got)
		}
	}
}

// TestCountRead: the public faces' reads are counted per address and
// face in the database; over the limit a read is refused until the next
// window, with how long to wait; the address is stored as a hash and old
// windows are cleared.
func TestCountRead(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		lim := ReadLimit{Max: 3, Window: 10 * time.Minute}
		now := time.Date(2026, 9, 30, 15, 2, 0, 0, time.UTC) // 2 minutes into a window
		for i := 1; i <= 3; i++ {
			if err := CountRead(ctx, db, "resident", "203.0.113.7", lim, now); err != nil {
				t.Fatalf("read %d: %v", i, err)
			}
		}
		err := CountRead(ctx, db, "resident", "203.0.113.7", lim, now)
		var tm *apperr.TooMany
		if !errors.Is(err, apperr.ErrTooMany) || !errors.As(err, &tm) || tm.RetryAfter != 8*time.Minute {
			t.Errorf("fourth read: %v, want to retry in 8 minutes", err)
		}
		if err := CountRead(ctx, db, "resident", "198.51.100.1", lim, now); err != nil {
			t.Errorf("another address: %v", err)
		}
		if err := CountRead(ctx, db, "open311", "203.0.113.7", lim, now); err != nil {
			t.Errorf("another face: %v", err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM rate_hits WHERE client_hash LIKE '%203.0.113%'`); n != 0 {
			t.Errorf("the address is stored in clear")
		}
		if err := CountRead(ctx, db, "resident", "203.0.113.7", lim, now.Add(8*time.Minute)); err != nil {
			t.Errorf("in the next window: %v", err)
		}
		if err := CountRead(ctx, db, "resident", "203.0.113.7", lim, now.Add(time.Hour)); err != nil {
			t.Errorf("an hour later: %v", err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM rate_hits WHERE kind = 'read:resident'`); n != 1 {
			t.Errorf("%d windows kept, want only the current one", n)
		}
	})
}
