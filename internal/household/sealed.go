package household

import (
	"fmt"
	"strings"

	"wanhu/internal/secret"
)

// ID numbers and phone numbers are stored sealed (internal/secret) beside a
// keyed hash of their normalized form: the hash finds them by exact match
// and keeps one ID number per current person, the sealed value gives them
// back. Health notes, free text about a person's health, are sealed too,
// in the persons table and in the ledger's record of their changes; they
// are never searched, so they have no hash. Disability type and grade and
// dibao status stay plain: colours, rosters and statistics count them in
// SQL. These functions are the only place the columns are converted.

// Hash kinds: persons and households share "phone", so a phone number finds
// either.
const (
	hashPhone    = "phone"
	hashIDNumber = "id_number"
)

// normPhone is the form of a phone number that is hashed: its digits only,
// so "0971-8123456" and "09718123456" find each other.
func normPhone(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// normIDNumber is the form of an ID number that is hashed.
func normIDNumber(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// PhoneHash returns the search hash of a phone number ("" for none).
func PhoneHash(k *secret.Keyring, phone string) string { return k.Hash(hashPhone, normPhone(phone)) }

// IDNumberHash returns the search hash of an ID number ("" for none).
func IDNumberHash(k *secret.Keyring, id string) string { return k.Hash(hashIDNumber, normIDNumber(id)) }

// SealPhone returns the stored form of a phone number and its hash (NULL
// when there is no phone). The phone column is NOT NULL: no phone is "".
func SealPhone(k *secret.Keyring, phone string) (sealed string, hash any, err error) {
	if sealed, err = k.Seal(phone); err != nil {
		return "", nil, fmt.Errorf("seal phone: %w", err)
	}
	return sealed, nullString(PhoneHash(k, phone)), nil
}

// SealIDNumber returns the stored form of an ID number and its hash, both
// NULL when there is none.
func SealIDNumber(k *secret.Keyring, id string) (sealed, hash any, err error) {
	s, err := k.Seal(id)
	if err != nil {
		return nil, nil, fmt.Errorf("seal id_number: %w", err)
	}
	return nullString(s), nullString(IDNumberHash(k, id)), nil
}

// SealText returns the stored form of a sealed free text (health notes).
func SealText(k *secret.Keyring, field, s string) (string, error) {
	sealed, err := k.Seal(s)
	if err != nil {
		return "", fmt.Errorf("seal %s: %w", field, err)
	}
	return sealed, nil
}

// sealedPerson is the stored form of a person's sealed fields, with the
// search forms derived from its name and phone (search.go).
type sealedPerson struct {
	idNumber, idHash         any
	phone                    string
	phoneHash, phoneTail     any
	healthNotes              string
	namePinyin, nameInitials string
}

// sealPerson returns the stored forms of p's ID number and phone with
// their hashes, of its health notes, and the search forms of its name.
func sealPerson(k *secret.Keyring, p *Person) (s sealedPerson, err error) {
	if s.idNumber, s.idHash, err = SealIDNumber(k, p.IDNumber); err != nil {
		return s, err
	}
	if s.phone, s.phoneHash, err = SealPhone(k, p.Phone); err != nil {
		return s, err
	}
	s.phoneTail = PhoneTailHash(k, p.Phone)
	s.namePinyin, s.nameInitials = NamePinyin(p.Name)
	s.healthNotes, err = SealText(k, "health_notes", p.HealthNotes)
	return s, err
}

// sealedPhone is the stored form of a household's phone: sealed, with
// the hashes that find it (whole, and by its last four digits).
type sealedPhone struct {
	phone      string
	hash, tail any
}

// sealHouseholdPhone returns the stored form of a household's phone.
func sealHouseholdPhone(k *secret.Keyring, phone string) (s sealedPhone, err error) {
	s.phone, s.hash, err = SealPhone(k, phone)
	s.tail = PhoneTailHash(k, phone)
	return s, err
}

// sealedLedgerFields are the fields whose values the ledger keeps sealed.
var sealedLedgerFields = map[string]bool{"health_notes": true}

// sealLedger seals the values of e when its field is kept sealed.
func sealLedger(k *secret.Keyring, e *LedgerEvent) (err error) {
	if !sealedLedgerFields[e.Field] {
		return nil
	}
	if e.Before, err = SealText(k, e.Field, e.Before); err != nil {
		return err
	}
	e.After, err = SealText(k, e.Field, e.After)
	return err
}

// openLedger opens the values of e when its field is kept sealed.
func openLedger(k *secret.Keyring, e *LedgerEvent) (err error) {
	if !sealedLedgerFields[e.Field] {
		return nil
	}
	if e.Before, err = k.Open(e.Before); err != nil {
		return fmt.Errorf("ledger event %d: %w", e.ID, err)
	}
	if e.After, err = k.Open(e.After); err != nil {
		return fmt.Errorf("ledger event %d: %w", e.ID, err)
	}
	return nil
}

// openHousehold replaces the sealed fields of a scanned household by their
// values.
func openHousehold(k *secret.Keyring, h *Household) error {
	var err error
	if h.Phone, err = k.Open(h.Phone); err != nil {
		return fmt.Errorf("household %d: phone: %w", h.ID, err)
	}
	return nil
}

// openPerson replaces the sealed fields of a scanned person by their
// values.
func openPerson(k *secret.Keyring, p *Person) error {
	var err error
	if p.IDNumber, err = k.Open(p.IDNumber); err != nil {
		return fmt.Errorf("person %d: id_number: %w", p.ID, err)
	}
	if p.Phone, err = k.Open(p.Phone); err != nil {
		return fmt.Errorf("person %d: phone: %w", p.ID, err)
	}
	if p.HealthNotes, err = k.Open(p.HealthNotes); err != nil {
		return fmt.Errorf("person %d: health_notes: %w", p.ID, err)
	}
	return nil
}
