package web

import (
	"compress/gzip"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"wanhu/internal/server"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestMaskToken: a masked token differs every time, matches its token
// (as the token itself does: a page or an offline visit from before the
// masking), and nothing else does.
func TestMaskToken(t *testing.T) {
	tok, other := "osgFhnyT76L8CnopWQC00uDRp26RcCPWF3x1owinsi0", "Zm9vYmFyYmF6cXV4cXV1eHh5enp5enp5enp5enp5enp"
	a, b := maskToken(tok), maskToken(tok)
	if a == b || strings.Contains(a, tok) {
		t.Errorf("two masks of one token: %q, %q", a, b)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(a)
	raw[len(raw)-1] ^= 1
	tampered := base64.RawURLEncoding.EncodeToString(raw)
	for _, c := range []struct {
		form, secret string
		want         bool
	}{
		{a, tok, true}, {b, tok, true}, {tok, tok, true},
		{tampered, tok, false}, {maskToken(other), tok, false}, {other, tok, false},
		{a, "", false}, {"", "", false}, {"", tok, false},
	} {
		if got := tokenMatches(c.form, c.secret); got != c.want {
			t.Errorf("tokenMatches(%q, %q) = %v", c.form, c.secret, got)
		}
	}
}

// TestPagesCompressedTokensMasked: a long page (the household's) goes
// gzipped to a browser that accepts it, and as it is to one that does not; each page carries the
// session's CSRF token masked differently (so a compressed page's length
// tells nothing of it), and a form from either page is accepted, a forged
// one not.
func TestPagesCompressedTokensMasked(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.signedIn("admin")
		get := func(accept string) (*http.Response, string) {
			req, _ := http.NewRequest("GET", e.srv.URL+"/households/"+itoa(e.widow.ID), nil)
			req.Header.Set("Accept-Encoding", accept) // set by hand: the transport leaves the body as sent
			res, body := c.do(req)
			if res.Header.Get("Content-Encoding") == "gzip" {
				zr, err := gzip.NewReader(strings.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				b, err := io.ReadAll(zr)
				if err != nil {
					t.Fatal(err)
				}
				body = string(b)
			}
			return res, body
		}
		res, plain := get("identity")
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Encoding") != "" || !strings.Contains(plain, `id="members"`) {
			t.Fatalf("the household page to a browser not taking gzip: %d %q\n%.300s", res.StatusCode, res.Header.Get("Content-Encoding"), plain)
		}
		if len(plain) < server.MinCompressed {
			t.Fatalf("the household page is %d bytes, under the %d that are compressed: this test needs a longer page", len(plain), server.MinCompressed)
		}
		res, zipped := get("gzip, deflate")
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Encoding") != "gzip" || res.Header.Get("Vary") != "Accept-Encoding" ||
			!strings.Contains(zipped, `id="members"`) {
			t.Fatalf("the household page to a browser taking gzip: %d %q %q\n%.300s", res.StatusCode, res.Header.Get("Content-Encoding"), res.Header.Get("Vary"), zipped)
		}
		a, b := csrfOf(zipped), csrfOf(plain)
		if a == "" || a == b {
			t.Fatalf("the two pages' CSRF tokens: %q, %q", a, b)
		}
		raw, _ := base64.RawURLEncoding.DecodeString(a)
		raw[len(raw)-1] ^= 1
		code, body := c.post("/households/"+itoa(e.widow.ID)+"/needs", url.Values{"csrf": {base64.RawURLEncoding.EncodeToString(raw)}, "kind": {"medical"}})
		if code != http.StatusForbidden || !strings.Contains(body, "页面已过期") {
			t.Errorf("a form with a forged token: %d\n%.300s", code, body)
		}
		for _, tok := range []string{a, b} {
			if code, body := c.post("/households/"+itoa(e.widow.ID)+"/needs", url.Values{"csrf": {tok}, "kind": {"medical"}}); code != http.StatusOK || strings.Contains(body, "页面已过期") {
				t.Errorf("a form with the page's token: %d\n%.300s", code, body)
			}
		}
	})
}
