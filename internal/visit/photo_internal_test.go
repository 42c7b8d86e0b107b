package visit

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"testing"

	"wanhu/internal/apperr"
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
	c, err := checkPhoto("photos[0]", in)
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
	if c, err := checkPhoto("photos[0]", withOrientation(t, testImage(64, 32), 3)); err != nil {
		t.Error(err)
	} else if out, _ := jpeg.Decode(bytes.NewReader(c.data)); !redAt(out, 60, 28) {
		t.Error("half a turn: the red corner is not bottom right")
	}

	var p bytes.Buffer
	png.Encode(&p, testImage(16, 16))
	if c, err := checkPhoto("photos[0]", p.Bytes()); err != nil || c.contentType != "image/png" {
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
		_, err := checkPhoto("photos[1]", c.data)
		if fe, ok := apperr.AsField(err); !ok || fe.Field != "photos[1]" || fe.Code != c.code {
			t.Errorf("%s: %v, want %s on photos[1]", name, err, c.code)
		}
	}
	if _, err := checkPhotos(make([][]byte, MaxPhotos+1)); err == nil {
		t.Error("too many photos accepted")
	}
}
