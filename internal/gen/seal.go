package gen

import (
	"wanhu/internal/household"
	"wanhu/internal/secret"
)

// sealedCols are the stored forms of a community's ID and phone numbers
// (sealed value and search hashes, as household.Store writes them), of
// its health notes and the pinyin of its names. They are
// computed on the generator's goroutine, so the writer only writes.
type sealedCols struct {
	households [][3]any // phone, phone_hash, phone_tail_hash, by c.households
	persons    [][8]any // id_number, id_number_hash, phone, phone_hash, phone_tail_hash, health_notes, name_pinyin, name_initials, by member in household order
	err        error
}

// seal fills c.sealed with k.
func (c *community) seal(k *secret.Keyring) {
	s := &sealedCols{households: make([][3]any, 0, len(c.households)), persons: make([][8]any, 0, c.persons)}
	c.sealed = s
	for _, h := range c.households {
		phone, phoneHash, err := household.SealPhone(k, h.Phone)
		if err != nil {
			s.err = err
			return
		}
		s.households = append(s.households, [3]any{phone, phoneHash, household.PhoneTailHash(k, h.Phone)})
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
			full, initials := household.NamePinyin(p.Name)
			s.persons = append(s.persons, [8]any{id, idHash, phone, phoneHash, household.PhoneTailHash(k, p.Phone), health, full, initials})
		}
	}
}
