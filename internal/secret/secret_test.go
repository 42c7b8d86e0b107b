package secret

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	k := TestKeyring()
	for _, v := range []string{"63010219800101123X", "13912345678", "王秀兰"} {
		s, err := k.Seal(v)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(s, v) || !strings.HasPrefix(s, "v1.1.") {
			t.Fatalf("Seal(%q) = %q", v, s)
		}
		got, err := k.Open(s)
		if err != nil || got != v {
			t.Fatalf("Open(Seal(%q)) = %q, %v", v, got, err)
		}
		again, _ := k.Seal(v)
		if again == s {
			t.Error("two seals of the same value are equal: the nonce is not random")
		}
	}
	if s, err := k.Seal(""); s != "" || err != nil {
		t.Errorf("Seal(\"\") = %q, %v", s, err)
	}
}

func TestTamperDetected(t *testing.T) {
	k := TestKeyring()
	s, _ := k.Seal("13912345678")
	b := []byte(s)
	i := len(b) - 5
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	if _, err := k.Open(string(b)); !errors.Is(err, ErrCorrupt) {
		t.Errorf("altered ciphertext: err = %v, want ErrCorrupt", err)
	}
	// Relabelling a value as sealed under another key of the ring fails too.
	relabelled := "v1.2." + strings.TrimPrefix(s, "v1.1.")
	if _, err := k.Open(relabelled); !errors.Is(err, ErrCorrupt) {
		t.Errorf("relabelled key id: err = %v, want ErrCorrupt", err)
	}
	for _, bad := range []string{"13912345678", "v1.", "v1.1", "v1.1.!!", "v1.x.AAAA"} {
		if _, err := k.Open(bad); err == nil {
			t.Errorf("Open(%q) succeeded", bad)
		}
	}
}

func TestWrongKey(t *testing.T) {
	dir := t.TempDir()
	a, err := NewKeyFile(filepath.Join(dir, "a.key"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewKeyFile(filepath.Join(dir, "b.key"))
	if err != nil {
		t.Fatal(err)
	}
	s, _ := a.Seal("63010219800101123X")
	_, err = b.Open(s)
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("opened with another file's key: err = %v", err)
	}
	if strings.Contains(err.Error(), "630102") {
		t.Error("the error shows the value")
	}
	if _, err := (*Keyring)(nil).Open(s); !errors.Is(err, ErrNoKeys) {
		t.Errorf("nil keyring: err = %v", err)
	}
	if _, err := (*Keyring)(nil).Seal("x"); !errors.Is(err, ErrNoKeys) {
		t.Errorf("nil keyring seal: err = %v", err)
	}
	if _, err := b.Open("v1.9." + strings.TrimPrefix(s, "v1.1.")); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("unknown key id: err = %v", err)
	}
}

func TestHashStable(t *testing.T) {
	k := TestKeyring()
	h := k.Hash("phone", "13912345678")
	if len(h) != 22 || h != TestKeyring().Hash("phone", "13912345678") {
		t.Fatalf("hash %q is not stable", h)
	}
	if h == k.Hash("id_number", "13912345678") {
		t.Error("kinds share hashes")
	}
	if k.Hash("phone", "") != "" || (*Keyring)(nil).Hash("phone", "1") != "" {
		t.Error("empty value or nil ring should hash to \"\"")
	}
	// Rotating the encryption keys keeps the index key.
	path := filepath.Join(t.TempDir(), "k.key")
	f, err := NewKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	before := f.Hash("phone", "13912345678")
	if _, err := f.BeginRotation(); err != nil {
		t.Fatal(err)
	}
	re, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if re.Hash("phone", "13912345678") != before {
		t.Error("rotation changed the hashes")
	}
}

func TestKeyFileRotateRetire(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.key")
	k, err := NewKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, %v", st.Mode(), err)
	}
	if _, err := NewKeyFile(path); err == nil {
		t.Fatal("NewKeyFile overwrote a key file")
	}
	old, _ := k.Seal("13912345678")
	id, err := k.BeginRotation()
	if err != nil || id != 2 || k.Current() != 2 || !k.Rotating() {
		t.Fatalf("BeginRotation = %d, %v (current %d)", id, err, k.Current())
	}
	if again, _ := k.BeginRotation(); again != 2 {
		t.Fatalf("a second BeginRotation while rotating made key %d", again)
	}
	// Another process holding the old file meets the new key and reloads.
	other, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	fresh, _ := k.Seal("13912345678")
	if v, err := other.Open(fresh); err != nil || v != "13912345678" {
		t.Fatalf("reload: %q, %v", v, err)
	}
	if v, err := k.Open(old); err != nil || v != "13912345678" {
		t.Fatalf("old value after rotation: %q, %v", v, err)
	}
	if err := k.Retire(2); err == nil {
		t.Error("retired the current key")
	}
	if err := k.EndRotation(); err != nil {
		t.Fatal(err)
	}
	if err := k.Retire(1); err != nil {
		t.Fatal(err)
	}
	re, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if ids := re.IDs(); len(ids) != 1 || ids[0] != 2 || re.Rotating() {
		t.Fatalf("after retire: ids %v rotating %v", ids, re.Rotating())
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("rewritten key file mode %v", st.Mode())
	}
	if _, err := re.Open(old); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("value under a retired key: err = %v", err)
	}
}

// TestServerFollowsRotation: a keyring loaded before another process
// rotated the file seals with the new key once it looks again.
func TestServerFollowsRotation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.key")
	if _, err := NewKeyFile(path); err != nil {
		t.Fatal(err)
	}
	server, _ := Load(path)
	cli, _ := Load(path)
	if _, err := cli.BeginRotation(); err != nil {
		t.Fatal(err)
	}
	s, _ := server.Seal("13912345678")
	if id, _ := KeyID(s); id != 1 {
		t.Fatalf("sealed with key %d before looking again", id)
	}
	server.mu.Lock()
	server.checked = server.checked.Add(-recheck) // as if recheck had passed
	server.mu.Unlock()
	s, _ = server.Seal("13912345678")
	if id, _ := KeyID(s); id != 2 {
		t.Fatalf("sealed with key %d after the rotation", id)
	}
}
