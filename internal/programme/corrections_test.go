package programme

import (
	"errors"
	"slices"
	"testing"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestSessionCorrections corrects a session (at its version, with the
// checks of a new one; statistics and served hours follow it) and
// deletes one added by mistake, but not one whose attendance is
// recorded; and changes an enrolment's interests, within scope.
func TestSessionCorrections(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		w := newWorld(t, db)
		c, err := w.admin.CreateProgramme(ctx, secretary, ProgrammeInput{CommunityID: w.org.Community.ID, Name: "四点半课堂", Kind: FourThirty,
			Place: "社区活动室"})
		if err != nil {
			t.Fatal(err)
		}
		start := time.Date(2026, 11, 30, 8, 30, 0, 0, time.UTC) // Monday 16:30 China
		s1, err := w.admin.AddSession(ctx, secretary, c.ID, SessionInput{StartsAt: start, EndsAt: start.Add(time.Hour), Topic: "画画",
			StaffIDs: []int64{w.art}})
		if err != nil || s1.Version != 1 {
			t.Fatalf("session = %+v, %v", s1, err)
		}
		kid, err := w.admin.Enrol(ctx, secretary, c.ID, EnrolInput{PersonID: w.kids[0], Interests: []string{"drawing"}, EnrolledOn: "2026-11-20"})
		if err != nil {
			t.Fatal(err)
		}
		widow, err := w.admin.Enrol(ctx, secretary, c.ID, EnrolInput{PersonID: w.widow.Members[0].ID, EnrolledOn: "2026-11-20"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.admin.SetAttendance(ctx, c.ID, s1.ID, []int64{kid.ID}); err != nil {
			t.Fatal(err)
		}

		// The checks of a new session, each naming its field.
		fix := func(in SessionInput) SessionInput {
			in.Version = 1
			return in
		}
		for _, tc := range []struct {
			in          SessionInput
			field, code string
		}{
			{fix(SessionInput{EndsAt: start}), "starts_at", "required"},
			{fix(SessionInput{StartsAt: start}), "ends_at", "required"},
			{fix(SessionInput{StartsAt: start, EndsAt: start.Add(-time.Minute)}), "ends_at", "before_start"},
			{fix(SessionInput{StartsAt: start, EndsAt: start.Add(25 * time.Hour)}), "ends_at", "too_long"},
			{fix(SessionInput{StartsAt: start, EndsAt: start.Add(time.Hour), Topic: string(make([]rune, 201))}), "topic", "too_long"},
			{fix(SessionInput{StartsAt: start, EndsAt: start.Add(time.Hour), StaffIDs: []int64{999999}}), "staff_ids", "not_found"},
			{SessionInput{StartsAt: start, EndsAt: start.Add(time.Hour)}, "version", "required"},
		} {
			_, err := w.admin.UpdateSession(ctx, c.ID, s1.ID, tc.in)
			wantField(t, err, tc.field, tc.code)
		}
		if v := count(t, db, `SELECT version FROM programme_sessions WHERE id = ?`, s1.ID); v != 1 {
			t.Fatalf("refused corrections moved the version to %d", v)
		}

		// The session was on Tuesday, 17:00–19:00, taught by the music
		// teacher: corrected at version 1; the stale second correction is
		// refused and changes nothing.
		tue := start.Add(24*time.Hour + 30*time.Minute)
		up, err := w.admin.UpdateSession(ctx, c.ID, s1.ID, SessionInput{StartsAt: tue, EndsAt: tue.Add(2 * time.Hour), Topic: " 唱歌 ",
			StaffIDs: []int64{w.music}, Version: 1})
		if err != nil {
			t.Fatal(err)
		}
		if up.Version != 2 || !up.StartsAt.Equal(tue) || up.Topic != "唱歌" || up.Place != "社区活动室" || len(up.Staff) != 1 ||
			up.Staff[0].ID != w.music || up.Attended != 1 || !slices.Equal(up.Present, []int64{kid.ID}) {
			t.Fatalf("corrected = %+v", up)
		}
		_, err = w.admin.UpdateSession(ctx, c.ID, s1.ID, SessionInput{StartsAt: start, EndsAt: start.Add(time.Hour), Version: 1})
		if !errors.Is(err, apperr.ErrConflict) {
			t.Fatalf("stale correction: %v", err)
		}
		if ss, _ := w.admin.Sessions(ctx, c.ID); len(ss) != 1 || !ss[0].StartsAt.Equal(tue) || ss[0].Version != 2 {
			t.Fatalf("after the stale correction: %+v", ss)
		}
		// The served hours moved to the music teacher, two hours.
		hours, err := ServedHours(ctx, db, start.Add(-24*time.Hour), start.Add(7*24*time.Hour))
		if err != nil || hours[w.art] != 0 || hours[w.music] != 2 {
			t.Fatalf("hours = %v, %v", hours, err)
		}

		// Scope: another community and a session of another programme are
		// not found; the first grid's leader reaches the community's
		// programme and may correct it.
		if _, err := w.other.UpdateSession(ctx, c.ID, s1.ID, SessionInput{StartsAt: tue, EndsAt: tue.Add(time.Hour), Version: 2}); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("other community corrects: %v", err)
		}
		if err := w.other.DeleteSession(ctx, c.ID, s1.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("other community deletes: %v", err)
		}
		ck, err := w.admin.CreateProgramme(ctx, secretary, ProgrammeInput{CommunityID: w.org.Community.ID, Name: "老年人免费体检", Kind: Checkup})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.admin.UpdateSession(ctx, ck.ID, s1.ID, SessionInput{StartsAt: tue, EndsAt: tue.Add(time.Hour), Version: 2}); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("a session through another programme: %v", err)
		}
		if err := w.admin.DeleteSession(ctx, ck.ID, s1.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("a session deleted through another programme: %v", err)
		}

		// A session with attendance is not deleted: its attendance counts
		// in the statistics. The first grid's leader, who does not see the
		// child who came, is refused too.
		var attended *SessionAttended
		if err := w.lead.DeleteSession(ctx, c.ID, s1.ID); !errors.As(err, &attended) || attended.Attended != 1 {
			t.Fatalf("lead deletes an attended session: %v", err)
		}
		if err := w.admin.DeleteSession(ctx, c.ID, s1.ID); !errors.As(err, &attended) {
			t.Fatalf("admin deletes an attended session: %v", err)
		}
		st, err := w.admin.Stats(ctx, calendar.Date{Y: 2026, M: 11, D: 1}, calendar.Date{Y: 2026, M: 12, D: 31})
		if err != nil {
			t.Fatal(err)
		}
		sessions := 0
		for _, r := range st.Rates {
			if r.ProgrammeID == c.ID {
				sessions = r.Sessions
			}
		}
		if sessions != 1 || len(st.Months) != 1 || st.Months[0].Attendances != 1 {
			t.Fatalf("stats after a refused delete: %+v", st)
		}
		// With nobody present it goes, with its staff and its served hours.
		if _, err := w.admin.SetAttendance(ctx, c.ID, s1.ID, nil); err != nil {
			t.Fatal(err)
		}
		if err := w.admin.DeleteSession(ctx, c.ID, s1.ID); err != nil {
			t.Fatal(err)
		}
		if err := w.admin.DeleteSession(ctx, c.ID, s1.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("deleted twice: %v", err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM programme_session_staff WHERE session_id = ?`, s1.ID); n != 0 {
			t.Fatalf("staff of the deleted session: %d", n)
		}
		if p, _ := w.admin.Programme(ctx, c.ID); p.Sessions != 0 {
			t.Fatalf("sessions after the delete: %d", p.Sessions)
		}
		if hours, _ := ServedHours(ctx, db, start.Add(-24*time.Hour), start.Add(7*24*time.Hour)); hours[w.music] != 0 {
			t.Fatalf("hours after the delete = %v", hours)
		}
		if _, err := w.admin.UpdateSession(ctx, c.ID, s1.ID, SessionInput{StartsAt: tue, EndsAt: tue.Add(time.Hour), Version: 2}); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("correcting a deleted session: %v", err)
		}

		// Interests: replaced as a whole, from the vocabulary, for the
		// households the user reaches.
		got, err := w.admin.SetInterests(ctx, c.ID, kid.ID, []string{"singing", " reading", "singing", ""})
		if err != nil || !slices.Equal(got.Interests, []string{"singing", "reading"}) {
			t.Fatalf("interests = %+v, %v", got, err)
		}
		_, err = w.admin.SetInterests(ctx, c.ID, kid.ID, []string{"poker"})
		wantField(t, err, "interests", "one_of")
		if _, err := w.lead.SetInterests(ctx, c.ID, kid.ID, []string{"drawing"}); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("lead sets another grid's child's interests: %v", err)
		}
		if _, err := w.other.SetInterests(ctx, c.ID, widow.ID, nil); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("other community sets interests: %v", err)
		}
		if got, err := w.lead.SetInterests(ctx, c.ID, widow.ID, nil); err != nil || len(got.Interests) != 0 {
			t.Fatalf("lead clears the widow's interests: %+v, %v", got, err)
		}
		ts, _ := w.admin.Teachers(ctx, c.ID, "en")
		for _, x := range ts {
			if want := map[string]int{"singing": 1, "reading": 1}[x.Interest]; x.Children != want {
				t.Errorf("teachers of %s count %d children, want %d", x.Interest, x.Children, want)
			}
		}
		if _, err := w.admin.Withdraw(ctx, c.ID, kid.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := w.admin.SetInterests(ctx, c.ID, kid.ID, []string{"drawing"}); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("interests of one who left: %v", err)
		}
	})
}
