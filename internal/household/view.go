package household

import (
	"context"
	"errors"
	"fmt"

	"wanhu/internal/apperr"
	"wanhu/internal/audit"
	"wanhu/internal/calendar"
	"wanhu/internal/org"
	"wanhu/internal/pii"
	"wanhu/internal/secret"
	"wanhu/internal/store"
)

// What a reader sees of a person (issue 11). The store masks what it
// returns for the reader of its scope, so no face can show more by
// forgetting to mask:
//
//   - ID and phone numbers are masked for every reader (pii), whatever
//     their role, the system's own jobs and the CLI included; the full
//     value comes only through RevealPerson and RevealHousehold, which
//     write the view to the audit log with it.
//   - A user whose role may not reveal (a visitor) sees neither the birth
//     year nor health notes: age and birthday (month and day, for birthday
//     visits) stand in for the birth date. The masked ID number (the
//     province only) with the birth date, age and sex beside it still
//     leaves thousands of numbers, for every role.
//   - The system (org.Everything: the CLI, jobs) sees birth dates and
//     health notes.
//
// A changed value that comes back as it was shown (a masked number, a
// hidden birth date or health note) is the stored value unchanged; see
// keepHidden.

// Hidden stands for a text the reader may not see (health notes).
const Hidden = "***"

// showPerson masks p for a reader of scope.
func showPerson(scope org.Scope, p *Person) {
	p.BirthDate, p.Birthday = Birth(scope, p.BirthDate)
	p.IDNumber, p.Phone = pii.MaskIDNumber(p.IDNumber), pii.MaskPhone(p.Phone)
	if !scope.Reveal && !scope.All {
		p.HealthNotes = hide(p.HealthNotes)
	}
}

// Birth returns birth date d as a reader of scope sees it, with the
// birthday ("MM-DD") that stands in for it: the zero Date when the reader
// may not see the birth year. Lists of persons that other packages read
// (internal/roster) show birth dates through it.
func Birth(scope org.Scope, d calendar.Date) (calendar.Date, string) {
	if !scope.All && !scope.Reveal {
		return calendar.Date{}, d.MonthDay()
	}
	return d, d.MonthDay()
}

// MaskedPhone opens a sealed phone number with k and masks it: other
// packages that read phones to show them (rosters, requests, appointments)
// go through it.
func MaskedPhone(k *secret.Keyring, sealed string) (string, error) {
	phone, err := k.Open(sealed)
	return pii.MaskPhone(phone), err
}

// showHousehold masks h and its members for a reader of scope.
func showHousehold(scope org.Scope, h *Household) {
	h.Phone = pii.MaskPhone(h.Phone)
	for i := range h.Members {
		showPerson(scope, &h.Members[i])
	}
}

// showLedger masks the values of a ledger event for a reader of scope:
// health notes are shown only in one household's ledger (file is true) to
// a reader who may reveal, as that household's forms show them; birth
// dates lose their year for a reader who may not. Numbers are stored
// masked already.
func showLedger(scope org.Scope, e *LedgerEvent, file bool) {
	if scope.All {
		return
	}
	switch e.Field {
	case "health_notes":
		if !scope.Reveal || !file {
			e.Before, e.After = hide(e.Before), hide(e.After)
		}
	case "birth_date":
		if !scope.Reveal {
			e.Before, e.After = monthDay(e.Before), monthDay(e.After)
		}
	case BenefitDisabilityAid:
		if !scope.Reveal {
			e.Note = hide(e.Note)
		}
	}
}

// monthDay is the "MM-DD" of a "YYYY-MM-DD" ledger value.
func monthDay(s string) string {
	d, err := calendar.ParseDate("birth_date", s)
	if err != nil || d.IsZero() {
		return hide(s)
	}
	return d.MonthDay()
}

// hide hides a sensitive text entirely, or nothing when there is none.
func hide(s string) string {
	if s == "" {
		return ""
	}
	return Hidden
}

// keepHidden puts back into p, a person the reader of scope is saving,
// what they could not see and sent back as they were shown it: a masked
// number, a hidden health note, a birth date left out. old is the stored
// person.
func keepHidden(scope org.Scope, p, old *Person) {
	if p.IDNumber != "" && p.IDNumber == pii.MaskIDNumber(old.IDNumber) {
		p.IDNumber = old.IDNumber
	}
	if p.Phone != "" && p.Phone == pii.MaskPhone(old.Phone) {
		p.Phone = old.Phone
	}
	if !scope.Reveal && !scope.All {
		if p.HealthNotes == Hidden {
			p.HealthNotes = old.HealthNotes
		}
		if p.BirthDate.IsZero() {
			p.BirthDate = old.BirthDate
		}
	}
}

// keepHiddenPhone is keepHidden for a household's phone.
func keepHiddenPhone(scope org.Scope, h, old *Household) {
	if h.Phone != "" && h.Phone == pii.MaskPhone(old.Phone) {
		h.Phone = old.Phone
	}
}

// RevealFields are the fields of a person RevealPerson shows in full.
var RevealFields = []string{"id_number", "phone", "health_notes"}

// RevealPerson returns the full value of one field of person id (one of
// RevealFields) and writes entry e (who asked and why, in e.Detail) to the
// audit log in the same transaction as "reveal.<field>" on "person:<id>":
// no full value without its entry. A reader whose role may not reveal, or
// a person out of scope, gets apperr.ErrForbidden or apperr.ErrNotFound,
// and that attempt is written as denied.
func (s *Store) RevealPerson(ctx context.Context, log *audit.Log, e audit.Entry, id int64, field string) (name, value string, householdID int64, err error) {
	if err := oneOf("field", field, RevealFields, false); err != nil {
		return "", "", 0, err
	}
	err = s.reveal(ctx, log, e, "person", id, field, func(tx *store.Tx) error {
		p, err := personByID(ctx, tx, id, s.today())
		if err == nil {
			err = s.visible(ctx, tx, p.HouseholdID)
		}
		if err != nil {
			return err
		}
		name, householdID = p.Name, p.HouseholdID
		value = map[string]string{"id_number": p.IDNumber, "phone": p.Phone, "health_notes": p.HealthNotes}[field]
		return nil
	})
	return name, value, householdID, err
}

// RevealHousehold returns the full contact phone of household id, audited
// as RevealPerson is ("reveal.phone" on "household:<id>").
func (s *Store) RevealHousehold(ctx context.Context, log *audit.Log, e audit.Entry, id int64) (address, phone string, err error) {
	err = s.reveal(ctx, log, e, "household", id, "phone", func(tx *store.Tx) error {
		if err := s.visible(ctx, tx, id); err != nil {
			return err
		}
		h, err := scanHousehold(tx.Keys(), tx.QueryRowContext(ctx, `SELECT `+householdCols+householdFrom+` WHERE h.id = ?`, id), true)
		address, phone = h.Address, h.Phone
		return err
	})
	return address, phone, err
}

// reveal runs read in a transaction and records the entry of the reveal
// in it; a refusal is recorded (as denied) in a transaction of its own,
// since the read's is rolled back.
func (s *Store) reveal(ctx context.Context, log *audit.Log, e audit.Entry, kind string, id int64, field string, read func(tx *store.Tx) error) error {
	if log == nil {
		return errors.New("reveal: no audit log to record it in")
	}
	e.Action, e.Object = "reveal."+field, fmt.Sprintf("%s:%d", kind, id)
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if !s.scope.Reveal {
			return apperr.ErrForbidden
		}
		if err := read(tx); err != nil {
			return err
		}
		e.Result = audit.OK
		return log.RecordTx(ctx, tx, e)
	})
	if errors.Is(err, apperr.ErrForbidden) || errors.Is(err, apperr.ErrNotFound) {
		e.Result = audit.Denied
		if aerr := log.Record(ctx, e); aerr != nil {
			return aerr
		}
	}
	return err
}

// MessagePhone returns the full contact phone of household id (in scope)
// for a message the system sends to it, such as an appointment's reminder;
// it is never shown to anyone.
func (s *Store) MessagePhone(ctx context.Context, id int64) (string, error) {
	if err := s.visible(ctx, s.db, id); err != nil {
		return "", err
	}
	var sealed string
	if err := s.db.QueryRowContext(ctx, `SELECT phone FROM households WHERE id = ?`, id).Scan(&sealed); err != nil {
		return "", err
	}
	return s.db.Keys().Open(sealed)
}
