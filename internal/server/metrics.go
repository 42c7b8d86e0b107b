package server

// Prometheus metrics at /metrics, behind a bearer token. Labels carry only
// route patterns ("GET /api/v1/households/{id}"), status classes and job
// names: never a path with an id in it, a user or anything a resident
// typed, so the number of series is bounded by the route table and no
// personal data leaves through a scrape.

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"wanhu/internal/importjob"
	"wanhu/internal/notify"
	"wanhu/internal/store"
)

// Metrics are a server's Prometheus metrics. A nil *Metrics measures
// nothing and serves no /metrics (no token was configured).
type Metrics struct {
	token    string
	reg      *prometheus.Registry
	requests *prometheus.HistogramVec

	mu      sync.Mutex
	sources []func() []JobRun
	ran     map[string]JobRun
}

// JobRun is the last run of a background job, for its lag: how long ago
// it last ran, and last succeeded.
type JobRun struct {
	// Name is the job's, a constant such as "request_escalation" or
	// "daily_recompute" (a label value: never anything a user gave).
	Name string
	// LastRun is when its last run started; zero if it has not run yet.
	LastRun time.Time
	// LastSuccess is when its last successful run started; zero if none.
	LastSuccess time.Time
}

// NewMetrics returns the metrics of a server on db whose /metrics answers
// to token (a bearer token), with the import progress of imports (nil for
// none). With an empty token it returns nil: no metrics, /metrics is 404.
func NewMetrics(token string, db *store.DB, imports *importjob.Jobs) *Metrics {
	if token == "" {
		return nil
	}
	m := &Metrics{token: token, reg: prometheus.NewRegistry(), ran: map[string]JobRun{}}
	m.requests = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "wanhu_http_request_duration_seconds",
		Help:    "Time to answer an HTTP request, by route pattern (the method and path pattern of the route table, \"unmatched\" for none) and status class.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"route", "code"})
	m.reg.MustRegister(m.requests,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewDBStatsCollector(db.SQL(), string(db.Dialect())),
		&stateCollector{m: m, db: db, imports: imports})
	return m
}

// JobLastRun adds a source of job runs to the metrics: runs is called at
// every scrape and returns the last run of each of its jobs (a runner that
// keeps them in the database may read them there; every server then
// reports the same). Nil-safe.
func (m *Metrics) JobLastRun(runs func() []JobRun) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sources = append(m.sources, runs)
}

// JobRan returns a function to call after each run of the job named name,
// with when the run started and its error: the job's lag for jobs that
// run in this process. Nil-safe (the function then does nothing).
func (m *Metrics) JobRan(name string) func(start time.Time, err error) {
	return func(start time.Time, err error) {
		if m == nil {
			return
		}
		m.mu.Lock()
		defer m.mu.Unlock()
		r := m.ran[name]
		r.Name, r.LastRun = name, start
		if err == nil {
			r.LastSuccess = start
		}
		m.ran[name] = r
	}
}

// jobRuns returns the runs recorded by JobRan and given by the sources of
// JobLastRun, one per job name (the latest run when two report a name).
func (m *Metrics) jobRuns() []JobRun {
	m.mu.Lock()
	runs := make([]JobRun, 0, len(m.ran))
	for _, r := range m.ran {
		runs = append(runs, r)
	}
	sources := append([]func() []JobRun(nil), m.sources...)
	m.mu.Unlock()
	for _, s := range sources {
		runs = append(runs, s()...)
	}
	latest := map[string]int{}
	out := runs[:0]
	for _, r := range runs {
		if i, ok := latest[r.Name]; ok {
			if r.LastRun.After(out[i].LastRun) {
				out[i].LastRun = r.LastRun
			}
			if r.LastSuccess.After(out[i].LastSuccess) {
				out[i].LastSuccess = r.LastSuccess
			}
			continue
		}
		latest[r.Name] = len(out)
		out = append(out, r)
	}
	return out
}

// Measure times every request through next by its route pattern and
// status class. It must sit inside any middleware that replaces the
// request (r.WithContext), so that it sees the pattern the mux sets.
func (m *Metrics) Measure(next http.Handler) http.Handler {
	if m == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		m.requests.WithLabelValues(route, statusClass(sw.status)).Observe(time.Since(start).Seconds())
	})
}

func statusClass(code int) string {
	if code < 100 || code > 599 {
		return "other"
	}
	return string(rune('0'+code/100)) + "xx"
}

// Register adds GET /metrics to mux: 401 without the right bearer token.
// Without metrics (m nil) nothing is registered, so /metrics is 404.
func (m *Metrics) Register(mux *http.ServeMux) {
	if m == nil {
		return
	}
	h := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		if !m.authorized(r) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="wanhu metrics"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// authorized reports whether r carries "Authorization: Bearer <token>",
// comparing in constant time.
func (m *Metrics) authorized(r *http.Request) bool {
	scheme, given, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(strings.TrimSpace(given)), []byte(m.token)) == 1
}

// stateCollector reads, at each scrape, what is not counted as it
// happens: the outbox's backlog (from the database), the import jobs this
// server runs, and the jobs' last runs.
type stateCollector struct {
	m       *Metrics
	db      *store.DB
	imports *importjob.Jobs
}

var (
	descOutboxPending = prometheus.NewDesc("wanhu_outbox_pending", "Notifications waiting in the outbox, due or not (the same on every server of a database).", nil, nil)
	descOutboxDue     = prometheus.NewDesc("wanhu_outbox_due", "Pending notifications whose time to be sent or retried has come.", nil, nil)
	descOutboxAge     = prometheus.NewDesc("wanhu_outbox_oldest_due_age_seconds", "How long the longest-waiting due notification has been due (0 when none is).", nil, nil)
	descReady         = prometheus.NewDesc("wanhu_database_ready", "1 if the database answers and its schema is migrated (as /readyz), 0 if not: then the outbox's gauges are left out.", nil, nil)
	descImportJobs    = prometheus.NewDesc("wanhu_import_jobs_running", "Household import jobs this server is running.", nil, nil)
	descImportRows    = prometheus.NewDesc("wanhu_import_rows_read", "Rows read so far by the import jobs this server is running.", nil, nil)
	descJobLastRun    = prometheus.NewDesc("wanhu_job_last_run_timestamp_seconds", "When a background job's last run started (Unix time).", []string{"job"}, nil)
	descJobLastOK     = prometheus.NewDesc("wanhu_job_last_success_timestamp_seconds", "When a background job's last successful run started (Unix time).", []string{"job"}, nil)
)

func (c *stateCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descOutboxPending, descOutboxDue, descOutboxAge, descReady, descImportJobs, descImportRows, descJobLastRun, descJobLastOK} {
		ch <- d
	}
}

func (c *stateCollector) Collect(ch chan<- prometheus.Metric) {
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	now := time.Now()
	if err := c.db.Ready(ctx); err != nil {
		gauge(descReady, 0) // and no outbox: it would wait as long again
	} else {
		gauge(descReady, 1)
		if b, err := notify.BacklogAt(ctx, c.db, now); err == nil {
			gauge(descOutboxPending, float64(b.Pending))
			gauge(descOutboxDue, float64(b.Due))
			age := 0.0
			if !b.OldestDue.IsZero() {
				age = max(now.Sub(b.OldestDue).Seconds(), 0)
			}
			gauge(descOutboxAge, age)
		}
	}
	if c.imports != nil {
		jobs, rows := c.imports.Running()
		gauge(descImportJobs, float64(jobs))
		gauge(descImportRows, float64(rows))
	}
	for _, r := range c.m.jobRuns() {
		if !r.LastRun.IsZero() {
			gauge(descJobLastRun, unix(r.LastRun), r.Name)
		}
		if !r.LastSuccess.IsZero() {
			gauge(descJobLastOK, unix(r.LastSuccess), r.Name)
		}
	}
}

func unix(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }
