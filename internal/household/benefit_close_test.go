package household_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// fieldIs fails unless err is a FieldError on field with code.
func fieldIs(t *testing.T, what string, err error, field, code string) {
	t.Helper()
	if fe, ok := apperr.AsField(err); !ok || fe.Field != field || fe.Code != code {
		t.Errorf("%s: err %v, want a field error %s/%s", what, err, field, code)
	}
}

func TestBenefitEndAndWithdraw(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, f := setup(t, db)
		w := newBenefitWorld(t, ctx, db, s, f.Grids[0].ID, f.Grids[1].ID, f.Buildings[0].ID, f.Buildings[1].ID, f.Community.ID)
		widow := []int64{w.widow.Members[0].ID}
		// Applied on 1 June, approved on 5 June; today is 1 September.
		c, err := s.CreateBenefit(ctx, clerk, household.BenefitInput{HouseholdID: w.widow.ID, Kind: household.BenefitDibao, PersonIDs: widow, Amount: 500, Period: "monthly"})
		if err != nil {
			t.Fatal(err)
		}
		s.SetClock(func() time.Time { return time.Date(2026, 9, 1, 2, 0, 0, 0, time.UTC) })
		// An applied case does not end.
		_, err = s.EndBenefit(ctx, clerk, c.ID, household.BenefitEnd{EndedOn: "2026-08-01", Reason: "迁出", Version: 1})
		fieldIs(t, "end applied", err, "status", "invalid_transition")
		if c, err = s.DecideBenefit(ctx, clerk, c.ID, household.BenefitDecision{Status: household.BenefitApproved, DecidedOn: "2026-06-05", Version: 1}); err != nil {
			t.Fatal(err)
		}
		before := ledgerTypes(t, ctx, s, w.widow.ID)
		// Bad ends name their field and change nothing.
		for _, x := range []struct {
			e           household.BenefitEnd
			field, code string
		}{
			{household.BenefitEnd{EndedOn: "2026-08-01", Reason: "  ", Version: 2}, "reason", "required"},
			{household.BenefitEnd{EndedOn: "2026-06-04", Reason: "迁出", Version: 2}, "ended_on", "before_decided"},
			{household.BenefitEnd{EndedOn: "2026-09-02", Reason: "迁出", Version: 2}, "ended_on", "future"},
			{household.BenefitEnd{EndedOn: "2026-13-01", Reason: "迁出", Version: 2}, "ended_on", "invalid"},
			{household.BenefitEnd{EndedOn: "2026-08-01", Reason: "迁出", Version: 0}, "version", "required"},
			{household.BenefitEnd{EndedOn: "2026-08-01", Reason: strings.Repeat("长", 201), Version: 2}, "reason", ""},
		} {
			_, err := s.EndBenefit(ctx, clerk, c.ID, x.e)
			if fe, ok := apperr.AsField(err); !ok || fe.Field != x.field || (x.code != "" && fe.Code != x.code && x.code != "invalid") {
				t.Errorf("end %+v: %v, want a field error on %s (%s)", x.e, err, x.field, x.code)
			}
		}
		if _, err := s.EndBenefit(ctx, clerk, c.ID, household.BenefitEnd{EndedOn: "2026-08-01", Reason: "迁出", Version: 1}); !errors.Is(err, apperr.ErrConflict) {
			t.Errorf("stale end: %v, want ErrConflict", err)
		}
		if got, _ := s.BenefitByID(ctx, c.ID); got.Status != household.BenefitApproved || got.Version != 2 || got.EndedOn != "" || got.Reason != "" {
			t.Errorf("after refused ends: %+v", got)
		}
		if got := ledgerTypes(t, ctx, s, w.widow.ID); len(got) != len(before) {
			t.Errorf("refused ends wrote to the ledger: %v", got)
		}
		// An approved case cannot be withdrawn.
		_, err = s.WithdrawBenefit(ctx, clerk, c.ID, household.BenefitWithdrawal{Reason: "不要了", Version: 2})
		fieldIs(t, "withdraw approved", err, "status", "invalid_transition")

		// The end: status, day, reason, version, ledger.
		e, err := s.EndBenefit(ctx, clerk, c.ID, household.BenefitEnd{EndedOn: "2026-08-01", Reason: " 收入提高，年审退出 ", Version: 2})
		if err != nil {
			t.Fatal(err)
		}
		if e.Status != household.BenefitEnded || e.EndedOn != "2026-08-01" || e.Reason != "收入提高，年审退出" || e.Version != 3 || e.DecidedOn != "2026-06-05" {
			t.Errorf("ended %+v", e)
		}
		es, _, _ := s.Ledger(ctx, household.LedgerFilter{HouseholdID: w.widow.ID})
		if es[0].Type != household.EvBenefitEnded || es[0].Before != household.BenefitApproved || es[0].After != household.BenefitEnded ||
			es[0].Field != household.BenefitDibao || es[0].Note != "2026-08-01 · 1人 · 收入提高，年审退出" || es[0].PersonID != widow[0] {
			t.Errorf("ledger %+v", es[0])
		}
		// Ended is final.
		_, err = s.EndBenefit(ctx, clerk, c.ID, household.BenefitEnd{EndedOn: "2026-08-02", Reason: "again", Version: 3})
		fieldIs(t, "end twice", err, "status", "invalid_transition")
		_, err = s.DecideBenefit(ctx, clerk, c.ID, household.BenefitDecision{Status: household.BenefitRejected, Version: 3})
		fieldIs(t, "decide ended", err, "status", "invalid_transition")
		if cs, total, err := s.Benefits(ctx, household.BenefitFilter{Status: household.BenefitEnded}); err != nil || total != 1 || cs[0].ID != c.ID {
			t.Errorf("ended filter: %d, %v", total, err)
		}

		// A one-off benefit does not end.
		one, err := s.CreateBenefit(ctx, clerk, household.BenefitInput{HouseholdID: w.widow.ID, Kind: household.BenefitTemporaryRelief, PersonIDs: widow, Amount: 800, Period: "one_off", AppliedOn: "2026-07-01"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.DecideBenefit(ctx, clerk, one.ID, household.BenefitDecision{Status: household.BenefitApproved, DecidedOn: "2026-07-02", Version: 1}); err != nil {
			t.Fatal(err)
		}
		_, err = s.EndBenefit(ctx, clerk, one.ID, household.BenefitEnd{Reason: "x", Version: 2})
		fieldIs(t, "end one-off", err, "period", "one_off")
		// Temporary relief without a period is one-off too; another kind
		// without one is monthly.
		for kind, oneOff := range map[string]bool{household.BenefitTemporaryRelief: true, household.BenefitDisabilityAid: false} {
			if got := household.OneOffBenefit(kind, ""); got != oneOff {
				t.Errorf("OneOffBenefit(%s, \"\") = %v", kind, got)
			}
		}
		relief, err := s.CreateBenefit(ctx, clerk, household.BenefitInput{HouseholdID: w.widow.ID, Kind: household.BenefitTemporaryRelief, PersonIDs: widow, AppliedOn: "2026-07-01"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.DecideBenefit(ctx, clerk, relief.ID, household.BenefitDecision{Status: household.BenefitApproved, DecidedOn: "2026-07-02", Version: 1}); err != nil {
			t.Fatal(err)
		}
		_, err = s.EndBenefit(ctx, clerk, relief.ID, household.BenefitEnd{Reason: "x", Version: 2})
		fieldIs(t, "end relief without a period", err, "period", "one_off")

		// Withdrawal of an applied case.
		a, err := s.CreateBenefit(ctx, clerk, household.BenefitInput{HouseholdID: w.couple.ID, Kind: household.BenefitNearDibao, NeedID: w.need.ID, AppliedOn: "2026-08-10"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.WithdrawBenefit(ctx, clerk, a.ID, household.BenefitWithdrawal{Version: 1})
		fieldIs(t, "withdraw without reason", err, "reason", "required")
		_, err = s.WithdrawBenefit(ctx, clerk, a.ID, household.BenefitWithdrawal{WithdrawnOn: "2026-08-09", Reason: "录错", Version: 1})
		fieldIs(t, "withdraw before applied", err, "withdrawn_on", "before_applied")
		wd, err := s.WithdrawBenefit(ctx, clerk, a.ID, household.BenefitWithdrawal{Reason: "录错了", Version: 1})
		if err != nil {
			t.Fatal(err)
		}
		if wd.Status != household.BenefitWithdrawn || wd.WithdrawnOn != "2026-09-01" || wd.Reason != "录错了" || wd.Version != 2 || wd.DecidedOn != "" {
			t.Errorf("withdrawn %+v", wd)
		}
		if got := ledgerTypes(t, ctx, s, w.couple.ID); got[0] != household.EvBenefitWithdrawn {
			t.Errorf("ledger %v, want benefit_withdrawn first", got)
		}
		_, err = s.DecideBenefit(ctx, clerk, a.ID, household.BenefitDecision{Status: household.BenefitApproved, Version: 2})
		fieldIs(t, "decide withdrawn", err, "status", "invalid_transition")
		_, err = s.UpdateBenefit(ctx, clerk, a.ID, household.BenefitEdit{Version: 2})
		fieldIs(t, "edit withdrawn", err, "status", "decided")
		_, err = s.WithdrawBenefit(ctx, clerk, a.ID, household.BenefitWithdrawal{Reason: "again", Version: 2})
		fieldIs(t, "withdraw twice", err, "status", "invalid_transition")

		// Out of scope answers as missing.
		leader := s.In(org.Scope{GridIDs: []int64{f.Grids[0].ID}, Reveal: true})
		if _, err := leader.EndBenefit(ctx, clerk, one.ID, household.BenefitEnd{Reason: "x", Version: 2}); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("out of scope end: %v", err)
		}
		if _, err := leader.WithdrawBenefit(ctx, clerk, one.ID+1000, household.BenefitWithdrawal{Reason: "x", Version: 1}); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("missing withdrawal: %v", err)
		}

		// Who may withdraw: a decider, or the case's helper.
		hc := &household.BenefitCase{HelperID: w.worker.ID}
		for _, x := range []struct {
			decide, record bool
			member         int64
			want           bool
		}{{true, true, 0, true}, {false, true, w.worker.ID, true}, {false, true, w.worker.ID + 1, false}, {false, false, w.worker.ID, false}, {false, true, 0, false}} {
			if got := household.MayWithdrawBenefit(hc, x.decide, x.record, x.member); got != x.want {
				t.Errorf("may withdraw %+v: %v", x, got)
			}
		}
		if household.MayWithdrawBenefit(&household.BenefitCase{}, false, true, 0) {
			t.Error("a case without a helper is withdrawn by a user without a team member")
		}
	})
}

// Two transitions of one case at the same version: one wins, the other
// is a conflict (or, having read the case after, a refused transition),
// and the ledger has one event.
func TestBenefitCloseConcurrent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, f := setup(t, db)
		w := newBenefitWorld(t, ctx, db, s, f.Grids[0].ID, f.Grids[1].ID, f.Buildings[0].ID, f.Buildings[1].ID, f.Community.ID)
		for round := 0; round < 5; round++ {
			c, err := s.CreateBenefit(ctx, clerk, household.BenefitInput{HouseholdID: w.widow.ID, Kind: household.BenefitDibao, PersonIDs: []int64{w.widow.Members[0].ID}})
			if err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			errs := make([]error, 2)
			wg.Add(2)
			go func() {
				defer wg.Done()
				_, errs[0] = s.WithdrawBenefit(ctx, clerk, c.ID, household.BenefitWithdrawal{Reason: "不要了", Version: 1})
			}()
			go func() {
				defer wg.Done()
				_, errs[1] = s.DecideBenefit(ctx, clerk, c.ID, household.BenefitDecision{Status: household.BenefitApproved, Version: 1})
			}()
			wg.Wait()
			ok := 0
			for _, err := range errs {
				if err == nil {
					ok++
				} else if _, field := apperr.AsField(err); !field && !errors.Is(err, apperr.ErrConflict) {
					t.Errorf("round %d: unexpected error %v", round, err)
				}
			}
			if ok != 1 {
				t.Errorf("round %d: %d transitions succeeded (%v), want exactly one", round, ok, errs)
			}
			var n int
			storetest.Scan(t, db.QueryRowContext(ctx, `SELECT COUNT(*) FROM ledger_events WHERE household_id = ? AND type IN (?, ?)`,
				w.widow.ID, household.EvBenefitWithdrawn, household.EvBenefitGranted), &n)
			if n != round+1 {
				t.Errorf("round %d: %d closing events, want %d", round, n, round+1)
			}
		}
	})
}

// A failing ledger write leaves the case as it was.
func TestBenefitCloseLedgerSameTransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, f := setup(t, db)
		w := newBenefitWorld(t, ctx, db, s, f.Grids[0].ID, f.Grids[1].ID, f.Buildings[0].ID, f.Buildings[1].ID, f.Community.ID)
		c, err := s.CreateBenefit(ctx, clerk, household.BenefitInput{HouseholdID: w.widow.ID, Kind: household.BenefitDibao, PersonIDs: []int64{w.widow.Members[0].ID}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, `DROP TABLE ledger_events`); err != nil {
			t.Fatal(err)
		}
		if _, err := s.WithdrawBenefit(ctx, clerk, c.ID, household.BenefitWithdrawal{Reason: "x", Version: 1}); err == nil {
			t.Fatal("withdrew a case without its ledger event")
		}
		var status, reason string
		var v int
		storetest.Scan(t, db.QueryRowContext(ctx, `SELECT status, reason, version FROM benefit_cases WHERE id = ?`, c.ID), &status, &reason, &v)
		if status != household.BenefitApplied || reason != "" || v != 1 {
			t.Errorf("half written: %s %q v%d", status, reason, v)
		}
	})
}

// The statistics: granted by decision date (ended cases too), paid by
// month from the decision to the end.
func TestBenefitStatsEnded(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, f := setup(t, db)
		w := newBenefitWorld(t, ctx, db, s, f.Grids[0].ID, f.Grids[1].ID, f.Buildings[0].ID, f.Buildings[1].ID, f.Community.ID)
		both := []int64{w.couple.Members[0].ID, w.couple.Members[1].ID}
		widow := []int64{w.widow.Members[0].ID}
		s.SetClock(func() time.Time { return time.Date(2027, 3, 1, 2, 0, 0, 0, time.UTC) })
		grant := func(kind string, hid int64, persons []int64, period, decided, ended string) {
			t.Helper()
			c, err := s.CreateBenefit(ctx, clerk, household.BenefitInput{HouseholdID: hid, Kind: kind, PersonIDs: persons, Period: period, AppliedOn: "2026-01-01"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.DecideBenefit(ctx, clerk, c.ID, household.BenefitDecision{Status: household.BenefitApproved, DecidedOn: decided, Version: 1}); err != nil {
				t.Fatal(err)
			}
			if ended != "" {
				if _, err := s.EndBenefit(ctx, clerk, c.ID, household.BenefitEnd{EndedOn: ended, Reason: "年审", Version: 2}); err != nil {
					t.Fatal(err)
				}
			}
		}
		// The couple's dibao: decided 20 Jan, paid Jan–Apr, ended 1 May.
		grant(household.BenefitDibao, w.couple.ID, both, "monthly", "2026-01-20", "2026-05-01")
		// The widow's dibao: decided 10 Mar, never ended.
		grant(household.BenefitDibao, w.widow.ID, widow, "monthly", "2026-03-10", "")
		// The widow's elderly subsidy: decided 15 Feb, ended 15 Mar (paid Feb–Mar).
		grant(household.BenefitElderlySubsidy, w.widow.ID, widow, "monthly", "2026-02-15", "2026-03-15")
		// A relief in April (no period: one-off by its kind) and one in
		// June (one-off): each paid in its month only.
		grant(household.BenefitTemporaryRelief, w.couple.ID, both[:1], "", "2026-04-03", "")
		grant(household.BenefitTemporaryRelief, w.widow.ID, widow, "one_off", "2026-06-10", "")
		// Ended on its decision day: granted, never paid.
		grant(household.BenefitNearDibao, w.widow.ID, widow, "monthly", "2026-02-01", "2026-02-01")

		type row struct{ hh, persons, times, paidHH, paidPersons, months int }
		check := func(from, to string, want map[string]row) {
			t.Helper()
			got, err := s.BenefitStats(ctx, mustDate(from), mustDate(to))
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range got {
				x := want[c.Kind]
				g := row{c.Households, c.Persons, c.PersonTimes, c.PaidHouseholds, c.PaidPersons, c.PersonMonths}
				if g != x {
					t.Errorf("%s–%s %s: %+v, want %+v", from, to, c.Kind, g, x)
				}
			}
		}
		// January: the couple's dibao is granted and paid.
		check("2026-01-01", "2026-01-31", map[string]row{"dibao": {1, 2, 2, 1, 2, 2}})
		// The first half: all granted (ended ones too); paid months.
		check("2026-01-01", "2026-06-30", map[string]row{
			// couple Jan–Apr: 2 persons × 4; widow Mar–Jun: 1 × 4.
			"dibao":            {2, 3, 3, 2, 3, 12},
			"elderly_subsidy":  {1, 1, 1, 1, 1, 2},
			"temporary_relief": {2, 2, 2, 2, 2, 2},
			"near_dibao":       {1, 1, 1, 0, 0, 0},
		})
		// May: nothing granted; the widow's dibao is still paid, the
		// couple's ended on 1 May is not.
		check("2026-05-01", "2026-05-31", map[string]row{"dibao": {0, 0, 0, 1, 1, 1}})
		// Mid-March to mid-April, by month: March and April.
		check("2026-03-20", "2026-04-10", map[string]row{
			"dibao":            {0, 0, 0, 2, 3, 6},
			"elderly_subsidy":  {0, 0, 0, 1, 1, 1},
			"temporary_relief": {1, 1, 1, 1, 1, 1},
		})
		// Next year: the widow's dibao is paid in January and February.
		check("2027-01-01", "2027-02-28", map[string]row{"dibao": {0, 0, 0, 1, 1, 2}})
	})
}
