package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/png"
	"io"
	"io/fs"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// staticURL is the hashed URL the pages give a static file.
func staticURL(t *testing.T, name string) string {
	t.Helper()
	u, err := assets().url(name)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// getRaw fetches url with the given Accept-Encoding (none when ""), without
// the transport's own gzip handling, and returns the answer and its bytes
// as sent.
func getRaw(t *testing.T, url, acceptEncoding string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept-Encoding", acceptEncoding)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, b
}

// TestStaticFiles: a static file's hashed name carries the first 8 hex
// digits of its SHA-256 and serves its bytes for a year, gzipped for a
// browser that takes gzip (and plain for one that does not or refuses it
// with q=0), with Vary: Accept-Encoding and an ETag that answers 304; the
// plain name still works with a short cache; a wrong hash, an unknown
// name and a folder are 404.
func TestStaticFiles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		for _, name := range []string{"app.js", "app.css", "vendor/echarts/echarts.min.js"} {
			want, err := fs.ReadFile(staticFS, "static/"+name)
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(want)
			ext := name[strings.LastIndexByte(name, '.'):]
			hashed := "/static/" + strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:4]) + ext
			if u := staticURL(t, name); u != hashed {
				t.Errorf("%s: hashed as %s, want %s", name, u, hashed)
			}

			res, body := getRaw(t, e.srv.URL+hashed, "gzip, deflate, br")
			if res.StatusCode != http.StatusOK || res.Header.Get("Content-Encoding") != "gzip" ||
				res.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" || res.Header.Get("Vary") != "Accept-Encoding" {
				t.Errorf("%s with gzip: %d, Content-Encoding %q, Cache-Control %q, Vary %q", hashed, res.StatusCode,
					res.Header.Get("Content-Encoding"), res.Header.Get("Cache-Control"), res.Header.Get("Vary"))
			}
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Fatalf("%s: not gzip: %v", hashed, err)
			}
			if got, err := io.ReadAll(zr); err != nil || !bytes.Equal(got, want) {
				t.Errorf("%s: gunzipped %d bytes (%v), want the file's %d", hashed, len(got), err, len(want))
			}
			if len(want) > 10000 && len(body) > len(want)/2 {
				t.Errorf("%s: %d bytes gzipped of %d", hashed, len(body), len(want))
			}

			for _, ae := range []string{"", "identity", "gzip;q=0, br"} {
				res, body = getRaw(t, e.srv.URL+hashed, ae)
				if res.StatusCode != http.StatusOK || res.Header.Get("Content-Encoding") != "" || !bytes.Equal(body, want) ||
					res.Header.Get("Vary") != "Accept-Encoding" || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
					t.Errorf("%s with Accept-Encoding %q: %d, Content-Encoding %q, Vary %q, %d bytes", hashed, ae, res.StatusCode,
						res.Header.Get("Content-Encoding"), res.Header.Get("Vary"), len(body))
				}
			}
			etag := res.Header.Get("ETag")
			if res, _ := getRaw(t, e.srv.URL+hashed, "", "If-None-Match", etag); etag == "" || res.StatusCode != http.StatusNotModified {
				t.Errorf("%s again with its ETag %q: %d", hashed, etag, res.StatusCode)
			}

			res, body = getRaw(t, e.srv.URL+"/static/"+name, "")
			if res.StatusCode != http.StatusOK || !bytes.Equal(body, want) || res.Header.Get("Cache-Control") != "public, max-age=300" {
				t.Errorf("/static/%s: %d, Cache-Control %q, %d bytes", name, res.StatusCode, res.Header.Get("Cache-Control"), len(body))
			}
		}
		for _, path := range []string{"/static/app.00000000.js", "/static/app.3f2a9c1e.css", "/static/nope.js", "/static/",
			"/static/vendor", "/static/vendor/", "/static/vendor/echarts/"} {
			if res, body := getRaw(t, e.srv.URL+path, "gzip"); res.StatusCode != http.StatusNotFound || strings.Contains(string(body), "<a href") {
				t.Errorf("%s: %d, want 404 without a listing", path, res.StatusCode)
			}
		}
		res, _ := getRaw(t, e.srv.URL+staticURL(t, "app.js"), "gzip")
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/javascript") {
			t.Errorf("app.js as %q", ct)
		}
	})
}

var hashedStatic = regexp.MustCompile(`/static/[a-z/]+(\.min)?\.[0-9a-f]{8}\.(js|css)`)

// TestTemplatesUseHashedNames: no template names a static file but through
// {{static}}, and the pages a visitor and a clerk see load the hashed names.
func TestTemplatesUseHashedNames(t *testing.T) {
	err := fs.WalkDir(templateFS, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(templateFS, path)
		if bytes.Contains(b, []byte("/static/")) {
			t.Errorf("%s names /static/ itself; use {{static \"name\"}}", path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		for user, path := range map[string]string{"worker": "/today", "admin": "/stats"} {
			c := e.signedIn(user)
			code, body := c.get(path)
			if code != http.StatusOK {
				t.Fatalf("%s %s: %d", user, path, code)
			}
			mustContain(t, path, body, `href="`+staticURL(t, "app.css")+`"`, `src="`+staticURL(t, "app.js")+`"`, `src="`+staticURL(t, "offline.js")+`"`)
			for _, m := range regexp.MustCompile(`(src|href)="(/static/[^"]+)"`).FindAllStringSubmatch(body, -1) {
				if !hashedStatic.MatchString(m[2]) {
					t.Errorf("%s loads %s, not a hashed name", path, m[2])
				}
				if res, _ := getRaw(t, e.srv.URL+m[2], "gzip"); res.StatusCode != http.StatusOK {
					t.Errorf("%s loads %s: %d", path, m[2], res.StatusCode)
				}
			}
		}
	})
}

// TestServiceWorkerPrecache: /sw.js is never cached long and precaches the
// shell under the hashed names, with Wanhu's offline page.
func TestServiceWorkerPrecache(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		res, body := getRaw(t, e.srv.URL+"/sw.js", "gzip")
		if res.StatusCode != http.StatusOK || res.Header.Get("Cache-Control") != "no-cache" {
			t.Fatalf("sw.js: %d, Cache-Control %q", res.StatusCode, res.Header.Get("Cache-Control"))
		}
		want := fmt.Sprintf(`var SHELL = ["%s","%s","%s"];`, staticURL(t, "app.css"), staticURL(t, "app.js"), staticURL(t, "offline.js"))
		mustContain(t, "sw.js", string(body), want, `var OFFLINE = "/offline";`)
		mustNotContain(t, "sw.js", string(body), "/*SHELL*/", "echarts")
	})
}

// TestOfflinePage: Wanhu's offline page needs no session, says in Chinese
// that the phone is offline and what works without signal, links back to
// the route of the day and shows no user.
func TestOfflinePage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.client()
		code, body := c.get("/offline")
		if code != http.StatusOK {
			t.Fatalf("offline page: %d", code)
		}
		mustContain(t, "offline page", body, "当前没有网络", "没有信号时可以使用", "今日走访", `id="offline-today" href="/today"`,
			"返回今日走访", `href="`+staticURL(t, "app.css")+`"`)
		mustNotContain(t, "offline page", body, "data-user", `id="logout"`, "⟦")
		code, body = e.signedIn("worker").get("/offline")
		if code != http.StatusOK {
			t.Fatalf("offline page signed in: %d", code)
		}
		// The worker keeps it for whoever holds the phone next.
		mustNotContain(t, "offline page signed in", body, "data-user", `id="logout"`, e.widow.Address)
	})
}

// TestVisitSyncFullForm: the full visit form queued on a phone goes to
// /visits/sync with its notes, need found, survey answer and photo (as
// multipart), and is recorded once however often it is sent.
func TestVisitSyncFullForm(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		worker := e.signedIn("worker")
		var img bytes.Buffer
		png.Encode(&img, image.NewGray(image.Rect(0, 0, 40, 30)))
		fields := map[string]string{"client_id": "phone-full-1", "household_id": fmt.Sprint(e.widow.ID), "outcome": "met",
			"channel": "door", "notes": "老人腿脚不便", "need_kind": "rehabilitation", "need_note": "需要轮椅",
			"survey.satisfied": "basically_satisfied", "survey.joined_activity": "", "age_ms": "60000"}
		var first syncAnswer
		for i := range 2 {
			res, body := worker.do(worker.photoForm("/visits/sync", fields, img.Bytes()))
			want := []int{http.StatusCreated, http.StatusOK}[i]
			if res.StatusCode != want || !strings.Contains(body, `"id":`) {
				t.Fatalf("send %d: %d %s, want %d", i+1, res.StatusCode, body, want)
			}
			if i == 0 && !strings.Contains(body, `"created":true`) {
				t.Fatalf("first send: %s", body)
			}
			fmt.Sscanf(body[strings.Index(body, `"id":`)+5:], "%d", &first.ID)
		}
		var n, needs, photos, answers int
		var notes string
		storetest.Scan(t, db.QueryRowContext(t.Context(), `SELECT COUNT(*), MAX(notes) FROM visits WHERE household_id = ?`, e.widow.ID), &n, &notes)
		storetest.Scan(t, db.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM needs WHERE household_id = ? AND kind = 'rehabilitation' AND note = '需要轮椅'`, e.widow.ID), &needs)
		storetest.Scan(t, db.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM visit_photos WHERE visit_id = ?`, first.ID), &photos)
		storetest.Scan(t, db.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM survey_answers WHERE question_code = 'satisfied' AND answer = 'basically_satisfied'`), &answers)
		if n != 1 || notes != "老人腿脚不便" || needs != 1 || photos != 1 || answers != 1 {
			t.Errorf("after two sends: %d visits (notes %q), %d needs, %d photos, %d answers; want one of each", n, notes, needs, photos, answers)
		}

		bad := map[string]string{"client_id": "phone-full-2", "household_id": fmt.Sprint(e.widow.ID), "outcome": "met", "need_kind": "cake"}
		res, body := worker.do(worker.photoForm("/visits/sync", bad))
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `"field":"needs[0].kind"`) {
			t.Errorf("a bad need: %d %s", res.StatusCode, body)
		}
	})
}
