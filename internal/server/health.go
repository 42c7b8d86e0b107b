package server

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"wanhu/internal/store"
)

// Health registers the two health checks:
//
//   - /healthz: the process is up and answers HTTP. It does not touch the
//     database, so a liveness probe does not restart every server while
//     PostgreSQL restarts (they reconnect by themselves).
//   - /readyz: this server can serve requests now: the database answers
//     within 2 s and its schema is migrated. Otherwise 503 with a short
//     reason ("not ready: database unreachable"), for a load balancer to
//     send requests elsewhere meanwhile. The log says when readiness is
//     lost and when it comes back, once each.
func Health(mux *http.ServeMux, d Deps) {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok\n"))
	})
	var last readiness
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		err := d.DB.Ready(ctx)
		if r.Context().Err() != nil {
			return // the prober went away: no news of the database
		}
		last.note(d, err)
		if err != nil {
			var nr *store.NotReady
			reason := "database error"
			if errors.As(err, &nr) {
				reason = nr.Reason
			}
			w.Header().Set("Retry-After", "5")
			http.Error(w, "not ready: "+reason, http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("ready\n"))
	})
}

// readiness remembers the last answer of /readyz, to log its changes only.
type readiness struct {
	mu       sync.Mutex
	notReady bool
	since    time.Time
}

func (s *readiness) note(d Deps, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if (err != nil) == s.notReady {
		return
	}
	now := time.Now()
	if err != nil {
		d.Log.Warn("not ready: the database does not serve", "error", err)
	} else if !s.since.IsZero() {
		d.Log.Info("ready again: the database serves", "after", now.Sub(s.since).Round(time.Millisecond).String())
	}
	s.notReady, s.since = err != nil, now
}
