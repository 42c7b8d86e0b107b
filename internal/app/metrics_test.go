package app

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"wanhu/internal/auth"
	"wanhu/internal/notify"
	"wanhu/internal/server"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
)

const metricsToken = "scrape-token-0123456789abcdef"

// TestMetricsToken: without a token configured /metrics is not there
// (404); with one, it answers only to that bearer token.
func TestMetricsToken(t *testing.T) {
	db := storetest.SQLite(t)
	d := server.NewDeps(db, slog.New(slog.DiscardHandler))
	srv := httptest.NewServer(Handler(d))
	defer srv.Close()
	if code, _ := get(t, srv.URL+"/metrics", ""); code != http.StatusNotFound {
		t.Errorf("/metrics without a token configured: %d, want 404", code)
	}

	d.Metrics = server.NewMetrics(metricsToken, db, d.Imports)
	srv2 := httptest.NewServer(Handler(d))
	defer srv2.Close()
	for _, auth := range []string{"", "Bearer ", "Bearer wrong", "Bearer " + metricsToken[:len(metricsToken)-1], "Bearer " + metricsToken + "x", "Basic " + metricsToken, metricsToken} {
		if code, _ := get(t, srv2.URL+"/metrics", auth); code != http.StatusUnauthorized {
			t.Errorf("/metrics with Authorization %q: %d, want 401", auth, code)
		}
	}
	code, body := get(t, srv2.URL+"/metrics", "Bearer "+metricsToken)
	if code != 200 || !strings.Contains(body, "wanhu_http_request_duration_seconds") {
		t.Errorf("/metrics with the token: %d %.300s", code, body)
	}
}

// TestMetricsMove scrapes the metrics, sends requests and scrapes again:
// the route's histogram counts them, by pattern and status class, with
// one series for a route whatever the ids in the paths; the database
// pool, the outbox's backlog and the jobs' last runs are there. Both
// engines.
func TestMetricsMove(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f, err := testworld.NewOrg(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		d := server.NewDeps(db, slog.New(slog.DiscardHandler))
		d.Metrics = server.NewMetrics(metricsToken, db, d.Imports)
		if _, err := d.Auth.CreateUser(ctx, "admin", "管理员", "dongxing-admin-2025", auth.Grant{Role: auth.Admin, OrgUnitID: f.City.ID}); err != nil {
			t.Fatal(err)
		}
		if err := d.Auth.SetTOTPRoles(ctx, nil); err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(Handler(d))
		defer srv.Close()
		call := caller(t, srv.URL)
		scrape := func() string {
			code, body := get(t, srv.URL+"/metrics", "Bearer "+metricsToken)
			if code != 200 {
				t.Fatalf("/metrics: %d %s", code, body)
			}
			return body
		}
		const healthz = `wanhu_http_request_duration_seconds_count{code="2xx",route="GET /healthz"}`
		const household = `wanhu_http_request_duration_seconds_count{code="4xx",route="GET /api/v1/households/{id}"}`
		before := scrape()
		token := login(t, call)
		for range 3 {
			call("GET", "/healthz", "", "")
		}
		for id := 900001; id <= 900050; id++ { // no such households: 404
			call("GET", "/api/v1/households/"+strconv.Itoa(id), token, "")
		}
		call("GET", "/no/such/page/13912345678", "", "")
		d.Metrics.JobRan("request_escalation")(time.Unix(1_700_000_000, 0), nil)
		d.Metrics.JobRan("request_escalation")(time.Unix(1_700_000_060, 0), context.DeadlineExceeded)
		d.Metrics.JobLastRun(func() []server.JobRun {
			return []server.JobRun{{Name: "daily_recompute", LastRun: time.Unix(1_700_000_100, 0), LastSuccess: time.Unix(1_700_000_100, 0)}}
		})
		if err := notify.Enqueue(ctx, db, notify.Message{Kind: notify.AppointmentReminder, Recipient: "appointment:1", Payload: 1, NotBefore: time.Now().Add(-time.Minute)}); err != nil {
			t.Fatal(err)
		}
		if err := notify.Enqueue(ctx, db, notify.Message{Kind: notify.AppointmentReminder, Recipient: "appointment:2", Payload: 1, NotBefore: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		after := scrape()

		if got := value(t, after, healthz) - max(value(t, before, healthz), 0); got != 3 {
			t.Errorf("GET /healthz counted %v more times, want 3", got)
		}
		if got := value(t, after, household); got != 50 {
			t.Errorf("GET /api/v1/households/{id} 4xx counted %v times, want 50", got)
		}
		if n := len(regexp.MustCompile(`(?m)^wanhu_http_request_duration_seconds_count\{[^}]*households/\{id\}"\}`).FindAllString(after, -1)); n != 1 {
			t.Errorf("%d series of the household route, want 1:\n%s", n, after)
		}
		if strings.Contains(after, "/9000") || strings.Contains(after, "13912345678") || strings.Contains(after, "/no/such") {
			t.Errorf("a path of a request is in the metrics:\n%s", after)
		}
		if got := value(t, after, `wanhu_http_request_duration_seconds_count{code="4xx",route="/"}`); got != 1 {
			t.Errorf("an unknown path counted %v times under the catch-all route \"/\", want 1", got)
		}
		dialect := string(db.Dialect())
		for metric, want := range map[string]float64{
			`wanhu_outbox_pending`: 2, `wanhu_outbox_due`: 1, `wanhu_database_ready`: 1,
			`wanhu_import_jobs_running`:                                          0,
			`wanhu_job_last_run_timestamp_seconds{job="request_escalation"}`:     1_700_000_060,
			`wanhu_job_last_success_timestamp_seconds{job="request_escalation"}`: 1_700_000_000,
			`wanhu_job_last_run_timestamp_seconds{job="daily_recompute"}`:        1_700_000_100,
			`go_sql_max_open_connections{db_name="` + dialect + `"}`:             float64(db.SQL().Stats().MaxOpenConnections),
		} {
			if got := value(t, after, metric); got != want {
				t.Errorf("%s = %v, want %v", metric, got, want)
			}
		}
		if age := value(t, after, "wanhu_outbox_oldest_due_age_seconds"); age < 59 || age > 3600 {
			t.Errorf("wanhu_outbox_oldest_due_age_seconds = %v, want about 60", age)
		}
		for _, m := range []string{"go_sql_open_connections", "go_sql_in_use_connections", "go_sql_idle_connections", "go_sql_wait_count_total", "go_sql_wait_duration_seconds_total", "process_resident_memory_bytes", "go_goroutines"} {
			if !strings.Contains(after, "\n"+m) {
				t.Errorf("no %s in the metrics", m)
			}
		}
	})
}

// value returns the value of the series named exactly by line's start
// (name and labels) in a scrape, or -1 when it is not there.
func value(t *testing.T, scrape, series string) float64 {
	t.Helper()
	for _, l := range strings.Split(scrape, "\n") {
		if v, ok := strings.CutPrefix(l, series+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				t.Fatalf("%s: %v", l, err)
			}
			return f
		}
	}
	return -1
}

func get(t *testing.T, url, authorization string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// caller returns a function that sends a request with a body and a bearer
// token (none when empty) to the server at base and returns the answer's
// status and body.
func caller(t testing.TB, base string) func(method, path, token, body string) (int, string) {
	return func(method, path, token, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
}
