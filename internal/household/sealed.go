package household

import (
	"fmt"
	"strings"

	"wanhu/internal/secret"
)

// ID numbers and phone numbers are stored sealed (internal/secret) beside a
// keyed hash of their normalized form: the hash finds them by exact match
// and keeps one ID number per current person, the sealed value gives them
// back. These functions are the only place the columns are converted.

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

// sealPerson returns the stored forms of p's ID number and phone with
// their hashes.
func sealPerson(k *secret.Keyring, p *Person) (idNumber, idHash any, phone string, phoneHash any, err error) {
	if idNumber, idHash, err = SealIDNumber(k, p.IDNumber); err != nil {
		return
	}
	phone, phoneHash, err = SealPhone(k, p.Phone)
	return
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
	return nil
}
