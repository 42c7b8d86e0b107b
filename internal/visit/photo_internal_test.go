package visit

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"testing"

	"wanhu/internal/apperr"
	"wanhu/internal/visit/phototest"
)

// testImage is w×h, white but for a red top-left corner.
func testImage(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.White)
		}
	}
	for y := range 8 {
		for x := range 8 {
			img.Set(x, y, color.RGBA{R: 255, A: 255})
		}
	}
	return img
}

// withOrientation returns a JPEG of img whose EXIF block (big-endian, one
// tag) says orientation o, as a phone writes it.
func withOrientation(t *testing.T, img image.Image, o uint16) []byte {
	t.Helper()
	var j bytes.Buffer
	if err := jpeg.Encode(&j, img, nil); err != nil {
		t.Fatal(err)
	}
	tiff := []byte("MM\x00\x2a\x00\x00\x00\x08")
	tiff = binary.BigEndian.AppendUint16(tiff, 1)           // one entry
	tiff = append(tiff, 0x01, 0x12, 0x00, 0x03, 0, 0, 0, 1) // orientation, SHORT, count 1
	tiff = binary.BigEndian.AppendUint16(tiff, o)           // the value
	tiff = append(tiff, 0, 0, 0, 0, 0, 0)                   // padding, no next directory
	app1 := append([]byte("Exif\x00\x00"), tiff...)
	seg := append([]byte{0xFF, 0xE1}, binary.BigEndian.AppendUint16(nil, uint16(len(app1)+2))...)
	b := j.Bytes()
	return append(append(append([]byte{}, b[:2]...), append(seg, app1...)...), b[2:]...)
}

func redAt(img image.Image, x, y int) bool {
	r, g, b, _ := img.At(x, y).RGBA()
	return r > 0xc000 && g < 0x4000 && b < 0x4000
}

// TestCheckPhoto: a phone's JPEG turned by its EXIF orientation comes out
// upright and without the EXIF block; PNG passes; other files, empty ones
// and too many are refused, naming the photo.
func TestCheckPhoto(t *testing.T) {
	in := withOrientation(t, testImage(64, 32), 6)
	if o := jpegOrientation(in); o != 6 {
		t.Fatalf("orientation read as %d", o)
	}
	c, err := checkPhoto(t.Context(), nil, "photos[0]", in)
	if err != nil {
		t.Fatal(err)
	}
	if c.contentType != "image/jpeg" || bytes.Contains(c.data, []byte("Exif")) {
		t.Errorf("cleaned photo: %s, EXIF kept: %v", c.contentType, bytes.Contains(c.data, []byte("Exif")))
	}
	out, err := jpeg.Decode(bytes.NewReader(c.data))
	if err != nil {
		t.Fatal(err)
	}
	// A quarter turn clockwise: 32 wide, 64 high, the red corner top right.
	if b := out.Bounds(); b.Dx() != 32 || b.Dy() != 64 || !redAt(out, 28, 3) || redAt(out, 3, 3) {
		t.Errorf("turned photo %v, red top-right %v, red top-left %v", out.Bounds(), redAt(out, 28, 3), redAt(out, 3, 3))
	}
	if c, err := checkPhoto(t.Context(), nil, "photos[0]", withOrientation(t, testImage(64, 32), 3)); err != nil {
		t.Error(err)
	} else if out, _ := jpeg.Decode(bytes.NewReader(c.data)); !redAt(out, 60, 28) {
		t.Error("half a turn: the red corner is not bottom right")
	}

	var p bytes.Buffer
	png.Encode(&p, testImage(16, 16))
	if c, err := checkPhoto(t.Context(), nil, "photos[0]", p.Bytes()); err != nil || c.contentType != "image/png" {
		t.Errorf("png: %v %v", c.contentType, err)
	}
	var g bytes.Buffer
	gif.Encode(&g, testImage(16, 16), nil)
	for name, c := range map[string]struct {
		data []byte
		code string
	}{
		"gif":       {g.Bytes(), "image_type"},
		"text":      {[]byte("not an image at all"), "image_type"},
		"empty":     {nil, "required"},
		"too large": {append([]byte("\xff\xd8\xff"), make([]byte, MaxPhotoBytes)...), "too_large"},
		"broken":    {append([]byte("\xff\xd8\xff\xe0"), make([]byte, 100)...), "unreadable"},
	} {
		_, err := checkPhoto(t.Context(), nil, "photos[1]", c.data)
		if fe, ok := apperr.AsField(err); !ok || fe.Field != "photos[1]" || fe.Code != c.code {
			t.Errorf("%s: %v, want %s on photos[1]", name, err, c.code)
		}
	}
	if _, err := checkPhotos(t.Context(), nil, make([][]byte, MaxPhotos+1)); err == nil {
		t.Error("too many photos accepted")
	}
}

// halves is a w×h picture, red on its left half and white on its right,
// written straight into its pixels (phone-sized ones are big).
func halves(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			i := img.PixOffset(x, y)
			g := uint8(255)
			if x < w/2 {
				g = 0
			}
			img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = 255, g, g, 255
		}
	}
	return img
}

// progressive marks a baseline JPEG as progressive (SOF0 to SOF2): its
// header then reads as a progressive one, which is all DecodeConfig and
// the cost of decoding look at.
func progressive(t *testing.T, b []byte) []byte {
	t.Helper()
	out := append([]byte{}, b...)
	for i := 2; i+4 <= len(out) && out[i] == 0xFF; i += 2 + int(binary.BigEndian.Uint16(out[i+2:])) {
		if out[i+1] == 0xC0 {
			out[i+1] = 0xC2
			return out
		}
	}
	t.Fatal("no SOF0 in the JPEG")
	return nil
}

// TestPhotoPixelLimit: a photo that would take too much memory to decode
// is refused from its header, before it is decoded (the only decoding slot
// is taken, yet the answer is image_size, not ErrBusy), naming the field
// and the limit for its kind in megapixels; a phone's 12 MP photo and a
// 16-bit PNG at the limit are accepted.
func TestPhotoPixelLimit(t *testing.T) {
	var phone bytes.Buffer
	if err := jpeg.Encode(&phone, halves(4032, 3024), &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	slots := NewPhotoSlots(1, 0)
	release, err := slots.Acquire(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		data  []byte
		limit string
	}{
		"8000×8000 grey PNG, 95 KB":       {phototest.PNG(8000, 8000, phototest.Gray, 8), "25 megapixels"},
		"8000×8000 RGBA PNG":              {phototest.PNG(8000, 8000, phototest.RGBA, 8), "12.5 megapixels"},
		"3000×3000 16-bit RGBA PNG":       {phototest.PNG(3000, 3000, phototest.RGBA, 16), "6.2 megapixels"},
		"a progressive 12 MP JPEG":        {progressive(t, phone.Bytes()), "6.7 megapixels"},
		"25,000×1,001 grey PNG, one side": {phototest.PNG(25_000, 1001, phototest.Gray, 8), "25 megapixels"},
	} {
		_, err := checkPhoto(t.Context(), slots, "photos[0]", c.data)
		if fe, ok := apperr.AsField(err); !ok || fe.Field != "photos[0]" || fe.Code != "image_size" || fe.Msg != "must be at most "+c.limit {
			t.Errorf("%s: %v, want image_size: must be at most %s", name, err, c.limit)
		}
	}
	release()

	c, err := checkPhoto(t.Context(), slots, "photos[0]", phone.Bytes())
	if err != nil {
		t.Fatalf("a phone's 12 MP photo: %v", err)
	}
	if out, err := jpeg.Decode(bytes.NewReader(c.data)); err != nil || out.Bounds().Dx() != 1600 || out.Bounds().Dy() != 1200 {
		t.Errorf("the phone's photo stored as %v (%v), want 1600×1200", out.Bounds(), err)
	}
	if _, err := checkPhoto(t.Context(), slots, "photos[0]", phototest.PNG(2000, 3000, phototest.RGBA, 16)); err != nil {
		t.Errorf("a 16-bit PNG of 6 MP, at the limit: %v", err)
	}
}

// TestPhotoScaledDown: a big photo is stored at most photoLongSide pixels
// long, still turned upright by its EXIF orientation; a small one keeps
// its size.
func TestPhotoScaledDown(t *testing.T) {
	// 3000×2000, red on the left half, orientation 6 (a quarter turn
	// clockwise): 1067×1600, red on the top half.
	c, err := checkPhoto(t.Context(), nil, "photos[0]", withOrientation(t, halves(3000, 2000), 6))
	if err != nil {
		t.Fatal(err)
	}
	out, err := jpeg.Decode(bytes.NewReader(c.data))
	if err != nil {
		t.Fatal(err)
	}
	if b := out.Bounds(); b.Dx() != 1067 || b.Dy() != 1600 || !redAt(out, 500, 100) || redAt(out, 500, 1500) {
		t.Errorf("turned and scaled: %v, red at the top %v, at the bottom %v", b, redAt(out, 500, 100), redAt(out, 500, 1500))
	}
	var p bytes.Buffer
	png.Encode(&p, halves(1000, 5000))
	if c, err := checkPhoto(t.Context(), nil, "photos[0]", p.Bytes()); err != nil {
		t.Error(err)
	} else if cfg, err := png.DecodeConfig(bytes.NewReader(c.data)); err != nil || cfg.Width != 320 || cfg.Height != 1600 {
		t.Errorf("a tall PNG: %d×%d (%v), want 320×1600", cfg.Width, cfg.Height, err)
	}
	p.Reset()
	png.Encode(&p, halves(1600, 900))
	if c, err := checkPhoto(t.Context(), nil, "photos[0]", p.Bytes()); err != nil {
		t.Error(err)
	} else if cfg, err := png.DecodeConfig(bytes.NewReader(c.data)); err != nil || cfg.Width != 1600 || cfg.Height != 900 {
		t.Errorf("a PNG already small enough: %d×%d (%v)", cfg.Width, cfg.Height, err)
	}
}

// TestScaleDownAverages: each new pixel is the mean of the pixels it
// covers, so a fine black-and-white checkerboard turns grey instead of
// black or white (what picking one pixel of each would give; at 2.5 to 1
// the boxes are 2 or 3 pixels a side, so the grey varies a little), in the
// YCbCr path of phone photos as in the general one, at any origin.
func TestScaleDownAverages(t *testing.T) {
	gray := image.NewGray(image.Rect(0, 0, 4000, 3000))
	ycc := image.NewYCbCr(image.Rect(0, 0, 4000, 3000), image.YCbCrSubsampleRatio420)
	for y := range 3000 {
		for x := range 4000 {
			v := uint8(255 * ((x + y) % 2))
			gray.Pix[gray.PixOffset(x, y)], ycc.Y[ycc.YOffset(x, y)] = v, v
		}
	}
	for i := range ycc.Cb {
		ycc.Cb[i], ycc.Cr[i] = 128, 128
	}
	for name, img := range map[string]image.Image{
		"grey":             gray,
		"YCbCr":            ycc,
		"a YCbCr sub-part": ycc.SubImage(image.Rect(101, 51, 3301, 2451)),
		"no RGBA64At":      struct{ image.Image }{gray},
	} {
		out, ok := scaleDown(img, photoLongSide).(*image.RGBA)
		if !ok || out.Bounds() != image.Rect(0, 0, 1600, 1200) {
			t.Errorf("%s: not scaled to 1600×1200 RGBA", name)
			continue
		}
		lo, hi := 255, 0
		for i, v := range out.Pix {
			if i%4 != 3 {
				lo, hi = min(lo, int(v)), max(hi, int(v))
			}
		}
		// A box of 2×3 source pixels holds 3 white, one of 3×3 4 or 5.
		if lo < 113 || hi > 142 {
			t.Errorf("%s: grey from %d to %d, want 113 to 142", name, lo, hi)
		}
	}
	if small := image.NewGray(image.Rect(0, 0, 1600, 40)); scaleDown(small, photoLongSide) != image.Image(small) {
		t.Error("a small image was redrawn")
	}
}

// gaveUp is a context whose client gives up after its first n checks.
type gaveUp struct {
	context.Context
	n int
}

func (g *gaveUp) Err() error {
	if g.n--; g.n < 0 {
		return context.Canceled
	}
	return nil
}

// TestPhotoClientGaveUp: a photo whose client gives up while it is decoded
// stops decoding and gives its slot back.
func TestPhotoClientGaveUp(t *testing.T) {
	slots := NewPhotoSlots(1, 0)
	var phone bytes.Buffer
	jpeg.Encode(&phone, halves(1600, 1200), nil)
	ctx := &gaveUp{Context: t.Context(), n: 3} // after Acquire and a read or two
	if _, err := checkPhoto(ctx, slots, "photos[0]", phone.Bytes()); !errors.Is(err, context.Canceled) {
		t.Fatalf("given up: %v", err)
	}
	release, err := slots.Acquire(t.Context())
	if err != nil {
		t.Fatalf("the slot was not given back: %v", err)
	}
	release()
}

// jpegHeader is a small JPEG whose frame header says w×h, progressive or
// not, with the sampling factors hv of its first component (0x22: 4:2:0,
// 0x11: 4:4:4): all that DecodeConfig and the cost of decoding read.
func jpegHeader(t *testing.T, w, h int, progressive bool, hv byte) []byte {
	t.Helper()
	var b bytes.Buffer
	jpeg.Encode(&b, testImage(16, 16), nil)
	out := b.Bytes()
	for i := 2; i+4 <= len(out) && out[i] == 0xFF; i += 2 + int(binary.BigEndian.Uint16(out[i+2:])) {
		if out[i+1] == 0xC0 {
			if progressive {
				out[i+1] = 0xC2
			}
			binary.BigEndian.PutUint16(out[i+5:], uint16(h))
			binary.BigEndian.PutUint16(out[i+7:], uint16(w))
			out[i+11] = hv
			return out
		}
	}
	t.Fatal("no SOF0 in the JPEG")
	return nil
}

// TestPhotoSizeOfPhones: what phones and WeChat send passes the limit, read
// from the header; what would take more memory does not.
func TestPhotoSizeOfPhones(t *testing.T) {
	for name, c := range map[string]struct {
		data  []byte
		limit string // "" when accepted
	}{
		"a phone's 12 MP, 4:2:0":                 {jpegHeader(t, 4032, 3024, false, 0x22), ""},
		"12 MP at 4:4:4":                         {jpegHeader(t, 4032, 3024, false, 0x11), ""},
		"an iPhone's 24 MP, 4:2:0":               {jpegHeader(t, 5712, 4284, false, 0x22), ""},
		"WeChat's 1080×1920, progressive":        {jpegHeader(t, 1080, 1920, true, 0x22), ""},
		"WeChat's 'original' 12 MP, progressive": {jpegHeader(t, 4032, 3024, true, 0x22), "6.7"},
		"24 MP at 4:4:4":                         {jpegHeader(t, 5712, 4284, false, 0x11), "16.7"},
		"50 MP, 4:2:0":                           {jpegHeader(t, 8160, 6120, false, 0x22), "25"},
		"a phone's screenshot, RGBA PNG":         {phototest.PNG(1179, 2556, phototest.RGBA, 8), ""},
	} {
		cfg, format, err := image.DecodeConfig(bytes.NewReader(c.data))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		err = checkPhotoSize("photos[0]", format, cfg, c.data)
		if fe, _ := apperr.AsField(err); c.limit == "" && err != nil || c.limit != "" && (fe == nil || fe.Msg != "must be at most "+c.limit+" megapixels") {
			t.Errorf("%s: %v, want limit %q", name, err, c.limit)
		}
	}
}
