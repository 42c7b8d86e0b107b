package server

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

// TestSecureHSTS: Strict-Transport-Security goes with a TLS connection or
// a proxy's X-Forwarded-Proto: https (its first entry), and with nothing
// else.
func TestSecureHSTS(t *testing.T) {
	h := Secure(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	for _, c := range []struct {
		url, proto string
		want       bool
	}{
		{"http://wanhu.example.org/", "", false},
		{"https://wanhu.example.org/", "", true}, // httptest gives an https URL a TLS state
		{"http://wanhu.example.org/", "https", true},
		{"http://wanhu.example.org/", "HTTPS, http", true},
		{"http://wanhu.example.org/", "http", false},
		{"http://wanhu.example.org/", "http, https", false},
		{"http://wanhu.example.org/", "httpsx", false},
	} {
		r := httptest.NewRequest("GET", c.url, nil)
		if c.proto != "" {
			r.Header.Set("X-Forwarded-Proto", c.proto)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		got := rec.Header().Get("Strict-Transport-Security")
		if (got == "max-age=31536000") != c.want || (!c.want && got != "") {
			t.Errorf("%s with X-Forwarded-Proto %q: HSTS %q, want it %v", c.url, c.proto, got, c.want)
		}
	}
}

// TestSecureNoStore: every answer but a static asset is no-store; a
// handler may set its own.
func TestSecureNoStore(t *testing.T) {
	h := Secure(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/sw.js" {
			w.Header().Set("Cache-Control", "no-cache")
		}
	}))
	for path, want := range map[string]string{
		"/households/1": "no-store", "/api/v1/persons/3": "no-store", "/r/ABCDEFGH23": "no-store",
		"/open311/v2/requests.json": "no-store", "/static/app.css": "", "/sw.js": "no-cache",
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if got := rec.Header().Get("Cache-Control"); got != want {
			t.Errorf("%s: Cache-Control %q, want %q", path, got, want)
		}
	}
}

// TestSecureHeadersShared: Secure sets its headers without allocating,
// and what a handler adds to one of them stays in its own response.
func TestSecureHeadersShared(t *testing.T) {
	var add bool
	h := Secure(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if add {
			w.Header().Add("Cache-Control", "private")
			w.Header().Add("X-Frame-Options", "SAMEORIGIN")
		}
	}))
	r := httptest.NewRequest("GET", "/households/1", nil)
	rec := httptest.NewRecorder()
	hdr := rec.Header()
	if n := testing.AllocsPerRun(100, func() {
		clear(hdr)
		h.ServeHTTP(rec, r)
	}); n != 0 {
		t.Errorf("Secure allocates %v times a request", n)
	}
	add = true
	h.ServeHTTP(httptest.NewRecorder(), r)
	add = false
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	if got := rec.Header().Values("Cache-Control"); len(got) != 1 || got[0] != "no-store" {
		t.Errorf("Cache-Control after another response added to it: %q", got)
	}
	if got := rec.Header().Values("X-Frame-Options"); len(got) != 1 || got[0] != "DENY" {
		t.Errorf("X-Frame-Options after another response added to it: %q", got)
	}
}

// TestLoggedRequestID: the id of a request is in its X-Request-Id header,
// on the request's line and on every line logged with its context.
func TestLoggedRequestID(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	h := Logged(log, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ContextLog(log).ErrorContext(r.Context(), "it failed", "error", "boom")
		w.WriteHeader(http.StatusInternalServerError)
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/x", nil))
	id := rec.Header().Get("X-Request-Id")
	if len(id) != 12 {
		t.Fatalf("X-Request-Id %q", id)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("log lines %q", lines)
	}
	for _, l := range lines {
		var rec map[string]any
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatal(err)
		}
		if rec["request"] != id {
			t.Errorf("line %s: request %v, want %s", l, rec["request"], id)
		}
	}
	var line map[string]any
	json.Unmarshal([]byte(lines[1]), &line)
	delete(line, "time")
	if _, ok := line["ms"].(float64); !ok {
		t.Errorf("request's line %s: no ms", lines[1])
	}
	delete(line, "ms")
	want := map[string]any{"level": "INFO", "msg": "request", "method": "GET", "route": "", "status": float64(500), "request": id}
	if !reflect.DeepEqual(line, want) {
		t.Errorf("request's line %v, want %v", line, want)
	}
	if !strings.HasPrefix(lines[1], `{"time":"`) || !strings.Contains(lines[1], `,"level":"INFO","msg":"request","method":"GET","route":"","status":500,"ms":`) {
		t.Errorf("request's line %s", lines[1])
	}
}
