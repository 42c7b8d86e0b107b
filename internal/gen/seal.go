package gen

import (
	"wanhu/internal/household"
	"wanhu/internal/secret"
)

// sealedCols are the stored forms of a community's ID and phone numbers
// (sealed value and search hash, as household.Store writes them) and of
// its health notes. They are
// computed on the generator's goroutine, so the writer only writes.
type sealedCols struct {
	households [][2]any // phone, phone_hash, by c.households
	persons    [][5]any // id_number, id_number_hash, phone, phone_hash, health_notes, by member in household order
	err        error
}

// seal fills c.sealed with k.
func (c *community) seal(k *secret.Keyring) {
	s := &sealedCols{households: make([][2]any, 0, len(c.households)), persons: make([][5]any, 0, c.persons)}
	c.sealed = s
	for _, h := range c.households {
		phone, phoneHash, err := household.SealPhone(k, h.Phone)
		if err != nil {
			s.err = err
			return
		}
		s.households = append(s.households, [2]any{phone, phoneHash})
		for i := range h.Members {
			p := &h.Members[i]
			id, idHash, err := household.SealIDNumber(k, p.IDNumber)
			if err != nil {
				s.err = err
				return
			}
			phone, phoneHash, err := household.SealPhone(k, p.Phone)
			if err != nil {
				s.err = err
				return
			}
			health, err := household.SealText(k, "health_notes", p.HealthNotes)
			if err != nil {
				s.err = err
				return
			}
			s.persons = append(s.persons, [5]any{id, idHash, phone, phoneHash, health})
		}
	}
}
