package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"
	"wanhu/internal/server"
)

// Static files are served under content-hashed names: app.js is
// /static/app.3f2a9c1e.js, the first 8 hex digits of its SHA-256, so a
// browser may keep it for a year and a new release is a new name. Pages
// name them through the template function static ({{static "app.js"}}).
// The plain name (/static/app.js) still answers, with a short cache, for
// bookmarks and old pages. Text files are gzipped once, when the set is
// first built, and sent compressed to a browser that accepts gzip.
//
// Brotli would shave another ~15% off ECharts, but its best level takes
// seconds of start-up for the 1.1 MB file and the X5 browser only asks
// for it over HTTPS; gzip alone keeps the dependency list short.

const (
	immutableCache = "public, max-age=31536000, immutable"
	plainNameCache = "public, max-age=300"
)

// asset is one static file, ready to send.
type asset struct {
	name   string // as in the embedded folder: "app.js", "vendor/echarts/echarts.min.js"
	hashed string // "app.3f2a9c1e.js"
	ctype  string
	body   []byte
	gz     []byte // nil when not worth compressing
	etag   string
}

// assetSet holds every static file under both of its names.
type assetSet struct {
	byName   map[string]*asset // plain and hashed names
	hashedOf map[string]string // plain name → hashed name
}

// assets is built once per process from the embedded folder: the hashes
// and the gzip of ECharts are not redone for every handler of the tests.
var assets = sync.OnceValue(func() *assetSet {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err)
	}
	s, err := buildAssets(sub)
	if err != nil {
		panic(err)
	}
	return s
})

// buildAssets reads, hashes and compresses every file of fsys.
func buildAssets(fsys fs.FS) (*assetSet, error) {
	s := &assetSet{byName: map[string]*asset{}, hashedOf: map[string]string{}}
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		hash := hex.EncodeToString(sum[:4])
		ext := path.Ext(name)
		a := &asset{name: name, hashed: strings.TrimSuffix(name, ext) + "." + hash + ext, body: body, etag: `"` + hash + `"`}
		a.ctype = mime.TypeByExtension(ext)
		if a.ctype == "" {
			a.ctype = "application/octet-stream"
		}
		if compressible(a.ctype) {
			if a.gz, err = gzipped(body); err != nil {
				return fmt.Errorf("gzip %s: %w", name, err)
			}
		}
		s.byName[name], s.byName[a.hashed] = a, a
		s.hashedOf[name] = a.hashed
		return nil
	})
	return s, err
}

// compressible reports whether a file of this type gains from gzip.
func compressible(ctype string) bool {
	return strings.HasPrefix(ctype, "text/") || strings.Contains(ctype, "javascript") ||
		strings.Contains(ctype, "json") || strings.Contains(ctype, "svg")
}

// gzipped returns body compressed at the best level, or nil when that
// saves less than a tenth.
func gzipped(body []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(body); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	if buf.Len() > len(body)*9/10 {
		return nil, nil
	}
	return buf.Bytes(), nil
}

// url returns the hashed URL of a static file by its plain name, for the
// templates ({{static "app.js"}}); an unknown name is an error, so a typo
// fails the page's render (and its test) instead of a 404 on a phone.
func (s *assetSet) url(name string) (string, error) {
	h, ok := s.hashedOf[name]
	if !ok {
		return "", fmt.Errorf("no static file %q", name)
	}
	return "/static/" + h, nil
}

// urls returns the hashed URLs of the named files.
func (s *assetSet) urls(names ...string) []string {
	var out []string
	for _, n := range names {
		if u, err := s.url(n); err == nil {
			out = append(out, u)
		}
	}
	return out
}

// ServeHTTP serves /static/<name>: a hashed name for a year, a plain one
// for five minutes, gzipped for a browser that accepts it; anything else
// (a wrong hash, a folder) is 404.
func (s *assetSet) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/static/")
	a, ok := s.byName[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.ctype)
	if name == a.hashed {
		h.Set("Cache-Control", immutableCache)
	} else {
		h.Set("Cache-Control", plainNameCache)
	}
	body, etag := a.body, a.etag
	if a.gz != nil {
		h.Add("Vary", "Accept-Encoding")
		if server.AcceptsGzip(r.Header.Get("Accept-Encoding")) {
			body, etag = a.gz, strings.TrimSuffix(a.etag, `"`)+`-gz"`
			h.Set("Content-Encoding", "gzip")
		}
	}
	h.Set("ETag", etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

// serviceWorker serves static/sw.js from the root, so that its scope is
// the whole site, and never from a stale HTTP cache. Its precache list is
// filled in here with the hashed names of the shell (see offlineShell),
// so a new release of any of them is a new worker that fetches them anew.
func serviceWorker(w http.ResponseWriter, r *http.Request) {
	a, ok := assets().byName["sw.js"]
	if !ok {
		http.NotFound(w, r)
		return
	}
	list, _ := json.Marshal(assets().urls(offlineShell...))
	body := bytes.Replace(a.body, []byte("/*SHELL*/[]"), list, 1)
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(body)
}

// offlineShell names the static files a phone keeps for use without
// signal: what the route of the day and the visit pages load. ECharts
// and the office pages' scripts are not among them.
var offlineShell = []string{"app.css", "app.js", "offline.js"}
