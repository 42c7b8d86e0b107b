// Package secret encrypts personal data at rest (ID numbers, phone numbers)
// and computes the keyed hashes that exact-match search compares.
//
// The keys live in a key file outside the database (--key-file,
// WANHU_KEY_FILE): several AES-256 keys with ids, one of them current, and a
// separate index key for the hashes. A value is sealed with AES-256-GCM under
// the current key and stored as text "v1.<keyid>.<base64(nonce|ciphertext)>",
// so any key of the ring opens it and rotation can proceed row by row. The
// index key does not change when encryption keys rotate, so hashes stay
// valid. The key that chains the audit log is derived from the index key
// (AuditMAC), so it too survives rotation and needs no new key file.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Prefix starts every sealed value; the version names the format.
const Prefix = "v1."

// HashBytes is how many bytes of the HMAC a hash keeps.
const HashBytes = 16

// ErrNoKeys is returned when data must be sealed or opened without a key
// file.
var ErrNoKeys = errors.New("no encryption key: give --key-file (or WANHU_KEY_FILE)")

// ErrUnknownKey is returned when a sealed value names a key the ring does not
// hold (it was retired, or the wrong key file was given).
var ErrUnknownKey = errors.New("sealed with a key that is not in the key file")

// ErrCorrupt is returned when a sealed value is malformed or fails
// authentication (it was altered, or another key of the same id sealed it).
var ErrCorrupt = errors.New("sealed value is corrupt or was altered")

// Keyring holds the encryption keys and the index key. It is safe for
// concurrent use. A nil *Keyring seals and opens nothing (ErrNoKeys).
type Keyring struct {
	mu      sync.RWMutex
	path    string // key file it was loaded from ("" for test keyrings)
	current uint32
	aeads   map[uint32]cipher.AEAD
	index   []byte
	audit   []byte // the audit key, derived from index (see AuditMAC)
	file    keyFile

	checked time.Time // when the file was last looked at for changes
	stamp   string    // its size and modification time then
}

// recheck is how often a keyring loaded from a file looks whether the file
// changed (a rotation by another process), so that running servers seal
// with the new current key without a restart.
const recheck = 5 * time.Second

// newKeyring builds a keyring from the parsed contents of a key file.
func newKeyring(path string, f keyFile) (*Keyring, error) {
	k := &Keyring{path: path, checked: time.Now()}
	if path != "" {
		k.stamp = fileStamp(path)
	}
	if err := k.set(f); err != nil {
		return nil, err
	}
	return k, nil
}

func (k *Keyring) set(f keyFile) error {
	aeads := make(map[uint32]cipher.AEAD, len(f.Keys))
	for _, e := range f.Keys {
		key, err := base64.StdEncoding.DecodeString(e.Key)
		if err != nil || len(key) != 32 {
			return fmt.Errorf("key %d: want 32 bytes of base64", e.ID)
		}
		if _, dup := aeads[e.ID]; dup || e.ID == 0 {
			return fmt.Errorf("key %d: duplicate or zero id", e.ID)
		}
		block, err := aes.NewCipher(key)
		if err != nil {
			return fmt.Errorf("key %d: %w", e.ID, err)
		}
		if aeads[e.ID], err = cipher.NewGCM(block); err != nil {
			return fmt.Errorf("key %d: %w", e.ID, err)
		}
	}
	if _, ok := aeads[f.Current]; !ok {
		return fmt.Errorf("the current key %d is not in the file", f.Current)
	}
	index, err := base64.StdEncoding.DecodeString(f.IndexKey)
	if err != nil || len(index) < 32 {
		return errors.New("index_key: want at least 32 bytes of base64")
	}
	audit, err := deriveAuditKey(index)
	if err != nil {
		return fmt.Errorf("audit key: %w", err)
	}
	k.current, k.aeads, k.index, k.audit, k.file = f.Current, aeads, index, audit, f
	return nil
}

// Current returns the id of the key new values are sealed with.
func (k *Keyring) Current() uint32 {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.current
}

// IDs returns the ids of all keys in the ring, in ascending order.
func (k *Keyring) IDs() []uint32 {
	k.mu.RLock()
	defer k.mu.RUnlock()
	var ids []uint32
	for id := range k.aeads {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// Path returns the key file the ring was loaded from, or "".
func (k *Keyring) Path() string { return k.path }

// Seal encrypts plain under the current key. The empty string stays empty
// (there is nothing to hide), so "no phone" needs no key.
func (k *Keyring) Seal(plain string) (string, error) {
	if plain == "" {
		return "", nil
	}
	if k == nil {
		return "", ErrNoKeys
	}
	k.refresh()
	k.mu.RLock()
	id, aead := k.current, k.aeads[k.current]
	k.mu.RUnlock()
	buf := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
	if _, err := rand.Read(buf); err != nil {
		return "", fmt.Errorf("nonce: %w", err)
	}
	out := aead.Seal(buf, buf, []byte(plain), additional(id))
	return Prefix + strconv.FormatUint(uint64(id), 10) + "." + base64.RawStdEncoding.EncodeToString(out), nil
}

// additional is the authenticated data of a value sealed under key id: a
// value cannot be relabelled as sealed under another key.
func additional(id uint32) []byte { return []byte("wanhu/" + strconv.FormatUint(uint64(id), 10)) }

// KeyID returns the id of the key a sealed value was sealed with.
func KeyID(sealed string) (uint32, bool) {
	rest, ok := strings.CutPrefix(sealed, Prefix)
	if !ok {
		return 0, false
	}
	ids, _, ok := strings.Cut(rest, ".")
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseUint(ids, 10, 32)
	return uint32(id), err == nil
}

// Open decrypts a value made by Seal with any key of the ring. When the
// value names a key the ring lacks and the ring came from a file, the file
// is read again first: another process may have rotated the keys. Errors
// never contain the value.
func (k *Keyring) Open(sealed string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	if k == nil {
		return "", ErrNoKeys
	}
	id, ok := KeyID(sealed)
	if !ok {
		return "", ErrCorrupt
	}
	k.mu.RLock()
	aead := k.aeads[id]
	k.mu.RUnlock()
	if aead == nil {
		if err := k.reload(); err != nil {
			return "", err
		}
		k.mu.RLock()
		aead = k.aeads[id]
		k.mu.RUnlock()
		if aead == nil {
			return "", fmt.Errorf("key %d: %w", id, ErrUnknownKey)
		}
	}
	_, b64, _ := strings.Cut(sealed[len(Prefix):], ".")
	raw, err := base64.RawStdEncoding.DecodeString(b64)
	if err != nil || len(raw) < aead.NonceSize()+aead.Overhead() {
		return "", ErrCorrupt
	}
	n := aead.NonceSize()
	plain, err := aead.Open(nil, raw[:n], raw[n:], additional(id))
	if err != nil {
		return "", ErrCorrupt
	}
	return string(plain), nil
}

// reload reads the key file again, keeping the ring as it is if that fails.
func (k *Keyring) reload() error {
	if k.path == "" {
		return nil
	}
	stamp := fileStamp(k.path)
	f, err := readKeyFile(k.path)
	if err != nil {
		return err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.checked, k.stamp = time.Now(), stamp
	return k.set(f)
}

// refresh reloads the key file when it changed, looking at most every
// recheck. A file that cannot be read leaves the ring as it is.
func (k *Keyring) refresh() {
	if k.path == "" {
		return
	}
	k.mu.RLock()
	due, stamp := time.Since(k.checked) >= recheck, k.stamp
	k.mu.RUnlock()
	if !due {
		return
	}
	if fileStamp(k.path) == stamp {
		k.mu.Lock()
		k.checked = time.Now()
		k.mu.Unlock()
		return
	}
	k.reload()
}

func fileStamp(path string) string {
	st, err := os.Stat(path)
	if err != nil {
		return ""
	}
	return fmt.Sprint(st.Size(), st.ModTime().UnixNano())
}

// Hash returns the keyed hash of a normalized value of a kind ("phone",
// "id_number"), for exact-match search: HMAC-SHA256 under the index key,
// cut to 128 bits (ample against collisions among a city's records) and
// written as 22 characters of unpadded URL-safe base64, which keeps the
// hash columns and their indexes small.
// The kind keeps equal strings of different kinds apart. The empty value
// hashes to "" and so does anything on a nil ring, which matches no stored
// hash.
func (k *Keyring) Hash(kind, value string) string {
	if k == nil || value == "" {
		return ""
	}
	k.mu.RLock()
	m := hmac.New(sha256.New, k.index)
	k.mu.RUnlock()
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:HashBytes])
}
