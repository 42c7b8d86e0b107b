package secret

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// keyFile is the JSON of a key file. Rotating says a rotation has added the
// current key and not yet re-encrypted everything under it.
type keyFile struct {
	Current  uint32     `json:"current"`
	Rotating bool       `json:"rotating,omitempty"`
	IndexKey string     `json:"index_key"`
	Keys     []keyEntry `json:"keys"`
}

type keyEntry struct {
	ID      uint32    `json:"id"`
	Key     string    `json:"key"`
	Created time.Time `json:"created"`
}

func randomKey() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base64.StdEncoding.EncodeToString(b)
}

// NewKeyFile creates a key file at path with one random encryption key and
// a random index key, readable by its owner only (0600). It refuses to
// overwrite an existing file: losing a key loses the data sealed with it.
func NewKeyFile(path string) (*Keyring, error) {
	f := keyFile{Current: 1, IndexKey: randomKey(), Keys: []keyEntry{{ID: 1, Key: randomKey(), Created: time.Now().UTC()}}}
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, err
	}
	w, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create key file: %w", err)
	}
	if _, err := w.Write(append(b, '\n')); err != nil {
		w.Close()
		return nil, fmt.Errorf("write key file %s: %w", path, err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("write key file %s: %w", path, err)
	}
	return newKeyring(path, f)
}

// Load reads the key file at path.
func Load(path string) (*Keyring, error) {
	if path == "" {
		return nil, ErrNoKeys
	}
	f, err := readKeyFile(path)
	if err != nil {
		return nil, err
	}
	return newKeyring(path, f)
}

// Exists reports whether a key file exists at path.
func Exists(path string) bool {
	_, err := os.Stat(path)
	return !errors.Is(err, fs.ErrNotExist)
}

func readKeyFile(path string) (keyFile, error) {
	var f keyFile
	b, err := os.ReadFile(path)
	if err != nil {
		return f, fmt.Errorf("key file: %w", err)
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return f, fmt.Errorf("key file %s: not a Wanhu key file: %w", path, err)
	}
	return f, nil
}

// writeKeyFile replaces the key file atomically (a temporary file beside
// it, then rename), keeping it 0600.
func writeKeyFile(path string, f keyFile) error {
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".wanhu-key-*")
	if err != nil {
		return fmt.Errorf("write key file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("write key file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// Rotating reports whether a rotation has begun and not been finished.
func (k *Keyring) Rotating() bool {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.file.Rotating
}

// BeginRotation adds a new random key to the key file, makes it current and
// marks the file as rotating; the old keys stay so that old values still
// open. If a rotation is already under way it changes nothing, so an
// interrupted rotation resumes with the same key. It returns the id of the
// current key.
func (k *Keyring) BeginRotation() (uint32, error) {
	if k.path == "" {
		return 0, errors.New("this keyring has no key file")
	}
	if err := k.reload(); err != nil {
		return 0, err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.file.Rotating {
		return k.current, nil
	}
	f := k.file
	f.Keys = slices.Clone(f.Keys)
	var next uint32
	for _, e := range f.Keys {
		next = max(next, e.ID)
	}
	next++
	f.Keys = append(f.Keys, keyEntry{ID: next, Key: randomKey(), Created: time.Now().UTC()})
	f.Current, f.Rotating = next, true
	if err := writeKeyFile(k.path, f); err != nil {
		return 0, err
	}
	return next, k.set(f)
}

// EndRotation clears the rotating mark once every value is sealed under
// the current key.
func (k *Keyring) EndRotation() error {
	return k.update(func(f *keyFile) error {
		f.Rotating = false
		return nil
	})
}

// Retire removes key id from the key file. The caller must first make sure
// no stored value is sealed with it; the current key cannot be retired.
func (k *Keyring) Retire(id uint32) error {
	return k.update(func(f *keyFile) error {
		if id == f.Current {
			return fmt.Errorf("key %d is the current key and cannot be retired", id)
		}
		i := slices.IndexFunc(f.Keys, func(e keyEntry) bool { return e.ID == id })
		if i < 0 {
			return fmt.Errorf("key %d is not in the key file", id)
		}
		f.Keys = slices.Delete(slices.Clone(f.Keys), i, i+1)
		return nil
	})
}

func (k *Keyring) update(change func(f *keyFile) error) error {
	if k.path == "" {
		return errors.New("this keyring has no key file")
	}
	if err := k.reload(); err != nil {
		return err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	f := k.file
	if err := change(&f); err != nil {
		return err
	}
	if err := writeKeyFile(k.path, f); err != nil {
		return err
	}
	return k.set(f)
}

// TestKeyring returns a keyring with fixed keys (ids 1 and 2, 1 current)
// and no file, for tests. Never use it for real data.
func TestKeyring() *Keyring {
	fixed := func(b byte) string {
		k := make([]byte, 32)
		for i := range k {
			k[i] = b + byte(i)
		}
		return base64.StdEncoding.EncodeToString(k)
	}
	k, err := newKeyring("", keyFile{Current: 1, IndexKey: fixed(0x40), Keys: []keyEntry{{ID: 1, Key: fixed(1)}, {ID: 2, Key: fixed(0x80)}}})
	if err != nil {
		panic(err)
	}
	return k
}
