package visit_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/notify"
	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
	"wanhu/internal/visit"
)

func fieldCode(err error) string {
	if fe, ok := apperr.AsField(err); ok {
		return fe.Field + ":" + fe.Code
	}
	return ""
}

func pendingOf(t *testing.T, ctx context.Context, db *store.DB, id int64) []notify.Pending {
	t.Helper()
	ps, err := notify.PendingFor(ctx, db, "appointment:"+itoa(id))
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

func itemOf(p *visit.Plan, hid int64) (int64, visit.PlanItem, bool) {
	for _, v := range p.Visitors {
		for _, it := range v.Households {
			if it.HouseholdID == hid {
				return v.TeamMemberID, it, true
			}
		}
	}
	return 0, visit.PlanItem{}, false
}

// TestAppointments walks a grid's week: slots by availability, bookings
// by language and room, the outbox written with them (and not on failure),
// the plan before and after, visits closing them and missed ones.
func TestAppointments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx, err := testworld.NewOrg(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		worker := org.TeamMember{CommunityID: fx.Community.ID, GridID: fx.Grids[0].ID, Name: "马学军", Role: org.RoleGridWorker, Availability: []string{"daytime", "evening"}}
		zhuoma := org.TeamMember{CommunityID: fx.Community.ID, Name: "卓玛", Role: org.RoleVolunteer, Languages: []string{"bo"}, Availability: []string{"evening", "weekend"}}
		for _, m := range []*org.TeamMember{&worker, &zhuoma} {
			if err := org.CreateTeamMember(ctx, db, m); err != nil {
				t.Fatal(err)
			}
		}
		files := household.NewStore(db)
		clerk := household.Actor{Name: "测试"}
		var hs []int64
		for i, h := range []household.Household{
			{Room: "101", Language: "bo", Phone: "13912345678"},
			{Room: "102", Phone: "13900000002"},
			{Room: "103"},
		} {
			h.BuildingID = fx.Buildings[0].ID
			got, err := files.CreateHousehold(ctx, clerk, h, []household.Person{{Name: []string{"才让", "王芳", "赵强"}[i], BirthDate: mustDate("1980-07-01"), Gender: "male", Relation: "householder"}})
			if err != nil {
				t.Fatal(err)
			}
			hs = append(hs, got.ID)
		}
		now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC) // Thursday 18:00 China time
		vs := visit.NewStore(db, files)
		vs.SetClock(func() time.Time { return now })

		slots, err := vs.Slots(ctx, fx.Grids[0].ID)
		if err != nil || len(slots) != 17 {
			t.Fatalf("slots: %d %v", len(slots), err)
		}
		fri, sat := slots[0], slots[1]
		if fri.Kind != "evening" || fri.Capacity != 2 || fri.Free != 2 || sat.Kind != "weekend" || sat.Capacity != 1 {
			t.Fatalf("first slots: %+v %+v", fri, sat)
		}
		if grid2, _ := vs.Slots(ctx, fx.Grids[1].ID); len(grid2) != 17 || grid2[0].Capacity != 1 {
			t.Errorf("grid 2 has only the community's helper: %+v", grid2)
		}

		// The plan of the week exists before anything is booked.
		week := visit.WeekOf(calendar.DayOf(fri.Start))
		if _, err := vs.GeneratePlan(ctx, "测试", fx.Grids[0].ID, week); err != nil {
			t.Fatal(err)
		}

		// The Tibetan-speaking household gets the Tibetan speaker.
		a1, err := vs.Book(ctx, clerk, visit.Booking{HouseholdID: hs[0], SlotStart: fri.Start, Phone: "139 1234 5678", Via: visit.ViaQR, ClientAddr: "10.0.0.1"})
		if err != nil || a1.TeamMemberID != zhuoma.ID || a1.State != "booked" || a1.Phone != "139****5678" || a1.SlotKind != "evening" {
			t.Fatalf("book 1: %+v %v", a1, err)
		}
		var stored string
		storetest.Scan(t, db.QueryRowContext(ctx, `SELECT phone FROM appointments WHERE id = ?`, a1.ID), &stored)
		if stored == "" || strings.Contains(stored, "5678") {
			t.Errorf("phone stored in the clear: %q", stored)
		}
		ps := pendingOf(t, ctx, db, a1.ID)
		if len(ps) != 2 || ps[0].Kind != notify.AppointmentConfirmed || ps[1].Kind != notify.AppointmentReminder ||
			!ps[1].NextAttemptAt.Equal(time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)) || strings.Contains(ps[0].Payload, "5678") {
			t.Errorf("outbox: %+v", ps)
		}
		p, _ := vs.Plan(ctx, fx.Grids[0].ID, week)
		if m, it, ok := itemOf(p, hs[0]); !ok || m != zhuoma.ID || !strings.Contains(it.Reason, "appointment") {
			t.Errorf("booking did not land in the plan: %d %+v", m, it)
		}

		// The second household gets the other evening visitor; then the slot is full.
		a2, err := vs.Book(ctx, clerk, visit.Booking{HouseholdID: hs[1], SlotStart: fri.Start, Via: visit.ViaStaff})
		if err != nil || a2.TeamMemberID != worker.ID || a2.BookedBy != "测试" || a2.Phone != "139****0002" {
			t.Fatalf("book 2: %+v %v", a2, err)
		}
		var outbox int
		storetest.Scan(t, db.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox`), &outbox)
		if _, err := vs.Book(ctx, clerk, visit.Booking{HouseholdID: hs[2], SlotStart: fri.Start, Via: visit.ViaStaff}); fieldCode(err) != "slot_start:full" {
			t.Errorf("a full slot: %v", err)
		}
		if _, err := vs.Book(ctx, clerk, visit.Booking{HouseholdID: hs[2], SlotStart: fri.Start.Add(time.Hour), Via: visit.ViaStaff}); fieldCode(err) != "slot_start:not_offered" {
			t.Errorf("a time that is no slot: %v", err)
		}
		var after, rows3 int
		storetest.Scan(t, db.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox`), &after)
		storetest.Scan(t, db.QueryRowContext(ctx, `SELECT COUNT(*) FROM appointments WHERE household_id = ?`, hs[2]), &rows3)
		if after != outbox || rows3 != 0 {
			t.Errorf("failed bookings wrote %d messages, %d appointments", after-outbox, rows3)
		}
		if _, err := vs.In(org.Scope{}).Book(ctx, clerk, visit.Booking{HouseholdID: hs[2], SlotStart: sat.Start, Via: visit.ViaStaff}); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("out of scope: %v", err)
		}

		// Booking again replaces: household 2 moves to Saturday, the weekend
		// visitor; its old messages are cancelled and Friday has room again.
		a2b, err := vs.Book(ctx, clerk, visit.Booking{HouseholdID: hs[1], SlotStart: sat.Start, Via: visit.ViaStaff})
		if err != nil || a2b.TeamMemberID != zhuoma.ID {
			t.Fatalf("rebook: %+v %v", a2b, err)
		}
		// One appointment, or one household's open one, out of scope reads
		// as none (the scope checked on its household's row).
		if _, err := vs.In(org.Scope{}).Appointment(ctx, a2.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("an appointment out of scope: %v", err)
		}
		if a, err := vs.In(org.Scope{}).OpenAppointment(ctx, hs[1]); a != nil || err != nil {
			t.Errorf("the open appointment of a household out of scope: %+v %v", a, err)
		}
		if a, err := vs.OpenAppointment(ctx, hs[1]); a == nil || a.ID != a2b.ID || err != nil {
			t.Errorf("the open appointment of a household in scope: %+v %v", a, err)
		}
		if old, _ := vs.Appointment(ctx, a2.ID); old.State != "cancelled" || len(pendingOf(t, ctx, db, a2.ID)) != 0 {
			t.Errorf("replaced booking: %+v", old)
		}
		if s, _ := vs.Slots(ctx, fx.Grids[0].ID); s[0].Free != 1 || s[1].Free != 0 {
			t.Errorf("places after rebooking: %+v %+v", s[0], s[1])
		}

		// Generating the plan again honours both bookings.
		p, err = vs.GeneratePlan(ctx, "测试", fx.Grids[0].ID, week)
		if err != nil {
			t.Fatal(err)
		}
		for _, hid := range hs[:2] {
			if m, it, ok := itemOf(p, hid); !ok || m != zhuoma.ID || !strings.Contains(it.Reason, "appointment") || it.Priority < 2000 {
				t.Errorf("regenerated plan, household %d: %d %+v", hid, m, it)
			}
		}
		if m, it, _ := itemOf(p, hs[2]); m != worker.ID || strings.Contains(it.Reason, "appointment") {
			t.Errorf("household without booking: %d %+v", m, it)
		}

		// A visit on the day closes the booking: met → done, not at home → missed.
		now = fri.Start.Add(time.Hour)
		at := fri.Start.Add(30 * time.Minute)
		v, _, err := vs.Record(ctx, clerk, visit.Input{ClientID: "appt-1", HouseholdID: hs[0], Outcome: "met", At: &at})
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := vs.Appointment(ctx, a1.ID); got.State != "done" || got.VisitID != v.ID || len(pendingOf(t, ctx, db, a1.ID)) != 0 {
			t.Errorf("after the visit: %+v", got)
		}
		now = sat.Start.Add(time.Hour)
		at = sat.Start.Add(10 * time.Minute)
		if _, _, err := vs.Record(ctx, clerk, visit.Input{ClientID: "appt-2", HouseholdID: hs[1], Outcome: "not_home", At: &at}); err != nil {
			t.Fatal(err)
		}
		if got, _ := vs.Appointment(ctx, a2b.ID); got.State != "missed" || got.VisitID == 0 {
			t.Errorf("not at home: %+v", got)
		}

		// A booking nobody visited reads as missed a day after its slot;
		// staff can say so at once, once.
		sun := slots[3]
		a3, err := vs.Book(ctx, clerk, visit.Booking{HouseholdID: hs[2], SlotStart: sun.Start, Via: visit.ViaStaff})
		if err != nil || a3.Phone != "" {
			t.Fatalf("book 3: %+v %v", a3, err)
		}
		if len(pendingOf(t, ctx, db, a3.ID)) != 0 {
			t.Error("messages for a booking without a phone")
		}
		now = sun.End.Add(25 * time.Hour)
		if got, _ := vs.OpenAppointment(ctx, hs[2]); got == nil || got.State != "missed" {
			t.Errorf("a day after the slot: %+v", got)
		}
		// Booking again stores the stale booking as missed, not cancelled.
		later, err := vs.Slots(ctx, fx.Grids[0].ID)
		if err != nil || len(later) == 0 {
			t.Fatalf("slots a day later: %v %v", later, err)
		}
		a4, err := vs.Book(ctx, clerk, visit.Booking{HouseholdID: hs[2], SlotStart: later[0].Start, Via: visit.ViaStaff})
		if err != nil {
			t.Fatalf("book again: %v", err)
		}
		var state string
		if err := db.QueryRowContext(ctx, `SELECT state FROM appointments WHERE id = ?`, a3.ID).Scan(&state); err != nil || state != "missed" {
			t.Errorf("the stale booking is stored as %q (%v), want missed", state, err)
		}
		if got, err := vs.MarkMissed(ctx, a4.ID); err != nil || got.State != "missed" {
			t.Errorf("mark missed: %+v %v", got, err)
		}
		if _, err := vs.MarkMissed(ctx, a4.ID); !errors.Is(err, apperr.ErrConflict) {
			t.Errorf("missed twice: %v", err)
		}
		// A booking nobody came to is stored as missed by the daily job,
		// not before a day has passed.
		a5, err := vs.Book(ctx, clerk, visit.Booking{HouseholdID: hs[2], SlotStart: later[1].Start, Via: visit.ViaStaff})
		if err != nil {
			t.Fatal(err)
		}
		if n, err := visit.CloseMissed(ctx, db, later[1].End.Add(23*time.Hour)); err != nil || n != 0 {
			t.Errorf("close missed within the day after: %d %v", n, err)
		}
		if n, err := visit.CloseMissed(ctx, db, later[1].End.Add(25*time.Hour)); err != nil || n != 1 {
			t.Errorf("close missed: %d %v, want 1", n, err)
		}
		if err := db.QueryRowContext(ctx, `SELECT state FROM appointments WHERE id = ?`, a5.ID).Scan(&state); err != nil || state != "missed" {
			t.Errorf("after the daily job the booking is %q (%v)", state, err)
		}
		list, err := vs.Appointments(ctx, visit.AppointmentFilter{GridID: fx.Grids[0].ID, From: fri.Start, To: sat.End})
		if err != nil || len(list) != 3 {
			t.Errorf("list: %d %v", len(list), err)
		}
	})
}

// TestPublicBookingLimit: a household books publicly at most
// PerHouseholdDay times a day, a client address PerClientHour times an hour.
func TestPublicBookingLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx, err := testworld.NewOrg(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		m := org.TeamMember{CommunityID: fx.Community.ID, GridID: fx.Grids[0].ID, Name: "马学军", Role: org.RoleGridWorker, Availability: []string{"evening"}}
		if err := org.CreateTeamMember(ctx, db, &m); err != nil {
			t.Fatal(err)
		}
		files := household.NewStore(db)
		clerk := household.Actor{Name: "测试"}
		var hs []int64
		for _, room := range []string{"101", "102"} {
			h, err := files.CreateHousehold(ctx, clerk, household.Household{BuildingID: fx.Buildings[0].ID, Room: room},
				[]household.Person{{Name: "才让", BirthDate: mustDate("1980-07-01"), Gender: "male", Relation: "householder"}})
			if err != nil {
				t.Fatal(err)
			}
			hs = append(hs, h.ID)
		}
		vs := visit.NewStore(db, files)
		vs.SetClock(func() time.Time { return time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC) })
		vs.SetSlotConfig(visit.SlotConfig{Days: 14, PerVisitor: 1, Lead: 2 * time.Hour, PerHouseholdDay: 2, PerClientHour: 3})
		slots, _ := vs.Slots(ctx, fx.Grids[0].ID)
		book := func(hid int64, i int, addr string) error {
			_, err := vs.Book(ctx, clerk, visit.Booking{HouseholdID: hid, SlotStart: slots[i].Start, Phone: "13912345678", Via: visit.ViaQR, ClientAddr: addr})
			return err
		}
		if err := book(hs[0], 0, "10.0.0.1"); err != nil {
			t.Fatal(err)
		}
		if err := book(hs[0], 1, "10.0.0.2"); err != nil {
			t.Fatal(err)
		}
		if err := book(hs[0], 2, "10.0.0.3"); !errors.Is(err, visit.ErrTooMany) {
			t.Errorf("third booking of the day: %v", err)
		}
		if err := book(hs[1], 3, "10.0.0.1"); err != nil {
			t.Fatal(err)
		}
		if err := book(hs[1], 4, "10.0.0.1"); err != nil {
			t.Fatal(err)
		}
		if err := book(hs[1], 5, "10.0.0.1"); err != nil && !errors.Is(err, visit.ErrTooMany) {
			t.Fatal(err)
		} else if err == nil {
			t.Error("fourth booking from one address in an hour went through")
		}
		// Staff bookings are not limited.
		if _, err := vs.Book(ctx, clerk, visit.Booking{HouseholdID: hs[0], SlotStart: slots[6].Start, Via: visit.ViaStaff}); err != nil {
			t.Errorf("staff booking: %v", err)
		}
	})
}
