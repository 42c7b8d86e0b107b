package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// hashVersion starts every canonical form, so a later change of the
// serialization can be told apart.
const hashVersion = "wanhu-audit-v1"

// canonical is the serialization an entry's hash covers: the version and
// every field in a fixed order, each written as its length in bytes, a
// colon and the bytes, so no choice of values can make two entries
// serialize alike. The time is UTC RFC 3339 with nanoseconds (already
// truncated to microseconds, which PostgreSQL keeps), the ids decimal.
func (r *Record) canonical() []byte {
	fields := []string{
		hashVersion,
		strconv.FormatInt(r.ID, 10),
		r.At.UTC().Format(time.RFC3339Nano),
		strconv.FormatInt(r.UserID, 10),
		r.Username, r.Role, r.IP, r.Action, r.Object, r.Result, r.Detail,
		r.PrevHash,
	}
	var b strings.Builder
	for _, f := range fields {
		b.WriteString(strconv.Itoa(len(f)))
		b.WriteByte(':')
		b.WriteString(f)
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

// computeHash returns the hex SHA-256 of the canonical form, which includes
// the previous entry's hash.
func (r *Record) computeHash() string {
	sum := sha256.Sum256(r.canonical())
	return hex.EncodeToString(sum[:])
}

var (
	idNumberLike = regexp.MustCompile(`\d{17}[\dXx]|\d{15}`)
	phoneLike    = regexp.MustCompile(`1[3-9]\d{9}`)
)

// Redact masks anything in s that looks like a resident ID number or a
// mobile phone number, a last guard so the audit log never holds them
// (a failed login may name an ID number typed as a username).
func Redact(s string) string {
	if !strings.ContainsAny(s, "0123456789") {
		return s
	}
	s = idNumberLike.ReplaceAllStringFunc(s, func(m string) string {
		return m[:6] + strings.Repeat("*", len(m)-10) + m[len(m)-4:]
	})
	return phoneLike.ReplaceAllStringFunc(s, func(m string) string { return m[:3] + "****" + m[7:] })
}
