package visit

import "context"

// CleanPhoto is an uploaded photo checked and re-encoded as a visit's
// photos are (upright, scaled down, without what the phone wrote into
// it), for other records that take photos (a safety round's).
type CleanPhoto struct {
	ContentType string
	Data        []byte
}

// CleanPhotos checks and re-encodes photos as a visit's, at most
// MaxPhotos, each decoded in one of slots (so it may return ErrBusy);
// errors name photos[i].
func CleanPhotos(ctx context.Context, slots *PhotoSlots, photos [][]byte) ([]CleanPhoto, error) {
	cs, err := checkPhotos(ctx, slots, photos)
	if err != nil {
		return nil, err
	}
	out := make([]CleanPhoto, len(cs))
	for i, c := range cs {
		out[i] = CleanPhoto{c.contentType, c.data}
	}
	return out, nil
}
