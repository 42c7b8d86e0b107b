package visit

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Decoding a photo is what costs memory (up to maxDecodeBytes each, where
// the upload itself is at most MaxPhotoBytes), so the photos decoded at
// once are limited across the whole process, however many arrive.
const (
	// DefaultPhotoDecoders suits a community office's two-core PC: decoding
	// is CPU-bound, so more slots than cores would only hold more memory.
	DefaultPhotoDecoders = 2
	// PhotoWait is how long a photo waits for a slot before ErrBusy.
	PhotoWait = 10 * time.Second
)

// ErrBusy reports that every photo slot stayed taken for as long as a
// photo may wait: the faces answer 503 with Retry-After.
var ErrBusy = errors.New("the server is busy with other photos; try again shortly")

// PhotoSlots limits how many photos are decoded at once. One value is
// shared by every request of a process; a nil *PhotoSlots sets no limit
// (the CLI, tests).
type PhotoSlots struct {
	taken chan struct{}
	wait  time.Duration
}

// NewPhotoSlots returns n slots (at least 1); a photo waits up to wait for
// one (0: it does not wait).
func NewPhotoSlots(n int, wait time.Duration) *PhotoSlots {
	return &PhotoSlots{taken: make(chan struct{}, max(n, 1)), wait: wait}
}

// Acquire takes a slot, waiting up to the slots' wait. It returns ErrBusy
// if none came free, or ctx's error if the client gave up first, and
// takes no slot then. release gives the slot back; calling it again does
// nothing.
func (s *PhotoSlots) Acquire(ctx context.Context) (release func(), err error) {
	if s == nil {
		return func() {}, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	select {
	case s.taken <- struct{}{}:
		return s.releaser(), nil
	default:
	}
	if s.wait <= 0 {
		return nil, ErrBusy
	}
	t := time.NewTimer(s.wait)
	defer t.Stop()
	select {
	case s.taken <- struct{}{}:
		return s.releaser(), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-t.C:
		return nil, ErrBusy
	}
}

func (s *PhotoSlots) releaser() func() {
	return sync.OnceFunc(func() { <-s.taken })
}

// RetryAfter is how long a client answered ErrBusy should wait before it
// tries again, in whole seconds (at least one).
func (s *PhotoSlots) RetryAfter() time.Duration {
	if s == nil || s.wait < time.Second {
		return time.Second
	}
	return s.wait.Round(time.Second)
}
