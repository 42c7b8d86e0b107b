package cluster

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"wanhu/internal/gen"
	"wanhu/internal/open311"
	"wanhu/internal/secret"
	"wanhu/internal/store"
)

const (
	password = "cluster-pass-2026"
	// lease is how long a server keeps an outbox message it claimed
	// (WANHU_TEST_JOB_TIMING; 10 minutes in production): the killed
	// server's claims are taken over after it. It must stay above the
	// time a live server takes to send a batch of 10 on a loaded machine,
	// or two live servers would send one message.
	lease = 10 * time.Second
	// workers and opsPerWorker size the load; the kill comes after a
	// third of the operations.
	workers      = 6
	opsPerWorker = 36
)

// TestSeveralServersOnePostgres starts three servers at once on a new
// PostgreSQL database (they migrate it once, under goose's lock), fills it
// with a small generated community, checks that a session and a login
// lockout hold across servers, then sends requests, Open311 submissions,
// request steps and visits through all three, kills one with SIGKILL a
// third of the way through and goes on with the other two. Then: every
// acknowledged write is in the database exactly once, every request made
// overdue escalated exactly once, and every message of the outbox reached
// the sinks (staff webhook, SMS, anchor webhook) once, but for those the
// killed server was sending when it died: at-least-once is what a sender
// can promise, and the receivers dedupe by X-Wanhu-Delivery.
func TestSeveralServersOnePostgres(t *testing.T) {
	dsn := freshDatabase(t)
	ctx := context.Background()
	began := time.Now()
	bin := buildWanhu(t)
	t.Logf("built wanhu in %s", time.Since(began).Round(100*time.Millisecond))
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "wanhu.key")
	keys, err := secret.NewKeyFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}

	sk := &sink{secret: "staff-hook-secret", anchorSecret: "anchor-hook-secret", delay: 15 * time.Millisecond}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /staff", sk.staffHook)
	mux.HandleFunc("POST /anchor", sk.anchorHook)
	hooks := httptest.NewServer(mux)
	t.Cleanup(hooks.Close)
	sms := httptest.NewServer(http.HandlerFunc(sk.tencentSMS))
	t.Cleanup(sms.Close)
	smsKey := filepath.Join(dir, "sms.key")
	if err := os.WriteFile(smsKey, []byte("cluster-sms-secret-key\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"--db", dsn, "--key-file", keyFile, "--trust-proxy",
		"--webhook-url", hooks.URL + "/staff", "--webhook-secret", sk.secret, "--staff-channel", "webhook",
		"--anchor-webhook", hooks.URL + "/anchor", "--anchor-webhook-secret", sk.anchorSecret,
		"--tencent-sms-secret-id", "AKIDcluster0000000000000000000000000", "--tencent-sms-secret-key-file", smsKey,
		"--tencent-sms-app-id", "1400000000", "--tencent-sms-sign", "万户测试", "--tencent-sms-endpoint", sms.URL,
		"--tencent-sms-templates", smsTemplates}
	env := []string{"WANHU_TEST_JOB_TIMING=outbox-poll=200ms,outbox-lease=" + lease.String() + ",escalate-every=300ms"}

	// Three servers on an empty database, at once: they migrate it. They
	// are stopped while the community is generated, whose requests'
	// messages the generator drops (gen.Generate).
	start := time.Now()
	first := startServers(t, bin, 3, args, env)
	for _, s := range first {
		s.stop()
		if s.setup == "" || s.setup != first[0].setup {
			t.Errorf("%s printed the first-run link %q, %s %q: every server must print the same", s.name, s.setup, first[0].name, first[0].setup)
		}
	}
	t.Logf("three servers migrated a new database and stopped in %s", time.Since(start).Round(100*time.Millisecond))
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetKeys(keys)
	checkMigratedOnce(t, db)
	start = time.Now()
	// The binary generates, not the test: under -race gen.Generate is
	// three times slower.
	if out, err := runWanhu(bin, "gen", "--db", dsn, "--key-file", keyFile, "--households", "300"); err != nil {
		t.Fatalf("wanhu gen: %v\n%s", err, out)
	}
	if _, err := gen.DemoAccounts(ctx, db, password); err != nil {
		t.Fatal(err)
	}
	if err := open311.EnsureDemoKey(ctx, db); err != nil {
		t.Fatal(err)
	}
	t.Logf("generated the community and its accounts in %s", time.Since(start).Round(100*time.Millisecond))
	start = time.Now()
	servers := startServers(t, bin, 3, args, env)
	t.Logf("three servers started on it in %s", time.Since(start).Round(100*time.Millisecond))

	checkSessionsShared(t, servers)
	checkLockoutShared(t, servers)

	start = time.Now()
	l := runLoad(t, db, servers)
	t.Logf("the load took %s", time.Since(start).Round(100*time.Millisecond))
	waitDrained(t, db, l)

	checkWrites(t, db, l)
	checkEscalations(t, db, l)
	checkDeliveries(t, db, sk, l)
	checkAnchors(t, db, sk, bin, dsn, keyFile, dir)
}

// checkMigratedOnce checks that the servers that migrated the database
// together applied each migration once.
func checkMigratedOnce(t *testing.T, db *store.DB) {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), `SELECT version_id, COUNT(*) FROM goose_db_version WHERE version_id > 0 GROUP BY version_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var v, c int64
		if err := rows.Scan(&v, &c); err != nil {
			t.Fatal(err)
		}
		n++
		if c != 1 {
			t.Errorf("migration %d applied %d times", v, c)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n < 30 {
		t.Errorf("%d migrations applied, want every one (30 or more)", n)
	}
}

// checkSessionsShared signs in on one server and uses the session on the
// others, through the API and the web; signing out on one ends it on all.
func checkSessionsShared(t *testing.T, s []*server) {
	t.Helper()
	tok, _, err := login(s[0].url, "leader1", password, "192.0.2.10")
	if err != nil {
		t.Fatal(err)
	}
	for _, other := range s[1:] {
		_, me, err := call(other.url, tok, "GET", "/api/v1/me", nil)
		if err != nil {
			t.Errorf("a token made on %s, used on %s: %v", s[0].name, other.name, err)
		} else if !strings.Contains(fmt.Sprint(me), "leader1") {
			t.Errorf("/api/v1/me on %s: %v, want leader1", other.name, me)
		}
	}
	if _, _, err := call(s[2].url, tok, "POST", "/api/v1/auth/logout", nil); err != nil {
		t.Fatal(err)
	}
	if status, _, _ := call(s[0].url, tok, "GET", "/api/v1/me", nil); status != http.StatusUnauthorized {
		t.Errorf("signed out on %s, the token still answers %d on %s, want 401", s[2].name, status, s[0].name)
	}

	// The web: the login form from one server, posted to another, the
	// session cookie used on a third.
	jar := newJar()
	web := &http.Client{Jar: jar, Timeout: 20 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := web.Get(s[0].url + "/login")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	csrf := jar.value("wanhu_login_csrf")
	res, err = web.PostForm(s[1].url+"/login", url.Values{"csrf": {csrf}, "username": {"admin"}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || jar.value("wanhu_session") == "" {
		t.Fatalf("web login on %s with the form of %s: %d, session cookie %q", s[1].name, s[0].name, res.StatusCode, jar.value("wanhu_session"))
	}
	res, err = web.Get(s[2].url + "/households")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("the web session of %s on %s: %d (%s), want 200", s[1].name, s[2].name, res.StatusCode, res.Header.Get("Location"))
	}
}

// checkLockoutShared fails a login five times on one server and checks
// that the account is locked on another, even with the right password
// and from another address.
func checkLockoutShared(t *testing.T, s []*server) {
	t.Helper()
	for i := range 5 {
		_, status, _ := login(s[i%2].url, "leader3", "wrong-password", "198.51.100.7")
		if status != http.StatusUnauthorized && !(i == 4 && status == http.StatusTooManyRequests) {
			t.Fatalf("failed login %d: %d", i+1, status)
		}
	}
	_, status, err := login(s[2].url, "leader3", password, "198.51.100.8")
	if status != http.StatusTooManyRequests {
		t.Errorf("leader3 locked after 5 failures on %s and %s, signs in on %s: %d %v, want 429", s[0].name, s[1].name, s[2].name, status, err)
	}
}

// waitDrained waits, at most a minute, until every request made overdue
// has escalated, every callback made due was reminded of, and the outbox
// holds nothing pending: the killed
// server's claims must have run out and been taken over.
func waitDrained(t *testing.T, db *store.DB, l *ledger) {
	t.Helper()
	ctx := context.Background()
	start := time.Now()
	for {
		var late, pending int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM requests WHERE id IN (`+list(l.overdue)+`) AND escalation_level < 2`).Scan(&late); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE state = 'pending'`).Scan(&pending); err != nil {
			t.Fatal(err)
		}
		var unreminded int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM requests WHERE id IN (`+list(l.resolved)+`) AND callback_reminded_at IS NULL`).Scan(&unreminded); err != nil {
			t.Fatal(err)
		}
		if late == 0 && pending == 0 && unreminded == 0 {
			t.Logf("escalations and outbox done %s after the load", time.Since(start).Round(100*time.Millisecond))
			return
		}
		if time.Since(start) > time.Minute {
			t.Fatalf("a minute after the load, %d overdue requests have not escalated, %d callbacks were not reminded of and %d messages are pending", late, unreminded, pending)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func list(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(s, ",")
}

// checkWrites checks that every acknowledged submission and visit is in
// the database once, and no submission twice.
func checkWrites(t *testing.T, db *store.DB, l *ledger) {
	t.Helper()
	ctx := context.Background()
	rows, err := db.QueryContext(ctx, `SELECT description, COUNT(*), MIN(id) FROM requests WHERE description LIKE 'cluster %' GROUP BY description`)
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]int64{}
	for rows.Next() {
		var desc string
		var n, id int64
		if err := rows.Scan(&desc, &n, &id); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("request %q is in the database %d times", desc, n)
		}
		found[desc] = id
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for desc, id := range l.requests {
		if found[desc] != id {
			t.Errorf("acknowledged request %d (%q) is not in the database (found id %d)", id, desc, found[desc])
		}
	}
	t.Logf("requests: %d acknowledged, all there; %d in the database in all (%d unanswered ones committed)", len(l.requests), len(found), len(found)-len(l.requests))
	for cid, id := range l.visits {
		var got int64
		if err := db.QueryRowContext(ctx, `SELECT id FROM visits WHERE client_id = ?`, cid).Scan(&got); err != nil || got != id {
			t.Errorf("acknowledged visit %s (%d) is not in the database: %d %v", cid, id, got, err)
		}
	}
	var accepted int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM request_events WHERE kind = 'accept' AND request_id IN (`+list(l.accepted)+`)`).Scan(&accepted); err != nil {
		t.Fatal(err)
	}
	if accepted != len(l.accepted) {
		t.Errorf("%d acceptances acknowledged, %d in the timelines", len(l.accepted), accepted)
	}
}

// checkEscalations checks that each request made overdue escalated once
// and each callback made due was reminded of once (one timeline entry,
// one message each), and that no escalation step of any request was taken
// twice.
func checkEscalations(t *testing.T, db *store.DB, l *ledger) {
	t.Helper()
	ctx := context.Background()
	for _, id := range l.overdue {
		var events, msgs int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM request_events WHERE request_id = ? AND kind = 'escalated'`, id).Scan(&events); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE kind = 'request.escalated' AND (payload::jsonb->>'request_id')::bigint = ?`, id).Scan(&msgs); err != nil {
			t.Fatal(err)
		}
		if events != 1 || msgs != 1 {
			t.Errorf("overdue request %d: %d escalations in its timeline, %d messages, want 1 and 1", id, events, msgs)
		}
	}
	for _, id := range l.resolved {
		var events, msgs int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM request_events WHERE request_id = ? AND kind = 'callback_due'`, id).Scan(&events); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE kind = 'request.callback_due' AND (payload::jsonb->>'request_id')::bigint = ?`, id).Scan(&msgs); err != nil {
			t.Fatal(err)
		}
		if events != 1 || msgs != 1 {
			t.Errorf("resolved request %d, its callback due: %d reminders in its timeline, %d messages, want 1 and 1", id, events, msgs)
		}
	}
	rows, err := db.QueryContext(ctx, `SELECT request_id, kind, data, COUNT(*) FROM request_events WHERE kind IN ('warned', 'escalated', 'callback_due')
		GROUP BY request_id, kind, data HAVING COUNT(*) > 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, n int64
		var kind, data string
		if err := rows.Scan(&id, &kind, &data, &n); err != nil {
			t.Fatal(err)
		}
		t.Errorf("request %d: %s %s taken %d times", id, kind, data, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	t.Logf("escalations: %d overdue requests, each escalated once; %d callbacks due, each reminded of once", len(l.overdue), len(l.resolved))
}

// checkDeliveries checks the outbox against what the sinks received:
// every message sent, each received at least once, and a message received
// twice only if its first delivery came before the kill (the killed
// server sent it and died before it could record that), give or take
// inFlight.
func checkDeliveries(t *testing.T, db *store.DB, sk *sink, l *ledger) {
	t.Helper()
	ctx := context.Background()
	staff, _, sms, bad := sk.received()
	for _, b := range bad {
		t.Errorf("a delivery of the wrong format: %s", b)
	}
	rows, err := db.QueryContext(ctx, `SELECT channel, state, COUNT(*) FROM outbox GROUP BY channel, state`)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for rows.Next() {
		var ch, state string
		var n int
		if err := rows.Scan(&ch, &state, &n); err != nil {
			t.Fatal(err)
		}
		count[ch+" "+state] = n
		if state != "sent" {
			t.Errorf("%d messages of channel %s are %s, want sent", n, ch, state)
		}
	}
	rows.Close()
	t.Logf("outbox: %v", count)

	sentStaff := map[string]bool{}
	rows, err = db.QueryContext(ctx, `SELECT id FROM outbox WHERE channel = 'staff' AND state = 'sent'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		sentStaff[strconv.FormatInt(id, 10)] = true
	}
	rows.Close()
	got := once(t, "staff webhook", staff, l.killAt)
	for id := range sentStaff {
		if got[id] == 0 {
			t.Errorf("staff message %s is marked sent but never reached the webhook", id)
		}
	}
	for id := range got {
		if !sentStaff[id] {
			t.Errorf("the webhook received message %s, which the outbox does not hold as sent", id)
		}
	}

	// Texts: a "submitted" to each acknowledged request's phone, and as
	// many texts received as the outbox sent.
	gotSMS := once(t, "SMS", sms, l.killAt)
	if len(gotSMS) != count["sms sent"] {
		t.Errorf("the SMS gateway received %d different texts, the outbox sent %d", len(gotSMS), count["sms sent"])
	}
	codes := map[int64]string{}
	rows, err = db.QueryContext(ctx, `SELECT id, tracking_code FROM requests WHERE id IN (`+list(keysOf(l.withPhone))+`)`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		var code string
		if err := rows.Scan(&id, &code); err != nil {
			t.Fatal(err)
		}
		codes[id] = code
	}
	rows.Close()
	// A text received twice was judged by once: only the killed server's
	// last sends may arrive again.
	for id, phone := range l.withPhone {
		if gotSMS["1003 "+codes[id]+" +86"+phone] == 0 {
			t.Errorf("request %d (%s): its submission was never texted to %s", id, codes[id], phone)
		}
	}
}

// inFlight is how long after the killed server has exited a send it made
// before dying may still be received: its request sat in the socket's
// buffer while the sink, in this process, was not yet scheduled (once, a
// delivery was stamped 23 µs after the kill under -race).
const inFlight = time.Second

// once counts the deliveries of each key and fails for a key delivered
// twice unless its first delivery came before killAt (plus inFlight).
func once(t *testing.T, what string, rs []receipt, killAt time.Time) map[string]int {
	t.Helper()
	n := map[string]int{}
	first := map[string]time.Time{}
	for _, r := range rs {
		n[r.key]++
		if f, ok := first[r.key]; !ok || r.at.Before(f) {
			first[r.key] = r.at
		}
	}
	again := 0
	for k, c := range n {
		if c == 1 {
			continue
		}
		again++
		if c > 2 || !first[k].Before(killAt.Add(inFlight)) {
			t.Errorf("%s: %q delivered %d times, the first at %s (the kill at %s)", what, k, c, first[k].Format(time.StampMicro), killAt.Format(time.StampMicro))
		}
	}
	t.Logf("%s: %d deliveries of %d messages; %d delivered again after the kill", what, len(rs), len(n), again)
	return n
}

func keysOf(m map[int64]string) []int64 {
	out := make([]int64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// checkAnchors checks that the servers, all starting on the same day,
// anchored the audit log once that day and sent the anchor once, and that
// the log, written by three servers at once, one of them killed, verifies
// against the anchor received.
func checkAnchors(t *testing.T, db *store.DB, sk *sink, bin, dsn, keyFile, dir string) {
	t.Helper()
	ctx := context.Background()
	rows, err := db.QueryContext(ctx, `SELECT day, COUNT(*) FROM audit_anchors WHERE day IS NOT NULL GROUP BY day`)
	if err != nil {
		t.Fatal(err)
	}
	days := 0
	for rows.Next() {
		var day string
		var n int
		if err := rows.Scan(&day, &n); err != nil {
			t.Fatal(err)
		}
		days++
		if n != 1 {
			t.Errorf("the audit log was anchored %d times on %s, want once", n, day)
		}
	}
	rows.Close()
	_, anchors, _, _ := sk.received()
	if got := once(t, "anchor webhook", anchors, time.Time{}); len(got) != days {
		t.Errorf("the anchor webhook received %d anchors, the log has %d days anchored", len(got), days)
	}
	sk.mu.Lock()
	body := sk.anchor
	sk.mu.Unlock()
	file := filepath.Join(dir, "anchor.json")
	if err := os.WriteFile(file, body, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := runWanhu(bin, "audit", "verify", "--db", dsn, "--key-file", keyFile, "--anchor", file); err != nil {
		t.Errorf("wanhu audit verify --anchor: %v\n%s", err, out)
	}
}
