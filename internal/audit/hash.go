package audit

import (
	"crypto/sha256"
	"encoding/hex"
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
