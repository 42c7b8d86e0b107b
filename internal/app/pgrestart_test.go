package app

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"wanhu/internal/auth"
	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/secret"
	"wanhu/internal/server"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
)

// TestPostgresRestart stops a PostgreSQL cluster of its own under a running
// server and starts it again: meanwhile /readyz answers 503 with its reason
// and /healthz still 200 (a liveness probe must not restart the server);
// once the database is back, /readyz answers 200 and every request is
// served again, by the same server, whose pool held connections to the
// stopped database.
func TestPostgresRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a PostgreSQL cluster of its own: not in -short")
	}
	c := storetest.PrivatePostgres(t)
	ctx := context.Background()
	db, err := store.Open(ctx, c.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetKeys(secret.TestKeyring())
	f, err := testworld.NewOrg(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	var logs lockedBuffer
	d := server.NewDeps(db, slog.New(slog.NewJSONHandler(&logs, nil)))
	d.Metrics = server.NewMetrics(metricsToken, db, d.Imports)
	h, err := d.Households.CreateHousehold(ctx, household.Actor{Name: "t"}, household.Household{BuildingID: f.Buildings[0].ID, Room: "101"},
		[]household.Person{{Name: "王秀兰", BirthDate: calendar.Date{Y: 1949, M: time.December, D: 31}, Gender: household.Female}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Auth.CreateUser(ctx, "admin", "管理员", "dongxing-admin-2025", auth.Grant{Role: auth.Admin, OrgUnitID: f.City.ID}); err != nil {
		t.Fatal(err)
	}
	if err := d.Auth.SetTOTPRoles(ctx, nil); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(Handler(d))
	defer srv.Close()
	call := caller(t, srv.URL)
	token := login(t, call)
	webSession, _, err := d.Auth.Login(ctx, "admin", "dongxing-admin-2025", auth.Web)
	if err != nil {
		t.Fatal(err)
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	household := "/api/v1/households/" + itoa(h.ID)
	// manyOK sends n requests for the household, 8 at a time, and
	// returns how many were not 200.
	manyOK := func(n int) (failed int, first string) {
		var mu sync.Mutex
		var wg sync.WaitGroup
		sem := make(chan struct{}, 8)
		for range n {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer func() { <-sem; wg.Done() }()
				if code, body := call("GET", household, token, ""); code != 200 {
					mu.Lock()
					if failed == 0 {
						first = itoa(int64(code)) + " " + body
					}
					failed++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		return failed, first
	}
	if n, first := manyOK(40); n > 0 {
		t.Fatalf("before the restart: %d of 40 requests failed, the first %s", n, first)
	}
	if code, body := call("GET", "/readyz", "", ""); code != 200 {
		t.Fatalf("/readyz before the restart: %d %s", code, body)
	}
	// Fill the pool with idle connections to the database about to stop
	// (as a busy server's pool is: keep them idle whatever the store's
	// default).
	db.SQL().SetMaxIdleConns(10)
	var conns []interface{ Close() error }
	for range 10 {
		conn, err := db.SQL().Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, conn)
	}
	for _, conn := range conns {
		conn.Close()
	}
	if open := db.SQL().Stats().OpenConnections; open < 10 {
		t.Fatalf("the pool holds %d connections, want 10 or more", open)
	}

	c.Stop()
	for range 3 {
		code, body := call("GET", "/readyz", "", "")
		if code != http.StatusServiceUnavailable || !strings.HasPrefix(body, "not ready: database") {
			t.Fatalf("/readyz with the database stopped: %d %q, want 503 not ready: database …", code, body)
		}
		t.Logf("/readyz with the database stopped: %d %s", code, strings.TrimSpace(body))
	}
	if code, body := call("GET", "/healthz", "", ""); code != 200 {
		t.Errorf("/healthz with the database stopped: %d %s, want 200 (the process is alive)", code, body)
	}
	// The metrics are still scraped, and say the database is not ready.
	code, scrape := get(t, srv.URL+"/metrics", "Bearer "+metricsToken)
	if code != 200 || value(t, scrape, "wanhu_database_ready") != 0 || value(t, scrape, `go_sql_max_open_connections{db_name="postgres"}`) <= 0 {
		t.Errorf("/metrics with the database stopped: %d, wanhu_database_ready %v, go_sql_max_open_connections %v", code,
			value(t, scrape, "wanhu_database_ready"), value(t, scrape, `go_sql_max_open_connections{db_name="postgres"}`))
	}
	// Meanwhile a request answers 503 with Retry-After, not 500, and a
	// signed-in client is not sent to sign in again.
	if code, body := call("GET", household, token, ""); code != http.StatusServiceUnavailable || !strings.Contains(body, `"unavailable"`) {
		t.Errorf("a household through the API with the database stopped: %d %s, want 503 unavailable", code, body)
	}
	req, _ := http.NewRequest("GET", srv.URL+"/households/"+itoa(h.ID), nil)
	req.AddCookie(&http.Cookie{Name: "wanhu_session", Value: webSession})
	res, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" {
		t.Errorf("a household page with the database stopped: %d (Location %q), want 503 with Retry-After", res.StatusCode, res.Header.Get("Location"))
	}

	c.Start()
	deadline := time.Now().Add(60 * time.Second)
	for {
		code, body := call("GET", "/readyz", "", "")
		if code == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz still %d %q a minute after the database started again", code, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if n, first := manyOK(80); n > 0 {
		t.Errorf("after the restart, once /readyz said ready: %d of 80 requests failed, the first %s", n, first)
	}
	if _, scrape := get(t, srv.URL+"/metrics", "Bearer "+metricsToken); value(t, scrape, "wanhu_database_ready") != 1 || value(t, scrape, "wanhu_outbox_pending") != 0 {
		t.Errorf("/metrics after the restart: wanhu_database_ready %v, wanhu_outbox_pending %v, want 1 and 0",
			value(t, scrape, "wanhu_database_ready"), value(t, scrape, "wanhu_outbox_pending"))
	}
	req, _ = http.NewRequest("GET", srv.URL+"/households/"+itoa(h.ID), nil)
	req.AddCookie(&http.Cookie{Name: "wanhu_session", Value: webSession})
	if res, err = noRedirect.Do(req); err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Errorf("the household page after the restart, with the session of before: %d, want 200", res.StatusCode)
	}
	if code, _ := call("POST", "/api/v1/auth/login", "", `{"username":"admin","password":"dongxing-admin-2025"}`); code != 200 {
		t.Errorf("sign-in after the restart: %d", code)
	}
	out := logs.String()
	for _, want := range []string{`"msg":"not ready: the database does not serve"`, `"msg":"ready again: the database serves"`} {
		if strings.Count(out, want) != 1 {
			t.Errorf("the log says %s %d times, want once", want, strings.Count(out, want))
		}
	}
}

// login signs the fixture's admin in through the API and returns the
// token.
func login(t *testing.T, call func(method, path, token, body string) (int, string)) string {
	t.Helper()
	code, body := call("POST", "/api/v1/auth/login", "", `{"username":"admin","password":"dongxing-admin-2025"}`)
	i := strings.Index(body, `"token":"`)
	if code != 200 || i < 0 {
		t.Fatalf("login: %d %s", code, body)
	}
	rest := body[i+len(`"token":"`):]
	return rest[:strings.IndexByte(rest, '"')]
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
