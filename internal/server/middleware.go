package server

import (
	"context"
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

// Logged gives each request an id, in its context and in the X-Request-Id
// header, and logs one line per request: method, route pattern (never the
// query string, which may carry a phone number), status and duration. A
// logger made by ContextLog adds the id to every line logged with the
// request's context, so an error can be matched to its request.
func Logged(log *slog.Logger, next http.Handler) http.Handler {
	lh := ContextLog(log).Handler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		b := make([]byte, 6)
		rand.Read(b)
		id := hex.EncodeToString(b)
		w.Header().Set("X-Request-Id", id)
		r = r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id))
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		// The line as log.InfoContext writes it, without the caller's
		// program counter it looks up and no handler here uses (it
		// showed in profiles; issue 15).
		if ctx := r.Context(); lh.Enabled(ctx, slog.LevelInfo) {
			rec := slog.NewRecord(time.Now(), slog.LevelInfo, "request", 0)
			rec.AddAttrs(slog.String("method", r.Method), slog.String("route", r.Pattern),
				slog.Int("status", sw.status), slog.Int64("ms", time.Since(start).Milliseconds()))
			lh.Handle(ctx, rec)
		}
	})
}

type requestIDKey struct{}

// RequestID returns the id Logged gave the request of ctx, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// ContextLog returns log adding the request's id ("request") to every
// line logged with a request's context (log.ErrorContext(r.Context(), …)).
func ContextLog(log *slog.Logger) *slog.Logger {
	if _, ok := log.Handler().(requestIDHandler); ok {
		return log
	}
	return slog.New(requestIDHandler{log.Handler()})
}

type requestIDHandler struct{ slog.Handler }

func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := RequestID(ctx); id != "" {
		r.AddAttrs(slog.String("request", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h requestIDHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(as)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}

// Secure sets the security headers of every response: a CSP that allows no
// inline script and no framing, no MIME sniffing, no referrer leaving the
// site; HSTS when the browser's connection is HTTPS (overHTTPS); and
// Cache-Control: no-store on everything but the assets under /static/, as
// any page or JSON answer may carry personal data and a phone or office PC
// is often shared. A handler may still set its own Cache-Control.
func Secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The values are shared by every response rather than made anew
		// for each (h.Set's; issue 15): each is a slice of one value at
		// its full capacity, so that a handler's Add makes a slice of its
		// own, and net/http only reads them.
		h := w.Header()
		h["Content-Security-Policy"] = secureCSP
		h["X-Frame-Options"] = secureFrame
		h["X-Content-Type-Options"] = secureSniff
		h["Referrer-Policy"] = secureReferrer
		if overHTTPS(r) {
			h["Strict-Transport-Security"] = secureHSTS
		}
		if !strings.HasPrefix(r.URL.Path, "/static/") {
			h["Cache-Control"] = secureNoStore
		}
		next.ServeHTTP(w, r)
	})
}

// Secure's header values (canonical keys, one value each, len = cap).
var (
	secureCSP      = oneValue("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
	secureFrame    = oneValue("DENY")
	secureSniff    = oneValue("nosniff")
	secureReferrer = oneValue("same-origin")
	secureHSTS     = oneValue("max-age=31536000")
	secureNoStore  = oneValue("no-store")
)

func oneValue(v string) []string { return []string{v}[:1:1] }

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
