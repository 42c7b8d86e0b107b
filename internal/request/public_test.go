package request

import (
	"errors"
	"strings"
	"testing"

	"wanhu/internal/apperr"
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
// with the decline reason and the resolution but no progress note, no
// hand-back and no staff name; rating before resolution and a second
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
		w.apply(t, r.ID, Change{Action: Resolve, Note: "新增充电桩10个"})
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
		if tr.State != Resolved || tr.Resolution != "新增充电桩10个" || tr.Department != "" || tr.Timeline[3].Note != "新增充电桩10个" {
			t.Errorf("tracked %+v", tr)
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
