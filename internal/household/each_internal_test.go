package household

import (
	"context"
	"errors"
)

// EachPer is Each reading per households at a time, so that a test can
// cross its pages with a few households.
func (s *Store) EachPer(ctx context.Context, f Filter, per int, fn func(*Household) error) error {
	if per < 1 || per > eachPage {
		return errors.New("EachPer: per must be from 1 to eachPage")
	}
	return s.each(ctx, f, per, fn)
}

// FileAndBatchMembers returns household id's members, unmasked, as its
// file reads them (decodeMembers) and as batches do (membersOf), for a
// test that the two agree.
func (s *Store) FileAndBatchMembers(ctx context.Context, id int64) (file, batch []Person, err error) {
	h, err := householdFile(ctx, s.db, id, s.today())
	if err != nil {
		return nil, nil, err
	}
	by, err := membersOf(ctx, s.db, []int64{id}, s.today())
	return h.Members, by[id], err
}
