package main

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/jpeg"
	"image/png"
	"math/rand/v2"

	"wanhu/internal/visit/phototest"
)

// photoCase is one kind of photo, sent the same to every visit.
type photoCase struct {
	name        string
	contentType string
	data        []byte
}

// cases are the photos of the benchmark: the largest the server accepts
// (by pixels: a 24.9 MP JPEG; by memory: a 12.6 MP RGBA PNG, 48 MB
// decoded, the limit exactly), the hostile PNG of 8000×8000 pixels of
// one colour, and a phone's ordinary 12 MP photo.
func cases() []photoCase {
	return []photoCase{
		{"largest accepted: JPEG 5760×4320 (24.9 MP)", "image/jpeg", photoJPEG(5760, 4320, 0)},
		{"largest accepted: PNG 4096×3072 RGBA", "image/png", gradientPNG(4096, 3072)},
		{"hostile: PNG 8000×8000 RGBA, one colour", "image/png", phototest.PNG(8000, 8000, phototest.RGBA, 8)},
		{"ordinary: phone JPEG 4032×3024 (12 MP)", "image/jpeg", photoJPEG(4032, 3024, 6)},
	}
}

// photoJPEG is a w×h photo-like JPEG (smooth colour with fine grain, 4:2:0
// as phones write it, quality 85), with an EXIF orientation when o != 0.
func photoJPEG(w, h int, o uint16) []byte {
	img := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	r := rand.New(rand.NewPCG(1, 2))
	for y := range h {
		for x := range w {
			img.Y[img.YOffset(x, y)] = uint8(40 + 160*x/w + r.IntN(12))
		}
	}
	cw := img.Rect.Dx() / 2
	for i := range img.Cb {
		x, y := i%img.CStride, i/img.CStride
		img.Cb[i], img.Cr[i] = uint8(90+60*x/max(cw, 1)), uint8(100+40*y*2/h)
	}
	var b bytes.Buffer
	jpeg.Encode(&b, img, &jpeg.Options{Quality: 85})
	if o == 0 {
		return b.Bytes()
	}
	// An APP1 EXIF block with one tag, the orientation, as a phone writes it.
	tiff := []byte("MM\x00\x2a\x00\x00\x00\x08\x00\x01\x01\x12\x00\x03\x00\x00\x00\x01")
	tiff = binary.BigEndian.AppendUint16(tiff, o)
	tiff = append(tiff, 0, 0, 0, 0, 0, 0)
	app1 := append([]byte("Exif\x00\x00"), tiff...)
	seg := append([]byte{0xFF, 0xE1}, binary.BigEndian.AppendUint16(nil, uint16(len(app1)+2))...)
	out := append([]byte{}, b.Bytes()[:2]...)
	out = append(append(out, seg...), app1...)
	return append(out, b.Bytes()[2:]...)
}

// gradientPNG is a w×h RGBA PNG of smooth colour, half transparent.
func gradientPNG(w, h int) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			i := img.PixOffset(x, y)
			img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = uint8(255*x/w), uint8(255*y/h), 128, 200
		}
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}
