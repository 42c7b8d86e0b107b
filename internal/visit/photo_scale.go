package visit

import (
	"image"
	"image/color"
)

// photoLongSide is the long side a photo is scaled down to. A phone shows
// a photo at most full width, 1,170 to 1,290 device pixels on a 3× screen,
// and an office PC full height, 1,080; 1,600 leaves room to zoom a little.
// A 1600×1200 JPEG is 200–400 KB where the phone's 4032×3024 was 2–5 MB.
const photoLongSide = 1600

// scaleDown returns img scaled to fit side pixels on its long side, each
// new pixel the average of the pixels it covers (a box filter, which does
// not alias however large the reduction); a smaller img is returned as it
// is. It holds one row of sums besides the new image.
func scaleDown(img image.Image, side int) image.Image {
	b := img.Bounds()
	sw, sh := b.Dx(), b.Dy()
	if max(sw, sh) <= side {
		return img
	}
	dw, dh := side, max(1, (sh*side+sw/2)/sw)
	if sh > sw {
		dw, dh = max(1, (sw*side+sh/2)/sh), side
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	xs := make([]int, dw+1) // source columns [xs[x], xs[x+1]) make column x
	for x := range xs {
		xs[x] = b.Min.X + x*sw/dw
	}
	sums := make([]uint64, 4*dw)
	add, pixel := rowAdder(img, xs, sums)
	for y := range dh {
		y0, y1 := b.Min.Y+y*sh/dh, b.Min.Y+(y+1)*sh/dh
		clear(sums)
		for sy := y0; sy < y1; sy++ {
			add(sy)
		}
		row := dst.Pix[y*dst.Stride:]
		for x := range dw {
			n := uint64(xs[x+1]-xs[x]) * uint64(y1-y0)
			pixel(row[4*x:4*x+4], sums[4*x:4*x+4], n)
		}
	}
	return dst
}

// rowAdder returns add, which adds source row y to the sums of each new
// column (four a column), and pixel, which writes the RGBA mean of n
// pixels from their sums. A phone's JPEG (image.YCbCr) is summed as Y, Cb
// and Cr, which is as exact (the conversion is linear) and four times as
// fast; any other image as 16-bit RGBA.
func rowAdder(img image.Image, xs []int, sums []uint64) (add func(y int), pixel func(px []byte, s []uint64, n uint64)) {
	if ycc, ok := img.(*image.YCbCr); ok {
		r := ycc.Rect
		cx := make([]int, r.Dx()) // chroma column of each column, from the row's start
		for x := range cx {
			cx[x] = ycc.COffset(r.Min.X+x, r.Min.Y) - ycc.COffset(r.Min.X, r.Min.Y)
		}
		add = func(y int) {
			yrow, c0 := ycc.Y[ycc.YOffset(r.Min.X, y):], ycc.COffset(r.Min.X, y)
			cb, cr := ycc.Cb[c0:], ycc.Cr[c0:]
			for x := range len(xs) - 1 {
				s := sums[4*x : 4*x+3 : 4*x+3]
				for sx := xs[x] - r.Min.X; sx < xs[x+1]-r.Min.X; sx++ {
					s[0] += uint64(yrow[sx])
					s[1] += uint64(cb[cx[sx]])
					s[2] += uint64(cr[cx[sx]])
				}
			}
		}
		pixel = func(px []byte, s []uint64, n uint64) {
			px[0], px[1], px[2] = color.YCbCrToRGB(uint8(s[0]/n), uint8(s[1]/n), uint8(s[2]/n))
			px[3] = 0xff
		}
		return add, pixel
	}
	src, ok := img.(image.RGBA64Image)
	if !ok {
		src = anyImage{img}
	}
	add = func(y int) {
		for x := range len(xs) - 1 {
			s := sums[4*x : 4*x+4 : 4*x+4]
			for sx := xs[x]; sx < xs[x+1]; sx++ {
				c := src.RGBA64At(sx, y)
				s[0] += uint64(c.R)
				s[1] += uint64(c.G)
				s[2] += uint64(c.B)
				s[3] += uint64(c.A)
			}
		}
	}
	pixel = func(px []byte, s []uint64, n uint64) {
		for i := range 4 {
			px[i] = uint8(s[i] / (n << 8)) // 16-bit sums to 8-bit means
		}
	}
	return add, pixel
}

// anyImage reads an image that is no image.RGBA64Image through At.
type anyImage struct{ image.Image }

func (a anyImage) RGBA64At(x, y int) color.RGBA64 {
	r, g, b, al := a.At(x, y).RGBA()
	return color.RGBA64{uint16(r), uint16(g), uint16(b), uint16(al)}
}
