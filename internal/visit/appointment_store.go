package visit

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/notify"
	"wanhu/internal/org"
	"wanhu/internal/store"
)

// ErrTooMany answers a public booking over the rate limit.
var ErrTooMany = errors.New("too many bookings")

// bookingLock is the PostgreSQL advisory lock that bookings take turns on.
const bookingLock = 0x57616e6875 // "Wanhu"

// appointmentBonus lifts a household with an appointment in the week above
// every other in the plan, so it is always included.
const appointmentBonus = 2000

// Appointment is a booked visit slot. Phone is masked: the SMS sender opens
// the sealed column itself.
type Appointment struct {
	ID           int64     `json:"id"`
	HouseholdID  int64     `json:"household_id"`
	Address      string    `json:"address"`
	GridID       int64     `json:"grid_id"`
	TeamMemberID int64     `json:"team_member_id"`
	Visitor      string    `json:"visitor"`
	SlotStart    time.Time `json:"slot_start"`
	SlotEnd      time.Time `json:"slot_end"`
	SlotKind     string    `json:"slot_kind"`
	Phone        string    `json:"phone"`
	BookedVia    string    `json:"booked_via"`
	BookedBy     string    `json:"booked_by"`
	State        string    `json:"state"`
	VisitID      int64     `json:"visit_id,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
}

// Booking is a slot to book for a household.
type Booking struct {
	HouseholdID int64     `json:"household_id"`
	SlotStart   time.Time `json:"slot_start"`
	Phone       string    `json:"phone"`
	Via         string    `json:"-"` // ViaQR or ViaStaff
	ClientAddr  string    `json:"-"` // where a public booking came from
}

// SetSlotConfig replaces the numbers slots are published with.
func (s *Store) SetSlotConfig(c SlotConfig) { s.slots = c }

// Slots returns the bookable slots of grid gridID from now on, with their
// places left.
func (s *Store) Slots(ctx context.Context, gridID int64) ([]Slot, error) {
	g, err := s.gridInScope(ctx, gridID)
	if err != nil {
		return nil, err
	}
	slots, _, err := s.slotsOf(ctx, s.db, g, s.now().UTC())
	return slots, err
}

// slotsOf returns grid g's slots and, per slot start (Unix seconds), the
// visitors available then with their places left.
func (s *Store) slotsOf(ctx context.Context, q store.Querier, g org.Grid, now time.Time) ([]Slot, map[int64][]slotVisitor, error) {
	vs, err := s.planVisitors(ctx, q, g)
	if err != nil {
		return nil, nil, err
	}
	var evening, weekend bool
	for _, v := range vs {
		evening = evening || slices.Contains(v.m.Availability, SlotEvening)
		weekend = weekend || slices.Contains(v.m.Availability, SlotWeekend)
	}
	slots := slotsBetween(now, s.slots, evening, weekend)
	if len(slots) == 0 {
		return []Slot{}, nil, nil
	}
	// Bookings of these visitors, in any grid (a helper serves several).
	taken := map[[2]int64]int{}
	open := map[int64]int{}
	rows, err := q.QueryContext(ctx, `SELECT team_member_id, slot_start FROM appointments
		WHERE state = 'booked' AND team_member_id IS NOT NULL AND slot_start >= ?`, slots[0].Start)
	if err != nil {
		return nil, nil, err
	}
	for rows.Next() {
		var m int64
		var at time.Time
		if err := rows.Scan(&m, &at); err != nil {
			rows.Close()
			return nil, nil, err
		}
		taken[[2]int64{m, at.Unix()}]++
		open[m]++
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	who := map[int64][]slotVisitor{}
	for i := range slots {
		sl := &slots[i]
		for _, v := range vs {
			if !slices.Contains(v.m.Availability, sl.Kind) {
				continue
			}
			free := max(s.slots.PerVisitor-taken[[2]int64{v.m.ID, sl.Start.Unix()}], 0)
			sl.Capacity += s.slots.PerVisitor
			sl.Free += free
			who[sl.Start.Unix()] = append(who[sl.Start.Unix()], slotVisitor{m: v.m, own: v.own, open: open[v.m.ID], free: free})
		}
	}
	return slots, who, nil
}

// Book books a slot for a household, in one transaction: it checks the
// slot is offered and has room, gives it to a visitor free then (see
// pickVisitor), replaces the household's open booking if any, puts the
// household into that visitor's list of the week's plan when the plan
// exists, and enqueues the confirmation and the reminder. A public booking
// (ViaQR) needs a phone and is rate-limited (ErrTooMany); a staff booking
// without one uses the household's phone.
func (s *Store) Book(ctx context.Context, actor household.Actor, b Booking) (*Appointment, error) {
	phone, err := checkPhone(b.Phone, b.Via == ViaQR)
	if err != nil {
		return nil, err
	}
	if b.Via != ViaQR && b.Via != ViaStaff {
		return nil, fmt.Errorf("book: unknown channel %q", b.Via)
	}
	if b.SlotStart.IsZero() {
		return nil, apperr.Field("slot_start", "required", "is required")
	}
	h, err := s.files.HouseholdByID(ctx, b.HouseholdID)
	if err != nil {
		return nil, err
	}
	if h.GridID == 0 {
		return nil, apperr.Field("household_id", "no_grid", "the household belongs to no grid")
	}
	g, err := org.GridByID(ctx, s.db, h.GridID)
	if err != nil {
		return nil, err
	}
	if phone == "" {
		if phone, err = s.files.MessagePhone(ctx, h.ID); err != nil {
			return nil, err
		}
	}
	now := s.now().UTC()
	var id int64
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		// Two bookings of a slot's last place must not both succeed: on
		// PostgreSQL, with several servers, bookings take turns (SQLite
		// has one writer at a time anyway). Bookings are few, so one lock
		// for all of them costs nothing.
		if tx.Dialect() == store.Postgres {
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, bookingLock); err != nil {
				return err
			}
		}
		client := store.KeysOf(tx).Hash("client_addr", b.ClientAddr)
		if b.Via == ViaQR {
			if err := s.underLimits(ctx, tx, h.ID, client, now); err != nil {
				return err
			}
		}
		// The household's booking so far is replaced: cancelled, or
		// recorded as missed if its slot is long past.
		var old int64
		var oldEnd time.Time
		err := tx.QueryRowContext(ctx, `SELECT id, slot_end FROM appointments WHERE household_id = ? AND state = 'booked'`, h.ID).Scan(&old, &oldEnd)
		switch {
		case err == nil && now.Sub(oldEnd) > missedAfter:
			if _, err := tx.ExecContext(ctx, `UPDATE appointments SET state = 'missed', updated_at = ? WHERE id = ?`, now, old); err != nil {
				return err
			}
		case err == nil:
			if err := cancel(ctx, tx, old, now); err != nil {
				return err
			}
		case !isNoRows(err):
			return err
		}
		slots, who, err := s.slotsOf(ctx, tx, g, now)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(slots, func(sl Slot) bool { return sl.Start.Equal(b.SlotStart) })
		if i < 0 {
			return apperr.Field("slot_start", "not_offered", "is not a slot offered for this household's grid")
		}
		sl := slots[i]
		v := pickVisitor(who[sl.Start.Unix()], h.Language)
		if v == nil {
			return apperr.Field("slot_start", "full", "this slot is fully booked")
		}
		sealed, _, err := household.SealPhone(tx.Keys(), phone)
		if err != nil {
			return err
		}
		by := ""
		if b.Via == ViaStaff {
			by = actor.Name
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO appointments(household_id, grid_id, team_member_id, slot_start, slot_end, slot_kind,
			phone, booked_via, booked_by, client_hash, state, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'booked', ?, ?) RETURNING id`,
			h.ID, g.ID, v.m.ID, sl.Start, sl.End, sl.Kind, sealed, b.Via, by, client, now, now).Scan(&id)
		if store.IsUniqueViolation(err) {
			return apperr.ErrConflict // booked meanwhile by another request
		}
		if err != nil {
			return err
		}
		if err := landInPlan(ctx, tx, g.ID, h.ID, v.m.ID, sl.Start); err != nil {
			return err
		}
		if phone == "" {
			return nil
		}
		return enqueueNotices(ctx, tx, id, sl, g.CommunityName, now)
	})
	if err != nil {
		return nil, err
	}
	return s.Appointment(ctx, id)
}

// underLimits returns ErrTooMany when household id or the client booked
// publicly too often lately.
func (s *Store) underLimits(ctx context.Context, q store.Querier, id int64, client string, now time.Time) error {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM appointments WHERE household_id = ? AND booked_via = 'qr' AND created_at > ?`,
		id, now.Add(-24*time.Hour)).Scan(&n); err != nil {
		return err
	}
	if n >= s.slots.PerHouseholdDay {
		return ErrTooMany
	}
	if client == "" {
		return nil
	}
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM appointments WHERE client_hash = ? AND created_at > ?`,
		client, now.Add(-time.Hour)).Scan(&n); err != nil {
		return err
	}
	if n >= s.slots.PerClientHour {
		return ErrTooMany
	}
	return nil
}

func recipient(id int64) string { return "appointment:" + strconv.FormatInt(id, 10) }

// enqueueNotices writes the confirmation and the reminder of appointment id.
func enqueueNotices(ctx context.Context, q store.Querier, id int64, sl Slot, community string, now time.Time) error {
	payload := map[string]any{"appointment_id": id, "slot_start": sl.Start, "slot_end": sl.End, "slot_kind": sl.Kind, "community": community}
	if err := notify.Enqueue(ctx, q, notify.Message{Kind: notify.AppointmentConfirmed, Recipient: recipient(id), Payload: payload}); err != nil {
		return err
	}
	if at, ok := reminderAt(sl.Start, now); ok {
		return notify.Enqueue(ctx, q, notify.Message{Kind: notify.AppointmentReminder, Recipient: recipient(id), Payload: payload, NotBefore: at})
	}
	return nil
}

// cancel cancels appointment id and its pending messages.
func cancel(ctx context.Context, q store.Querier, id int64, now time.Time) error {
	if _, err := q.ExecContext(ctx, `UPDATE appointments SET state = 'cancelled', updated_at = ? WHERE id = ?`, now, id); err != nil {
		return err
	}
	return notify.Cancel(ctx, q, recipient(id))
}

// landInPlan puts household hid into member's list of the grid's plan for
// the slot's week, when that plan exists: a new item at the end of the
// list, or the existing one moved there, its reason marked "appointment".
func landInPlan(ctx context.Context, q store.Querier, gridID, hid, member int64, start time.Time) error {
	week := WeekOf(calendar.DayOf(start))
	var plan int64
	err := q.QueryRowContext(ctx, `SELECT id FROM plans WHERE grid_id = ? AND week = ?`, gridID, week.String()).Scan(&plan)
	if isNoRows(err) {
		return nil
	}
	if err != nil {
		return err
	}
	const end = `(SELECT COALESCE(MAX(position), 0) + 1 FROM plan_items WHERE plan_id = ? AND team_member_id = ?)`
	var cur int64
	var reason string
	var priority int
	err = q.QueryRowContext(ctx, `SELECT team_member_id, reason, priority FROM plan_items WHERE plan_id = ? AND household_id = ?`, plan, hid).
		Scan(&cur, &reason, &priority)
	if isNoRows(err) {
		_, err = q.ExecContext(ctx, `INSERT INTO plan_items(plan_id, household_id, team_member_id, position, priority, reason)
			VALUES (?, ?, ?, `+end+`, ?, 'appointment')`, plan, hid, member, plan, member, 1000+appointmentBonus)
		return err
	}
	if err != nil {
		return err
	}
	if !slices.Contains(strings.Split(reason, ","), "appointment") {
		reason, priority = reason+",appointment", priority+appointmentBonus
	}
	if cur == member {
		_, err = q.ExecContext(ctx, `UPDATE plan_items SET reason = ?, priority = ? WHERE plan_id = ? AND household_id = ?`, reason, priority, plan, hid)
		return err
	}
	_, err = q.ExecContext(ctx, `UPDATE plan_items SET team_member_id = ?, reason = ?, priority = ?, position = `+end+`
		WHERE plan_id = ? AND household_id = ?`, member, reason, priority, plan, member, plan, hid)
	return err
}

// CloseMissed stores as missed the booked appointments whose slot ended
// more than a day before now without a visit, cancels their pending
// messages and returns how many; `wanhu visit recompute` runs it daily.
func CloseMissed(ctx context.Context, db *store.DB, now time.Time) (int, error) {
	n := 0
	err := db.InTx(ctx, func(tx *store.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id FROM appointments WHERE state = 'booked' AND slot_end < ?`, now.Add(-missedAfter).UTC())
		if err != nil {
			return err
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, `UPDATE appointments SET state = 'missed', updated_at = ? WHERE id = ?`, now.UTC(), id); err != nil {
				return err
			}
			if err := notify.Cancel(ctx, tx, recipient(id)); err != nil {
				return err
			}
		}
		n = len(ids)
		return nil
	})
	return n, err
}

// closeAppointment closes household hid's booking on the day of a visit at
// at: done with the visit, or missed when nobody was home.
func closeAppointment(ctx context.Context, q store.Querier, hid, visitID int64, outcome string, at, now time.Time) error {
	d := at.In(calendar.China)
	from := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, calendar.China).UTC()
	state := "done"
	if outcome == "not_home" {
		state = "missed"
	}
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM appointments WHERE household_id = ? AND state = 'booked' AND slot_start >= ? AND slot_start < ?`,
		hid, from, from.Add(24*time.Hour)).Scan(&id)
	if isNoRows(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if _, err := q.ExecContext(ctx, `UPDATE appointments SET state = ?, visit_id = ?, updated_at = ? WHERE id = ?`, state, visitID, now, id); err != nil {
		return err
	}
	return notify.Cancel(ctx, q, recipient(id))
}

const appointmentCols = `a.id, a.household_id, h.address, a.grid_id, COALESCE(a.team_member_id, 0), COALESCE(m.name, ''),
	a.slot_start, a.slot_end, a.slot_kind, a.phone, a.booked_via, a.booked_by, a.state, COALESCE(a.visit_id, 0), a.created_at
	FROM appointments a JOIN households h ON h.id = a.household_id LEFT JOIN team_members m ON m.id = a.team_member_id`

// appointmentsWhere loads the appointments matching cond (on a and h) of
// the households in scope, which scope writes as a condition on h:
// household.Where for a list, household.WhereRow for the appointments of
// one household or one id (checked on their rows, not through the list of
// the households in scope). A booked appointment whose slot ended more
// than a day ago reads as missed (CloseMissed or the household's next
// booking stores it so).
func (s *Store) appointmentsWhere(ctx context.Context, scope func(org.Scope) (string, []any), cond string, args ...any) ([]Appointment, error) {
	if c, a := scope(s.scope); c != "" {
		cond, args = "("+c+") AND "+cond, append(a, args...)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+appointmentCols+` WHERE `+cond+` ORDER BY a.slot_start, a.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	now := s.now()
	out := []Appointment{}
	for rows.Next() {
		var a Appointment
		if err := rows.Scan(&a.ID, &a.HouseholdID, &a.Address, &a.GridID, &a.TeamMemberID, &a.Visitor, &a.SlotStart, &a.SlotEnd,
			&a.SlotKind, &a.Phone, &a.BookedVia, &a.BookedBy, &a.State, &a.VisitID, &a.CreatedAt); err != nil {
			return nil, err
		}
		if a.Phone, err = household.MaskedPhone(s.db.Keys(), a.Phone); err != nil {
			return nil, fmt.Errorf("appointment %d: phone: %w", a.ID, err)
		}
		a.SlotStart, a.SlotEnd, a.CreatedAt = a.SlotStart.UTC(), a.SlotEnd.UTC(), a.CreatedAt.UTC()
		if a.State == "booked" && now.Sub(a.SlotEnd) > missedAfter {
			a.State = "missed"
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Appointment returns appointment id if its household is in scope.
func (s *Store) Appointment(ctx context.Context, id int64) (*Appointment, error) {
	as, err := s.appointmentsWhere(ctx, household.WhereRow, `a.id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(as) == 0 {
		return nil, apperr.ErrNotFound
	}
	return &as[0], nil
}

// OpenAppointment returns household hid's booked appointment, or nil.
func (s *Store) OpenAppointment(ctx context.Context, hid int64) (*Appointment, error) {
	as, err := s.appointmentsWhere(ctx, household.WhereRow, `a.household_id = ? AND a.state = 'booked'`, hid)
	if err != nil || len(as) == 0 {
		return nil, err
	}
	return &as[0], nil
}

// AppointmentFilter selects appointments by grid and slot start.
type AppointmentFilter struct {
	GridID   int64
	From, To time.Time // zero: unbounded
}

// Appointments lists the appointments in scope matching f, by slot.
func (s *Store) Appointments(ctx context.Context, f AppointmentFilter) ([]Appointment, error) {
	cond, args := []string{"1 = 1"}, []any{}
	if f.GridID != 0 {
		if _, err := s.gridInScope(ctx, f.GridID); err != nil {
			return nil, err
		}
		cond, args = append(cond, "a.grid_id = ?"), append(args, f.GridID)
	}
	if !f.From.IsZero() {
		cond, args = append(cond, "a.slot_start >= ?"), append(args, f.From.UTC())
	}
	if !f.To.IsZero() {
		cond, args = append(cond, "a.slot_start < ?"), append(args, f.To.UTC())
	}
	return s.appointmentsWhere(ctx, household.Where, strings.Join(cond, " AND "), args...)
}

// MarkMissed records that the resident of booked appointment id was not
// met (staff say so); CancelAppointment cancels it. Both answer
// apperr.ErrConflict for an appointment that is no longer booked.
func (s *Store) MarkMissed(ctx context.Context, id int64) (*Appointment, error) {
	return s.closeAs(ctx, id, "missed")
}

// CancelAppointment cancels booked appointment id and its pending messages.
func (s *Store) CancelAppointment(ctx context.Context, id int64) (*Appointment, error) {
	return s.closeAs(ctx, id, "cancelled")
}

func (s *Store) closeAs(ctx context.Context, id int64, state string) (*Appointment, error) {
	a, err := s.Appointment(ctx, id)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE appointments SET state = ?, updated_at = ? WHERE id = ? AND state = 'booked'`, state, now, a.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.ErrConflict
		}
		return notify.Cancel(ctx, tx, recipient(a.ID))
	})
	if err != nil {
		return nil, err
	}
	return s.Appointment(ctx, id)
}
