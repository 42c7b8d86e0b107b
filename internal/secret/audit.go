package secret

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"hash"
)

// auditInfo labels the derivation of the audit key from the index key.
const auditInfo = "wanhu audit chain key v2"

// deriveAuditKey returns the key that chains the audit log: HKDF-SHA256 of
// the index key, labelled auditInfo.
//
// It comes from the index key because that key is in every key file, old
// ones included; it never changes when the encryption keys rotate (the
// search hashes depend on it too); every server on one database must hold
// the same one; and, like the whole key file, it never enters the
// database. HKDF keeps the two uses apart: the audit key cannot be told
// from the search hashes stored in the database, nor they from it.
func deriveAuditKey(index []byte) ([]byte, error) {
	return hkdf.Key(sha256.New, index, nil, auditInfo, 32)
}

// AuditMAC returns a new HMAC-SHA256 under the audit key, which chains
// the audit log (see deriveAuditKey), or nil on a nil ring.
func (k *Keyring) AuditMAC() hash.Hash {
	if k == nil {
		return nil
	}
	k.mu.RLock()
	key := k.audit
	k.mu.RUnlock()
	return hmac.New(sha256.New, key)
}
