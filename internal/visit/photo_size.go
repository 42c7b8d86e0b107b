package visit

import (
	"encoding/binary"
	"image"
	"image/color"
	"strconv"

	"wanhu/internal/apperr"
)

// A photo is refused unread when decoding it would take too much memory:
// what it costs is known from its header (image.DecodeConfig and, for a
// JPEG, its frame header), before a pixel is decoded. A file of a few
// hundred KB can describe 8000×8000 pixels of one colour, which decode to
// 256 MB; the number of bytes uploaded says nothing about it.
const (
	// maxPhotoPixels is 25 megapixels: a phone's ordinary photo is 12 MP
	// (4032×3024) and a recent iPhone's 24 MP (5712×4284).
	maxPhotoPixels = 25_000_000
	// maxDecodeBytes is what decoding one photo may hold: a 24 MP JPEG
	// decodes to 37 MB, a 12 MP PNG to 49 MB. A 16-bit PNG takes 8 bytes
	// a pixel, so it may have only 6 MP.
	maxDecodeBytes = 48 << 20
)

// checkPhotoSize refuses a photo whose decoding would take more than
// maxPhotoPixels or maxDecodeBytes, saying the limit for its kind of image
// in megapixels.
func checkPhotoSize(field, format string, cfg image.Config, data []byte) error {
	pixels := int64(cfg.Width) * int64(cfg.Height)
	cost := decodeCost(format, cfg, data)
	if pixels <= maxPhotoPixels && cost <= maxDecodeBytes {
		return nil
	}
	limit := int64(maxPhotoPixels)
	if pixels > 0 && cost > 0 {
		limit = min(limit, int64(float64(maxDecodeBytes)/(float64(cost)/float64(pixels))))
	}
	mp := strconv.FormatFloat(float64(limit/100_000)/10, 'f', -1, 64) // 12.5, rounded down
	return apperr.Field(field, "image_size", "must be at most %s megapixels", mp)
}

// decodeCost returns the bytes decoding an image takes: its pixels in the
// decoder's colour model, the coefficients a progressive JPEG keeps, and
// the passes of an interlaced PNG. What it cannot read is taken at the
// worst case.
func decodeCost(format string, cfg image.Config, data []byte) int64 {
	pixels := int64(cfg.Width) * int64(cfg.Height)
	switch format {
	case "jpeg":
		return jpegDecodeCost(data, cfg)
	case "png":
		perPixel := int64(8)
		switch cfg.ColorModel {
		case color.GrayModel:
			perPixel = 1
		case color.Gray16Model:
			perPixel = 2
		case color.RGBAModel, color.NRGBAModel:
			perPixel = 4
		}
		if _, ok := cfg.ColorModel.(color.Palette); ok {
			perPixel = 1
		}
		if len(data) > 28 && data[28] != 0 { // IHDR's interlace method: Adam7
			perPixel *= 2
		}
		return pixels * perPixel
	}
	return pixels * 16
}

// jpegDecodeCost reads the frame header of a JPEG: each component is
// decoded at its own sampling (4:2:0 takes 1.5 bytes a pixel, 4:4:4
// three), a progressive one keeps 4 bytes of coefficients per sample until
// its last scan, and one of four components (CMYK) is converted to 4 bytes
// a pixel more.
func jpegDecodeCost(b []byte, cfg image.Config) int64 {
	worst := int64(cfg.Width) * int64(cfg.Height) * 16 // progressive 4:4:4, with a margin
	for i := 2; i+4 <= len(b) && b[i] == 0xFF; {
		marker, size := b[i+1], int(binary.BigEndian.Uint16(b[i+2:]))
		if marker == 0xFF { // fill byte
			i++
			continue
		}
		if marker == 0xDA {
			break // the image data, and no frame header before it
		}
		if marker != 0xC0 && marker != 0xC1 && marker != 0xC2 {
			i += 2 + size
			continue
		}
		seg := b[i+4 : min(i+2+size, len(b))]
		if len(seg) < 6 || len(seg) < 6+3*int(seg[5]) || seg[5] == 0 {
			return worst
		}
		n := int(seg[5])
		comp := func(c int) (h, v int64) { // sampling factors, as the decoder takes them
			if n == 1 {
				return 1, 1
			}
			hv := seg[6+3*c+1]
			return int64(max(hv>>4, 1)), int64(max(hv&15, 1))
		}
		// Samples are decoded in whole MCUs, sized by the first component.
		h0, v0 := comp(0)
		mcus := (int64(cfg.Width) + 8*h0 - 1) / (8 * h0) * ((int64(cfg.Height) + 8*v0 - 1) / (8 * v0))
		var samples int64
		for c := range n {
			h, v := comp(c)
			samples += mcus * 64 * h * v
		}
		cost := samples
		if marker == 0xC2 {
			cost += 4 * samples
		}
		if n == 4 {
			cost += 4 * int64(cfg.Width) * int64(cfg.Height)
		}
		return cost
	}
	return worst
}
