package server

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// MinCompressed is the shortest body Write compresses: TCP's initial
// window (10 segments, RFC 6928) less the headers. A shorter answer
// arrives in the first round trip as it is, and compressing it would cost
// the server a sixth of a household page's CPU (a quarter of the
// household JSON's: most of it the compressor's fixed cost) for a
// round trip saved nowhere.
const MinCompressed = 14 << 10

// Write sends body with status, gzipped at the fastest level when it is
// at least MinCompressed bytes and the request accepts gzip, with
// Content-Length either way; the other headers are the caller's. Long
// pages compress 5–15 times (a visitor's day page of 100 KB, a form per
// household with the same fields, to 7 KB; a list of the city's grids),
// which a phone on a weak signal, or a city's administrator far from the
// server, gains many times over.
//
// Pages that hold a secret beside what a request reflects (a form's
// CSRF token beside a search term) must vary the secret's bytes on every
// response: see web's maskToken.
func Write(w http.ResponseWriter, r *http.Request, status int, body []byte) {
	h := w.Header()
	if len(body) >= MinCompressed {
		h.Add("Vary", "Accept-Encoding")
		if AcceptsGzip(r.Header.Get("Accept-Encoding")) {
			buf := gzipBuffers.Get().(*bytes.Buffer)
			defer gzipBuffers.Put(buf)
			buf.Reset()
			zw := gzipWriters.Get().(*gzip.Writer)
			zw.Reset(buf)
			zw.Write(body)
			zw.Close()
			gzipWriters.Put(zw)
			body = buf.Bytes()
			h.Set("Content-Encoding", "gzip")
		}
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// gzipWriters keep their compressor's state (about 1 MB at any level)
// from one answer to the next; gzipBuffers the compressed bodies.
var (
	gzipWriters = sync.Pool{New: func() any {
		zw, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed)
		return zw
	}}
	gzipBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}
)

// AcceptsGzip reports whether an Accept-Encoding header takes gzip (or
// "*") with a weight above zero.
func AcceptsGzip(header string) bool {
	for part := range strings.SplitSeq(header, ",") {
		coding, params, _ := strings.Cut(part, ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		if coding != "gzip" && coding != "x-gzip" && coding != "*" {
			continue
		}
		q, ok := strings.CutPrefix(strings.ReplaceAll(params, " ", ""), "q=")
		if !ok {
			return true
		}
		w, err := strconv.ParseFloat(q, 64)
		return err == nil && w > 0
	}
	return false
}
