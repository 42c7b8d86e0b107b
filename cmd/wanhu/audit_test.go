package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"hash"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"wanhu/internal/audit"
	"wanhu/internal/notify"
	"wanhu/internal/secret"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// auditFixture is a database of either engine with its key file and an
// audit log of n entries.
type auditFixture struct {
	dsn, keyFile string
	db           *store.DB // open with the keys, as a server would have it
}

func newAuditFixture(t *testing.T, engine string, n int) auditFixture {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	f := auditFixture{dsn: filepath.Join(dir, "a.db"), keyFile: filepath.Join(dir, "a.key")}
	if engine == "postgres" {
		f.dsn = storetest.PostgresDSN(t)
	}
	keys, err := secret.NewKeyFile(f.keyFile)
	if err != nil {
		t.Fatal(err)
	}
	if f.db, err = store.Open(ctx, f.dsn); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.db.Close() })
	f.db.SetKeys(keys)
	f.record(t, n)
	return f
}

// record appends n entries, as the server does.
func (f auditFixture) record(t *testing.T, n int) {
	t.Helper()
	l := audit.New(f.db)
	for i := range n {
		a := []string{"login.success", "write", "reveal.id_number"}[i%3]
		if err := l.Record(context.Background(), audit.Entry{Username: "admin", Role: "admin", Action: a, Object: "household:" + strconv.Itoa(i)}); err != nil {
			t.Fatal(err)
		}
	}
}

// cli runs wanhu with args and the fixture's --db and --key-file.
func (f auditFixture) cli(args ...string) (string, error) {
	var out bytes.Buffer
	err := run(context.Background(), append(args, "--db", f.dsn, "--key-file", f.keyFile), &out)
	return out.String(), err
}

// eachEngine runs fn on SQLite and, when configured, PostgreSQL.
func eachEngine(t *testing.T, fn func(t *testing.T, engine string)) {
	for _, e := range []string{"sqlite", "postgres"} {
		t.Run(e, func(t *testing.T) { fn(t, e) })
	}
}

// rechain is what an attacker who can write the database does after
// editing an entry: recompute the hashes of every entry from id from on,
// each linked to the one before, with sum over the canonical form of
// version (the attacker's own code: the form is public).
func rechain(t *testing.T, db *store.DB, from int64, version string, sum func() hash.Hash) {
	t.Helper()
	ctx := context.Background()
	rows, err := db.QueryContext(ctx, `SELECT id, at, user_id, username, role, ip, action, object, result, detail, prev_hash, hash FROM audit_log ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		id, user                                                     int64
		at                                                           time.Time
		username, role, ip, action, object, result, detail, prev, hs string
	}
	var all []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.at, &r.user, &r.username, &r.role, &r.ip, &r.action, &r.object, &r.result, &r.detail, &r.prev, &r.hs); err != nil {
			t.Fatal(err)
		}
		all = append(all, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	prev := ""
	for _, r := range all {
		if r.id < from {
			prev = r.hs
			continue
		}
		var b strings.Builder
		for _, f := range []string{version, strconv.FormatInt(r.id, 10), r.at.UTC().Format(time.RFC3339Nano), strconv.FormatInt(r.user, 10),
			r.username, r.role, r.ip, r.action, r.object, r.result, r.detail, prev} {
			b.WriteString(strconv.Itoa(len(f)) + ":" + f + "\n")
		}
		m := sum()
		m.Write([]byte(b.String()))
		h := hex.EncodeToString(m.Sum(nil))
		if _, err := db.ExecContext(ctx, `UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?`, prev, h, r.id); err != nil {
			t.Fatal(err)
		}
		prev = h
	}
}

// TestAuditVerifyAnchor is the promise of issue 11: an edited and
// re-chained audit log fails `wanhu audit verify --anchor`, and so does one
// whose newest entries were deleted, while the untouched log passes.
func TestAuditVerifyAnchor(t *testing.T) {
	wrongKey := make([]byte, 32)
	cases := []struct {
		name   string
		tamper func(t *testing.T, f auditFixture)
		// plain says whether verify without the anchor finds it too.
		plain bool
	}{
		{"untouched", func(t *testing.T, f auditFixture) {}, false},
		{"edited and re-chained with plain SHA-256", func(t *testing.T, f auditFixture) {
			f.exec(t, `UPDATE audit_log SET detail = 'nothing to see' WHERE id = 5`)
			rechain(t, f.db, 5, "wanhu-audit-v1", sha256.New)
		}, true},
		{"edited and re-chained with plain SHA-256 in the new form", func(t *testing.T, f auditFixture) {
			f.exec(t, `UPDATE audit_log SET action = 'login.success' WHERE id = 9`)
			rechain(t, f.db, 1, "wanhu-audit-v2", sha256.New)
		}, true},
		{"edited and re-chained with a wrong key", func(t *testing.T, f auditFixture) {
			f.exec(t, `UPDATE audit_log SET username = 'someone' WHERE id = 2`)
			rechain(t, f.db, 1, "wanhu-audit-v2", func() hash.Hash { return hmac.New(sha256.New, wrongKey) })
		}, true},
		{"newest entries deleted back to before the anchor", func(t *testing.T, f auditFixture) {
			f.exec(t, `DELETE FROM audit_log WHERE id > 8`)
			f.exec(t, `DELETE FROM audit_anchors`) // the anchors kept in the database go too
		}, false},
		{"every entry deleted", func(t *testing.T, f auditFixture) {
			f.exec(t, `DELETE FROM audit_log`)
			f.exec(t, `DELETE FROM audit_anchors`)
		}, false},
		{"re-chained as old entries, then re-keyed by a server", func(t *testing.T, f auditFixture) {
			// Made to look like a log no keyed Wanhu has written yet, so that
			// the next server to write it re-chains the forgery under the key.
			f.exec(t, `UPDATE audit_log SET detail = 'nothing to see' WHERE id = 4`)
			rechain(t, f.db, 1, "wanhu-audit-v1", sha256.New)
			f.exec(t, `DELETE FROM audit_anchors`)
			f.exec(t, `UPDATE audit_chain SET version = 1`)
			f.record(t, 1)
		}, false},
	}
	eachEngine(t, func(t *testing.T, engine string) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				f := newAuditFixture(t, engine, 12)
				anchor := filepath.Join(t.TempDir(), "anchor.json")
				if _, err := f.cli("audit", "anchor", "--out", anchor); err != nil {
					t.Fatal(err)
				}
				f.record(t, 3) // the log goes on after the anchor
				if out, err := f.cli("audit", "verify", "--anchor", anchor); err != nil || !strings.Contains(out, "intact: 15 entries") || !strings.Contains(out, "matches the anchor") {
					t.Fatalf("verify --anchor before tampering: %q, %v", out, err)
				}
				c.tamper(t, f)
				out, err := f.cli("audit", "verify", "--anchor", anchor)
				if c.name == "untouched" {
					if err != nil {
						t.Fatalf("verify --anchor on the untouched log: %v", err)
					}
					return
				}
				if err == nil {
					t.Fatalf("verify --anchor passed on a tampered log: %q", out)
				}
				t.Logf("verify --anchor: %v", err)
				if !strings.Contains(err.Error(), "audit log broken at entry #") {
					t.Errorf("verify --anchor error %q does not name the entry", err)
				}
				if _, err := f.cli("audit", "verify"); (err != nil) != c.plain {
					t.Errorf("verify without the anchor: %v; want failure %v", err, c.plain)
				}
			})
		}
	})
}

func (f auditFixture) exec(t *testing.T, q string) {
	t.Helper()
	if _, err := f.db.ExecContext(context.Background(), q); err != nil {
		t.Fatal(err)
	}
}

func TestAuditAnchorCommand(t *testing.T) {
	f := newAuditFixture(t, "sqlite", 4)
	out, err := f.cli("audit", "anchor")
	if err != nil {
		t.Fatal(err)
	}
	// The JSON names are a contract.
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("anchor is not JSON: %q", out)
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if strings.Join(keys, ",") != "at,count,hash,id" || m["id"] != 4.0 || m["count"] != 4.0 || len(m["hash"].(string)) != 64 {
		t.Errorf("anchor = %s", out)
	}
	head, err := audit.New(f.db).ByID(context.Background(), 4)
	if err != nil || head.Hash != m["hash"] {
		t.Errorf("anchor hash %v, head entry %v (%v)", m["hash"], head.Hash, err)
	}
	if _, err := time.Parse(time.RFC3339, m["at"].(string)); err != nil {
		t.Errorf("at: %v", err)
	}

	// A broken anchor file is refused, naming the field.
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(`{"id":4,"hash":"xyz","at":"2026-01-01T00:00:00Z","count":4}`), 0o644)
	if _, err := f.cli("audit", "verify", "--anchor", bad); err == nil || !strings.Contains(err.Error(), "hash") {
		t.Errorf("verify with a malformed anchor: %v", err)
	}

	// Without the key file nothing verifies or anchors.
	var buf bytes.Buffer
	nokey := filepath.Join(t.TempDir(), "nokey.db")
	for _, args := range [][]string{{"audit", "verify", "--db", nokey}, {"audit", "anchor", "--db", nokey}} {
		if err := run(context.Background(), args, &buf); err == nil || !strings.Contains(err.Error(), "--key-file") {
			t.Errorf("%s without a key file: %v", args[1], err)
		}
	}
}

// TestAuditAnchorWebhook: `wanhu audit anchor --anchor-webhook` posts the
// anchor, signed like the notification webhook, and the daily anchor of the
// server reaches the same receiver through the outbox.
func TestAuditAnchorWebhook(t *testing.T) {
	const key = "anchor-secret"
	var got [][]byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ts := r.Header.Get("X-Wanhu-Timestamp")
		if r.Header.Get("X-Wanhu-Signature") != "sha256="+notify.Sign(key, ts, body) || r.Header.Get("X-Wanhu-Event") != "audit.anchor" ||
			!strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		got = append(got, body)
	}))
	defer srv.Close()
	f := newAuditFixture(t, "sqlite", 3)
	out, err := f.cli("audit", "anchor", "--anchor-webhook", srv.URL, "--anchor-webhook-secret", key)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || string(got[0])+"\n" != out {
		t.Fatalf("webhook got %q, stdout %q", got, out)
	}
	if _, err := f.cli("audit", "anchor", "--anchor-webhook", srv.URL, "--anchor-webhook-secret", "wrong"); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("a refused anchor: %v", err)
	}
	if _, err := f.cli("audit", "anchor", "--anchor-webhook", srv.URL); err == nil || !strings.Contains(err.Error(), "--anchor-webhook-secret") {
		t.Errorf("a webhook without a secret: %v", err)
	}

	// The server: startAnchors keys the log and anchors today; the outbox
	// delivers the anchor to the webhook.
	ctx := context.Background()
	senders, stop, err := startAnchors(ctx, f.db, &audit.AnchorSender{URL: srv.URL, Secret: key}, nil)
	if err != nil {
		t.Fatal(err)
	}
	stop()
	got = nil
	if _, err := notify.Deliver(ctx, f.db, senders, notify.Options{}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("daily anchors delivered: %q", got)
	}
	a, err := audit.ReadAnchor(bytes.NewReader(got[0]))
	if err != nil || a.ID != 3 {
		t.Errorf("delivered anchor %+v, %v", a, err)
	}
}

// TestAnchorFlags: an anchor webhook without its secret stops serve and
// demo before they open the database.
func TestAnchorFlags(t *testing.T) {
	for _, cmd := range []string{"serve", "demo"} {
		err := run(context.Background(), []string{cmd, "--db", t.TempDir() + "/never.db", "--anchor-webhook", "http://127.0.0.1:1/"}, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "--anchor-webhook-secret") {
			t.Errorf("%s --anchor-webhook without a secret: %v", cmd, err)
		}
	}
}

func TestAuditVerifyCommand(t *testing.T) {
	ctx := context.Background()
	f := newAuditFixture(t, "sqlite", 4)
	out, err := f.cli("audit", "verify")
	if err != nil {
		t.Fatalf("verify on an intact log: %v", err)
	}
	if !strings.Contains(out, "intact: 4 entries checked") {
		t.Errorf("verify said %q", out)
	}

	out, err = f.cli("audit", "export", "--action", "write", "--from", "2020-01-01")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, "\ufeff编号,") || strings.Count(out, "\n") != 2 {
		t.Errorf("export:\n%s", out)
	}

	if _, err := f.cli("audit", "purge", "--before", time.Now().AddDate(0, -1, 0).Format("2006-01-02")); err == nil ||
		!strings.Contains(err.Error(), "retention") {
		t.Errorf("purge within 6 months: %v", err)
	}

	// Rotating the encryption keys leaves the chain verifying.
	if _, err := f.cli("key", "rotate"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.cli("audit", "verify"); err != nil {
		t.Fatalf("verify after a key rotation: %v", err)
	}

	if _, err := f.db.ExecContext(ctx, `UPDATE audit_log SET action = 'read' WHERE id = 3`); err != nil {
		t.Fatal(err)
	}
	_, err = f.cli("audit", "verify")
	if err == nil {
		t.Fatal("verify passed on a tampered log")
	}
	for _, want := range []string{"#3", "read", "changed", "2 entries before it verified"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("verify error %q does not say %q", err, want)
		}
	}
}
