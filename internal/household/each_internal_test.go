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
