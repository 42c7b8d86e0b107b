package visit

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"runtime"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/store"
)

// Photos of a visit are optional and never proof of work: grid workers'
// best-known complaint about such apps is "no photo, no visit" (以痕论绩).
// A photo is scaled down to what a screen shows and re-encoded on the way
// in, which drops what the phone wrote into it (where it was taken), and
// is stored in the database.
const (
	MaxPhotos     = 3       // per visit
	MaxPhotoBytes = 5 << 20 // per photo, as uploaded
)

// Photo is a stored photo of a visit, without its bytes.
type Photo struct {
	ID          int64     `json:"id"`
	VisitID     int64     `json:"visit_id"`
	ContentType string    `json:"content_type"`
	Size        int       `json:"size"`
	CreatedAt   time.Time `json:"created_at"`
}

// cleanPhoto is a checked and re-encoded photo.
type cleanPhoto struct {
	contentType string
	data        []byte
}

// checkPhoto checks an uploaded photo (a JPEG or PNG image of at most
// MaxPhotoBytes whose decoding fits maxDecodeBytes) and re-encodes it
// upright, at most photoLongSide pixels long, without its metadata. It
// decodes in one of slots, so it may return ErrBusy, or ctx's error once
// the client gave up. field names the input in errors.
func checkPhoto(ctx context.Context, slots *PhotoSlots, field string, data []byte) (cleanPhoto, error) {
	if len(data) == 0 {
		return cleanPhoto{}, apperr.Field(field, "required", "is empty")
	}
	if len(data) > MaxPhotoBytes {
		return cleanPhoto{}, apperr.Field(field, "too_large", "must be at most %d MB", MaxPhotoBytes>>20)
	}
	ctype := http.DetectContentType(data)
	if ctype != "image/jpeg" && ctype != "image/png" {
		return cleanPhoto{}, apperr.Field(field, "image_type", "must be a JPEG or PNG image")
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || "image/"+format != ctype {
		return cleanPhoto{}, apperr.Field(field, "unreadable", "is not a readable image")
	}
	if err := checkPhotoSize(field, format, cfg, data); err != nil {
		return cleanPhoto{}, err
	}
	release, err := slots.Acquire(ctx)
	if err != nil {
		return cleanPhoto{}, err
	}
	defer release()
	img, err := decodePhoto(ctx, format, data)
	if ctx.Err() != nil {
		return cleanPhoto{}, fmt.Errorf("decode %s: %w", field, ctx.Err())
	}
	if err != nil {
		return cleanPhoto{}, apperr.Field(field, "unreadable", "is not a readable image")
	}
	if small := scaleDown(img, photoLongSide); small != img {
		// The decoded pixels (up to maxDecodeBytes) are garbage now.
		// Collect them before the next photo takes as much again: left to
		// itself the heap grows to twice what was in use at the last
		// collection, which with photos in flight doubles the peak.
		img = small
		runtime.GC()
	}
	var out bytes.Buffer
	if ctype == "image/jpeg" {
		err = jpeg.Encode(&out, upright(img, jpegOrientation(data)), &jpeg.Options{Quality: 85})
	} else {
		err = png.Encode(&out, img)
	}
	return cleanPhoto{contentType: ctype, data: out.Bytes()}, err
}

// decodePhoto decodes a JPEG or PNG, stopping early once ctx is done.
func decodePhoto(ctx context.Context, format string, data []byte) (image.Image, error) {
	r := ctxReader{ctx, bytes.NewReader(data)}
	if format == "jpeg" {
		return jpeg.Decode(r)
	}
	return png.Decode(r)
}

// ctxReader stops reading once ctx is done, so that a decoder working for
// a client who gave up stops early and gives back its slot.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// jpegOrientation returns the EXIF orientation of a JPEG (1: as stored),
// which phones set instead of turning the pixels.
func jpegOrientation(b []byte) int {
	for i := 2; i+4 <= len(b) && b[i] == 0xFF; {
		marker, size := b[i+1], int(binary.BigEndian.Uint16(b[i+2:]))
		seg := b[i+4 : min(i+2+size, len(b))]
		if marker == 0xE1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
			return exifOrientation(seg[6:])
		}
		if marker == 0xDA { // the image data: no metadata after it
			break
		}
		i += 2 + size
	}
	return 1
}

// exifOrientation reads tag 0x0112 of the first directory of a TIFF block.
func exifOrientation(t []byte) int {
	if len(t) < 8 {
		return 1
	}
	var bo binary.ByteOrder = binary.BigEndian
	if string(t[:2]) == "II" {
		bo = binary.LittleEndian
	}
	dir := int(bo.Uint32(t[4:]))
	if dir+2 > len(t) {
		return 1
	}
	for n, e := int(bo.Uint16(t[dir:])), dir+2; n > 0 && e+12 <= len(t); n, e = n-1, e+12 {
		if bo.Uint16(t[e:]) == 0x0112 {
			return int(bo.Uint16(t[e+8:]))
		}
	}
	return 1
}

// upright turns img by an EXIF orientation: 3 half a turn, 6 a quarter
// clockwise, 8 a quarter anticlockwise; mirrored ones are left as they are.
func upright(img image.Image, orientation int) image.Image {
	if orientation != 3 && orientation != 6 && orientation != 8 {
		return img
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	if orientation != 3 {
		out = image.NewRGBA(image.Rect(0, 0, h, w))
	}
	for y := range h {
		for x := range w {
			c := img.At(b.Min.X+x, b.Min.Y+y)
			switch orientation {
			case 3:
				out.Set(w-1-x, h-1-y, c)
			case 6:
				out.Set(h-1-y, x, c)
			case 8:
				out.Set(y, w-1-x, c)
			}
		}
	}
	return out
}

// checkPhotos checks the photos of one visit, numbering their fields
// photos[i]; each is decoded in one of slots.
func checkPhotos(ctx context.Context, slots *PhotoSlots, photos [][]byte) ([]cleanPhoto, error) {
	if len(photos) > MaxPhotos {
		return nil, apperr.Field("photos", "too_many", "at most %d photos a visit", MaxPhotos)
	}
	out := make([]cleanPhoto, len(photos))
	for i, p := range photos {
		c, err := checkPhoto(ctx, slots, fmt.Sprintf("photos[%d]", i), p)
		if err != nil {
			return nil, err
		}
		out[i] = c
	}
	return out, nil
}

// insertPhotos stores photos of visit id.
func insertPhotos(ctx context.Context, q store.Querier, id int64, photos []cleanPhoto, now time.Time) error {
	for _, p := range photos {
		if _, err := q.ExecContext(ctx, `INSERT INTO visit_photos(visit_id, content_type, size, data, created_at) VALUES (?, ?, ?, ?, ?)`,
			id, p.contentType, len(p.data), p.data, now); err != nil {
			return err
		}
	}
	return nil
}

// AddPhotos adds photos to a recorded visit of a household in scope, all or
// none, up to MaxPhotos a visit.
func (s *Store) AddPhotos(ctx context.Context, visitID int64, photos [][]byte) ([]Photo, error) {
	v, err := s.Visit(ctx, visitID)
	if err != nil {
		return nil, err
	}
	clean, err := checkPhotos(ctx, s.photoSlots, photos)
	if err != nil {
		return nil, err
	}
	if len(v.Photos)+len(clean) > MaxPhotos {
		return nil, apperr.Field("photos", "too_many", "at most %d photos a visit", MaxPhotos)
	}
	if err := s.db.InTx(ctx, func(tx *store.Tx) error {
		return insertPhotos(ctx, tx, v.ID, clean, s.now().UTC())
	}); err != nil {
		return nil, err
	}
	return s.Photos(ctx, v.ID)
}

// Photos lists the photos of a visit of a household in scope.
func (s *Store) Photos(ctx context.Context, visitID int64) ([]Photo, error) {
	if _, err := s.Visit(ctx, visitID); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, visit_id, content_type, size, created_at FROM visit_photos WHERE visit_id = ? ORDER BY id`, visitID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Photo{}
	for rows.Next() {
		var p Photo
		if err := rows.Scan(&p.ID, &p.VisitID, &p.ContentType, &p.Size, &p.CreatedAt); err != nil {
			return nil, err
		}
		p.CreatedAt = p.CreatedAt.UTC()
		out = append(out, p)
	}
	return out, rows.Err()
}

// PhotoData returns photo id of visit visitID, with its bytes, if the
// visit's household is in scope.
func (s *Store) PhotoData(ctx context.Context, visitID, id int64) (Photo, []byte, error) {
	if _, err := s.Visit(ctx, visitID); err != nil {
		return Photo{}, nil, err
	}
	p := Photo{ID: id, VisitID: visitID}
	var data []byte
	err := s.db.QueryRowContext(ctx, `SELECT content_type, size, created_at, data FROM visit_photos WHERE id = ? AND visit_id = ?`, id, visitID).
		Scan(&p.ContentType, &p.Size, &p.CreatedAt, &data)
	if isNoRows(err) {
		return Photo{}, nil, apperr.ErrNotFound
	}
	return p, data, err
}
