package server

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection (an upload
// extends its read deadline).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Logged logs one line per request: method, route pattern (never the
// query string, which may carry a phone number), status and duration.
func Logged(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		b := make([]byte, 6)
		rand.Read(b)
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		log.Info("request", "id", hex.EncodeToString(b), "method", r.Method, "route", r.Pattern,
			"status", sw.status, "ms", time.Since(start).Milliseconds())
	})
}

// Secure sets the security headers of every response: a CSP that allows no
// inline script and no framing, no MIME sniffing, no referrer leaving the
// site; HSTS when the browser's connection is HTTPS (overHTTPS); and
// Cache-Control: no-store on everything but the assets under /static/, as
// any page or JSON answer may carry personal data and a phone or office PC
// is often shared. A handler may still set its own Cache-Control.
func Secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		if overHTTPS(r) {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		if !strings.HasPrefix(r.URL.Path, "/static/") {
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

// overHTTPS reports whether the browser reached the server over HTTPS: the
// connection is TLS, or a proxy in front says X-Forwarded-Proto: https (the
// first entry, the protocol the client used). The header is believed
// without --trust-proxy, unlike X-Forwarded-For: a browser ignores
// Strict-Transport-Security received over plain HTTP (RFC 6797, 8.1), so
// a client forging the header over HTTP changes nothing, and a browser
// that sees the header did come over HTTPS.
func overHTTPS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	proto, _, _ := strings.Cut(r.Header.Get("X-Forwarded-Proto"), ",")
	return strings.EqualFold(strings.TrimSpace(proto), "https")
}
