// Package phototest makes photos for tests and benchmarks: big ones
// cheaply, without holding their pixels, as a hostile upload would be (a
// PNG of 8000×8000 pixels of one colour is a few hundred KB).
package phototest

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
)

// PNG colour types (the PNG specification's numbers).
const (
	Gray = 0
	RGB  = 2
	RGBA = 6
)

// PNG returns a PNG of w×h pixels, all mid-grey, of a colour type and a
// bit depth of 8 or 16, written row by row.
func PNG(w, h int, colorType, depth byte) []byte {
	channels := map[byte]int{Gray: 1, RGB: 3, RGBA: 4}[colorType]
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := binary.BigEndian.AppendUint32(nil, uint32(w))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(h))
	chunk(&b, "IHDR", append(ihdr, depth, colorType, 0, 0, 0))
	row := bytes.Repeat([]byte{0x80}, 1+w*channels*int(depth)/8)
	row[0] = 0 // filter: none
	var idat bytes.Buffer
	z, _ := zlib.NewWriterLevel(&idat, zlib.BestSpeed)
	for range h {
		z.Write(row)
	}
	z.Close()
	chunk(&b, "IDAT", idat.Bytes())
	chunk(&b, "IEND", nil)
	return b.Bytes()
}

func chunk(b *bytes.Buffer, typ string, data []byte) {
	binary.Write(b, binary.BigEndian, uint32(len(data)))
	crc := crc32.NewIEEE()
	crc.Write([]byte(typ))
	crc.Write(data)
	b.WriteString(typ)
	b.Write(data)
	binary.Write(b, binary.BigEndian, crc.Sum32())
}
