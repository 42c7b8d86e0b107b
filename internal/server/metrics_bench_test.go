package server

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"wanhu/internal/store/storetest"
)

// BenchmarkMeasure: what the metrics add to a request, against the same
// mux without them (go test -bench Measure ./internal/server).
func BenchmarkMeasure(b *testing.B) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/households/{id}", func(w http.ResponseWriter, r *http.Request) {})
	m := NewMetrics("bench-token-0123456789", storetest.SQLite(b), nil)
	for _, c := range []struct {
		name string
		h    http.Handler
	}{{"bare", mux}, {"measured", m.Measure(mux)}} {
		b.Run(c.name, func(b *testing.B) {
			r := httptest.NewRequest("GET", "/api/v1/households/42", nil)
			w := httptest.NewRecorder()
			for b.Loop() {
				c.h.ServeHTTP(w, r)
			}
		})
	}
}
