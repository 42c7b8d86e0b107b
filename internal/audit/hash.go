package audit

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"wanhu/internal/secret"
)

// hashVersion starts the canonical form of every entry chained with the
// audit key (HMAC-SHA-256). legacyVersion started the form of the entries
// of older versions, chained with plain SHA-256: anyone who could write the
// database could recompute those, so the log is re-chained under the key
// once (see ensureKeyed) and Verify accepts only keyed entries.
const (
	hashVersion   = "wanhu-audit-v2"
	legacyVersion = "wanhu-audit-v1"
)

// canon serializes fields: each written as its length in bytes, a colon,
// the bytes and a newline, so no choice of values can make two lists
// serialize alike.
func canon(fields ...string) []byte {
	var b strings.Builder
	for _, f := range fields {
		b.WriteString(strconv.Itoa(len(f)))
		b.WriteByte(':')
		b.WriteString(f)
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

// stamp writes t as the canonical forms do: UTC RFC 3339 with nanoseconds
// (the times are truncated to microseconds, which PostgreSQL keeps).
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// canonical is the serialization an entry's hash covers: the version and
// every field in a fixed order, the ids decimal.
func (r *Record) canonical(version string) []byte {
	return canon(version,
		strconv.FormatInt(r.ID, 10),
		stamp(r.At),
		strconv.FormatInt(r.UserID, 10),
		r.Username, r.Role, r.IP, r.Action, r.Object, r.Result, r.Detail,
		r.PrevHash)
}

// keyedHash returns the hex HMAC-SHA-256 under the audit key of the
// canonical form, which includes the previous entry's hash.
func (r *Record) keyedHash(keys *secret.Keyring) string {
	return mac(keys, r.canonical(hashVersion))
}

// legacyHash returns the hex plain SHA-256 of the old canonical form, as
// versions before the key chained entries.
func (r *Record) legacyHash() string {
	sum := sha256.Sum256(r.canonical(legacyVersion))
	return hex.EncodeToString(sum[:])
}

// mac returns the hex HMAC-SHA-256 of b under the audit key of keys.
func mac(keys *secret.Keyring, b []byte) string {
	m := keys.AuditMAC()
	m.Write(b)
	return hex.EncodeToString(m.Sum(nil))
}

// macEqual compares a stored MAC with the one computed, in constant time.
func macEqual(stored, computed string) bool {
	return hmac.Equal([]byte(stored), []byte(computed))
}
