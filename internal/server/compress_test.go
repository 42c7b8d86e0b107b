package server

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// TestWrite: a body of MinCompressed bytes or more goes gzipped to a
// client that accepts gzip, with Vary and the compressed length; to one
// that does not (or refuses it with q=0) as it is; a short body as it is,
// without Vary.
func TestWrite(t *testing.T) {
	long := []byte(strings.Repeat("<li>一化小区 17号楼 2单元 301室</li>\n", 600))
	short := long[:MinCompressed-1]
	for _, c := range []struct {
		name, accept string
		body         []byte
		gzipped      bool
		vary         bool
	}{
		{"long, gzip", "gzip, deflate, br", long, true, true},
		{"long, x-gzip", "x-gzip", long, true, true},
		{"long, *", "*", long, true, true},
		{"long, gzip refused", "gzip;q=0, deflate", long, false, true},
		{"long, none", "", long, false, true},
		{"short, gzip", "gzip", short, false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			if c.accept != "" {
				r.Header.Set("Accept-Encoding", c.accept)
			}
			w := httptest.NewRecorder()
			Write(w, r, http.StatusTeapot, c.body)
			res := w.Result()
			got, _ := io.ReadAll(res.Body)
			if res.StatusCode != http.StatusTeapot || res.Header.Get("Content-Length") != strconv.Itoa(len(got)) {
				t.Errorf("status %d, Content-Length %q for %d bytes", res.StatusCode, res.Header.Get("Content-Length"), len(got))
			}
			if (res.Header.Get("Vary") == "Accept-Encoding") != c.vary {
				t.Errorf("Vary %q", res.Header.Get("Vary"))
			}
			if (res.Header.Get("Content-Encoding") == "gzip") != c.gzipped {
				t.Fatalf("Content-Encoding %q", res.Header.Get("Content-Encoding"))
			}
			if c.gzipped {
				if len(got) >= len(c.body)/4 {
					t.Errorf("gzipped to %d of %d bytes", len(got), len(c.body))
				}
				zr, err := gzip.NewReader(bytes.NewReader(got))
				if err != nil {
					t.Fatal(err)
				}
				if got, err = io.ReadAll(zr); err != nil {
					t.Fatal(err)
				}
			}
			if !bytes.Equal(got, c.body) {
				t.Errorf("the body arrived as %d bytes, not the %d sent", len(got), len(c.body))
			}
		})
	}
}
