package secret

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"os"
	"path/filepath"
	"testing"
)

func auditSum(k *Keyring) []byte {
	m := k.AuditMAC()
	m.Write([]byte("entry"))
	return m.Sum(nil)
}

// TestAuditKey: the audit key comes from the index key, so a key file made
// before it existed has one, rotating and retiring encryption keys keeps
// it, and another key file gives another.
func TestAuditKey(t *testing.T) {
	if (*Keyring)(nil).AuditMAC() != nil {
		t.Error("a nil ring gave an audit MAC")
	}
	path := filepath.Join(t.TempDir(), "k")
	k, err := NewKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	before := auditSum(k)
	if _, err := k.BeginRotation(); err != nil {
		t.Fatal(err)
	}
	if err := k.EndRotation(); err != nil {
		t.Fatal(err)
	}
	if err := k.Retire(1); err != nil {
		t.Fatal(err)
	}
	again, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(auditSum(again), before) || !bytes.Equal(auditSum(k), before) {
		t.Error("the audit key changed with a rotation of the encryption keys")
	}
	other, err := NewKeyFile(filepath.Join(t.TempDir(), "k2"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(auditSum(other), before) {
		t.Error("two key files give the same audit key")
	}
	// The audit key is not the index key, which keys the search hashes
	// stored in the database.
	if bytes.Equal(k.audit, k.index) || len(k.audit) != 32 {
		t.Error("the audit key is the index key")
	}
	idx := hmac.New(sha256.New, k.index)
	idx.Write([]byte("entry"))
	if bytes.Equal(idx.Sum(nil), before) {
		t.Error("the audit MAC is a MAC under the index key")
	}
	// Nothing was added to the key file: every existing one works as is.
	b, _ := os.ReadFile(path)
	if bytes.Contains(b, []byte("audit")) {
		t.Error("the audit key was written to the key file")
	}
}
